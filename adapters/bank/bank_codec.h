#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/adapter.h"
#include "adapters/xml/schema.h"
#include "core/application.h"
#include "core/clock.h"
#include "core/result.h"

// The bank's wire format: ISO 20022 Bank Account Management messages, read and written against
// the official schemas (adapters/schemas/iso20022/). Used by both sides: BankAdapter encodes
// the request and decodes the answers; the bank simulator (kaiban-sim) does the reverse. The
// element-by-element mapping, with an example of each message, is in docs/partners/bank.md.
namespace kaiban::adapters::bank {

inline constexpr std::string_view kAccountOpeningRequestNamespace =
    "urn:iso:std:iso:20022:tech:xsd:acmt.007.001.05";
inline constexpr std::string_view kAcknowledgementNamespace =
    "urn:iso:std:iso:20022:tech:xsd:acmt.010.001.04";
inline constexpr std::string_view kRejectionNamespace =
    "urn:iso:std:iso:20022:tech:xsd:acmt.011.001.04";
inline constexpr std::string_view kAccountReportNamespace =
    "urn:iso:std:iso:20022:tech:xsd:acmt.014.001.05";

// Acct/Tp/Prtry of every account Kaiban opens: 基本存款账户, the basic deposit account of
// 人民币银行结算账户管理办法 (an enterprise's one main settlement account).
inline constexpr std::string_view kBasicDepositAccountType = "BASIC";
inline constexpr std::string_view kCurrencyCny = "CNY";

// Rejection reason codes (first RjctnRsn of acmt.011) the bank simulator uses. A real bank may
// send others; they reach StepOutcome::reason_code unchanged.
namespace reason {
inline constexpr std::string_view kInvalidUscc = "INVALID_USCC";  // code fails GB 32100
inline constexpr std::string_view kKycFailed = "KYC_FAILED";      // officer's review refused
inline constexpr std::string_view kDuplicateAccount = "DUPLICATE_ACCOUNT";  // has one already
inline constexpr std::string_view kUnspecified = "UNSPECIFIED";  // decoded: no code was given
}  // namespace reason

// The request to open the company's basic deposit account (acmt.007.001.05). Times are
// written to the second with the +08:00 offset.
struct AccountOpeningRequest {
  adapters::MessageId message_id;  // Refs/MsgId/Id: the dedup key, [A-Za-z0-9-]{1,35}
  std::string application_id;      // Refs/PrcId/Id: Kaiban's application, at most 35 chars
  SystemTime created_at;           // Refs/MsgId/CreDtTm and Refs/PrcId/CreDtTm
  std::string bank_code;           // AcctSvcrId/FinInstnId/Othr/Id (scheme BANK_CODE)
  std::string branch_id;           // AcctSvcrId/BrnchId/Id; "" leaves it to the bank
  std::string company_name;        // Org/FullLglNm and Acct/Nm (the account's name)
  std::string uscc;                // Org/OrgId/Othr/Id (scheme USCC, issuer SAMR)
  Address registered_address;      // Org/LglAdr: CtrySubDvsn = division code, AdrLine = detail
  Person legal_representative;     // Org/LglRprtv: Nm, Id/Othr (scheme NIDN), CtctDtls/MobNb
  std::optional<Person> finance_officer;  // Org/TrsrMgr, same shape as the legal representative
  std::string contact_phone;              // Org/Sndr/CtctDtls/MobNb: the applicant's phone
  std::string currency{kCurrencyCny};     // Acct/Ccy
  bool urgent = false;                    // CtrctDts/UrgcyFlg: green-channel application
  std::vector<std::string> seal_codes;    // SplmtryData/Envlp/SealCds/SealCd: reserved seals

  friend bool operator==(const AccountOpeningRequest&, const AccountOpeningRequest&) = default;
};

// The references every answer carries, which tie it to the request it answers.
struct AnswerReferences {
  std::string message_id;                  // Refs/MsgId/Id: the bank's own message id
  SystemTime created_at;                   // Refs/MsgId/CreDtTm
  std::string application_id;              // Refs/PrcId/Id, echoed from the request
  adapters::MessageId request_message_id;  // AckdMsgId/Id or RjctdReqId/Id: the request's MsgId
  SystemTime request_created_at;           // their CreDtTm, and PrcId/CreDtTm

  friend bool operator==(const AnswerReferences&, const AnswerReferences&) = default;
};

// acmt.010.001.04: the bank has the request and will answer later (officer's KYC review).
struct AccountRequestAcknowledgement {
  AnswerReferences refs;
  std::string status;     // Refs/Sts, free text such as "KYC_REVIEW"; "" for none
  std::string bank_code;  // AcctSvcrId, as in the request
  std::string branch_id;
  std::string uscc;  // OrgId/Othr/Id; "" writes an empty OrgId

  friend bool operator==(const AccountRequestAcknowledgement&,
                         const AccountRequestAcknowledgement&) = default;
};

// acmt.011.001.04: the bank refuses to open the account.
struct AccountRequestRejection {
  AnswerReferences refs;
  std::string reason_code;  // first Refs/RjctnRsn, e.g. "KYC_FAILED"
  std::string reason;       // second Refs/RjctnRsn: a sentence a person can act on
  std::string bank_code;
  std::string branch_id;
  std::string uscc;  // "" writes an empty OrgId (e.g. when the code itself was unreadable)

  friend bool operator==(const AccountRequestRejection&, const AccountRequestRejection&) = default;
};

// acmt.014.001.05: the account is open.
struct AccountReport {
  AnswerReferences refs;  // Refs/AckdMsgId is the request's MsgId
  std::string bank_code;
  std::string branch_id;
  std::string company_name;               // Org/FullLglNm and Rpt/Acct/Nm
  std::string uscc;                       // Org/OrgId/Othr/Id
  Address registered_address;             // Org/LglAdr
  std::string account_number;             // Rpt/Acct/Id/Othr/Id (scheme BBAN)
  std::string currency{kCurrencyCny};     // Rpt/Acct/Ccy
  std::chrono::year_month_day opened_on;  // Rpt/CtrctDts/GoLiveDt

  friend bool operator==(const AccountReport&, const AccountReport&) = default;
};

// Any of the bank's answers, as read from a response body, a poll or a callback.
using BankAnswer =
    std::variant<AccountRequestAcknowledgement, AccountRequestRejection, AccountReport>;

// Encodes and decodes the four bank messages. Every encode validates the document it built
// against the official XSD before returning it; every decode parses with xml::parse (so a
// DOCTYPE, entities, oversize or over-deep input are refused unread) and validates before
// reading. Immutable after load(): share one instance across threads.
//
// Errors (all kInvalidInput, with the schema's or parser's explanation):
//   encode  - a value cannot be expressed in the message (too long for its element, a
//             message id outside [A-Za-z0-9-], a phone that is not digits, ...);
//   decode  - malformed XML, a DOCTYPE, a document of another message type, a document
//             invalid against its XSD, or one that lacks what Kaiban's mapping needs (e.g.
//             an OrgId without a USCC, a report without an account number).
class BankCodec {
 public:
  // Loads the four XSDs (acmt.007.001.05.xsd, acmt.010.001.04.xsd, acmt.011.001.04.xsd,
  // acmt.014.001.05.xsd) from `schema_dir`. kNotFound / kInvalidInput as xml::Schema::load.
  static Result<std::shared_ptr<const BankCodec>> load(const std::filesystem::path& schema_dir);

  Result<std::string> encodeAccountOpeningRequest(const AccountOpeningRequest& request) const;
  Result<AccountOpeningRequest> decodeAccountOpeningRequest(std::string_view xml) const;

  Result<std::string> encodeAcknowledgement(const AccountRequestAcknowledgement& ack) const;
  Result<AccountRequestAcknowledgement> decodeAcknowledgement(std::string_view xml) const;

  Result<std::string> encodeRejection(const AccountRequestRejection& rejection) const;
  Result<AccountRequestRejection> decodeRejection(std::string_view xml) const;

  Result<std::string> encodeAccountReport(const AccountReport& report) const;
  Result<AccountReport> decodeAccountReport(std::string_view xml) const;

  // Decodes whichever answer `xml` holds, chosen by the root element's namespace
  // (acmt.010, acmt.011 or acmt.014); an acmt.007 or any other document is kInvalidInput.
  Result<BankAnswer> decodeAnswer(std::string_view xml) const;

  // The compiled official schemas, for callers that validate documents themselves.
  const xml::Schema& accountOpeningRequestSchema() const { return *request_schema_; }
  const xml::Schema& acknowledgementSchema() const { return *ack_schema_; }
  const xml::Schema& rejectionSchema() const { return *rejection_schema_; }
  const xml::Schema& accountReportSchema() const { return *report_schema_; }

 private:
  BankCodec() = default;

  std::shared_ptr<const xml::Schema> request_schema_;
  std::shared_ptr<const xml::Schema> ack_schema_;
  std::shared_ptr<const xml::Schema> rejection_schema_;
  std::shared_ptr<const xml::Schema> report_schema_;
};

// True when `id` has the form adapter.h promises for a MessageId: 1-35 of [A-Za-z0-9-].
bool isValidMessageId(std::string_view id);

// What an answer means for the step: an acknowledgement is kPending, a rejection kRejected
// (reason_code and reason copied), a report kDone with outputs {"account_number": ...}.
// message_id is the request's message id the answer refers to.
StepOutcome toOutcome(const BankAnswer& answer);

// Answers to `request`, with the references filled in as the codec's mapping requires: the
// bank's own message id and time, PrcId and the request's MsgId echoed, the bank and the
// company's USCC copied. For the simulator, and for tests.
AccountRequestAcknowledgement acknowledgementFor(const AccountOpeningRequest& request,
                                                 std::string bank_message_id, SystemTime created_at,
                                                 std::string status);
AccountRequestRejection rejectionFor(const AccountOpeningRequest& request,
                                     std::string bank_message_id, SystemTime created_at,
                                     std::string reason_code, std::string reason);
AccountReport reportFor(const AccountOpeningRequest& request, std::string bank_message_id,
                        SystemTime created_at, std::string account_number,
                        std::chrono::year_month_day opened_on);

}  // namespace kaiban::adapters::bank
