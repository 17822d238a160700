#include "adapters/seal/seal_codec.h"
#include "adapters/sim/identifiers.h"
#include "adapters/sim/partner_sims.h"
#include "core/timestamp.h"
#include "core/uscc.h"

namespace kaiban::sim {
namespace {

using adapters::Acknowledgement;
using adapters::EngravingOrder;
using adapters::FiledSeal;
using adapters::FilingResult;
using adapters::Refusal;
using adapters::Rejection;
using adapters::SealCodec;
using adapters::SealKind;
using adapters::SealsFiled;

class EngravingSim final : public PartnerRequest {
 public:
  EngravingSim(const SealCodec& codec, EngravingOrder order)
      : codec_(codec), order_(std::move(order)) {}

  const std::string& messageId() const override { return order_.message_id; }

  Result<Decision> decide(Ledger& ledger, SystemTime now) override {
    Result<Uscc> uscc = Uscc::parse(order_.uscc);
    if (!uscc.ok()) {
      return refuse(
          {"INVALID_USCC", "统一社会信用代码无效 (the USCC is invalid): " + uscc.error().message});
    }
    Result<std::string> ack = encoded(
        codec_.encode(Acknowledgement{
            order_.message_id, partnerReferenceFor("SEAL", shanghaiDate(now),
                                                   static_cast<std::uint64_t>(
                                                       ledger.nextSequence("seal.reference")))}),
        "an Acknowledgement");
    if (!ack.ok()) return ack.error();

    std::optional<Refusal> refusal;
    if (std::optional<EnterpriseRecord> known = ledger.enterprise(order_.uscc);
        known && known->name != order_.company_name) {
      refusal = Refusal{"NAME_MISMATCH", "印章名称与登记名称“" + known->name +
                                             "”不一致 (the name differs from the registered one)"};
    } else if (ledger.hasSeals(order_.uscc)) {
      refusal = Refusal{"ALREADY_FILED",
                        "该企业的印章已备案 (the enterprise's seals are filed "
                        "already)"};
    }
    if (refusal) {
      Result<std::string> result =
          encoded(codec_.encode(FilingResult{order_.message_id, *refusal}), "a FilingResult");
      if (!result.ok()) return result.error();
      return Decision{202, std::move(*ack), std::move(*result), true,
                      "rejected:" + refusal->reason_code};
    }

    std::vector<SealKind> kinds = {SealKind::kCompany};
    if (order_.finance_seal) kinds.push_back(SealKind::kFinance);
    if (order_.invoice_seal) kinds.push_back(SealKind::kInvoice);
    if (order_.legal_representative_seal) kinds.push_back(SealKind::kLegalRepresentative);
    SealsFiled filed{formatDate(shanghaiDate(now)), {}};
    for (SealKind kind : kinds) {
      const std::string code = sealCodeFor(
          uscc->divisionCode(), static_cast<std::uint64_t>(ledger.nextSequence("seal.code")));
      ledger.fileSeal(code, order_.uscc, adapters::toString(kind));
      filed.seals.push_back(FiledSeal{kind, code});
    }
    ledger.recordEffect("seals_filed",
                        order_.uscc + ": " + std::to_string(filed.seals.size()) + " seals");

    Result<std::string> result =
        encoded(codec_.encode(FilingResult{order_.message_id, filed}), "a FilingResult");
    if (!result.ok()) return result.error();
    return Decision{202, std::move(*ack), std::move(*result), true,
                    "filed:" + std::to_string(filed.seals.size()) + " seals"};
  }

 private:
  Result<Decision> refuse(const Refusal& refusal) const {
    Result<std::string> answer =
        encoded(codec_.encode(Rejection{order_.message_id, refusal}), "a Rejection");
    if (!answer.ok()) return answer.error();
    Result<std::string> result =
        encoded(codec_.encode(FilingResult{order_.message_id, refusal}), "a FilingResult");
    if (!result.ok()) return result.error();
    return Decision{422, std::move(*answer), std::move(*result), false,
                    "refused:" + refusal.reason_code};
  }

  const SealCodec& codec_;
  EngravingOrder order_;
};

class SealSim final : public PartnerSim {
 public:
  explicit SealSim(SealCodec codec) : codec_(std::move(codec)) {}

  const PartnerInfo& info() const override { return partnerInfo("seal"); }

  Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                std::string_view body) const override {
    if (operation != "engraving") {
      return Error::notFound("the seal system has no operation '" + std::string(operation) +
                             "' (engraving)");
    }
    Result<EngravingOrder> order = codec_.decodeEngravingOrder(body);
    if (!order.ok()) return order.error();
    return std::unique_ptr<PartnerRequest>(
        std::make_unique<EngravingSim>(codec_, std::move(*order)));
  }

  std::string errorDocument(std::string_view message_id, std::string_view reason) const override {
    return errorDocumentOf(codec_, message_id, reason);
  }

 private:
  SealCodec codec_;
};

}  // namespace

std::unique_ptr<PartnerSim> makeSealSim(const std::filesystem::path& schema_dir) {
  return std::make_unique<SealSim>(loadedOrThrow(SealCodec::load(schema_dir), SealCodec::kPartner));
}

}  // namespace kaiban::sim
