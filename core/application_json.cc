#include "core/application_json.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSONString.h>

#include "core/messages.h"
#include "core/timestamp.h"

namespace kaiban {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The form nests four levels deep (shareholders[i].person.name); anything much deeper is not
// an application, and the limit stops a deeply nested body from exhausting the parser's stack.
constexpr size_t kMaxJsonDepth = 16;

// A JSON value can hold an object or array either by pointer (what Poco's parser produces)
// or by value (what code that builds an Object may produce); both are accepted.
const Object* asObject(const Var& value) {
  if (value.type() == typeid(Object::Ptr)) return value.extract<Object::Ptr>().get();
  if (value.type() == typeid(Object)) return &value.extract<Object>();
  return nullptr;
}

const Array* asArray(const Var& value) {
  if (value.type() == typeid(Array::Ptr)) return value.extract<Array::Ptr>().get();
  if (value.type() == typeid(Array)) return &value.extract<Array>();
  return nullptr;
}

std::string_view describe(const Var& value) {
  if (value.isEmpty()) return "null";
  if (value.isBoolean()) return "a boolean";
  if (value.isNumeric()) return "a number";
  if (value.isString()) return "a string";
  if (asObject(value) != nullptr) return "an object";
  if (asArray(value) != nullptr) return "an array";
  return "an unsupported value";
}

std::string childPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string indexPath(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// Keeps the first error and lets decoding continue with defaults, so the decoding code reads
// as a straight list of fields; a later error on the same input would only be a consequence.
class Decoder {
 public:
  void fail(std::string field, std::string message) {
    if (!error_) error_ = Error::invalidInput(std::move(message), std::move(field));
  }
  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

// The fields of one JSON object at `path`. Unknown keys are reported on construction.
class ObjectReader {
 public:
  ObjectReader(Decoder& decoder, const Object& object, std::string path,
               std::initializer_list<std::string_view> known)
      : decoder_(decoder), path_(std::move(path)) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      bool is_known = false;
      for (std::string_view key : known) is_known = is_known || key == it->first;
      if (is_known) {
        fields_.emplace_back(it->first, &it->second);
      } else {
        decoder_.fail(childPath(path_, it->first), "unknown field");
      }
    }
  }

  std::string string(std::string_view key) {
    const Var* value = require(key);
    return value != nullptr ? stringFrom(key, *value) : std::string();
  }

  // "" when absent or null.
  std::string optionalString(std::string_view key) {
    const Var* value = find(key);
    return value != nullptr && !value->isEmpty() ? stringFrom(key, *value) : std::string();
  }

  bool optionalBool(std::string_view key, bool fallback) {
    const Var* value = find(key);
    if (value == nullptr || value->isEmpty()) return fallback;
    if (!value->isBoolean()) {
      wrongType(key, "true or false", *value);
      return fallback;
    }
    return value->extract<bool>();
  }

  int integer(std::string_view key) {
    const Var* value = require(key);
    if (value == nullptr) return 0;
    // Poco calls a bool an integer; JSON does not.
    if (!value->isInteger() || value->isBoolean()) {
      wrongType(key, "a whole number", *value);
      return 0;
    }
    try {
      return value->convert<int>();
    } catch (const Poco::Exception&) {
      decoder_.fail(childPath(path_, key), "number out of range");
      return 0;
    }
  }

  // A JSON number (integer or not); 0 when missing or of another type (both reported).
  double number(std::string_view key) {
    const Var* value = require(key);
    if (value == nullptr) return 0;
    if (!value->isNumeric() || value->isBoolean()) {
      wrongType(key, "a number", *value);
      return 0;
    }
    return value->convert<double>();
  }

  bool boolean(std::string_view key) {
    const Var* value = require(key);
    if (value == nullptr) return false;
    if (!value->isBoolean()) {
      wrongType(key, "true or false", *value);
      return false;
    }
    return value->extract<bool>();
  }

  // Reports `key` when it is present and not null: it does not belong with `reason`.
  void refuse(std::string_view key, std::string_view reason) {
    const Var* value = find(key);
    if (value != nullptr && !value->isEmpty()) {
      decoder_.fail(childPath(path_, key), "not allowed " + std::string(reason));
    }
  }

  Money money(std::string_view key) {
    const Var* value = require(key);
    if (value == nullptr) return Money();
    if (!value->isString()) {
      wrongType(key, "an amount in yuan as a string, such as \"1000000.00\"", *value);
      return Money();
    }
    Result<Money> amount = Money::parseYuan(value->extract<std::string>());
    if (!amount) {
      decoder_.fail(childPath(path_, key), "not an amount in yuan: " + amount.error().message);
      return Money();
    }
    return *amount;
  }

  template <class E>
  E enumValue(std::string_view key, Result<E> (*parse)(std::string_view), E fallback) {
    const std::string name = string(key);
    if (!decoder_.ok()) return fallback;
    Result<E> parsed = parse(name);
    if (!parsed) {
      decoder_.fail(childPath(path_, key), parsed.error().message);
      return fallback;
    }
    return *parsed;
  }

  // nullptr when missing or not an object (both reported).
  const Object* object(std::string_view key) {
    const Var* value = require(key);
    return value != nullptr ? objectFrom(key, *value) : nullptr;
  }

  // nullptr when absent, null, or not an object (reported).
  const Object* optionalObject(std::string_view key) {
    const Var* value = find(key);
    return value != nullptr && !value->isEmpty() ? objectFrom(key, *value) : nullptr;
  }

  // nullptr when absent or null (reported if `required`), or not an array (reported).
  const Array* array(std::string_view key, bool required) {
    const Var* value = required ? require(key) : find(key);
    if (value == nullptr || (!required && value->isEmpty())) return nullptr;
    const Array* array = asArray(*value);
    if (array == nullptr) wrongType(key, "an array", *value);
    return array;
  }

  std::string pathOf(std::string_view key) const { return childPath(path_, key); }

 private:
  const Var* find(std::string_view key) const {
    for (const auto& [name, value] : fields_) {
      if (name == key) return value;
    }
    return nullptr;
  }

  const Var* require(std::string_view key) {
    const Var* value = find(key);
    if (value == nullptr) decoder_.fail(childPath(path_, key), "missing required field");
    return value;
  }

  std::string stringFrom(std::string_view key, const Var& value) {
    if (!value.isString()) {
      wrongType(key, "a string", value);
      return {};
    }
    return value.extract<std::string>();
  }

  const Object* objectFrom(std::string_view key, const Var& value) {
    const Object* object = asObject(value);
    if (object == nullptr) wrongType(key, "an object", value);
    return object;
  }

  void wrongType(std::string_view key, std::string_view expected, const Var& value) {
    decoder_.fail(childPath(path_, key),
                  "expected " + std::string(expected) + ", got " + std::string(describe(value)));
  }

  Decoder& decoder_;
  std::string path_;
  std::vector<std::pair<std::string_view, const Var*>> fields_;
};

Address readAddress(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(decoder, json, path, {"division_code", "detail"});
  Address address;
  address.division_code = fields.string("division_code");
  address.detail = fields.string("detail");
  return address;
}

Person readPerson(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(decoder, json, path, {"id_number", "name", "phone"});
  Person person;
  person.id_number = fields.string("id_number");
  person.name = fields.string("name");
  person.phone = fields.optionalString("phone");
  return person;
}

Enterprise readEnterprise(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(
      decoder, json, path,
      {"name", "type", "registered_capital", "registered_address", "business_scope"});
  Enterprise enterprise;
  enterprise.name = fields.string("name");
  enterprise.type =
      fields.enumValue("type", &parseEnterpriseType, EnterpriseType::kLimitedLiabilityCompany);
  enterprise.registered_capital = fields.money("registered_capital");
  if (const Object* address = fields.object("registered_address")) {
    enterprise.registered_address =
        readAddress(decoder, *address, fields.pathOf("registered_address"));
  }
  enterprise.business_scope = fields.string("business_scope");
  return enterprise;
}

Shareholder readShareholder(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(decoder, json, path, {"person", "contribution"});
  Shareholder shareholder;
  if (const Object* person = fields.object("person")) {
    shareholder.person = readPerson(decoder, *person, fields.pathOf("person"));
  }
  shareholder.contribution = fields.money("contribution");
  return shareholder;
}

SealOrder readSeal(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(decoder, json, path, {"shop", "delivery", "courier_address"});
  SealOrder seal;
  seal.shop = fields.string("shop");
  seal.delivery = fields.enumValue("delivery", &parseSealDelivery, SealDelivery::kPickup);
  if (const Object* address = fields.optionalObject("courier_address")) {
    seal.courier_address = readAddress(decoder, *address, fields.pathOf("courier_address"));
  }
  return seal;
}

InvoiceNeed readInvoice(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(decoder, json, path, {"type", "monthly_quantity"});
  InvoiceNeed invoice;
  invoice.type = fields.enumValue("type", &parseInvoiceType, InvoiceType::kVatOrdinary);
  invoice.monthly_quantity = fields.integer("monthly_quantity");
  return invoice;
}

TaxSetup readTax(Decoder& decoder, const Object& json, const std::string& path) {
  ObjectReader fields(decoder, json, path, {"taxpayer_type", "invoices"});
  TaxSetup tax;
  tax.taxpayer_type =
      fields.enumValue("taxpayer_type", &parseTaxpayerType, TaxpayerType::kSmallScale);
  if (const Array* invoices = fields.array("invoices", /*required=*/false)) {
    const std::string invoices_path = fields.pathOf("invoices");
    size_t index = 0;
    for (auto it = invoices->begin(); it != invoices->end(); ++it, ++index) {
      const std::string item_path = indexPath(invoices_path, index);
      if (const Object* item = asObject(*it)) {
        tax.invoices.push_back(readInvoice(decoder, *item, item_path));
      } else {
        decoder.fail(item_path, "expected an object, got " + std::string(describe(*it)));
      }
    }
  }
  return tax;
}

// Identity text from the kiosk (a check reference, an employee id): opaque, but short.
void checkOpaqueId(Decoder& decoder, const std::string& text, const std::string& path,
                   bool required) {
  if (text.empty()) {
    if (required) decoder.fail(path, "must not be empty");
  } else if (text.size() > IdentityVerification::kMaxReferenceLength) {
    decoder.fail(path, "longer than " + std::to_string(IdentityVerification::kMaxReferenceLength) +
                           " bytes");
  }
}

IdentityVerification readIdentityVerification(Decoder& decoder, const Object& json,
                                              const std::string& path) {
  ObjectReader fields(
      decoder, json, path,
      {"method", "match_score", "liveness_passed", "reference", "staff_verifier", "verified_at"});
  IdentityVerification verification;
  verification.method =
      fields.enumValue("method", &parseVerificationMethod, VerificationMethod::kFace);
  if (!decoder.ok()) return verification;
  if (verification.method == VerificationMethod::kFace) {
    verification.match_score = fields.number("match_score");
    // Written so that NaN, which no JSON text carries but an Object built in code may, fails.
    if (decoder.ok() && !(verification.match_score >= 0 && verification.match_score <= 1)) {
      decoder.fail(fields.pathOf("match_score"), "must be in [0, 1]");
    }
    verification.liveness_passed = fields.boolean("liveness_passed");
    fields.refuse("staff_verifier", "for a face check");
  } else {
    fields.refuse("match_score", "for a staff check");
    fields.refuse("liveness_passed", "for a staff check");
    verification.staff_verifier = fields.optionalString("staff_verifier");
    checkOpaqueId(decoder, verification.staff_verifier, fields.pathOf("staff_verifier"),
                  /*required=*/false);
  }
  verification.reference = fields.string("reference");
  if (decoder.ok()) {
    checkOpaqueId(decoder, verification.reference, fields.pathOf("reference"), /*required=*/true);
  }
  const std::string verified_at = fields.string("verified_at");
  if (decoder.ok()) {
    Result<SystemTime> instant = parseIso8601(verified_at);
    if (instant) {
      verification.verified_at = *instant;
    } else {
      decoder.fail(fields.pathOf("verified_at"), instant.error().message);
    }
  }
  return verification;
}

Object::Ptr orderedObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// Plain digits for machines: no group separators, always two decimals.
std::string plainYuan(Money money) {
  const int64_t fen = money.minorUnits();
  // Negated in unsigned arithmetic, where INT64_MIN has a magnitude too.
  const uint64_t magnitude = fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  const uint64_t cents = magnitude % 100;
  std::string text = fen < 0 ? "-" : "";
  text += std::to_string(magnitude / 100);
  text += '.';
  text += static_cast<char>('0' + cents / 10);
  text += static_cast<char>('0' + cents % 10);
  return text;
}

Object::Ptr addressJson(const Address& address) {
  Object::Ptr json = orderedObject();
  json->set("division_code", address.division_code);
  json->set("detail", address.detail);
  return json;
}

Object::Ptr personJson(const Person& person) {
  Object::Ptr json = orderedObject();
  json->set("id_number", person.id_number);
  json->set("name", person.name);
  json->set("phone", person.phone);
  return json;
}

}  // namespace

Poco::JSON::Object::Ptr toJson(const Application& application) {
  Object::Ptr json = orderedObject();
  json->set("kiosk_id", application.kiosk_id);
  json->set("bank_code", application.bank_code);
  json->set("green_channel", application.green_channel);

  const Enterprise& enterprise = application.enterprise;
  Object::Ptr enterprise_json = orderedObject();
  enterprise_json->set("name", enterprise.name);
  enterprise_json->set("type", std::string(toString(enterprise.type)));
  enterprise_json->set("registered_capital", plainYuan(enterprise.registered_capital));
  enterprise_json->set("registered_address", addressJson(enterprise.registered_address));
  enterprise_json->set("business_scope", enterprise.business_scope);
  json->set("enterprise", enterprise_json);

  json->set("legal_representative", personJson(application.legal_representative));
  Array::Ptr shareholders = new Array();
  for (const Shareholder& shareholder : application.shareholders) {
    Object::Ptr item = orderedObject();
    item->set("person", personJson(shareholder.person));
    item->set("contribution", plainYuan(shareholder.contribution));
    shareholders->add(item);
  }
  json->set("shareholders", shareholders);
  if (application.supervisor) json->set("supervisor", personJson(*application.supervisor));
  if (application.finance_officer) {
    json->set("finance_officer", personJson(*application.finance_officer));
  }
  json->set("contact_phone", application.contact_phone);

  Object::Ptr seal = orderedObject();
  seal->set("shop", application.seal.shop);
  seal->set("delivery", std::string(toString(application.seal.delivery)));
  if (application.seal.courier_address) {
    seal->set("courier_address", addressJson(*application.seal.courier_address));
  }
  json->set("seal", seal);

  Object::Ptr tax = orderedObject();
  tax->set("taxpayer_type", std::string(toString(application.tax.taxpayer_type)));
  Array::Ptr invoices = new Array();
  for (const InvoiceNeed& invoice : application.tax.invoices) {
    Object::Ptr item = orderedObject();
    item->set("type", std::string(toString(invoice.type)));
    item->set("monthly_quantity", invoice.monthly_quantity);
    invoices->add(item);
  }
  tax->set("invoices", invoices);
  json->set("tax", tax);

  if (application.identity_verification) {
    const IdentityVerification& verification = *application.identity_verification;
    Object::Ptr identity = orderedObject();
    identity->set("method", std::string(toString(verification.method)));
    if (verification.method == VerificationMethod::kFace) {
      identity->set("match_score", verification.match_score);
      identity->set("liveness_passed", verification.liveness_passed);
    } else if (!verification.staff_verifier.empty()) {
      identity->set("staff_verifier", verification.staff_verifier);
    }
    identity->set("reference", verification.reference);
    identity->set("verified_at", formatIso8601(verification.verified_at));
    json->set("identity_verification", identity);
  }
  return json;
}

Result<Application> applicationFromJson(const Poco::JSON::Object& json) {
  Decoder decoder;
  ObjectReader fields(decoder, json, "",
                      {"kiosk_id", "bank_code", "green_channel", "enterprise",
                       "legal_representative", "shareholders", "supervisor", "finance_officer",
                       "contact_phone", "seal", "tax", "identity_verification"});
  Application application;
  application.kiosk_id = fields.string("kiosk_id");
  application.bank_code = fields.string("bank_code");
  application.green_channel = fields.optionalBool("green_channel", false);
  if (const Object* enterprise = fields.object("enterprise")) {
    application.enterprise = readEnterprise(decoder, *enterprise, "enterprise");
  }
  if (const Object* person = fields.object("legal_representative")) {
    application.legal_representative = readPerson(decoder, *person, "legal_representative");
  }
  if (const Array* shareholders = fields.array("shareholders", /*required=*/true)) {
    size_t index = 0;
    for (auto it = shareholders->begin(); it != shareholders->end(); ++it, ++index) {
      const std::string path = indexPath("shareholders", index);
      if (const Object* item = asObject(*it)) {
        application.shareholders.push_back(readShareholder(decoder, *item, path));
      } else {
        decoder.fail(path, "expected an object, got " + std::string(describe(*it)));
      }
    }
  }
  if (const Object* person = fields.optionalObject("supervisor")) {
    application.supervisor = readPerson(decoder, *person, "supervisor");
  }
  if (const Object* person = fields.optionalObject("finance_officer")) {
    application.finance_officer = readPerson(decoder, *person, "finance_officer");
  }
  application.contact_phone = fields.string("contact_phone");
  if (const Object* seal = fields.object("seal")) {
    application.seal = readSeal(decoder, *seal, "seal");
  }
  if (const Object* tax = fields.object("tax")) {
    application.tax = readTax(decoder, *tax, "tax");
  }
  if (const Object* identity = fields.optionalObject("identity_verification")) {
    application.identity_verification =
        readIdentityVerification(decoder, *identity, "identity_verification");
  }
  if (!decoder.ok()) return decoder.error();
  return application;
}

Result<Application> applicationFromJsonText(std::string_view text) {
  Var parsed;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(kMaxJsonDepth);
    parsed = parser.parse(std::string(text));
  } catch (const Poco::Exception& error) {
    return Error::invalidInput("the body is not valid JSON: " + error.displayText());
  }
  const Object* object = asObject(parsed);
  if (object == nullptr) {
    return Error::invalidInput("the body must be a JSON object, got " +
                               std::string(describe(parsed)));
  }
  return applicationFromJson(*object);
}

Poco::JSON::Array::Ptr problemsJson(const std::vector<Problem>& problems) {
  Array::Ptr json = new Array();
  for (const Problem& problem : problems) {
    Object::Ptr item = orderedObject();
    item->set("field", problem.field);
    item->set("key", problem.message_key);
    item->set("zh", std::string(messageText(problem.message_key, Language::kZhCn)));
    item->set("en", std::string(messageText(problem.message_key, Language::kEn)));
    json->add(item);
  }
  return json;
}

}  // namespace kaiban
