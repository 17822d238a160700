#include "terminal-agent/link/json_text.h"

#include <sstream>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

namespace kaiban::agent::json {

Result<Poco::JSON::Object::Ptr> parseObject(std::string_view text, std::string_view what) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var value = parser.parse(std::string(text));
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
      return Error::invalidInput(std::string(what) + " is not a JSON object");
    }
    Poco::JSON::Object::Ptr object = value.extract<Poco::JSON::Object::Ptr>();
    if (object.isNull()) return Error::invalidInput(std::string(what) + " is not a JSON object");
    return object;
  } catch (const Poco::Exception& error) {
    return Error::invalidInput(std::string(what) + " is not valid JSON: " + error.displayText());
  }
}

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

std::string stringify(const Poco::JSON::Array& array) {
  std::ostringstream out;
  array.stringify(out);
  return out.str();
}

namespace {

// POCO stores a parsed member as a Var; an absent member is an empty Var.
Poco::Dynamic::Var member(const Poco::JSON::Object& object, const std::string& key) {
  if (!object.has(key)) return {};
  return object.get(key);
}

}  // namespace

std::optional<std::string> stringMember(const Poco::JSON::Object& object, const std::string& key) {
  Poco::Dynamic::Var value = member(object, key);
  if (value.isEmpty() || !value.isString()) return std::nullopt;
  return value.extract<std::string>();
}

std::optional<bool> boolMember(const Poco::JSON::Object& object, const std::string& key) {
  Poco::Dynamic::Var value = member(object, key);
  if (value.isEmpty() || !value.isBoolean()) return std::nullopt;
  return value.extract<bool>();
}

std::optional<int64_t> intMember(const Poco::JSON::Object& object, const std::string& key) {
  Poco::Dynamic::Var value = member(object, key);
  if (value.isEmpty() || !value.isInteger() || value.isBoolean()) return std::nullopt;
  try {
    return value.convert<int64_t>();
  } catch (const Poco::Exception&) {
    return std::nullopt;  // an unsigned value beyond int64
  }
}

std::optional<double> numberMember(const Poco::JSON::Object& object, const std::string& key) {
  Poco::Dynamic::Var value = member(object, key);
  if (value.isEmpty() || !value.isNumeric() || value.isBoolean()) return std::nullopt;
  return value.convert<double>();
}

Poco::JSON::Object::Ptr objectMember(const Poco::JSON::Object& object, const std::string& key) {
  if (!object.has(key) || !object.isObject(key)) return nullptr;
  return object.getObject(key);
}

Poco::JSON::Array::Ptr arrayMember(const Poco::JSON::Object& object, const std::string& key) {
  if (!object.has(key) || !object.isArray(key)) return nullptr;
  return object.getArray(key);
}

}  // namespace kaiban::agent::json
