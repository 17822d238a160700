#include "core/id_number.h"

#include <array>
#include <cstdio>
#include <string>

#include "core/division.h"

namespace kaiban {
namespace {

// 2^(17-i) mod 11 for i = 1..17 (ISO 7064 MOD 11-2).
constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

constexpr CivilDate kEarliestBirthDate{1900, 1, 1};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool allDigits(std::string_view text) {
  for (char c : text) {
    if (!isDigit(c)) return false;
  }
  return true;
}

// REQUIRES: text is all digits.
int toInt(std::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

// REQUIRES: first17 is 17 ASCII digits.
char computeCheckCharacter(std::string_view first17) {
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  const int check = (12 - sum % 11) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

// The date in characters 7-14, which may not exist (20230229). REQUIRES: they are digits.
CivilDate birthDateOf(std::string_view number) {
  return {toInt(number.substr(6, 4)), toInt(number.substr(10, 2)), toInt(number.substr(12, 2))};
}

struct Violation {
  IdNumberRule rule;
  std::string message;
};

// Checks `text`, which must already have its check character in capitals.
std::optional<Violation> findViolation(std::string_view text, CivilDate today) {
  if (text.size() != 18) {
    return Violation{IdNumberRule::kLength,
                     "must be exactly 18 characters, got " + std::to_string(text.size())};
  }
  if (!allDigits(text.substr(0, 17)) || !(isDigit(text[17]) || text[17] == 'X')) {
    return Violation{IdNumberRule::kDigits,
                     "the first 17 characters must be digits and the last a digit or X"};
  }
  const std::string_view division = text.substr(0, 6);
  if (!isPlausibleDivisionCode(division) && division != "830000") {
    return Violation{IdNumberRule::kDivisionCode,
                     "the first 6 digits must be an administrative division code starting with "
                     "a real province code"};
  }
  const CivilDate birth = birthDateOf(text);
  if (!birth.isValid()) {
    return Violation{IdNumberRule::kBirthDate, "digits 7-14 are not a real date (YYYYMMDD)"};
  }
  if (birth < kEarliestBirthDate || birth > today) {
    return Violation{IdNumberRule::kBirthDate,
                     "the birth date in digits 7-14 must be between 1900-01-01 and today"};
  }
  if (text[17] != computeCheckCharacter(text.substr(0, 17))) {
    return Violation{IdNumberRule::kCheckCharacter,
                     "the check character (character 18) does not match the rest of the "
                     "number; a digit was probably mistyped"};
  }
  return std::nullopt;
}

std::string normalised(std::string_view text) {
  std::string result(text);
  if (result.size() == 18 && result[17] == 'x') result[17] = 'X';
  return result;
}

}  // namespace

bool CivilDate::isValid() const {
  if (year < 1 || year > 9999 || month < 1 || month > 12) return false;
  return day >= 1 && day <= daysInMonth(year, month);
}

std::string CivilDate::toString() const {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", year, month, day);
  return buffer;
}

Result<IdNumber> IdNumber::parse(std::string_view text, CivilDate today) {
  std::string number = normalised(text);
  if (std::optional<Violation> violation = findViolation(number, today)) {
    return Error::invalidInput("resident identity number: " + violation->message, "id_number");
  }
  const CivilDate birth = birthDateOf(number);
  return IdNumber(std::move(number), birth);
}

std::optional<IdNumberRule> IdNumber::violatedRule(std::string_view text, CivilDate today) {
  std::optional<Violation> violation = findViolation(normalised(text), today);
  if (!violation) return std::nullopt;
  return violation->rule;
}

Result<char> IdNumber::checkCharacterFor(std::string_view first17) {
  if (first17.size() != 17 || !allDigits(first17)) {
    return Error::invalidInput("a check character needs exactly 17 digits", "id_number");
  }
  return computeCheckCharacter(first17);
}

std::string IdNumber::masked() const {
  return text_.substr(0, 4) + std::string(10, '*') + text_.substr(14);
}

}  // namespace kaiban
