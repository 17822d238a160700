#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kaiban::crypto {

// The symmetric keys that protect personal data at rest: one or more key sets, each with an
// AES-256 key for PiiCipher and an HMAC-SHA256 key for BlindIndex.
//
// Key file format (var/pki/keys/orchestrator.key, var/pki/keys/agent.key):
//
//   # Kaiban data keys. Mode 0600. Never commit, never put in the database.
//   key_id=1
//   enc=<64 hex digits: 32-byte AES-256-GCM key>
//   mac=<64 hex digits: 32-byte HMAC-SHA256 key>
//
//   key_id=2
//   enc=...
//   mac=...
//
// - UTF-8/ASCII text, one `name=value` per line; spaces around name and value are ignored,
//   and so is a trailing '\r'. Lines whose first non-space character is '#' are comments.
// - Key sets are separated by one or more blank lines. Each set has exactly the three fields
//   key_id (decimal 1..255), enc and mac (hex, either case), in any order.
// - The LAST set is current: new ciphertexts and blind indexes use it. Every set opens
//   ciphertexts sealed under its key id. To rotate, append a new set with a new key id and
//   restart; keep old sets until no stored value uses them.
// - key ids are unique within the file; enc and mac of a set must differ.
// - The file must not be accessible to group or others (mode & 077 == 0, e.g. 0600).
//
// Generate a set's keys with `openssl rand -hex 32` (once for enc, once for mac).
//
// Key bytes live in memory shared by copies of a KeyRing and are zeroed (OPENSSL_cleanse)
// when the last copy is destroyed. A KeyRing is immutable: thread-safe, cheap to copy.
class KeyRing {
 public:
  static constexpr size_t kKeyBytes = 32;

  // Reads and parses the key file at `path`. Errors:
  //   kNotFound     the file does not exist;
  //   kForbidden    group or others have any permission on it (the message gives the mode
  //                 and the chmod that fixes it), or this process may not open it;
  //   kInvalidInput not a regular file, larger than 64 KiB, or a format error — the message
  //                 names the file and line (bad hex, wrong key length, unknown field,
  //                 missing or repeated field, key id out of range or used twice, no key set);
  //   kUnavailable  any other failure to open or read it (the message carries errno's text).
  static Result<KeyRing> loadFile(const std::filesystem::path& path);

  // Parses key file text (format above); `source` names it in error messages. kInvalidInput
  // as for loadFile. The caller owns and should wipe `text`.
  static Result<KeyRing> parse(std::string_view text, std::string_view source);

  // Deterministic, NOT secret keys for unit tests: key sets with ids 1..key_sets (current:
  // key_sets), each key derived from a fixed label and the id. REQUIRES: 1 <= key_sets <= 255.
  static KeyRing forTesting(int key_sets = 1);

  // The id of the current (last) key set.
  uint8_t currentKeyId() const;
  // Ids of every key set, in file order (the last is current).
  std::vector<uint8_t> keyIds() const;
  bool hasKeyId(uint8_t key_id) const;

 private:
  friend class PiiCipher;
  friend class BlindIndex;

  struct KeySet {
    uint8_t id = 0;
    std::array<unsigned char, kKeyBytes> enc{};
    std::array<unsigned char, kKeyBytes> mac{};

    KeySet() = default;
    KeySet(const KeySet&) = default;
    KeySet& operator=(const KeySet&) = default;
    ~KeySet();
  };

  explicit KeyRing(std::shared_ptr<const std::vector<KeySet>> sets) : sets_(std::move(sets)) {}

  const KeySet& current() const { return sets_->back(); }
  // The set with `key_id`, or nullptr.
  const KeySet* find(uint8_t key_id) const;
  const std::vector<KeySet>& sets() const { return *sets_; }

  // Never empty.
  std::shared_ptr<const std::vector<KeySet>> sets_;
};

}  // namespace kaiban::crypto
