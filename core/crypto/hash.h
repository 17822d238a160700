#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kaiban::crypto {

// Lower-case hex (64 characters) of the SHA-256 of `bytes`. Thread-safe. Throws
// std::runtime_error only if OpenSSL fails (out of memory).
std::string sha256Hex(std::string_view bytes);

// One entry of a tamper-evident audit log, as stored.
struct AuditEntry {
  int64_t seq = 0;            // consecutive: each entry's seq is the previous one's plus 1
  std::string canonical;      // the entry's canonical serialisation, exactly what was hashed
  std::string previous_hash;  // `hash` of the entry before, or the genesis hash for the first
  std::string hash;           // AuditChain::entryHash(previous_hash, canonical)
};

// The hash chain behind the audit log: each entry commits to the one before it, so editing,
// deleting, inserting or reordering stored entries breaks the chain at that point.
class AuditChain {
 public:
  // sha256Hex(previous_hash + "\n" + canonical_entry). The separator keeps the hash
  // unambiguous because previous hashes are hex and never contain "\n".
  static std::string entryHash(std::string_view previous_hash, std::string_view canonical_entry);

  // OK when `entries`, in stored order, form an unbroken chain: the first entry's
  // previous_hash is `genesis_hash`, each later entry's seq is one more than the one before
  // and its previous_hash is that entry's hash, and every hash equals entryHash(previous_hash,
  // canonical). The first entry may have any seq, so a tail of the log verifies against the
  // hash of the entry before it as `genesis_hash`. An empty sequence verifies.
  //
  // Otherwise kCorrupt "audit log broken at entry <seq>: <what>", naming the first seq at
  // which the log stops being a valid chain:
  //   an entry whose content or hash was edited        -> that entry;
  //   edited and re-hashed (attacker recomputed hash)  -> the entry after it;
  //   entries deleted                                   -> the first missing seq;
  //   entries reordered                                 -> the first seq not where expected;
  //   an entry repeated                                 -> the seq expected at that point.
  //
  // Deleting entries from the END cannot be seen in the entries alone. Pass
  // `expected_head_hash` (the last hash, recorded elsewhere — e.g. in the application row or
  // an external log) to detect it: a mismatch reports the seq after the last entry (1 for no
  // entries). Empty means no head check. With no entries the head is `genesis_hash`.
  static Result<void> verifyChain(std::span<const AuditEntry> entries,
                                  std::string_view genesis_hash,
                                  std::string_view expected_head_hash = {});
};

}  // namespace kaiban::crypto
