#pragma once

#include <cstddef>
#include <string>

namespace kaiban::crypto {

// Unpredictable values from OpenSSL's CSPRNG (RAND_bytes), for keys, nonces, salts, session
// ids, CSRF tokens and application ids. Thread-safe. Each function throws std::runtime_error
// only if the generator cannot produce output (no entropy source: a broken host), never for
// a valid argument.

// `count` random bytes.
std::string randomBytes(size_t count);

// `bytes` random bytes as URL-safe base64 without padding (alphabet A-Z a-z 0-9 - _), safe in
// cookies, headers and URLs without escaping. The default 32 bytes give 256 bits and
// 43 characters.
std::string randomToken(size_t bytes = 32);

// `chars` characters drawn uniformly from Crockford's base32 alphabet
// "0123456789ABCDEFGHJKMNPQRSTVWXYZ" (no I, L, O, U: nothing to misread on a printed receipt).
// 5 bits of entropy per character.
std::string randomBase32Id(size_t chars);

}  // namespace kaiban::crypto
