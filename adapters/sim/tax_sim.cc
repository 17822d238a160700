#include <algorithm>

#include "adapters/sim/identifiers.h"
#include "adapters/sim/partner_sims.h"
#include "adapters/tax/tax_codec.h"
#include "core/timestamp.h"
#include "core/uscc.h"

namespace kaiban::sim {
namespace {

using adapters::Acknowledgement;
using adapters::AgreementResult;
using adapters::AgreementSigned;
using adapters::PaymentAgreement;
using adapters::Refusal;
using adapters::Rejection;
using adapters::TaxCodec;
using adapters::TaxpayerRegistered;
using adapters::TaxpayerRegistration;
using adapters::TaxRegistrationResult;

// The most invoices of each type a new taxpayer gets per month at first approval: new
// taxpayers (新办纳税人) are approved at most 25 special VAT invoices; ordinary ones more freely.
int approvedQuantity(InvoiceType type, int requested) {
  return std::min(requested, type == InvoiceType::kVatSpecial ? 25 : 100);
}

template <class Document>
Result<Decision> refuseAtOnce(const TaxCodec& codec, const std::string& message_id,
                              const Refusal& refusal, const Document& result_document) {
  Result<std::string> answer = encoded(codec.encode(Rejection{message_id, refusal}), "a Rejection");
  if (!answer.ok()) return answer.error();
  Result<std::string> result = encoded(codec.encode(result_document), "a result");
  if (!result.ok()) return result.error();
  return Decision{422, std::move(*answer), std::move(*result), false,
                  "refused:" + refusal.reason_code};
}

Result<std::string> acknowledgement(const TaxCodec& codec, const std::string& message_id,
                                    Ledger& ledger, SystemTime now) {
  return encoded(
      codec.encode(Acknowledgement{
          message_id,
          partnerReferenceFor("TAX", shanghaiDate(now),
                              static_cast<std::uint64_t>(ledger.nextSequence("tax.reference")))}),
      "an Acknowledgement");
}

Refusal invalidUscc(const Error& error) {
  return Refusal{"INVALID_USCC", "统一社会信用代码无效 (the USCC is invalid): " + error.message};
}

class TaxpayerRegistrationSim final : public PartnerRequest {
 public:
  TaxpayerRegistrationSim(const TaxCodec& codec, TaxpayerRegistration request)
      : codec_(codec), request_(std::move(request)) {}

  const std::string& messageId() const override { return request_.message_id; }

  Result<Decision> decide(Ledger& ledger, SystemTime now) override {
    const std::string& id = request_.message_id;
    if (Result<Uscc> uscc = Uscc::parse(request_.uscc); !uscc.ok()) {
      const Refusal refusal = invalidUscc(uscc.error());
      return refuseAtOnce(codec_, id, refusal, TaxRegistrationResult{id, refusal});
    }
    if (request_.taxpayer_type == TaxpayerType::kGeneral && !request_.finance_officer) {
      const Refusal refusal{
          "FINANCE_OFFICER_REQUIRED",
          "一般纳税人须有财务负责人 (a general taxpayer needs a finance officer)"};
      return refuseAtOnce(codec_, id, refusal, TaxRegistrationResult{id, refusal});
    }
    Result<std::string> ack = acknowledgement(codec_, id, ledger, now);
    if (!ack.ok()) return ack.error();

    if (ledger.taxpayer(request_.uscc)) {
      Result<std::string> result =
          encoded(codec_.encode(TaxRegistrationResult{
                      id, Refusal{"ALREADY_REGISTERED",
                                  "该纳税人已办理税务登记 (the taxpayer is registered already)"}}),
                  "a RegistrationResult");
      if (!result.ok()) return result.error();
      return Decision{202, std::move(*ack), std::move(*result), true,
                      "rejected:ALREADY_REGISTERED"};
    }

    TaxpayerRegistered registered{
        request_.uscc, taxAuthorityCodeFor(request_.address.division_code), {}};
    for (const InvoiceNeed& need : request_.invoices) {
      registered.approved_invoices.push_back(
          InvoiceNeed{need.type, approvedQuantity(need.type, need.monthly_quantity)});
    }
    ledger.registerTaxpayer(TaxpayerRecord{registered.taxpayer_id, request_.company_name,
                                           registered.tax_authority_code});
    ledger.recordEffect("taxpayer_registered", registered.taxpayer_id);

    Result<std::string> result =
        encoded(codec_.encode(TaxRegistrationResult{id, registered}), "a RegistrationResult");
    if (!result.ok()) return result.error();
    return Decision{202, std::move(*ack), std::move(*result), true,
                    "registered:" + registered.taxpayer_id};
  }

 private:
  const TaxCodec& codec_;
  TaxpayerRegistration request_;
};

class PaymentAgreementSim final : public PartnerRequest {
 public:
  PaymentAgreementSim(const TaxCodec& codec, PaymentAgreement request)
      : codec_(codec), request_(std::move(request)) {}

  const std::string& messageId() const override { return request_.message_id; }

  Result<Decision> decide(Ledger& ledger, SystemTime now) override {
    const std::string& id = request_.message_id;
    Result<Uscc> uscc = Uscc::parse(request_.uscc);
    if (!uscc.ok()) {
      const Refusal refusal = invalidUscc(uscc.error());
      return refuseAtOnce(codec_, id, refusal, AgreementResult{id, refusal});
    }
    Result<std::string> ack = acknowledgement(codec_, id, ledger, now);
    if (!ack.ok()) return ack.error();

    std::optional<Refusal> refusal;
    std::optional<AccountRecord> account = ledger.account(request_.account_number);
    if (request_.taxpayer_id != request_.uscc || !ledger.taxpayer(request_.taxpayer_id)) {
      refusal =
          Refusal{"TAXPAYER_UNKNOWN", "纳税人尚未办理税务登记 (no such taxpayer is registered)"};
    } else if (!account || account->bank_code != request_.bank_code) {
      refusal = Refusal{"ACCOUNT_NOT_FOUND", "开户银行未查到该账户 (the bank has no such account)"};
    } else if (account->uscc != request_.uscc) {
      refusal = Refusal{"ACCOUNT_MISMATCH",
                        "账户户名与纳税人不一致 (the account belongs to another holder)"};
    }
    if (refusal) {
      Result<std::string> result =
          encoded(codec_.encode(AgreementResult{id, *refusal}), "an AgreementResult");
      if (!result.ok()) return result.error();
      return Decision{202, std::move(*ack), std::move(*result), true,
                      "rejected:" + refusal->reason_code};
    }

    // An enterprise has one agreement: signing again confirms the one it has.
    std::string number;
    if (std::optional<std::string> existing = ledger.agreementOf(request_.taxpayer_id)) {
      number = *existing;
    } else {
      number = agreementNumberFor(uscc->divisionCode(), shanghaiDate(now),
                                  static_cast<std::uint64_t>(ledger.nextSequence("tax.agreement")));
      ledger.signAgreement(number, request_.taxpayer_id, request_.account_number);
      ledger.recordEffect("agreement_signed", number);
    }
    Result<std::string> result =
        encoded(codec_.encode(AgreementResult{id, AgreementSigned{number}}), "an AgreementResult");
    if (!result.ok()) return result.error();
    return Decision{202, std::move(*ack), std::move(*result), true, "signed:" + number};
  }

 private:
  const TaxCodec& codec_;
  PaymentAgreement request_;
};

class TaxSim final : public PartnerSim {
 public:
  explicit TaxSim(TaxCodec codec) : codec_(std::move(codec)) {}

  const PartnerInfo& info() const override { return partnerInfo("tax"); }

  Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                std::string_view body) const override {
    if (operation == "registration") {
      Result<TaxpayerRegistration> request = codec_.decodeTaxpayerRegistration(body);
      if (!request.ok()) return request.error();
      return std::unique_ptr<PartnerRequest>(
          std::make_unique<TaxpayerRegistrationSim>(codec_, std::move(*request)));
    }
    if (operation == "agreement") {
      Result<PaymentAgreement> request = codec_.decodePaymentAgreement(body);
      if (!request.ok()) return request.error();
      return std::unique_ptr<PartnerRequest>(
          std::make_unique<PaymentAgreementSim>(codec_, std::move(*request)));
    }
    return Error::notFound("the tax bureau has no operation '" + std::string(operation) +
                           "' (registration, agreement)");
  }

  std::string errorDocument(std::string_view message_id, std::string_view reason) const override {
    return errorDocumentOf(codec_, message_id, reason);
  }

 private:
  TaxCodec codec_;
};

}  // namespace

std::unique_ptr<PartnerSim> makeTaxSim(const std::filesystem::path& schema_dir) {
  return std::make_unique<TaxSim>(loadedOrThrow(TaxCodec::load(schema_dir), TaxCodec::kPartner));
}

}  // namespace kaiban::sim
