#pragma once

#include <string>
#include <string_view>

#include "core/crypto/encoding.h"
#include "core/crypto/key_ring.h"
#include "core/result.h"

namespace kaiban::crypto {

// Authenticated encryption of personal data at rest (ID numbers, names, phone numbers,
// face-check references) with AES-256-GCM.
//
// Sealed format (binary; store it as a BLOB, or as text through toBase64/fromBase64):
//
//   offset 0   1 byte    format version, kVersion (1)
//   offset 1   1 byte    key id of the KeyRing set whose enc key sealed it
//   offset 2   12 bytes  nonce, fresh from RAND_bytes for every message
//   offset 14  n bytes   ciphertext (same length as the plaintext)
//   offset 14+n 16 bytes GCM tag
//
// The GCM additional authenticated data is the two header bytes followed by
// `associated_data`. Pass something that identifies the row and column the value belongs to
// (e.g. "application/8F3K2M7Q/applicant.id_number"): a ciphertext copied to another row or
// column then fails to open, as does any change to version, key id, nonce, ciphertext or tag.
//
// Random 96-bit nonces stay safe for about 2^32 messages per key; rotate the key (append a
// key set) long before that. Thread-safe: every call uses its own EVP_CIPHER_CTX; the
// cipher holds a copy of the KeyRing (which shares, not duplicates, the key bytes).
class PiiCipher {
 public:
  static constexpr unsigned char kVersion = 1;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;
  static constexpr size_t kOverheadBytes = 2 + kNonceBytes + kTagBytes;

  explicit PiiCipher(const KeyRing& keys);

  // `plaintext` sealed under the key ring's current key set; kOverheadBytes longer than the
  // plaintext. The empty plaintext is allowed. Throws std::runtime_error only if OpenSSL
  // fails (no entropy, out of memory): a broken host, not an expected failure.
  std::string seal(std::string_view plaintext, std::string_view associated_data) const;

  // The plaintext of `sealed`, or kCorrupt with a message saying which check failed:
  // shorter than kOverheadBytes (truncated), unknown format version, a key id the ring does
  // not hold, or authentication failure (altered bytes, or associated data other than at
  // sealing time). Never returns partially decrypted data.
  Result<std::string> open(std::string_view sealed, std::string_view associated_data) const;

  // The key id `sealed` was sealed under, read from its header without decrypting, or
  // kCorrupt if it is too short to have one. Lets a re-encryption job find old values.
  static Result<uint8_t> keyIdOf(std::string_view sealed);

 private:
  KeyRing keys_;
};

}  // namespace kaiban::crypto
