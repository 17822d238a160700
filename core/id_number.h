#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kaiban {

enum class Sex { kFemale, kMale };

// A date in the proleptic Gregorian calendar, with no time zone: a birth date, a holiday.
// Ordered by (year, month, day).
struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;

  // True when the date exists: month 1-12, day within the month, 29 February only in leap
  // years (divisible by 4, and not by 100 unless also by 400). Years 1-9999.
  bool isValid() const;

  // "YYYY-MM-DD", zero-padded. REQUIRES: isValid().
  std::string toString() const;

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// The checks of GB 11643-1999 that a resident identity number (公民身份号码) must pass, in the
// order they are applied. The first failing rule is the one reported.
enum class IdNumberRule {
  kLength,          // exactly 18 characters
  kDigits,          // characters 1-17 are digits; character 18 is a digit or X
  kDivisionCode,    // characters 1-6 are a division code with a real province prefix
  kBirthDate,       // characters 7-14 are a real date, from 1900-01-01 to today
  kCheckCharacter,  // character 18 is the ISO 7064 MOD 11-2 check character
};

// An 18-character resident identity number that passed every IdNumberRule. Immutable value.
//
// Layout: 1-6 division code of the registered residence at first issue, 7-14 birth date
// YYYYMMDD, 15-17 sequence code (the 17th digit is odd for men, even for women), 18 check
// character 0-9 or X.
//
// A lower-case 'x' check character is ACCEPTED and normalised to 'X': the standard writes a
// capital X, but card readers and people often produce a lower-case one, and refusing it at a
// kiosk helps nobody. text() always returns the capital form.
//
// Division codes: besides the provincial prefixes of core/division.h, 830000 is accepted: it is
// the code printed on residence permits of Taiwan residents, which use this same format (Hong
// Kong and Macao permits use 810000 and 820000, already covered by prefixes 81 and 82).
//
// The 15-digit numbers of first-generation cards (before 1999) are rejected (kLength); those
// cards expired in 2013.
class IdNumber {
 public:
  // The number in `text`, or kInvalidInput (field "id_number") whose message names, in plain
  // words, the first IdNumberRule that `text` breaks. `today` bounds the birth date: a person
  // born later than today does not exist yet. No trimming: surrounding spaces break kLength.
  // Messages never repeat the number: they are logged.
  // REQUIRES: today.isValid().
  static Result<IdNumber> parse(std::string_view text, CivilDate today);

  // The first IdNumberRule that `text` breaks, or nullopt when parse(text, today) succeeds.
  static std::optional<IdNumberRule> violatedRule(std::string_view text, CivilDate today);

  // The check character for the 17 digits `first17`: with weights 2^(17-i) mod 11,
  // check = (12 - sum mod 11) mod 11, 10 written 'X'. kInvalidInput (field "id_number") if
  // `first17` is not 17 ASCII digits. Only the check is computed: the division code and the
  // birth date are not validated here.
  static Result<char> checkCharacterFor(std::string_view first17);

  // The normalised number (check character 'X' in capitals).
  const std::string& text() const { return text_; }
  std::string_view divisionCode() const { return std::string_view(text_).substr(0, 6); }
  CivilDate birthDate() const { return birth_date_; }
  Sex sex() const { return (text_[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale; }

  // The number with characters 5-14 replaced by '*' ("3702**********123X"): the province and
  // city stay readable, the birth date and county do not. For logs and screens.
  std::string masked() const;

  friend bool operator==(const IdNumber& a, const IdNumber& b) { return a.text_ == b.text_; }

 private:
  IdNumber(std::string text, CivilDate birth_date)
      : text_(std::move(text)), birth_date_(birth_date) {}

  std::string text_;
  CivilDate birth_date_;
};

}  // namespace kaiban
