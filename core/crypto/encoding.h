#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kaiban::crypto {

// Binary-to-text encodings for sealed values, tokens, password hashes and keys. Pure
// functions, thread-safe. Inputs and outputs are byte strings held in std::string.

enum class Base64Alphabet {
  kStandard,       // RFC 4648 §4, "+/", padded with '=': sealed PII in text columns
  kStandardNoPad,  // "+/", no padding: the salt and hash fields of a password hash
  kUrlNoPad,       // RFC 4648 §5, "-_", no padding: tokens in cookies, headers and URLs
};

std::string toBase64(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::kStandard);

// The bytes `text` encodes, or kInvalidInput naming the first problem. Strict: only the
// alphabet's characters, no whitespace or line breaks, padding exactly as the alphabet
// requires, and unused low bits of the last character zero, so that every byte string has
// exactly one accepted encoding.
Result<std::string> fromBase64(std::string_view text,
                               Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Lower-case hexadecimal, two characters per byte.
std::string toHex(std::string_view bytes);

// Decodes `hex` (either case) into `out`. False, leaving `out` unspecified, unless `hex` is
// exactly 2 * out.size() hex digits. Writes straight into the caller's buffer so that key
// material need not pass through a temporary string.
bool hexToBytes(std::string_view hex, std::span<unsigned char> out);

// The bytes `hex` encodes, or kInvalidInput for an odd length or a non-hex character.
Result<std::string> fromHex(std::string_view hex);

}  // namespace kaiban::crypto
