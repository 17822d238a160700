#include "adapters/bank/account_number.h"
#include "adapters/bank/bank_codec.h"
#include "adapters/sim/identifiers.h"
#include "adapters/sim/partner_sims.h"
#include "core/timestamp.h"
#include "core/uscc.h"

namespace kaiban::sim {
namespace {

namespace bank = adapters::bank;

// Account numbers are masked in logs and effect details: bank, then the last four digits.
std::string maskedAccount(std::string_view number) {
  if (number.size() <= 10) return std::string(number.size(), '*');
  return std::string(number.substr(0, 6)) + std::string(number.size() - 10, '*') +
         std::string(number.substr(number.size() - 4));
}

class AccountOpeningSim final : public PartnerRequest {
 public:
  AccountOpeningSim(const bank::BankCodec& codec, bank::AccountOpeningRequest request)
      : codec_(codec), request_(std::move(request)) {}

  const std::string& messageId() const override { return request_.message_id; }

  Result<Decision> decide(Ledger& ledger, SystemTime now) override {
    if (Result<Uscc> uscc = Uscc::parse(request_.uscc); !uscc.ok()) {
      bank::AccountRequestRejection rejection =
          bank::rejectionFor(request_, bankMessageId(ledger, now, "BKRJ"), now,
                             std::string(bank::reason::kInvalidUscc),
                             "统一社会信用代码无效 (the USCC is invalid): " + uscc.error().message);
      rejection.uscc.clear();  // the code itself was refused
      Result<std::string> answer = encoded(codec_.encodeRejection(rejection), "an acmt.011");
      if (!answer.ok()) return answer.error();
      std::string result = *answer;
      return Decision{422, std::move(*answer), std::move(result), false,
                      "refused:" + std::string(bank::reason::kInvalidUscc)};
    }

    Result<std::string> ack =
        encoded(codec_.encodeAcknowledgement(bank::acknowledgementFor(
                    request_, bankMessageId(ledger, now, "BKACK"), now, "KYC_REVIEW")),
                "an acmt.010");
    if (!ack.ok()) return ack.error();

    if (std::optional<AccountRecord> existing = ledger.accountOf(request_.uscc)) {
      Result<std::string> result = encoded(
          codec_.encodeRejection(bank::rejectionFor(
              request_, bankMessageId(ledger, now, "BKRJ"), now,
              std::string(bank::reason::kDuplicateAccount),
              "该企业已开立基本存款账户 (the enterprise has a basic deposit account already: " +
                  maskedAccount(existing->account_number) + ")")),
          "an acmt.011");
      if (!result.ok()) return result.error();
      return Decision{202, std::move(*ack), std::move(*result), true,
                      "rejected:" + std::string(bank::reason::kDuplicateAccount)};
    }

    Result<std::string> number = bank::generateAccountNumber(
        request_.bank_code,
        static_cast<std::uint64_t>(ledger.nextSequence("bank.account." + request_.bank_code)));
    if (!number.ok()) return number.error();
    ledger.openAccount(
        AccountRecord{*number, request_.bank_code, request_.uscc, request_.company_name});
    ledger.recordEffect("account_opened", maskedAccount(*number));

    Result<std::string> result = encoded(
        codec_.encodeAccountReport(bank::reportFor(request_, bankMessageId(ledger, now, "BKRPT"),
                                                   now, *number, shanghaiDate(now))),
        "an acmt.014");
    if (!result.ok()) return result.error();
    return Decision{202, std::move(*ack), std::move(*result), true,
                    "opened:" + maskedAccount(*number)};
  }

 private:
  static std::string bankMessageId(Ledger& ledger, SystemTime now, std::string_view prefix) {
    return partnerReferenceFor(prefix, shanghaiDate(now),
                               static_cast<std::uint64_t>(ledger.nextSequence("bank.message")));
  }

  const bank::BankCodec& codec_;
  bank::AccountOpeningRequest request_;
};

class BankSim final : public PartnerSim {
 public:
  BankSim(std::shared_ptr<const bank::BankCodec> codec, const Clock& clock)
      : codec_(std::move(codec)), clock_(clock) {}

  const PartnerInfo& info() const override { return partnerInfo("bank"); }

  Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                std::string_view body) const override {
    if (operation != "account-opening") {
      return Error::notFound("the bank has no operation '" + std::string(operation) +
                             "' (account-opening)");
    }
    Result<bank::AccountOpeningRequest> request = codec_->decodeAccountOpeningRequest(body);
    if (!request.ok()) return request.error();
    return std::unique_ptr<PartnerRequest>(
        std::make_unique<AccountOpeningSim>(*codec_, std::move(*request)));
  }

  // ISO 20022 has no error document: a request the bank cannot read is answered with an
  // acmt.011 whose reason code is SCHEMA_INVALID, referring to the message id from the
  // header when there is one ("UNKNOWN" otherwise).
  std::string errorDocument(std::string_view message_id, std::string_view reason) const override {
    bank::AccountOpeningRequest unknown;
    unknown.message_id = message_id.empty() ? "UNKNOWN" : std::string(message_id);
    unknown.application_id = "UNKNOWN";
    unknown.bank_code = "UNKNOWN";
    const SystemTime now = clock_.now();
    unknown.created_at = now;
    bank::AccountRequestRejection rejection =
        bank::rejectionFor(unknown, "BKERR", now, "SCHEMA_INVALID", truncateUtf8(reason, 350));
    rejection.uscc.clear();
    return codec_->encodeRejection(rejection).valueOr("");
  }

 private:
  std::shared_ptr<const bank::BankCodec> codec_;
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<PartnerSim> makeBankSim(const std::filesystem::path& schema_dir,
                                        const Clock& clock) {
  return std::make_unique<BankSim>(
      loadedOrThrow(bank::BankCodec::load(schema_dir / "iso20022"), "bank (ISO 20022)"), clock);
}

}  // namespace kaiban::sim
