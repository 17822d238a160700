#include "orchestrator/engine/message_id.h"

#include "core/crypto/hash.h"
#include "core/crypto/random.h"

namespace kaiban::orchestrator {

std::string newApplicationId(SystemTime now) {
  constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  constexpr int kTimeChars = 8;
  // 2025-01-01T00:00:00Z; an earlier clock counts as its first millisecond. 40 bits of
  // milliseconds last until 2059-11; after that the time part wraps, which costs only the
  // B-tree locality it exists for, never uniqueness.
  constexpr std::chrono::milliseconds kEpoch{1735689600000};
  const auto since =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) - kEpoch;
  uint64_t millis = since.count() > 0 ? static_cast<uint64_t>(since.count()) : 0;
  std::string id = "KB";
  id.resize(2 + kTimeChars);
  for (int i = kTimeChars - 1; i >= 0; --i) {
    id[2 + static_cast<size_t>(i)] = kCrockford[millis & 31];
    millis >>= 5;
  }
  return id + crypto::randomBase32Id(6);
}

std::string messageIdFor(std::string_view application_id, std::string_view step_id, int revision) {
  // Newlines cannot occur in ids, so the three parts cannot run into each other.
  const std::string digest = crypto::sha256Hex(
      std::string(application_id) + "\n" + std::string(step_id) + "\n" + std::to_string(revision));
  return std::string(application_id) + "-" + digest.substr(0, 12);
}

std::string notificationIdFor(std::string_view application_id, std::string_view milestone,
                              int64_t version) {
  const std::string digest =
      crypto::sha256Hex("notify\n" + std::string(application_id) + "\n" + std::string(milestone) +
                        "\n" + std::to_string(version));
  return std::string(application_id) + "-n" + digest.substr(0, 11);
}

std::string_view applicationIdOf(std::string_view message_id) {
  const size_t dash = message_id.find('-');
  if (dash == std::string_view::npos || dash == 0) return {};
  return message_id.substr(0, dash);
}

}  // namespace kaiban::orchestrator
