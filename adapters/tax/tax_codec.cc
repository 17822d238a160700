#include "adapters/tax/tax_codec.h"

#include <utility>

namespace kaiban::adapters {

namespace {

using wire::text;

constexpr wire::NameTable<TaxItem, 7> kTaxItemNames = {{
    {TaxItem::kValueAddedTax, "value_added_tax"},
    {TaxItem::kCorporateIncomeTax, "corporate_income_tax"},
    {TaxItem::kIndividualIncomeTax, "individual_income_tax"},
    {TaxItem::kUrbanMaintenanceTax, "urban_maintenance_tax"},
    {TaxItem::kEducationSurcharge, "education_surcharge"},
    {TaxItem::kLocalEducationSurcharge, "local_education_surcharge"},
    {TaxItem::kStampDuty, "stamp_duty"},
}};

// Invoices travel as <name><Invoice><Type/><MonthlyQuantity/></Invoice>...</name>, and the
// list element is left out when there are none (the schema wants at least one inside).
void writeInvoices(xml::Element parent, std::string_view name,
                   const std::vector<InvoiceNeed>& invoices) {
  if (invoices.empty()) return;
  xml::Element list = parent.appendChild(name);
  for (const InvoiceNeed& invoice : invoices) {
    xml::Element element = list.appendChild("Invoice");
    element.appendChild("Type", toString(invoice.type));
    element.appendChild("MonthlyQuantity", std::to_string(invoice.monthly_quantity));
  }
}

std::vector<InvoiceNeed> readInvoices(const xml::Element& parent, std::string_view name) {
  const std::string ns = parent.namespaceUri();
  std::vector<InvoiceNeed> invoices;
  std::optional<xml::Element> list = parent.child(ns, name);
  if (!list) return invoices;
  for (const xml::Element& element : list->children(ns, "Invoice")) {
    // The schema admits only known types and quantities 1-1000.
    invoices.push_back(
        InvoiceNeed{parseInvoiceType(text(element, {"Type"})).valueOr(InvoiceType::kVatOrdinary),
                    std::stoi(text(element, {"MonthlyQuantity"}))});
  }
  return invoices;
}

TaxpayerRegistration readRegistration(const xml::Element& root) {
  const std::string ns = root.namespaceUri();
  TaxpayerRegistration registration;
  registration.message_id = text(root, {"MessageId"});
  registration.uscc = text(root, {"Uscc"});
  registration.company_name = text(root, {"CompanyName"});
  registration.enterprise_type = parseEnterpriseType(text(root, {"EnterpriseType"}))
                                     .valueOr(EnterpriseType::kLimitedLiabilityCompany);
  registration.address = wire::readAddress(*root.child(ns, "Address"));
  registration.taxpayer_type =
      parseTaxpayerType(text(root, {"TaxpayerType"})).valueOr(TaxpayerType::kSmallScale);
  for (const xml::Element& item : root.child(ns, "TaxItems")->children(ns, "TaxItem")) {
    registration.tax_items.push_back(parseTaxItem(item.text()).valueOr(TaxItem::kValueAddedTax));
  }
  registration.invoices = readInvoices(root, "Invoices");
  registration.legal_representative = wire::readPerson(*root.child(ns, "LegalRepresentative"));
  if (std::optional<xml::Element> officer = root.child(ns, "FinanceOfficer")) {
    registration.finance_officer = wire::readPerson(*officer);
  }
  return registration;
}

TaxpayerRegistered readRegistered(const xml::Element& root) {
  const xml::Element registered = *root.child(root.namespaceUri(), "Registered");
  return TaxpayerRegistered{text(registered, {"TaxpayerId"}),
                            text(registered, {"TaxAuthorityCode"}),
                            readInvoices(registered, "ApprovedInvoices")};
}

Outputs registeredOutputs(const TaxpayerRegistered& done) {
  return Outputs{{std::string(output::kTaxpayerId), done.taxpayer_id}};
}

AgreementSigned readSigned(const xml::Element& root) {
  return AgreementSigned{text(root, {"Signed", "AgreementNumber"})};
}

Outputs signedOutputs(const AgreementSigned& done) {
  return Outputs{{std::string(output::kAgreementRef), done.agreement_number}};
}

}  // namespace

std::string_view toString(TaxItem item) { return wire::nameIn(kTaxItemNames, item); }

Result<TaxItem> parseTaxItem(std::string_view name) {
  return wire::valueIn(kTaxItemNames, name, "tax item");
}

std::vector<TaxItem> taxItemsFor(EnterpriseType type) {
  const TaxItem income = type == EnterpriseType::kLimitedLiabilityCompany
                             ? TaxItem::kCorporateIncomeTax
                             : TaxItem::kIndividualIncomeTax;
  return {TaxItem::kValueAddedTax,           income,
          TaxItem::kUrbanMaintenanceTax,     TaxItem::kEducationSurcharge,
          TaxItem::kLocalEducationSurcharge, TaxItem::kStampDuty};
}

TaxCodec::TaxCodec(std::shared_ptr<const xml::Schema> schema)
    : PartnerCodec(std::string(kPartner), std::move(schema)) {}

Result<TaxCodec> TaxCodec::load(const std::filesystem::path& schema_dir) {
  Result<std::shared_ptr<const xml::Schema>> schema = loadSchema(schema_dir, kPartner);
  if (!schema.ok()) return schema.error();
  return TaxCodec(std::move(schema).value());
}

Result<std::string> TaxCodec::encode(const TaxpayerRegistration& registration) const {
  return build(kTaxpayerRegistration, registration.message_id, [&](xml::Element root) {
    root.appendChild("Uscc", registration.uscc);
    root.appendChild("CompanyName", registration.company_name);
    root.appendChild("EnterpriseType", toString(registration.enterprise_type));
    wire::appendAddress(root, "Address", registration.address);
    root.appendChild("TaxpayerType", toString(registration.taxpayer_type));
    xml::Element items = root.appendChild("TaxItems");
    for (TaxItem item : registration.tax_items) items.appendChild("TaxItem", toString(item));
    writeInvoices(root, "Invoices", registration.invoices);
    wire::appendPerson(root, "LegalRepresentative", registration.legal_representative);
    if (registration.finance_officer) {
      wire::appendPerson(root, "FinanceOfficer", *registration.finance_officer);
    }
  });
}

Result<TaxpayerRegistration> TaxCodec::decodeTaxpayerRegistration(std::string_view body) const {
  return decodeAs<TaxpayerRegistration>(body, kTaxpayerRegistration, readRegistration);
}

Result<std::string> TaxCodec::encode(const TaxRegistrationResult& result) const {
  return encodeResult(kRegistrationResult, result,
                      [](xml::Element root, const TaxpayerRegistered& done) {
                        xml::Element registered = root.appendChild("Registered");
                        registered.appendChild("TaxpayerId", done.taxpayer_id);
                        registered.appendChild("TaxAuthorityCode", done.tax_authority_code);
                        writeInvoices(registered, "ApprovedInvoices", done.approved_invoices);
                      });
}

Result<TaxRegistrationResult> TaxCodec::decodeRegistrationResult(std::string_view body) const {
  return decodeResult<TaxpayerRegistered>(body, kRegistrationResult, readRegistered);
}

Result<std::string> TaxCodec::encode(const PaymentAgreement& agreement) const {
  return build(kPaymentAgreement, agreement.message_id, [&](xml::Element root) {
    root.appendChild("Uscc", agreement.uscc);
    root.appendChild("TaxpayerId", agreement.taxpayer_id);
    root.appendChild("BankCode", agreement.bank_code);
    root.appendChild("AccountNumber", agreement.account_number);
    root.appendChild("AccountName", agreement.account_name);
  });
}

Result<PaymentAgreement> TaxCodec::decodePaymentAgreement(std::string_view body) const {
  return decodeAs<PaymentAgreement>(body, kPaymentAgreement, [](const xml::Element& root) {
    return PaymentAgreement{text(root, {"MessageId"}),     text(root, {"Uscc"}),
                            text(root, {"TaxpayerId"}),    text(root, {"BankCode"}),
                            text(root, {"AccountNumber"}), text(root, {"AccountName"})};
  });
}

Result<std::string> TaxCodec::encode(const AgreementResult& result) const {
  return encodeResult(kAgreementResult, result, [](xml::Element root, const AgreementSigned& done) {
    root.appendChild("Signed").appendChild("AgreementNumber", done.agreement_number);
  });
}

Result<AgreementResult> TaxCodec::decodeAgreementResult(std::string_view body) const {
  return decodeResult<AgreementSigned>(body, kAgreementResult, readSigned);
}

Result<StepOutcome> TaxCodec::decodeRegistrationOutcome(std::string_view body) const {
  return decodeOutcome<TaxpayerRegistered>(body, kRegistrationResult, readRegistered,
                                           registeredOutputs);
}

Result<StepOutcome> TaxCodec::decodeAgreementOutcome(std::string_view body) const {
  return decodeOutcome<AgreementSigned>(body, kAgreementResult, readSigned, signedOutputs);
}

}  // namespace kaiban::adapters
