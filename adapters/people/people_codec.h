#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/adapter.h"
#include "adapters/partner_codec/partner_codec.h"

// The people-data platform's documents (adapters/schemas/people.xsd, namespace
// urn:kaiban:partner:people:1; examples in docs/partners/people.md).
namespace kaiban::adapters {

struct PersonQuery {
  MessageId message_id;
  std::string id_number;

  friend bool operator==(const PersonQuery&, const PersonQuery&) = default;
};

// What the state knows about the person asked for.
struct PersonFound {
  MessageId message_id;
  PersonRecord person;

  friend bool operator==(const PersonFound& a, const PersonFound& b);
};

// The platform has no such person.
struct PersonNotFound {
  MessageId message_id;
  std::string id_number;

  friend bool operator==(const PersonNotFound&, const PersonNotFound&) = default;
};

// The 200 answer to a PersonQuery.
using LookupAnswer = std::variant<PersonFound, PersonNotFound>;

// Encodes and decodes every people-data document; see PartnerCodec for the rules every
// encode and decode follows. Rejection reason code: QUERY_NOT_PERMITTED. Thread-safe; copies
// share the schema.
class PeopleCodec : public PartnerCodec {
 public:
  static constexpr std::string_view kPartner = "people";
  static constexpr std::string_view kPersonQuery = "PersonQuery";
  static constexpr std::string_view kPersonRecord = "PersonRecord";
  static constexpr std::string_view kNotFound = "NotFound";

  // Loads <schema_dir>/people.xsd (and partner-common.xsd beside it).
  static Result<PeopleCodec> load(const std::filesystem::path& schema_dir);

  using PartnerCodec::encode;
  Result<std::string> encode(const PersonQuery& query) const;
  Result<PersonQuery> decodePersonQuery(std::string_view body) const;
  // A PersonRecord or a NotFound document.
  Result<std::string> encode(const LookupAnswer& answer) const;
  Result<LookupAnswer> decodeLookupAnswer(std::string_view body) const;

 private:
  explicit PeopleCodec(std::shared_ptr<const xml::Schema> schema);
};

}  // namespace kaiban::adapters
