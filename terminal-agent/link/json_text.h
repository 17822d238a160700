#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/result.h"

// Small helpers for the JSON the agent reads and writes (kiosk API answers, local API bodies).
// POCO's JSON exceptions are caught here and become Errors, once.
namespace kaiban::agent::json {

// The JSON object in `text`, or kInvalidInput ("<what> is not a JSON object: ...").
Result<Poco::JSON::Object::Ptr> parseObject(std::string_view text, std::string_view what);

// Compact serialisation (no spaces, UTF-8 kept as is).
std::string stringify(const Poco::JSON::Object& object);
std::string stringify(const Poco::JSON::Array& array);

// Typed member access. Each returns nullopt when the member is absent, null, or of another
// JSON type (a number where a string is expected, ...).
std::optional<std::string> stringMember(const Poco::JSON::Object& object, const std::string& key);
std::optional<bool> boolMember(const Poco::JSON::Object& object, const std::string& key);
std::optional<int64_t> intMember(const Poco::JSON::Object& object, const std::string& key);
std::optional<double> numberMember(const Poco::JSON::Object& object, const std::string& key);
Poco::JSON::Object::Ptr objectMember(const Poco::JSON::Object& object, const std::string& key);
Poco::JSON::Array::Ptr arrayMember(const Poco::JSON::Object& object, const std::string& key);

}  // namespace kaiban::agent::json
