#include "adapters/registry/registry_codec.h"

#include <utility>

namespace kaiban::adapters {

namespace {

using wire::text;

// Element names of the NameCheckResult choice, by verdict.
constexpr std::string_view kAvailable = "Available";
constexpr std::string_view kConflictsWith = "ConflictsWith";
constexpr std::string_view kProhibitedWord = "ProhibitedWord";

std::string_view verdictElement(NameVerdict verdict) {
  switch (verdict) {
    case NameVerdict::kAvailable:
      return kAvailable;
    case NameVerdict::kConflicting:
      return kConflictsWith;
    case NameVerdict::kProhibitedWord:
      return kProhibitedWord;
  }
  return kAvailable;
}

NameCheck readNameCheck(const xml::Element& root) {
  if (wire::has(root, kConflictsWith)) {
    return NameCheck{NameVerdict::kConflicting, text(root, {kConflictsWith})};
  }
  if (wire::has(root, kProhibitedWord)) {
    return NameCheck{NameVerdict::kProhibitedWord, text(root, {kProhibitedWord})};
  }
  return NameCheck{NameVerdict::kAvailable, {}};
}

void writeEnterprise(xml::Element root, const Enterprise& enterprise) {
  xml::Element element = root.appendChild("Enterprise");
  element.appendChild("Name", enterprise.name);
  element.appendChild("Type", toString(enterprise.type));
  element.appendChild("RegisteredCapital", wire::amount(enterprise.registered_capital));
  wire::appendAddress(element, "Address", enterprise.registered_address);
  element.appendChild("BusinessScope", enterprise.business_scope);
}

Enterprise readEnterprise(const xml::Element& element) {
  Enterprise enterprise;
  enterprise.name = text(element, {"Name"});
  // The schema admits exactly the names parseEnterpriseType accepts.
  enterprise.type = parseEnterpriseType(text(element, {"Type"}))
                        .valueOr(EnterpriseType::kLimitedLiabilityCompany);
  enterprise.registered_capital = wire::parseAmount(text(element, {"RegisteredCapital"}));
  enterprise.registered_address =
      wire::readAddress(*element.child(element.namespaceUri(), "Address"));
  enterprise.business_scope = text(element, {"BusinessScope"});
  return enterprise;
}

std::optional<Person> optionalPerson(const xml::Element& root, std::string_view name) {
  std::optional<xml::Element> element = root.child(root.namespaceUri(), name);
  if (!element) return std::nullopt;
  return wire::readPerson(*element);
}

}  // namespace

RegistryCodec::RegistryCodec(std::shared_ptr<const xml::Schema> schema)
    : PartnerCodec(std::string(kPartner), std::move(schema)) {}

Result<RegistryCodec> RegistryCodec::load(const std::filesystem::path& schema_dir) {
  Result<std::shared_ptr<const xml::Schema>> schema = loadSchema(schema_dir, kPartner);
  if (!schema.ok()) return schema.error();
  return RegistryCodec(std::move(schema).value());
}

Result<std::string> RegistryCodec::encode(const NameCheckRequest& request) const {
  return build(kNameCheckRequest, request.message_id, [&](xml::Element root) {
    root.appendChild("Name", request.name);
    root.appendChild("DivisionCode", request.division_code);
  });
}

Result<NameCheckRequest> RegistryCodec::decodeNameCheckRequest(std::string_view body) const {
  return decodeAs<NameCheckRequest>(body, kNameCheckRequest, [](const xml::Element& root) {
    return NameCheckRequest{text(root, {"MessageId"}), text(root, {"Name"}),
                            text(root, {"DivisionCode"})};
  });
}

Result<std::string> RegistryCodec::encode(const NameCheckResult& result) const {
  return build(kNameCheckResult, result.message_id, [&](xml::Element root) {
    root.appendChild(verdictElement(result.check.verdict), result.check.detail);
  });
}

Result<NameCheckResult> RegistryCodec::decodeNameCheckResult(std::string_view body) const {
  return decodeAs<NameCheckResult>(body, kNameCheckResult, [](const xml::Element& root) {
    return NameCheckResult{text(root, {"MessageId"}), readNameCheck(root)};
  });
}

Result<std::string> RegistryCodec::encode(const RegistrationRequest& request) const {
  return build(kRegistrationRequest, request.message_id, [&](xml::Element root) {
    root.appendChild("ApplicationId", request.application_id);
    writeEnterprise(root, request.enterprise);
    wire::appendPerson(root, "LegalRepresentative", request.legal_representative);
    xml::Element shareholders = root.appendChild("Shareholders");
    for (const Shareholder& shareholder : request.shareholders) {
      wire::appendPerson(shareholders, "Shareholder", shareholder.person)
          .appendChild("Contribution", wire::amount(shareholder.contribution));
    }
    if (request.supervisor) wire::appendPerson(root, "Supervisor", *request.supervisor);
    if (request.finance_officer) {
      wire::appendPerson(root, "FinanceOfficer", *request.finance_officer);
    }
  });
}

Result<RegistrationRequest> RegistryCodec::decodeRegistrationRequest(std::string_view body) const {
  return decodeAs<RegistrationRequest>(body, kRegistrationRequest, [](const xml::Element& root) {
    const std::string ns = root.namespaceUri();
    RegistrationRequest request;
    request.message_id = text(root, {"MessageId"});
    request.application_id = text(root, {"ApplicationId"});
    request.enterprise = readEnterprise(*root.child(ns, "Enterprise"));
    request.legal_representative = wire::readPerson(*root.child(ns, "LegalRepresentative"));
    for (const xml::Element& element :
         root.child(ns, "Shareholders")->children(ns, "Shareholder")) {
      request.shareholders.push_back(Shareholder{
          wire::readPerson(element), wire::parseAmount(text(element, {"Contribution"}))});
    }
    request.supervisor = optionalPerson(root, "Supervisor");
    request.finance_officer = optionalPerson(root, "FinanceOfficer");
    return request;
  });
}

Result<std::string> RegistryCodec::encode(const RegistrationResult& result) const {
  return encodeResult(kRegistrationResult, result, [](xml::Element root, const Registered& done) {
    xml::Element registered = root.appendChild("Registered");
    registered.appendChild("Uscc", done.uscc);
    registered.appendChild("LicenceReference", done.licence_ref);
    registered.appendChild("RegistrationDate", done.registration_date);
  });
}

namespace {

Registered readRegistered(const xml::Element& root) {
  return Registered{text(root, {"Registered", "Uscc"}),
                    text(root, {"Registered", "LicenceReference"}),
                    text(root, {"Registered", "RegistrationDate"})};
}

Outputs registeredOutputs(const Registered& done) {
  return Outputs{{std::string(output::kUscc), done.uscc},
                 {std::string(output::kLicenceRef), done.licence_ref}};
}

}  // namespace

Result<RegistrationResult> RegistryCodec::decodeRegistrationResult(std::string_view body) const {
  return decodeResult<Registered>(body, kRegistrationResult, readRegistered);
}

Result<StepOutcome> RegistryCodec::decodeOutcome(std::string_view body) const {
  return PartnerCodec::decodeOutcome<Registered>(body, kRegistrationResult, readRegistered,
                                                 registeredOutputs);
}

}  // namespace kaiban::adapters
