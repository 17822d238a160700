#include "adapters/sim/identifiers.h"

#include <array>
#include <cstdio>

#include "core/uscc.h"

namespace kaiban::sim {
namespace {

// The USCC alphabet: digits and capitals without I, O, S, V, Z.
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::uint64_t kSixCharacterSpace = 887'503'681;  // 31^6
// Coprime with 31, so n -> (n * kScramble + kOffset) mod 31^6 is a bijection.
constexpr std::uint64_t kScramble = 387'420'489;  // 3^18
constexpr std::uint64_t kOffset = 123'456'789;

int gb11714Value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

std::string digits(std::uint64_t value, int width) {
  std::string text = std::to_string(value);
  if (static_cast<int>(text.size()) < width) text.insert(0, width - text.size(), '0');
  return text;
}

std::string compactDate(std::chrono::year_month_day day) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return buffer;
}

bool isSixDigits(std::string_view text) {
  if (text.size() != 6) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<char> organizationCodeCheck(std::string_view body) {
  static constexpr std::array<int, 8> kWeights = {3, 7, 9, 10, 5, 8, 4, 2};
  if (body.size() != 8) return Error::invalidInput("an organisation code body has 8 characters");
  int sum = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    const int value = gb11714Value(body[i]);
    if (value < 0) return Error::invalidInput("an organisation code holds only 0-9 and A-Z");
    sum += value * kWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

std::string organizationCodeFor(std::uint64_t sequence) {
  std::uint64_t n = (sequence % kSixCharacterSpace * kScramble + kOffset) % kSixCharacterSpace;
  std::string body = "MA000000";
  for (int position = 7; position >= 2; --position) {
    body[position] = kUsccAlphabet[n % 31];
    n /= 31;
  }
  return body + organizationCodeCheck(body).value();
}

Result<std::string> usccFor(std::string_view division_code, std::uint64_t sequence) {
  if (!isSixDigits(division_code)) {
    return Error::invalidInput("a division code has six digits", "division_code");
  }
  if (sequence > kMaxUsccSequence) {
    return Error::invalidInput("the simulator has issued every USCC it can");
  }
  std::string code = "91" + std::string(division_code) + organizationCodeFor(sequence);
  Result<char> check = Uscc::checkCharacterFor(code);
  if (!check.ok()) return check.error();
  return code + *check;
}

std::string sealCodeFor(std::string_view division_code, std::uint64_t sequence) {
  return std::string(division_code) + digits(sequence % 10'000'000, 7);
}

std::string licenceReferenceFor(std::string_view division_code, std::chrono::year_month_day day,
                                std::uint64_t sequence) {
  return "AMR" + std::string(division_code) + "-" + compactDate(day) + "-" +
         digits(sequence % 1'000'000, 6);
}

std::string taxAuthorityCodeFor(std::string_view division_code) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "1" + string.
  std::string code = "1";
  code += division_code;
  code += "0000";
  return code;
}

std::string agreementNumberFor(std::string_view division_code, std::chrono::year_month_day day,
                               std::uint64_t sequence) {
  return "TBA" + std::string(division_code) + "-" + compactDate(day) + "-" +
         digits(sequence % 1'000'000, 6);
}

std::string partnerReferenceFor(std::string_view prefix, std::chrono::year_month_day day,
                                std::uint64_t sequence) {
  return std::string(prefix) + "-" + compactDate(day) + "-" + digits(sequence % 1'000'000, 6);
}

}  // namespace kaiban::sim
