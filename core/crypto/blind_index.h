#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/key_ring.h"

namespace kaiban::crypto {

// Deterministic keyed digests of personal data, so that an encrypted column can be searched
// for equality ("is there an application for this ID number?") without storing the value
// in clear or an unkeyed hash that a dictionary of ID numbers would reverse.
//
// compute() = lower-case hex (64 characters) of
//   HMAC-SHA256(mac key, u32 big-endian byte length of domain || domain || value)
// The length prefix keeps domains apart: ("ab", "c") and ("a", "bc") never collide, and the
// same value in two domains gives unrelated indexes.
//
// The caller normalises the value first, the same way on write and on lookup: the index
// of "11010519491231002x" differs from that of "11010519491231002X". E.g. ID numbers
// upper-case, phone numbers digits only, names NFC without surrounding spaces.
// Domains are fixed names such as "applicant.id_number".
//
// Uses the current key set's mac key. Rotating the mac key changes every index: to rotate
// only the encryption key, repeat the previous mac key in the new key set. If the mac key
// does change, look up with computeAll() until the stored indexes are recomputed.
//
// Thread-safe; holds a copy of the KeyRing (sharing the key bytes). Both functions throw
// std::runtime_error only if OpenSSL fails (out of memory): a broken host, not bad input.
class BlindIndex {
 public:
  explicit BlindIndex(const KeyRing& keys);

  std::string compute(std::string_view domain, std::string_view normalized_value) const;

  // The index under every distinct mac key of the ring, current key set first, without
  // duplicates (key sets that repeat a mac key give one entry).
  std::vector<std::string> computeAll(std::string_view domain,
                                      std::string_view normalized_value) const;

 private:
  KeyRing keys_;
};

}  // namespace kaiban::crypto
