#include "core/crypto/hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <limits>

#include "core/crypto/encoding.h"
#include "core/crypto/openssl_util.h"

namespace kaiban::crypto {
namespace {

Error brokenAt(int64_t seq, const std::string& what) {
  return Error::corrupt("audit log broken at entry " + std::to_string(seq) + ": " + what);
}

}  // namespace

std::string sha256Hex(std::string_view bytes) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    internal::throwOpensslFailure("SHA-256 failed");
  }
  return toHex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string AuditChain::entryHash(std::string_view previous_hash,
                                  std::string_view canonical_entry) {
  std::string input;
  input.reserve(previous_hash.size() + 1 + canonical_entry.size());
  input.append(previous_hash).append("\n").append(canonical_entry);
  return sha256Hex(input);
}

Result<void> AuditChain::verifyChain(std::span<const AuditEntry> entries,
                                     std::string_view genesis_hash,
                                     std::string_view expected_head_hash) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& entry = entries[i];
    if (i > 0) {
      const AuditEntry& before = entries[i - 1];
      if (before.seq == std::numeric_limits<int64_t>::max()) {
        return brokenAt(before.seq, "it has the largest possible seq yet entries follow it");
      }
      const int64_t expected = before.seq + 1;
      if (entry.seq > expected) {
        // A later entry with the expected seq means reordering rather than deletion.
        const bool comes_later =
            std::any_of(entries.begin() + static_cast<std::ptrdiff_t>(i) + 1, entries.end(),
                        [expected](const AuditEntry& e) { return e.seq == expected; });
        if (comes_later) {
          return brokenAt(expected, "out of order: entry " + std::to_string(entry.seq) +
                                        " is stored before it");
        }
        const std::string missing = entry.seq == expected + 1
                                        ? "entry " + std::to_string(expected) + " is missing"
                                        : "entries " + std::to_string(expected) + " to " +
                                              std::to_string(entry.seq - 1) + " are missing";
        return brokenAt(expected, missing + " (entry " + std::to_string(before.seq) +
                                      " is followed by entry " + std::to_string(entry.seq) + ")");
      }
      if (entry.seq < expected) {
        return brokenAt(expected, "entry " + std::to_string(entry.seq) + " appears after entry " +
                                      std::to_string(before.seq) + " (repeated or out of order)");
      }
      if (entry.previous_hash != before.hash) {
        return brokenAt(entry.seq, "its previous_hash does not match the hash of entry " +
                                       std::to_string(before.seq) + " (entry " +
                                       std::to_string(before.seq) +
                                       " was replaced, or this entry was)");
      }
    } else if (entry.previous_hash != genesis_hash) {
      return brokenAt(entry.seq,
                      "the first entry's previous_hash is not the genesis hash (earlier entries "
                      "were removed, or the chain starts elsewhere)");
    }
    if (entryHash(entry.previous_hash, entry.canonical) != entry.hash) {
      return brokenAt(entry.seq, "its content does not match its hash (the entry was edited)");
    }
  }

  if (!expected_head_hash.empty()) {
    const std::string_view head = entries.empty() ? genesis_hash : entries.back().hash;
    if (head != expected_head_hash) {
      const std::string after = entries.empty()
                                    ? "the log is empty"
                                    : "the log ends at entry " + std::to_string(entries.back().seq);
      const int64_t next = entries.empty() ? 1 : entries.back().seq + 1;
      return brokenAt(next, after +
                                " but its last hash is not the recorded head: entries at the end "
                                "were removed, or the recorded head is stale");
    }
  }
  return ok();
}

}  // namespace kaiban::crypto
