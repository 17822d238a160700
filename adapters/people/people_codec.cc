#include "adapters/people/people_codec.h"

#include <utility>

namespace kaiban::adapters {

namespace {
using wire::text;
}  // namespace

bool operator==(const PersonFound& a, const PersonFound& b) {
  const PersonRecord& x = a.person;
  const PersonRecord& y = b.person;
  return a.message_id == b.message_id && x.id_number == y.id_number && x.name == y.name &&
         x.sex == y.sex && x.birth_date == y.birth_date && x.address == y.address;
}

PeopleCodec::PeopleCodec(std::shared_ptr<const xml::Schema> schema)
    : PartnerCodec(std::string(kPartner), std::move(schema)) {}

Result<PeopleCodec> PeopleCodec::load(const std::filesystem::path& schema_dir) {
  Result<std::shared_ptr<const xml::Schema>> schema = loadSchema(schema_dir, kPartner);
  if (!schema.ok()) return schema.error();
  return PeopleCodec(std::move(schema).value());
}

Result<std::string> PeopleCodec::encode(const PersonQuery& query) const {
  return build(kPersonQuery, query.message_id, [&](xml::Element root) {
    root.appendChild("IdNumber", wire::idNumber(query.id_number));
  });
}

Result<PersonQuery> PeopleCodec::decodePersonQuery(std::string_view body) const {
  return decodeAs<PersonQuery>(body, kPersonQuery, [](const xml::Element& root) {
    return PersonQuery{text(root, {"MessageId"}), text(root, {"IdNumber"})};
  });
}

Result<std::string> PeopleCodec::encode(const LookupAnswer& answer) const {
  if (const PersonNotFound* missing = std::get_if<PersonNotFound>(&answer)) {
    return build(kNotFound, missing->message_id,
                 [&](xml::Element root) { root.appendChild("IdNumber", missing->id_number); });
  }
  const PersonFound& found = std::get<PersonFound>(answer);
  return build(kPersonRecord, found.message_id, [&](xml::Element root) {
    root.appendChild("IdNumber", found.person.id_number);
    root.appendChild("Name", found.person.name);
    root.appendChild("Sex", found.person.sex);
    root.appendChild("BirthDate", found.person.birth_date);
    root.appendChild("Address", found.person.address);
  });
}

Result<LookupAnswer> PeopleCodec::decodeLookupAnswer(std::string_view body) const {
  Result<xml::Document> document = open(body, {kPersonRecord, kNotFound});
  if (!document.ok()) return document.error();
  const xml::Element root = document->root();
  if (root.name() == kNotFound) {
    return LookupAnswer{PersonNotFound{text(root, {"MessageId"}), text(root, {"IdNumber"})}};
  }
  return LookupAnswer{
      PersonFound{text(root, {"MessageId"}),
                  PersonRecord{text(root, {"IdNumber"}), text(root, {"Name"}), text(root, {"Sex"}),
                               text(root, {"BirthDate"}), text(root, {"Address"})}}};
}

}  // namespace kaiban::adapters
