#include <array>

#include "adapters/registry/registry_codec.h"
#include "adapters/sim/identifiers.h"
#include "adapters/sim/partner_sims.h"
#include "core/timestamp.h"

namespace kaiban::sim {
namespace {

using adapters::Acknowledgement;
using adapters::NameCheck;
using adapters::NameCheckRequest;
using adapters::NameCheckResult;
using adapters::NameVerdict;
using adapters::Refusal;
using adapters::Registered;
using adapters::RegistrationRequest;
using adapters::RegistrationResult;
using adapters::RegistryCodec;
using adapters::Rejection;

// Words an enterprise name may not hold: the first five only with State Council approval
// (企业名称登记管理规定 art. 12: 中国, 中华, 全国, 国家, 国际 and the like), which no
// application through a kiosk has; the rest never (art. 11: names that mislead or offend).
constexpr std::array<std::string_view, 8> kProhibitedWords = {"中国", "中华", "全国", "国家",
                                                              "国际", "中央", "赌博", "色情"};

std::optional<std::string_view> prohibitedWordIn(std::string_view name) {
  for (std::string_view word : kProhibitedWords) {
    if (name.find(word) != std::string_view::npos) return word;
  }
  return std::nullopt;
}

std::string today(SystemTime now) { return formatDate(shanghaiDate(now)); }

class NameCheckSim final : public PartnerRequest {
 public:
  NameCheckSim(const RegistryCodec& codec, NameCheckRequest request)
      : codec_(codec), request_(std::move(request)) {}

  const std::string& messageId() const override { return request_.message_id; }
  bool changesState() const override { return false; }

  Result<Decision> decide(Ledger& ledger, SystemTime) override {
    NameCheck check;
    if (std::optional<std::string_view> word = prohibitedWordIn(request_.name)) {
      check = NameCheck{NameVerdict::kProhibitedWord, std::string(*word)};
    } else if (std::optional<EnterpriseRecord> taken = ledger.enterpriseNamed(request_.name)) {
      check = NameCheck{NameVerdict::kConflicting, taken->name};
    }
    Result<std::string> answer =
        encoded(codec_.encode(NameCheckResult{request_.message_id, check}), "a NameCheckResult");
    if (!answer.ok()) return answer.error();
    const std::string_view verdict = check.verdict == NameVerdict::kAvailable ? "available"
                                     : check.verdict == NameVerdict::kConflicting
                                         ? "conflicting"
                                         : "prohibited_word";
    return Decision{200, std::move(*answer), "", false, std::string(verdict)};
  }

 private:
  const RegistryCodec& codec_;
  NameCheckRequest request_;
};

class RegistrationSim final : public PartnerRequest {
 public:
  RegistrationSim(const RegistryCodec& codec, RegistrationRequest request)
      : codec_(codec), request_(std::move(request)) {}

  const std::string& messageId() const override { return request_.message_id; }

  Result<Decision> decide(Ledger& ledger, SystemTime now) override {
    const std::string& name = request_.enterprise.name;
    if (std::optional<std::string_view> word = prohibitedWordIn(name)) {
      return refuse({"NAME_PROHIBITED", "企业名称含有禁限用字词“" + std::string(*word) +
                                            "”，未经批准不得使用 (the name holds the prohibited "
                                            "word " +
                                            std::string(*word) + ")"});
    }
    Result<std::string> ack = acknowledge(ledger, now);
    if (!ack.ok()) return ack.error();

    if (std::optional<EnterpriseRecord> taken = ledger.enterpriseNamed(name)) {
      Result<std::string> result = encoded(
          codec_.encode(RegistrationResult{
              request_.message_id,
              Refusal{"NAME_TAKEN", "企业名称“" + taken->name +
                                        "”已被登记，请更换名称 (the name is registered already)"}}),
          "a RegistrationResult");
      if (!result.ok()) return result.error();
      return Decision{202, std::move(*ack), std::move(*result), true, "rejected:NAME_TAKEN"};
    }

    const std::string& division = request_.enterprise.registered_address.division_code;
    Result<std::string> uscc =
        usccFor(division, static_cast<std::uint64_t>(ledger.nextSequence("registry.uscc")));
    if (!uscc.ok()) return uscc.error();
    const EnterpriseRecord enterprise{
        *uscc, name, division,
        licenceReferenceFor(division, shanghaiDate(now),
                            static_cast<std::uint64_t>(ledger.nextSequence("registry.licence")))};
    ledger.registerEnterprise(enterprise);
    ledger.recordEffect("uscc_issued", enterprise.uscc);

    Result<std::string> result =
        encoded(codec_.encode(RegistrationResult{
                    request_.message_id,
                    Registered{enterprise.uscc, enterprise.licence_reference, today(now)}}),
                "a RegistrationResult");
    if (!result.ok()) return result.error();
    return Decision{202, std::move(*ack), std::move(*result), true,
                    "registered:" + enterprise.uscc};
  }

 private:
  Result<std::string> acknowledge(Ledger& ledger, SystemTime now) const {
    return encoded(codec_.encode(Acknowledgement{
                       request_.message_id,
                       partnerReferenceFor(
                           "REG", shanghaiDate(now),
                           static_cast<std::uint64_t>(ledger.nextSequence("registry.reference")))}),
                   "an Acknowledgement");
  }

  Result<Decision> refuse(const Refusal& refusal) const {
    Result<std::string> answer =
        encoded(codec_.encode(Rejection{request_.message_id, refusal}), "a Rejection");
    if (!answer.ok()) return answer.error();
    Result<std::string> result = encoded(
        codec_.encode(RegistrationResult{request_.message_id, refusal}), "a RegistrationResult");
    if (!result.ok()) return result.error();
    return Decision{422, std::move(*answer), std::move(*result), false,
                    "refused:" + refusal.reason_code};
  }

  const RegistryCodec& codec_;
  RegistrationRequest request_;
};

class RegistrySim final : public PartnerSim {
 public:
  explicit RegistrySim(RegistryCodec codec) : codec_(std::move(codec)) {}

  const PartnerInfo& info() const override { return partnerInfo("registry"); }

  Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                std::string_view body) const override {
    if (operation == "name-check") {
      Result<NameCheckRequest> request = codec_.decodeNameCheckRequest(body);
      if (!request.ok()) return request.error();
      return std::unique_ptr<PartnerRequest>(
          std::make_unique<NameCheckSim>(codec_, std::move(*request)));
    }
    if (operation == "registration") {
      Result<RegistrationRequest> request = codec_.decodeRegistrationRequest(body);
      if (!request.ok()) return request.error();
      return std::unique_ptr<PartnerRequest>(
          std::make_unique<RegistrationSim>(codec_, std::move(*request)));
    }
    return Error::notFound("the registry has no operation '" + std::string(operation) +
                           "' (name-check, registration)");
  }

  std::string errorDocument(std::string_view message_id, std::string_view reason) const override {
    return errorDocumentOf(codec_, message_id, reason);
  }

 private:
  RegistryCodec codec_;
};

}  // namespace

std::unique_ptr<PartnerSim> makeRegistrySim(const std::filesystem::path& schema_dir) {
  return std::make_unique<RegistrySim>(
      loadedOrThrow(RegistryCodec::load(schema_dir), RegistryCodec::kPartner));
}

}  // namespace kaiban::sim
