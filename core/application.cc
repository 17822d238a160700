#include "core/application.h"

#include <string>
#include <utility>

#include "core/division.h"

namespace kaiban {
namespace {

template <class E>
struct NamedValue {
  E value;
  std::string_view name;
};

constexpr NamedValue<EnterpriseType> kEnterpriseTypes[] = {
    {EnterpriseType::kLimitedLiabilityCompany, "limited_liability_company"},
    {EnterpriseType::kSoleProprietorship, "sole_proprietorship"},
    {EnterpriseType::kPartnership, "partnership"},
};
constexpr NamedValue<SealDelivery> kSealDeliveries[] = {
    {SealDelivery::kPickup, "pickup"},
    {SealDelivery::kCourier, "courier"},
};
constexpr NamedValue<VerificationMethod> kVerificationMethods[] = {
    {VerificationMethod::kFace, "face"},
    {VerificationMethod::kStaff, "staff"},
};
constexpr NamedValue<TaxpayerType> kTaxpayerTypes[] = {
    {TaxpayerType::kSmallScale, "small_scale"},
    {TaxpayerType::kGeneral, "general"},
};
constexpr NamedValue<InvoiceType> kInvoiceTypes[] = {
    {InvoiceType::kVatSpecial, "vat_special"},
    {InvoiceType::kVatOrdinary, "vat_ordinary"},
};
constexpr NamedValue<ApplicationState> kApplicationStates[] = {
    {ApplicationState::kSubmitted, "submitted"},
    {ApplicationState::kInProgress, "in_progress"},
    {ApplicationState::kCompleted, "completed"},
    {ApplicationState::kNeedsAttention, "needs_attention"},
    {ApplicationState::kRejected, "rejected"},
    {ApplicationState::kCancelled, "cancelled"},
};
constexpr NamedValue<StepState> kStepStates[] = {
    {StepState::kPending, "pending"},
    {StepState::kDispatched, "dispatched"},
    {StepState::kAcknowledged, "acknowledged"},
    {StepState::kDone, "done"},
    {StepState::kFailed, "failed"},
};

template <class E, size_t N>
std::string_view nameIn(const NamedValue<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  // Only reachable with a value cast from an out-of-range integer, which is a bug.
  return "unknown";
}

template <class E, size_t N>
Result<E> parseIn(const NamedValue<E> (&table)[N], std::string_view name, std::string_view what) {
  std::string expected;
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
    if (!expected.empty()) expected += ", ";
    expected += entry.name;
  }
  // The input is not echoed: it may be anything, of any length, and messages are logged.
  return Error::invalidInput("not a known " + std::string(what) + "; expected one of: " + expected);
}

// Decodes UTF-8 strictly (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequences. nullopt when `text` is not valid UTF-8.
std::optional<std::u32string> decodeUtf8(std::string_view text) {
  std::u32string decoded;
  decoded.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    char32_t code_point = 0;
    char32_t smallest = 0;
    if (lead < 0x80) {
      code_point = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
      code_point = lead & 0x1F;
      smallest = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      code_point = lead & 0x0F;
      smallest = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      code_point = lead & 0x07;
      smallest = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte, C0/C1 (always overlong) or F5-FF
    }
    if (text.size() - i - 1 < extra) return std::nullopt;
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < smallest || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    decoded.push_back(code_point);
    i += extra + 1;
  }
  return decoded;
}

// Characters that must never reach a registry record or a screen: control characters, which
// break the partners' fixed-layout forms and XML 1.0, and the bidirectional overrides and
// isolates, which can make a name display as something other than what it is.
bool isForbiddenCharacter(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool isSpace(char32_t c) { return c == U' ' || c == 0x00A0 || c == 0x3000; }

enum class TextVerdict { kOk, kEmpty, kInvalid, kWhitespace, kBadLength };

TextVerdict judgeText(std::string_view text, size_t min_length, size_t max_length) {
  if (text.empty()) return TextVerdict::kEmpty;
  const std::optional<std::u32string> decoded = decodeUtf8(text);
  if (!decoded) return TextVerdict::kInvalid;
  for (char32_t c : *decoded) {
    if (isForbiddenCharacter(c)) return TextVerdict::kInvalid;
  }
  if (isSpace(decoded->front()) || isSpace(decoded->back())) return TextVerdict::kWhitespace;
  if (decoded->size() < min_length || decoded->size() > max_length) {
    return TextVerdict::kBadLength;
  }
  return TextVerdict::kOk;
}

bool matchesCodePattern(std::string_view text, size_t min_length, size_t max_length,
                        bool allow_hyphen) {
  if (text.size() < min_length || text.size() > max_length) return false;
  for (char c : text) {
    const bool allowed =
        (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (allow_hyphen && c == '-');
    if (!allowed) return false;
  }
  return true;
}

// Mainland mobile numbers: 11 digits, 1 then 3-9 (the numbering plan of MIIT; 12x and 10x
// are not subscriber numbers, 14x data-only numbers still receive SMS).
bool isMainlandMobile(std::string_view phone) {
  if (phone.size() != 11 || phone[0] != '1' || phone[1] < '3' || phone[1] > '9') return false;
  for (char c : phone) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Full civil capacity comes with the 18th birthday (民法典 art. 17). A 29 February birthday
// has no anniversary in a common year; the day after 28 February is used, so nobody is
// treated as adult before having lived the full 18 years.
bool isAdultOn(CivilDate birth, CivilDate today) {
  CivilDate coming_of_age{birth.year + 18, birth.month, birth.day};
  if (!coming_of_age.isValid()) coming_of_age = {birth.year + 18, 3, 1};
  return today >= coming_of_age;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

constexpr size_t kMaxShareholdersOfCompany = 50;  // 公司法 art. 42
constexpr int kMaxInvoicesPerMonth = 1000;

// Collects problems, at most one per field: the first rule a field breaks is the one the
// applicant needs to fix, and a second message on the same input only adds noise.
class Validator {
 public:
  explicit Validator(CivilDate today) : today_(today) {}

  void add(std::string field, std::string_view key) {
    for (const Problem& problem : problems_) {
      if (problem.field == field) return;
    }
    problems_.push_back({std::move(field), std::string(key)});
  }

  // True when `text` passes. An empty text is a problem only when `required_key` is given.
  bool text(const std::string& field, std::string_view text, size_t min_length, size_t max_length,
            std::string_view required_key, std::string_view length_key) {
    switch (judgeText(text, min_length, max_length)) {
      case TextVerdict::kOk:
        return true;
      case TextVerdict::kEmpty:
        if (!required_key.empty()) add(field, required_key);
        return false;
      case TextVerdict::kInvalid:
        add(field, "text.invalid");
        return false;
      case TextVerdict::kWhitespace:
        add(field, "text.whitespace");
        return false;
      case TextVerdict::kBadLength:
        add(field, length_key);
        return false;
    }
    return false;
  }

  void phone(const std::string& field, std::string_view phone, bool required) {
    if (phone.empty()) {
      if (required) add(field, "phone.required");
      return;
    }
    if (!isMainlandMobile(phone)) add(field, "phone.invalid");
  }

  void address(const std::string& path, const Address& address) {
    if (!isPlausibleDivisionCode(address.division_code)) {
      add(path + ".division_code", "address.division_code.invalid");
    }
    text(path + ".detail", address.detail, 1, 120, "address.detail.required",
         "address.detail.length");
  }

  // The person's normalised ID number when it is valid, for the cross-role rules.
  std::optional<IdNumber> person(const std::string& path, const Person& person, bool phone_required,
                                 bool adult_required) {
    std::optional<IdNumber> id;
    const std::string id_field = path + ".id_number";
    if (person.id_number.empty()) {
      add(id_field, "person.id_number.required");
    } else if (Result<IdNumber> parsed = IdNumber::parse(person.id_number, today_); !parsed) {
      add(id_field, "person.id_number.invalid");
    } else {
      id = std::move(parsed).value();
      if (adult_required && !isAdultOn(id->birthDate(), today_)) add(id_field, "person.under_age");
    }
    text(path + ".name", person.name, 1, 30, "person.name.required", "person.name.length");
    phone(path + ".phone", person.phone, phone_required);
    return id;
  }

  std::vector<Problem> take() && { return std::move(problems_); }

 private:
  CivilDate today_;
  std::vector<Problem> problems_;
};

struct Role {
  std::string path;
  const Person* person;
  std::optional<IdNumber> id;
};

void checkEnterpriseName(Validator& validator, const Enterprise& enterprise) {
  if (!validator.text("enterprise.name", enterprise.name, 2, 50, "enterprise.name.required",
                      "enterprise.name.length")) {
    return;
  }
  const std::string_view name = enterprise.name;
  switch (enterprise.type) {
    case EnterpriseType::kLimitedLiabilityCompany:
      // 有限责任公司 does not contain 有限公司, so both are searched for.
      if (!contains(name, "有限公司") && !contains(name, "有限责任公司")) {
        validator.add("enterprise.name", "enterprise.name.form_company");
      }
      break;
    case EnterpriseType::kSoleProprietorship:
      if (contains(name, "有限") || contains(name, "公司")) {
        validator.add("enterprise.name", "enterprise.name.form_sole_proprietorship");
      }
      break;
    case EnterpriseType::kPartnership:
      // 特殊普通合伙 contains 普通合伙.
      if (!contains(name, "普通合伙") && !contains(name, "有限合伙")) {
        validator.add("enterprise.name", "enterprise.name.form_partnership");
      }
      break;
  }
}

void checkInvestors(Validator& validator, const Application& application,
                    const std::vector<std::optional<IdNumber>>& investor_ids,
                    const std::optional<IdNumber>& legal_representative_id) {
  const Enterprise& enterprise = application.enterprise;
  const std::vector<Shareholder>& shareholders = application.shareholders;
  bool all_ids_valid = true;
  for (const auto& id : investor_ids) all_ids_valid = all_ids_valid && id.has_value();

  for (size_t i = 0; i < shareholders.size(); ++i) {
    if (shareholders[i].contribution.minorUnits() <= 0) {
      validator.add("shareholders[" + std::to_string(i) + "].contribution",
                    "shareholders.contribution.not_positive");
    }
    if (!investor_ids[i]) continue;
    for (size_t earlier = 0; earlier < i; ++earlier) {
      if (investor_ids[earlier] == investor_ids[i]) {
        validator.add("shareholders[" + std::to_string(i) + "].person.id_number",
                      "shareholders.duplicate");
        break;
      }
    }
  }

  switch (enterprise.type) {
    case EnterpriseType::kLimitedLiabilityCompany:
      if (shareholders.empty()) validator.add("shareholders", "shareholders.required");
      if (shareholders.size() > kMaxShareholdersOfCompany) {
        validator.add("shareholders", "shareholders.too_many");
      }
      break;
    case EnterpriseType::kSoleProprietorship:
      if (shareholders.size() != 1) {
        validator.add("shareholders", "shareholders.sole_proprietorship_count");
      } else if (legal_representative_id && investor_ids[0] &&
                 *legal_representative_id != *investor_ids[0]) {
        validator.add("legal_representative.id_number", "legal_representative.not_investor");
      }
      break;
    case EnterpriseType::kPartnership: {
      if (shareholders.size() < 2) {
        validator.add("shareholders", "shareholders.partnership_count");
      }
      // With an unreadable partner ID the executive partner may well be that partner; the
      // ID problem is reported already and this rule waits until it is fixed.
      if (legal_representative_id && !shareholders.empty() && all_ids_valid) {
        bool is_partner = false;
        for (const auto& id : investor_ids)
          is_partner = is_partner || *id == *legal_representative_id;
        if (!is_partner) {
          validator.add("legal_representative.id_number", "legal_representative.not_partner");
        }
      }
      break;
    }
  }

  // A sum is only meaningful when every term is; the terms' own problems come first.
  if (shareholders.empty() || enterprise.registered_capital.minorUnits() <= 0) return;
  Money total;
  for (const Shareholder& shareholder : shareholders) {
    if (shareholder.contribution.minorUnits() <= 0) return;
    Result<Money> sum = total.add(shareholder.contribution);
    if (!sum) {
      validator.add("enterprise.registered_capital", "shareholders.contribution_sum_mismatch");
      return;
    }
    total = *sum;
  }
  if (total != enterprise.registered_capital) {
    validator.add("enterprise.registered_capital", "shareholders.contribution_sum_mismatch");
  }
}

// The same person may hold several roles (a shareholder who is also the legal
// representative), but one ID number is one person with one name.
void checkNamesAgree(Validator& validator, const std::vector<Role>& roles) {
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!roles[i].id) continue;
    for (size_t earlier = 0; earlier < i; ++earlier) {
      if (roles[earlier].id == roles[i].id &&
          roles[earlier].person->name != roles[i].person->name) {
        validator.add(roles[i].path + ".name", "person.name.mismatch");
        break;
      }
    }
  }
}

}  // namespace

std::string_view toString(EnterpriseType type) { return nameIn(kEnterpriseTypes, type); }
Result<EnterpriseType> parseEnterpriseType(std::string_view name) {
  return parseIn(kEnterpriseTypes, name, "enterprise type");
}

std::string_view toString(SealDelivery delivery) { return nameIn(kSealDeliveries, delivery); }
Result<SealDelivery> parseSealDelivery(std::string_view name) {
  return parseIn(kSealDeliveries, name, "seal delivery method");
}

std::string_view toString(VerificationMethod method) {
  return nameIn(kVerificationMethods, method);
}
Result<VerificationMethod> parseVerificationMethod(std::string_view name) {
  return parseIn(kVerificationMethods, name, "identity verification method");
}

std::string_view toString(TaxpayerType type) { return nameIn(kTaxpayerTypes, type); }
Result<TaxpayerType> parseTaxpayerType(std::string_view name) {
  return parseIn(kTaxpayerTypes, name, "taxpayer type");
}

std::string_view toString(InvoiceType type) { return nameIn(kInvoiceTypes, type); }
Result<InvoiceType> parseInvoiceType(std::string_view name) {
  return parseIn(kInvoiceTypes, name, "invoice type");
}

std::string_view toString(ApplicationState state) { return nameIn(kApplicationStates, state); }
Result<ApplicationState> parseApplicationState(std::string_view name) {
  return parseIn(kApplicationStates, name, "application state");
}

std::string_view toString(StepState state) { return nameIn(kStepStates, state); }
Result<StepState> parseStepState(std::string_view name) {
  return parseIn(kStepStates, name, "step state");
}

std::optional<size_t> utf8Length(std::string_view text) {
  const std::optional<std::u32string> decoded = decodeUtf8(text);
  if (!decoded) return std::nullopt;
  return decoded->size();
}

std::vector<Problem> validateApplication(const Application& application, CivilDate today) {
  Validator validator(today);
  const Enterprise& enterprise = application.enterprise;

  if (!matchesCodePattern(application.kiosk_id, 3, 32, /*allow_hyphen=*/true)) {
    validator.add("kiosk_id", "kiosk_id.invalid");
  }
  if (application.bank_code.empty()) {
    validator.add("bank_code", "bank_code.required");
  } else if (!matchesCodePattern(application.bank_code, 3, 12, /*allow_hyphen=*/false)) {
    validator.add("bank_code", "bank_code.invalid");
  }

  checkEnterpriseName(validator, enterprise);
  if (enterprise.registered_capital.minorUnits() <= 0) {
    validator.add("enterprise.registered_capital", "enterprise.registered_capital.not_positive");
  }
  validator.address("enterprise.registered_address", enterprise.registered_address);
  validator.text("enterprise.business_scope", enterprise.business_scope, 1, 500,
                 "enterprise.business_scope.required", "enterprise.business_scope.length");

  std::vector<Role> roles;
  const std::optional<IdNumber> legal_representative_id =
      validator.person("legal_representative", application.legal_representative,
                       /*phone_required=*/true, /*adult_required=*/true);
  roles.push_back(
      {"legal_representative", &application.legal_representative, legal_representative_id});

  std::vector<std::optional<IdNumber>> investor_ids;
  for (size_t i = 0; i < application.shareholders.size(); ++i) {
    const std::string path = "shareholders[" + std::to_string(i) + "].person";
    const Person& person = application.shareholders[i].person;
    investor_ids.push_back(validator.person(path, person, /*phone_required=*/false,
                                            /*adult_required=*/false));
    roles.push_back({path, &person, investor_ids.back()});
  }

  std::optional<IdNumber> supervisor_id;
  if (application.supervisor) {
    if (enterprise.type != EnterpriseType::kLimitedLiabilityCompany) {
      validator.add("supervisor", "supervisor.not_applicable");
    } else {
      supervisor_id = validator.person("supervisor", *application.supervisor,
                                       /*phone_required=*/false, /*adult_required=*/true);
      roles.push_back({"supervisor", &*application.supervisor, supervisor_id});
    }
  }

  std::optional<IdNumber> finance_officer_id;
  if (application.finance_officer) {
    finance_officer_id = validator.person("finance_officer", *application.finance_officer,
                                          /*phone_required=*/true, /*adult_required=*/true);
    roles.push_back({"finance_officer", &*application.finance_officer, finance_officer_id});
  } else if (application.tax.taxpayer_type == TaxpayerType::kGeneral) {
    validator.add("finance_officer", "finance_officer.required");
  }

  validator.phone("contact_phone", application.contact_phone, /*required=*/true);

  validator.text("seal.shop", application.seal.shop, 1, 64, "seal.shop.required",
                 "seal.shop.length");
  if (application.seal.delivery == SealDelivery::kCourier) {
    if (application.seal.courier_address) {
      validator.address("seal.courier_address", *application.seal.courier_address);
    } else {
      validator.add("seal.courier_address", "seal.courier_address.required");
    }
  } else if (application.seal.courier_address) {
    validator.add("seal.courier_address", "seal.courier_address.unexpected");
  }

  const std::vector<InvoiceNeed>& invoices = application.tax.invoices;
  for (size_t i = 0; i < invoices.size(); ++i) {
    const std::string path = "tax.invoices[" + std::to_string(i) + "]";
    for (size_t earlier = 0; earlier < i; ++earlier) {
      if (invoices[earlier].type == invoices[i].type) {
        validator.add(path + ".type", "tax.invoices.duplicate_type");
        break;
      }
    }
    if (invoices[i].monthly_quantity < 1 || invoices[i].monthly_quantity > kMaxInvoicesPerMonth) {
      validator.add(path + ".monthly_quantity", "tax.invoices.quantity.range");
    }
  }

  // Rules that span fields, after every field has had its own checks.
  checkInvestors(validator, application, investor_ids, legal_representative_id);
  if (supervisor_id) {
    if (legal_representative_id && *supervisor_id == *legal_representative_id) {
      validator.add("supervisor.id_number", "supervisor.is_legal_representative");
    } else if (finance_officer_id && *supervisor_id == *finance_officer_id) {
      validator.add("supervisor.id_number", "supervisor.is_finance_officer");
    }
  }
  checkNamesAgree(validator, roles);

  return std::move(validator).take();
}

}  // namespace kaiban
