#include "terminal-agent/devices/id_card_json.h"

#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "core/application.h"
#include "core/timestamp.h"

namespace kaiban::agent {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::string_view kLongTerm = "long_term";
constexpr size_t kMaxTextCodePoints = 100;
// A deck is a handful of cards; the limit keeps a wrong file from being read whole.
constexpr std::uintmax_t kMaxCardFileBytes = 1 << 20;

constexpr std::array<std::string_view, 10> kMembers = {"name",
                                                       "sex",
                                                       "ethnicity",
                                                       "birth_date",
                                                       "address",
                                                       "id_number",
                                                       "issuing_authority",
                                                       "valid_from",
                                                       "valid_until",
                                                       "photo_reference"};

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

CivilDate toCivilDate(std::chrono::year_month_day date) {
  return CivilDate{static_cast<int>(date.year()), static_cast<int>(unsigned(date.month())),
                   static_cast<int>(unsigned(date.day()))};
}

bool hasControlCharacter(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// The string member `key`: nullopt when absent (an error if `required`), an error when it is
// not a string or not acceptable text.
Result<std::optional<std::string>> textMember(const Object& json, const std::string& key,
                                              bool required) {
  if (!json.has(key) || json.isNull(key)) {
    if (required) return Error::invalidInput("missing required field", key);
    return std::optional<std::string>();
  }
  const Var& value = json.get(key);
  if (!value.isString()) return Error::invalidInput("must be a string", key);
  std::string text = value.extract<std::string>();
  const std::optional<size_t> length = utf8Length(text);
  if (!length.has_value() || hasControlCharacter(text)) {
    return Error::invalidInput("must be UTF-8 text without control characters", key);
  }
  if (*length == 0 || *length > kMaxTextCodePoints) {
    return Error::invalidInput("must be 1-" + std::to_string(kMaxTextCodePoints) + " characters",
                               key);
  }
  return std::optional<std::string>(std::move(text));
}

Result<CivilDate> dateFrom(const std::string& text, const std::string& key) {
  Result<std::chrono::year_month_day> date = parseDate(text);
  if (!date) return Error::invalidInput("must be a date YYYY-MM-DD", key);
  return toCivilDate(*date);
}

Result<IdCardData> decodeCard(const Object& json, CivilDate today) {
  for (auto it = json.begin(); it != json.end(); ++it) {
    bool known = false;
    for (std::string_view member : kMembers) known = known || member == it->first;
    if (!known) return Error::invalidInput("unknown field", it->first);
  }

  // Every member as text first; required ones must be there.
  std::array<std::optional<std::string>, kMembers.size()> text;
  for (size_t i = 0; i < kMembers.size(); ++i) {
    const std::string key(kMembers[i]);
    const bool required = key != "sex" && key != "birth_date" && key != "photo_reference";
    Result<std::optional<std::string>> member = textMember(json, key, required);
    if (!member) return member.error();
    text[i] = std::move(*member);
  }
  auto at = [&](std::string_view key) -> const std::optional<std::string>& {
    for (size_t i = 0; i < kMembers.size(); ++i) {
      if (kMembers[i] == key) return text[i];
    }
    throw std::logic_error("unknown card member");
  };

  IdCardData card;
  card.name = *at("name");
  card.ethnicity = *at("ethnicity");
  card.address = *at("address");
  card.issuing_authority = *at("issuing_authority");
  card.photo_reference = at("photo_reference").value_or("");

  Result<IdNumber> id = IdNumber::parse(*at("id_number"), today);
  if (!id) return Error::invalidInput(id.error().message, "id_number");
  card.id_number = id->text();

  card.sex = id->sex();
  if (const std::optional<std::string>& sex = at("sex"); sex.has_value()) {
    if (*sex != "male" && *sex != "female") {
      return Error::invalidInput("must be \"male\" or \"female\"", "sex");
    }
    if ((*sex == "male") != (id->sex() == Sex::kMale)) {
      return Error::invalidInput("does not agree with the ID number", "sex");
    }
  }
  card.birth_date = id->birthDate();
  if (const std::optional<std::string>& birth = at("birth_date"); birth.has_value()) {
    Result<CivilDate> date = dateFrom(*birth, "birth_date");
    if (!date) return date.error();
    if (*date != id->birthDate()) {
      return Error::invalidInput("does not agree with the ID number", "birth_date");
    }
  }

  Result<CivilDate> from = dateFrom(*at("valid_from"), "valid_from");
  if (!from) return from.error();
  card.valid_from = *from;
  if (*at("valid_until") != kLongTerm) {
    Result<CivilDate> until = dateFrom(*at("valid_until"), "valid_until");
    if (!until)
      return Error::invalidInput("must be a date YYYY-MM-DD or \"long_term\"", "valid_until");
    if (*until < card.valid_from) {
      return Error::invalidInput("is before valid_from", "valid_until");
    }
    card.valid_until = *until;
  }
  return card;
}

}  // namespace

Poco::JSON::Object::Ptr toJson(const IdCardData& card) {
  Object::Ptr json = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("name", card.name);
  json->set("sex", std::string(card.sex == Sex::kMale ? "male" : "female"));
  json->set("ethnicity", card.ethnicity);
  json->set("birth_date", card.birth_date.toString());
  json->set("address", card.address);
  json->set("id_number", card.id_number);
  json->set("issuing_authority", card.issuing_authority);
  json->set("valid_from", card.valid_from.toString());
  json->set("valid_until",
            card.valid_until.has_value() ? card.valid_until->toString() : std::string(kLongTerm));
  json->set("photo_reference", card.photo_reference);
  return json;
}

Result<IdCardData> idCardFromJson(const Poco::JSON::Object& json, CivilDate today) {
  return decodeCard(json, today);
}

Result<std::vector<IdCardData>> parseSimulatedCards(std::string_view text, std::string_view source,
                                                    CivilDate today) {
  const std::string where(source);
  Var parsed;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(8);
    parsed = parser.parse(std::string(text));
  } catch (const Poco::Exception& error) {
    return Error::invalidInput(where + ": not valid JSON: " + error.displayText());
  }
  const Object* root = asObject(parsed);
  if (root == nullptr)
    return Error::invalidInput(where + ": must be a JSON object {\"cards\": [...]}");
  for (auto it = root->begin(); it != root->end(); ++it) {
    if (it->first != "cards") {
      return Error::invalidInput(where + ": unknown field \"" + it->first + "\"", it->first);
    }
  }
  const Array* cards = root->has("cards") ? asArray(root->get("cards")) : nullptr;
  if (cards == nullptr || cards->size() == 0) {
    return Error::invalidInput(where + ": \"cards\" must be a non-empty array", "cards");
  }

  std::vector<IdCardData> deck;
  std::set<std::string> id_numbers;
  std::set<std::string> photos;
  for (size_t i = 0; i < cards->size(); ++i) {
    const std::string path = "cards[" + std::to_string(i) + "]";
    const Var entry = cards->get(static_cast<unsigned>(i));
    const Object* object = asObject(entry);
    if (object == nullptr) return Error::invalidInput(where + ": must be an object", path);
    Result<IdCardData> card = decodeCard(*object, today);
    if (!card) {
      return Error::invalidInput(
          where + ": " + path + "." + card.error().field + ": " + card.error().message,
          path + "." + card.error().field);
    }
    if (card->photo_reference.empty()) card->photo_reference = "sim-photo-" + std::to_string(i + 1);
    if (!id_numbers.insert(card->id_number).second) {
      return Error::invalidInput(where + ": " + path + ".id_number: appears twice in the deck",
                                 path + ".id_number");
    }
    if (!photos.insert(card->photo_reference).second) {
      return Error::invalidInput(where + ": " + path + ".photo_reference: appears twice",
                                 path + ".photo_reference");
    }
    deck.push_back(std::move(*card));
  }
  return deck;
}

Result<std::vector<IdCardData>> loadSimulatedCards(const std::filesystem::path& path,
                                                   CivilDate today) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return Error::notFound("simulated card file " + path.string() + " does not exist");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return Error::unavailable("cannot read simulated card file " + path.string() + ": " +
                              error.message());
  }
  if (size > kMaxCardFileBytes) {
    return Error::invalidInput("simulated card file " + path.string() + " is larger than 1 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return Error::unavailable("cannot open simulated card file " + path.string());
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return Error::unavailable("cannot read simulated card file " + path.string());
  }
  return parseSimulatedCards(content.str(), path.string(), today);
}

}  // namespace kaiban::agent
