#include "adapters/people/people_codec.h"
#include "adapters/sim/partner_sims.h"

namespace kaiban::sim {
namespace {

using adapters::LookupAnswer;
using adapters::PeopleCodec;
using adapters::PersonFound;
using adapters::PersonNotFound;
using adapters::PersonQuery;

class LookupSim final : public PartnerRequest {
 public:
  LookupSim(const PeopleCodec& codec, const PeopleRegister& people, PersonQuery query)
      : codec_(codec), people_(people), query_(std::move(query)) {}

  const std::string& messageId() const override { return query_.message_id; }
  bool changesState() const override { return false; }

  Result<Decision> decide(Ledger&, SystemTime) override {
    LookupAnswer answer = PersonNotFound{query_.message_id, query_.id_number};
    if (std::optional<SimPerson> person = people_.find(query_.id_number)) {
      answer = PersonFound{query_.message_id,
                           adapters::PersonRecord{person->id_number, person->name, person->sex,
                                                  person->birth_date, person->address}};
    }
    Result<std::string> body = encoded(codec_.encode(answer), "a lookup answer");
    if (!body.ok()) return body.error();
    return Decision{200, std::move(*body), "", false,
                    std::holds_alternative<PersonFound>(answer) ? "found" : "not_found"};
  }

 private:
  const PeopleCodec& codec_;
  const PeopleRegister& people_;
  PersonQuery query_;
};

class PeopleSim final : public PartnerSim {
 public:
  PeopleSim(PeopleCodec codec, const PeopleRegister& people)
      : codec_(std::move(codec)), people_(people) {}

  const PartnerInfo& info() const override { return partnerInfo("people"); }

  Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                std::string_view body) const override {
    if (operation != "lookup") {
      return Error::notFound("the people-data platform has no operation '" +
                             std::string(operation) + "' (lookup)");
    }
    Result<PersonQuery> query = codec_.decodePersonQuery(body);
    if (!query.ok()) return query.error();
    return std::unique_ptr<PartnerRequest>(
        std::make_unique<LookupSim>(codec_, people_, std::move(*query)));
  }

  std::string errorDocument(std::string_view message_id, std::string_view reason) const override {
    return errorDocumentOf(codec_, message_id, reason);
  }

 private:
  PeopleCodec codec_;
  const PeopleRegister& people_;
};

}  // namespace

std::unique_ptr<PartnerSim> makePeopleSim(const std::filesystem::path& schema_dir,
                                          const PeopleRegister& people) {
  return std::make_unique<PeopleSim>(
      loadedOrThrow(PeopleCodec::load(schema_dir), PeopleCodec::kPartner), people);
}

}  // namespace kaiban::sim
