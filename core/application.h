#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id_number.h"
#include "core/money.h"
#include "core/result.h"

namespace kaiban {

// The application an entrepreneur submits at a kiosk, the names of the states it and its
// steps go through, and the rules that decide whether it can be submitted at all. Plain value
// types: copying an Application copies everything in it. Nothing here does I/O.
//
// Every enum below has a stable snake_case name (toString) used in JSON, in the store and in
// message keys; each parse function accepts exactly those names and returns kInvalidInput
// otherwise. Names are part of the wire format: never rename one.

// The legal form of the enterprise being started.
enum class EnterpriseType {
  kLimitedLiabilityCompany,  // "limited_liability_company" 有限责任公司 (公司法)
  kSoleProprietorship,       // "sole_proprietorship" 个人独资企业 (个人独资企业法)
  kPartnership,              // "partnership" 合伙企业 (合伙企业法)
};
std::string_view toString(EnterpriseType type);
Result<EnterpriseType> parseEnterpriseType(std::string_view name);

// How the engraved seals reach the applicant.
enum class SealDelivery {
  kPickup,   // "pickup": collected at the seal shop
  kCourier,  // "courier": sent to SealOrder::courier_address
};
std::string_view toString(SealDelivery delivery);
Result<SealDelivery> parseSealDelivery(std::string_view name);

// VAT status requested at tax registration.
enum class TaxpayerType {
  kSmallScale,  // "small_scale" 小规模纳税人
  kGeneral,     // "general" 一般纳税人
};
std::string_view toString(TaxpayerType type);
Result<TaxpayerType> parseTaxpayerType(std::string_view name);

// Invoices the new taxpayer asks to be approved for (发票票种核定).
enum class InvoiceType {
  kVatSpecial,   // "vat_special" 增值税专用发票
  kVatOrdinary,  // "vat_ordinary" 增值税普通发票
};
std::string_view toString(InvoiceType type);
Result<InvoiceType> parseInvoiceType(std::string_view name);

// How the kiosk confirmed that the person at the screen is the ID card's holder.
enum class VerificationMethod {
  kFace,   // "face": liveness test and 1:1 match against the card photo
  kStaff,  // "staff": a bank employee checked the person against the card at the kiosk
};
std::string_view toString(VerificationMethod method);
Result<VerificationMethod> parseVerificationMethod(std::string_view name);

// The life of an application (ARCHITECTURE.md, "The flow"):
// submitted -> in_progress -> completed, or needs_attention / rejected / cancelled.
enum class ApplicationState {
  kSubmitted,       // "submitted"
  kInProgress,      // "in_progress"
  kCompleted,       // "completed"
  kNeedsAttention,  // "needs_attention": waiting for the applicant or staff
  kRejected,        // "rejected"
  kCancelled,       // "cancelled"
};
std::string_view toString(ApplicationState state);
Result<ApplicationState> parseApplicationState(std::string_view name);

// The life of one step: pending -> dispatched -> acknowledged -> done, or failed.
enum class StepState {
  kPending,       // "pending"
  kDispatched,    // "dispatched": the request is sent, no ack yet
  kAcknowledged,  // "acknowledged": the partner accepted it; the result comes by callback
  kDone,          // "done"
  kFailed,        // "failed": retries exhausted or a business rejection
};
std::string_view toString(StepState state);
Result<StepState> parseStepState(std::string_view name);

// The step ids of the default flow. Flow definitions are data and name their steps with
// strings, so these are strings too; the message catalog has "step.<id>" for each.
inline constexpr std::string_view kStepRegistration = "registration";
inline constexpr std::string_view kStepSeal = "seal";
inline constexpr std::string_view kStepTaxRegistration = "tax_registration";
inline constexpr std::string_view kStepBankAccount = "bank_account";
inline constexpr std::string_view kStepTaxBankAgreement = "tax_bank_agreement";
inline constexpr std::array<std::string_view, 5> kDefaultStepIds = {
    kStepRegistration, kStepSeal, kStepTaxRegistration, kStepBankAccount, kStepTaxBankAgreement};

// A place: the GB/T 2260 division (6 digits, e.g. "370202" 青岛市市南区) and the rest of
// the address in words ("香港中路 8 号 1201 室").
struct Address {
  std::string division_code;
  std::string detail;

  friend bool operator==(const Address&, const Address&) = default;
};

// A natural person in some role. `id_number` is the 18-character resident identity number as
// read from the ID card chip; `phone` is a mainland mobile number and may be empty where the
// role does not need one (see validateApplication).
struct Person {
  std::string id_number;
  std::string name;
  std::string phone;

  friend bool operator==(const Person&, const Person&) = default;
};

// An investor and the capital they subscribe (认缴出资额). For a sole proprietorship this is
// the investor (投资人), for a partnership a partner (合伙人).
struct Shareholder {
  Person person;
  Money contribution;

  friend bool operator==(const Shareholder&, const Shareholder&) = default;
};

struct Enterprise {
  std::string name;
  EnterpriseType type = EnterpriseType::kLimitedLiabilityCompany;
  Money registered_capital;  // 注册资本 / 出资额, subscribed, in fen
  Address registered_address;
  std::string business_scope;  // 经营范围, free text

  friend bool operator==(const Enterprise&, const Enterprise&) = default;
};

// What the seal step needs: the seal shop the applicant chose and how the seals travel.
struct SealOrder {
  std::string shop;  // the seal shop's id in the public-security seal system
  SealDelivery delivery = SealDelivery::kPickup;
  std::optional<Address> courier_address;  // present exactly when delivery is kCourier

  friend bool operator==(const SealOrder&, const SealOrder&) = default;
};

struct InvoiceNeed {
  InvoiceType type = InvoiceType::kVatOrdinary;
  int monthly_quantity = 0;  // copies per month (每月最高领用数量)

  friend bool operator==(const InvoiceNeed&, const InvoiceNeed&) = default;
};

// What the tax steps need beyond the enterprise and its people.
struct TaxSetup {
  TaxpayerType taxpayer_type = TaxpayerType::kSmallScale;
  std::vector<InvoiceNeed> invoices;  // may be empty: no invoices needed yet

  friend bool operator==(const TaxSetup&, const TaxSetup&) = default;
};

// The kiosk's record of how the legal representative's identity was verified, for the bank
// officer's KYC review. A summary only: never the face image or any biometric template.
struct IdentityVerification {
  // The longest `reference` and `staff_verifier` the JSON form accepts.
  static constexpr size_t kMaxReferenceLength = 64;

  VerificationMethod method = VerificationMethod::kFace;
  double match_score = 0;        // face: the 1:1 similarity in [0, 1]; staff: 0, not sent
  bool liveness_passed = false;  // face: the liveness test passed; staff: false, not sent
  // The kiosk's id of the check, for the audit trail and to find the local record:
  // FaceCheck::check_reference ("fc-...") for a face check, the agent's "sv-..." id for a
  // staff check. Opaque, 1-64 bytes.
  std::string reference;
  // staff: the verifying employee's id as entered at the kiosk (never the staff code, which
  // is a secret); "" when not given. Always "" for a face check.
  std::string staff_verifier;
  SystemTime verified_at{};  // when the check passed; whole seconds survive JSON

  friend bool operator==(const IdentityVerification&, const IdentityVerification&) = default;
};

// Everything the entrepreneur gives once, at the kiosk. Who uses what:
//   registry: enterprise, legal_representative, shareholders, supervisor, finance_officer
//   seal:     enterprise.name, seal, contact_phone
//   bank:     enterprise, legal_representative, bank_code
//   tax:      enterprise, legal_representative, finance_officer, tax
struct Application {
  std::string kiosk_id;        // the submitting kiosk, e.g. "QD-SN-0001"
  std::string bank_code;       // the bank that opens the basic deposit account, e.g. "QDBANK"
  bool green_channel = false;  // 绿色通道: a 1-working-day deadline instead of 3
  Enterprise enterprise;
  Person legal_representative;  // 法定代表人; for a partnership the executive partner
  std::vector<Shareholder> shareholders;
  std::optional<Person> supervisor;       // 监事; companies only
  std::optional<Person> finance_officer;  // 财务负责人
  std::string contact_phone;              // where SMS updates go
  SealOrder seal;
  TaxSetup tax;
  // How the kiosk verified the legal representative; absent from kiosks older than this
  // field, which the console then shows as "not reported by the kiosk".
  std::optional<IdentityVerification> identity_verification;

  friend bool operator==(const Application&, const Application&) = default;
};

// One thing wrong with an application: where (`field`, a path into the JSON form of the
// application such as "enterprise.name" or "shareholders[1].person.id_number") and what
// (`message_key`, a key of the message catalog in core/messages.h, so the kiosk can say it in
// the applicant's language).
struct Problem {
  std::string field;
  std::string message_key;

  friend bool operator==(const Problem&, const Problem&) = default;
};

// Every problem with `application`, or an empty vector when it may be submitted. The order
// is stable: each field's own rules in the order of Application's fields, then the rules that
// span fields. At most one problem per field (the first rule it breaks); rules about several
// fields report on the field the applicant should change. `today` is the date in
// Asia/Shanghai: it bounds birth dates and decides ages.
//
// The rules, with their message keys (公司法 articles are those of the 2023 revision):
// Text. Every text must be valid UTF-8 without control characters ("text.invalid") and
//   without leading or trailing spaces ("text.whitespace"). Lengths count Unicode code
//   points, so 张三 is 2 long.
// Kiosk and bank. kiosk_id is 3-32 of A-Z 0-9 '-' ("kiosk_id.invalid"); bank_code is 3-12 of
//   A-Z 0-9 ("bank_code.required", "bank_code.invalid").
// Enterprise.
//   name: 2-50 code points ("enterprise.name.required", "enterprise.name.length"), and it
//     must show the legal form, as the registry demands: a company's name contains 有限公司 or
//     有限责任公司 (公司法 art. 7, "enterprise.name.form_company"); a sole proprietorship's
//     name contains neither 有限 nor 公司 (个人独资企业登记管理办法 art. 6,
//     "enterprise.name.form_sole_proprietorship"); a partnership's name contains 普通合伙 or
//     有限合伙 (合伙企业法 art. 15, 62, "enterprise.name.form_partnership").
//   registered_capital: more than zero ("enterprise.registered_capital.not_positive").
//   registered_address and seal.courier_address: division_code passes
//     isPlausibleDivisionCode ("address.division_code.invalid"); detail 1-120 code points
//     ("address.detail.required", "address.detail.length").
//   business_scope: 1-500 code points ("enterprise.business_scope.required",
//     "enterprise.business_scope.length").
// People (legal_representative, shareholders[i].person, supervisor, finance_officer).
//   name: 1-30 code points ("person.name.required", "person.name.length").
//   id_number: passes IdNumber::parse with `today` ("person.id_number.required",
//     "person.id_number.invalid"); lower-case x is accepted. The legal representative,
//     supervisor and finance officer must be 18 or older on `today` ("person.under_age": a
//     minor lacks full civil capacity, 公司法 art. 178); someone born on 29 February comes
//     of age on 1 March in a common year. Shareholders may be minors (through a guardian).
//   phone: a mainland mobile number, 11 digits matching 1[3-9]xxxxxxxxx ("phone.invalid");
//     required for the legal representative and the finance officer ("phone.required"),
//     checked when present for the others. contact_phone is required too.
//   The same ID number must carry the same name in every role ("person.name.mismatch",
//     reported on the later role's name).
// Investors, by legal form (shareholders):
//   company: 1-50 shareholders (公司法 art. 42: "shareholders.required",
//     "shareholders.too_many");
//   sole proprietorship: exactly one investor ("shareholders.sole_proprietorship_count"),
//     who is also the legal representative, i.e. the person in charge
//     ("legal_representative.not_investor", on legal_representative.id_number);
//   partnership: at least two partners ("shareholders.partnership_count"), and the legal
//     representative is the executive partner, one of them
//     ("legal_representative.not_partner", on legal_representative.id_number);
//   every contribution is more than zero ("shareholders.contribution.not_positive"); no ID
//     number appears twice ("shareholders.duplicate", on the later id_number); and the
//     contributions add up exactly to the registered capital
//     ("shareholders.contribution_sum_mismatch", on "enterprise.registered_capital"; only
//     checked when every contribution and the capital are positive).
// Officers:
//   supervisor: only companies have one ("supervisor.not_applicable"); it is optional, since
//     a small company may do without one by unanimous shareholder consent (公司法 art. 83);
//     it may not be the legal representative nor the finance officer, because directors and
//     senior managers may not be supervisors (公司法 art. 76)
//     ("supervisor.is_legal_representative", "supervisor.is_finance_officer", on
//     supervisor.id_number).
//   finance_officer: required for a general VAT taxpayer, whose accounts must be kept by
//     someone responsible ("finance_officer.required").
// Seal: shop 1-64 code points ("seal.shop.required", "seal.shop.length"); courier delivery
//   needs a courier_address ("seal.courier_address.required") and pick-up must not carry one
//   ("seal.courier_address.unexpected").
// Tax: each invoice type at most once ("tax.invoices.duplicate_type", on the later
//   tax.invoices[i].type); monthly_quantity 1-1000 ("tax.invoices.quantity.range").
std::vector<Problem> validateApplication(const Application& application, CivilDate today);

// The number of Unicode code points in `text`, or nullopt when `text` is not valid UTF-8
// (overlong forms, surrogates, values above U+10FFFF and truncated sequences are invalid).
std::optional<size_t> utf8Length(std::string_view text);

}  // namespace kaiban
