#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

// Plausible bank account numbers for the bank simulator and tests. Chinese banks number
// corporate accounts with 12 to 22 digits in their own layouts; this one is modelled on the
// common 19-digit form, with a Luhn (ISO/IEC 7812-1, "mod 10") check digit as many banks use
// so that a mistyped digit is caught.
namespace kaiban::adapters::bank {

// The largest sequence generateAccountNumber accepts: 12 digits.
inline constexpr uint64_t kMaxAccountSequence = 999'999'999'999;

// A 19-digit account number: a 6-digit prefix that stands for the bank, the 12-digit
// zero-padded `sequence`, and a Luhn check digit over the first 18 digits. The prefix is
// 100000 + (FNV-1a-32 of `bank_code` mod 900000), so it never starts with 0 and one bank
// always gets the same prefix; distinct sequences of one bank give distinct numbers.
// kInvalidInput when `bank_code` is not 3-12 of A-Z 0-9 (core's bank_code rule) or
// `sequence` is above kMaxAccountSequence.
Result<std::string> generateAccountNumber(std::string_view bank_code, uint64_t sequence);

// The Luhn check digit ('0'-'9') to append to `digits`: counting from the right end of
// `digits`, every first, third, ... digit is doubled (9 subtracted when above 9), and the check
// digit brings the sum to a multiple of 10. kInvalidInput if `digits` is empty or holds a
// character other than 0-9.
Result<char> luhnCheckDigit(std::string_view digits);

// True when `number` is at least two digits, all 0-9, and its last digit is the Luhn check
// digit of the ones before it.
bool hasValidLuhnCheckDigit(std::string_view number);

}  // namespace kaiban::adapters::bank
