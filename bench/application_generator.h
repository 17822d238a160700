#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "core/application.h"

// Valid, varied applications for the load of kaiban-bench: every one passes
// validateApplication and every partner simulator accepts it (no prohibited word, no name the
// registry simulator already holds, no phone the SMS simulator refuses).
namespace kaiban::bench {

// The Qingdao districts (GB/T 2260) the generator places enterprises, people and kiosks in.
inline constexpr std::string_view kQingdaoDistricts[] = {"370202", "370203", "370211", "370212",
                                                         "370213", "370214", "370215", "370281",
                                                         "370283", "370285"};

// Makes applications from a seeded pseudo-random sequence: the same seed and the same calls
// give the same applications. Not thread-safe: one generator per thread.
//
// Variety: the three legal forms (about 70 % companies, 15 % sole proprietorships, 15 %
// partnerships) with their name suffixes (有限公司 / 有限责任公司, 商行 / 经营部 / 工作室 / 店,
// （普通合伙） / （有限合伙）), registered capital from 10 thousand to 10 million yuan split
// exactly among 1-3 investors, people with resident ID numbers of the ten Qingdao districts,
// birth dates 1960-2003 and their GB 11643 check characters computed, common surnames and
// given names, optional supervisor and finance officer (required for general VAT taxpayers),
// pick-up or courier seals, invoice needs, and about 10 % green-channel applications.
//
// Enterprise names are unique per (salt, sequence number): the sequence number is written into
// the trade name with characters chosen so that no name can equal one of the enterprises the
// registry simulator registers at start-up or contain a prohibited word.
class ApplicationGenerator {
 public:
  // `salt` (0..39) separates runs that share one simulator database.
  ApplicationGenerator(std::uint64_t seed, int salt);

  // Application number `sequence` (0 .. 2.5 million) for `kiosk_id` of bank `bank_code`.
  // Distinct sequence numbers give distinct enterprise names.
  Application make(std::int64_t sequence, std::string_view kiosk_id, std::string_view bank_code);

  // A resident ID number of `division` with a random birth date in 1960-2003, sequence code
  // of the given sex (the 17th digit is odd for men) and its check character.
  std::string idNumber(std::string_view division, bool male);

 private:
  Person person(std::string_view division, bool with_phone);
  std::string phone();
  std::string tradeName(std::int64_t sequence) const;
  int uniform(int low, int high);  // inclusive

  std::mt19937_64 random_;
  int salt_;
};

}  // namespace kaiban::bench
