#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/partner_codec/partner_codec.h"
#include "core/application.h"

// The tax bureau's documents (adapters/schemas/tax.xsd, namespace urn:kaiban:partner:tax:1;
// examples in docs/partners/tax.md): new-taxpayer registration and the tax-bank-enterprise
// payment agreement (三方协议).
namespace kaiban::adapters {

// The taxes a taxpayer is registered for (税种认定).
enum class TaxItem {
  kValueAddedTax,            // "value_added_tax" 增值税
  kCorporateIncomeTax,       // "corporate_income_tax" 企业所得税
  kIndividualIncomeTax,      // "individual_income_tax" 个人所得税 (经营所得)
  kUrbanMaintenanceTax,      // "urban_maintenance_tax" 城市维护建设税
  kEducationSurcharge,       // "education_surcharge" 教育费附加
  kLocalEducationSurcharge,  // "local_education_surcharge" 地方教育附加
  kStampDuty,                // "stamp_duty" 印花税
};
std::string_view toString(TaxItem item);
Result<TaxItem> parseTaxItem(std::string_view name);

// What a new enterprise of `type` registers for: VAT with its surcharges (urban maintenance
// tax, education surcharge, local education surcharge) and stamp duty for all; on income,
// corporate income tax for a company, and the investors' individual income tax on operating
// income for a sole proprietorship or partnership, which pay no corporate income tax
// (企业所得税法 art. 1).
std::vector<TaxItem> taxItemsFor(EnterpriseType type);

struct TaxpayerRegistration {
  MessageId message_id;
  std::string uscc;
  std::string company_name;
  EnterpriseType enterprise_type = EnterpriseType::kLimitedLiabilityCompany;
  Address address;
  TaxpayerType taxpayer_type = TaxpayerType::kSmallScale;
  std::vector<TaxItem> tax_items;     // 1-7, each once
  std::vector<InvoiceNeed> invoices;  // 0-2, each type once; quantities 1-1000
  Person legal_representative;
  std::optional<Person> finance_officer;

  friend bool operator==(const TaxpayerRegistration&, const TaxpayerRegistration&) = default;
};

struct TaxpayerRegistered {
  std::string taxpayer_id;                     // 纳税人识别号: the USCC
  std::string tax_authority_code;              // 11 digits
  std::vector<InvoiceNeed> approved_invoices;  // may be fewer than requested, or none

  friend bool operator==(const TaxpayerRegistered&, const TaxpayerRegistered&) = default;
};

// Reason codes: INVALID_USCC, ALREADY_REGISTERED, FINANCE_OFFICER_REQUIRED,
// INVOICE_QUANTITY_EXCESSIVE.
using TaxRegistrationResult = StepResult<TaxpayerRegistered>;

// Tax, bank and enterprise agree that the tax bureau debits taxes from this account.
struct PaymentAgreement {
  MessageId message_id;
  std::string uscc;
  std::string taxpayer_id;
  std::string bank_code;       // the bank holding the account, e.g. "QDBANK"
  std::string account_number;  // 6-34 of 0-9 A-Z
  std::string account_name;    // the enterprise's name, as the bank has it

  friend bool operator==(const PaymentAgreement&, const PaymentAgreement&) = default;
};

struct AgreementSigned {
  std::string agreement_number;

  friend bool operator==(const AgreementSigned&, const AgreementSigned&) = default;
};

// Reason codes: TAXPAYER_UNKNOWN, ACCOUNT_MISMATCH, ACCOUNT_NOT_FOUND, INVALID_USCC.
using AgreementResult = StepResult<AgreementSigned>;

// Encodes and decodes every tax-bureau document; see PartnerCodec for the rules every encode
// and decode follows. Thread-safe; copies share the schema.
class TaxCodec : public PartnerCodec {
 public:
  static constexpr std::string_view kPartner = "tax";
  static constexpr std::string_view kTaxpayerRegistration = "TaxpayerRegistration";
  static constexpr std::string_view kRegistrationResult = "RegistrationResult";
  static constexpr std::string_view kPaymentAgreement = "PaymentAgreement";
  static constexpr std::string_view kAgreementResult = "AgreementResult";

  // Loads <schema_dir>/tax.xsd (and partner-common.xsd beside it).
  static Result<TaxCodec> load(const std::filesystem::path& schema_dir);

  using PartnerCodec::encode;
  Result<std::string> encode(const TaxpayerRegistration& registration) const;
  Result<TaxpayerRegistration> decodeTaxpayerRegistration(std::string_view body) const;
  Result<std::string> encode(const TaxRegistrationResult& result) const;
  Result<TaxRegistrationResult> decodeRegistrationResult(std::string_view body) const;
  Result<std::string> encode(const PaymentAgreement& agreement) const;
  Result<PaymentAgreement> decodePaymentAgreement(std::string_view body) const;
  Result<std::string> encode(const AgreementResult& result) const;
  Result<AgreementResult> decodeAgreementResult(std::string_view body) const;

  // A RegistrationResult (kDone with output "taxpayer_id", or kRejected) or an
  // Acknowledgement (kPending). An AgreementResult is refused.
  Result<StepOutcome> decodeRegistrationOutcome(std::string_view body) const;
  // An AgreementResult (kDone with output "agreement_ref", or kRejected) or an
  // Acknowledgement (kPending). A RegistrationResult is refused.
  Result<StepOutcome> decodeAgreementOutcome(std::string_view body) const;

 private:
  explicit TaxCodec(std::shared_ptr<const xml::Schema> schema);
};

}  // namespace kaiban::adapters
