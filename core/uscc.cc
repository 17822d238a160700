#include "core/uscc.h"

#include <array>
#include <string>

#include "core/division.h"

namespace kaiban {
namespace {

// The 31 characters a code may contain, in value order: I, O, Z, S and V are left out because
// they are easily mistaken for 1, 0, 2, 5 and U.
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// 3^i mod 31 for i = 0..16.
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};

struct Authority {
  char code;
  std::string_view entity_types;
};

constexpr std::array<Authority, 12> kAuthorities = {{
    {'1', "1239"},
    {'2', "19"},
    {'3', "123459"},
    {'4', "19"},
    {'5', "1239"},
    {'6', "129"},
    {'7', "129"},
    {'8', "19"},
    {'9', "123"},
    {'A', "19"},
    {'N', "1239"},
    {'Y', "1"},
}};

const Authority* findAuthority(char code) {
  for (const Authority& authority : kAuthorities) {
    if (authority.code == code) return &authority;
  }
  return nullptr;
}

bool inAlphabet(std::string_view text) {
  return text.find_first_not_of(kAlphabet) == std::string_view::npos;
}

// REQUIRES: first17 is 17 characters of kAlphabet.
char computeCheckCharacter(std::string_view first17) {
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) {
    sum += static_cast<int>(kAlphabet.find(first17[i])) * kWeights[i];
  }
  return kAlphabet[(31 - sum % 31) % 31];
}

struct Violation {
  UsccRule rule;
  std::string message;
};

std::string quoted(char c) { return std::string("'") + c + "'"; }

std::optional<Violation> findViolation(std::string_view text) {
  if (text.size() != 18) {
    return Violation{UsccRule::kLength,
                     "must be exactly 18 characters, got " + std::to_string(text.size())};
  }
  if (!inAlphabet(text)) {
    const size_t at = text.find_first_not_of(kAlphabet);
    return Violation{UsccRule::kAlphabet,
                     "character " + std::to_string(at + 1) +
                         " is not allowed: use digits and capital letters except I, O, Z, S, V"};
  }
  const Authority* authority = findAuthority(text[0]);
  if (authority == nullptr) {
    return Violation{UsccRule::kRegistrationAuthority,
                     "registration authority code " + quoted(text[0]) +
                         " (character 1) is not one defined by GB 32100"};
  }
  if (authority->entity_types.find(text[1]) == std::string_view::npos) {
    return Violation{UsccRule::kEntityType, "entity type code " + quoted(text[1]) +
                                                " (character 2) is not one that authority " +
                                                quoted(text[0]) + " registers"};
  }
  if (!isPlausibleDivisionCode(text.substr(2, 6))) {
    return Violation{UsccRule::kDivisionCode,
                     "characters 3-8 must be an administrative division code: six digits "
                     "starting with a real province code"};
  }
  const char expected = computeCheckCharacter(text.substr(0, 17));
  if (text[17] != expected) {
    return Violation{UsccRule::kCheckCharacter,
                     "check character (character 18) does not match the rest of the code; "
                     "a character was probably mistyped"};
  }
  return std::nullopt;
}

}  // namespace

Result<Uscc> Uscc::parse(std::string_view text) {
  if (std::optional<Violation> violation = findViolation(text)) {
    return Error::invalidInput("unified social credit code: " + violation->message, "uscc");
  }
  return Uscc(std::string(text));
}

std::optional<UsccRule> Uscc::violatedRule(std::string_view text) {
  std::optional<Violation> violation = findViolation(text);
  if (!violation) return std::nullopt;
  return violation->rule;
}

Result<char> Uscc::checkCharacterFor(std::string_view first17) {
  if (first17.size() != 17 || !inAlphabet(first17)) {
    return Error::invalidInput(
        "a check character needs 17 characters of digits and capital letters except I, O, Z, "
        "S, V",
        "uscc");
  }
  return computeCheckCharacter(first17);
}

}  // namespace kaiban
