#include "terminal-agent/devices/id_card_reader.h"

namespace kaiban::agent {

bool IdCardData::validOn(CivilDate day) const {
  if (day < valid_from) return false;
  return !valid_until.has_value() || day <= *valid_until;
}

std::string IdCardData::describeForLog() const {
  // Same masking as IdNumber::masked(), without re-validating: the log line must not fail.
  if (id_number.size() != 18) return "card (id number of unexpected length)";
  return "card " + id_number.substr(0, 4) + std::string(10, '*') + id_number.substr(14);
}

}  // namespace kaiban::agent
