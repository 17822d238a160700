#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kaiban::crypto {

// Cost of scrypt (RFC 7914) for staff and operator passwords. Memory per hash is about
// 128 * r * scrypt_n bytes: 32 MiB with the defaults, ~100 ms on a server core. Production
// keeps the defaults; tests lower scrypt_n through configuration for speed.
struct PasswordParams {
  uint64_t scrypt_n = uint64_t{1} << 15;  // CPU/memory cost; a power of two >= 2
  uint32_t r = 8;                         // block size
  uint32_t p = 1;                         // parallelisation

  friend bool operator==(const PasswordParams&, const PasswordParams&) = default;
};

// Upper bound on the memory one hash may need (128 * r * (scrypt_n + p + 2) bytes), both for
// new hashes and for encoded hashes read back, so a tampered hash cannot exhaust memory.
inline constexpr uint64_t kMaxScryptMemoryBytes = uint64_t{256} << 20;

// OK, or kInvalidInput naming the bad field: scrypt_n not a power of two >= 2, r or p zero,
// r * p >= 2^30, or more than kMaxScryptMemoryBytes needed. For checking configuration once
// at start-up.
Result<void> validatePasswordParams(const PasswordParams& params);

// A new salted hash of `password`, encoded as
//   $scrypt$ln=<log2 scrypt_n>,r=<r>,p=<p>$<salt>$<hash>
// with a 16-byte random salt and a 32-byte hash, both base64 ("+/", no padding). Two calls
// with the same password give different strings. Any bytes are accepted as a password.
// Throws std::invalid_argument if validatePasswordParams(params) fails (a configuration bug)
// and std::runtime_error if OpenSSL fails (no entropy, out of memory).
std::string hashPassword(std::string_view password, const PasswordParams& params = {});

// True iff `encoded` is a well-formed hash (as hashPassword writes; salt and hash lengths
// 1-64 and 16-64 bytes are accepted) and `password` matches it, compared in constant time.
// Cost parameters come from `encoded`, so hashes made with older parameters still verify.
// False for a malformed string or one whose parameters exceed kMaxScryptMemoryBytes; never
// throws for any input.
bool verifyPassword(std::string_view password, std::string_view encoded);

// True when `encoded` should be replaced by hashPassword(password, params) at the next
// successful login: its cost parameters differ from `params`, its salt or hash length differ
// from what hashPassword writes, or it is malformed.
bool needsRehash(std::string_view encoded, const PasswordParams& params);

}  // namespace kaiban::crypto
