#include "adapters/people/people_adapter.h"

#include <string>

namespace kaiban::adapters {

PeopleAdapter::PeopleAdapter(const PeopleCodec& codec, PartnerLink& link)
    : codec_(codec), exchange_(codec, link) {}

Result<PersonRecord> PeopleAdapter::lookup(std::string_view id_number) {
  // Lookups change nothing at the platform, so a fresh id per lookup costs nothing and
  // never returns a stale answer recorded for an earlier one.
  const PersonQuery query{wire::randomMessageId("PQ"), wire::idNumber(id_number)};
  Result<LookupAnswer> answer = exchange_.ask<LookupAnswer>(
      kOperation, query.message_id, codec_.encode(query),
      [this](std::string_view body) { return codec_.decodeLookupAnswer(body); });
  if (!answer.ok()) return answer.error();
  if (std::holds_alternative<PersonNotFound>(*answer)) {
    return Error::notFound("the people-data platform has no person with this ID number");
  }
  const PersonRecord& person = std::get<PersonFound>(*answer).person;
  if (person.id_number != query.id_number) {
    return Error::corrupt("people answered message " + query.message_id +
                          " with the record of another person");
  }
  return person;
}

}  // namespace kaiban::adapters
