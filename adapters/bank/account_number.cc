#include "adapters/bank/account_number.h"

#include <cstdio>

namespace kaiban::adapters::bank {

namespace {

bool isBankCode(std::string_view code) {
  if (code.size() < 3 || code.size() > 12) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// FNV-1a spreads similar codes ("QDBANK", "QDBANL") over unrelated prefixes, so simulated banks
// do not look like neighbours, and it is stable across platforms (unlike std::hash).
uint32_t fnv1a32(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace

Result<char> luhnCheckDigit(std::string_view digits) {
  if (digits.empty()) return Error::invalidInput("Luhn check digit of an empty number");
  int sum = 0;
  bool doubled = true;  // the digit next to the (future) check digit is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it < '0' || *it > '9') {
      return Error::invalidInput("Luhn check digit needs digits only, got '" + std::string(digits) +
                                 "'");
    }
    int value = *it - '0';
    if (doubled) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    doubled = !doubled;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool hasValidLuhnCheckDigit(std::string_view number) {
  if (number.size() < 2) return false;
  Result<char> check = luhnCheckDigit(number.substr(0, number.size() - 1));
  return check.ok() && *check == number.back();
}

Result<std::string> generateAccountNumber(std::string_view bank_code, uint64_t sequence) {
  if (!isBankCode(bank_code)) {
    return Error::invalidInput(
        "bank code must be 3-12 characters of A-Z and 0-9, got '" + std::string(bank_code) + "'",
        "bank_code");
  }
  if (sequence > kMaxAccountSequence) {
    return Error::invalidInput("account sequence " + std::to_string(sequence) +
                               " does not fit the 12 digits of an account number");
  }
  char body[19];
  std::snprintf(body, sizeof body, "%06u%012llu", 100000u + fnv1a32(bank_code) % 900000u,
                static_cast<unsigned long long>(sequence));
  std::string number(body, 18);
  number += luhnCheckDigit(number).value();
  return number;
}

}  // namespace kaiban::adapters::bank
