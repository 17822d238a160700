#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto/pii_cipher.h"
#include "core/result.h"

namespace kaiban::agent {

namespace sqlite {
class Database;
}

// Where a queued submission is in its life. Names are stored in the database: never rename.
enum class SubmissionState {
  kPending,          // "pending": on disk, not yet acknowledged by the orchestrator
  kForwarded,        // "forwarded": acknowledged; the orchestrator holds it as application_id
  kFailedPermanent,  // "failed_permanent": the orchestrator refused it for good (e.g. invalid)
};
std::string_view toString(SubmissionState state);

// What enqueue() hands back: enough for the screen to say "received" and track it.
struct QueuedSubmission {
  std::string local_id;  // 12 Crockford base32 characters, unique on this kiosk
  int64_t sequence = 0;  // forwarding order; grows strictly, never reused

  friend bool operator==(const QueuedSubmission&, const QueuedSubmission&) = default;
};

// The head of the queue, body decrypted, ready to forward.
struct PendingSubmission {
  std::string local_id;
  int64_t sequence = 0;
  std::string idempotency_key;
  std::string body;  // the JSON body exactly as enqueued
  int attempts = 0;  // failed forwarding attempts so far
  std::string last_error;
  SystemTime enqueued_at;
  SystemTime next_attempt_at;  // not to be forwarded before this (backoff)
};

// A submission's bookkeeping, without its body (which may already be gone).
struct SubmissionRecord {
  std::string local_id;
  int64_t sequence = 0;
  std::string idempotency_key;
  SubmissionState state = SubmissionState::kPending;
  int attempts = 0;
  std::string last_error;      // the latest failed attempt's error, or the permanent reason
  std::string application_id;  // set once forwarded
  SystemTime enqueued_at;
  std::optional<SystemTime> settled_at;  // when it was forwarded or failed for good
  bool body_stored = false;              // true exactly while pending
};

// The kiosk's offline submission queue: every submission is written here (personal data
// encrypted) before the kiosk tells the applicant "received", and stays until the
// orchestrator acknowledges it. A SQLite file (WAL, synchronous=FULL: a commit is fsynced
// before the call returns; secure_delete=ON).
//
// At rest:
// - The body is sealed with the PiiCipher (AES-256-GCM), associated data
//   "agent.queue/body/" + idempotency key, so a body moved to another row fails to open.
//   Alongside it a sealed SHA-256 of the body ("agent.queue/digest/" + key) lets enqueue()
//   recognise a repeat of the same submission after the body is gone. Keys, ids, states,
//   timestamps and error texts are stored in clear: they are not personal data.
// - Once a submission is settled (forwarded, or failed for good) its sealed body is deleted
//   and the file is checkpointed (wal_checkpoint(TRUNCATE)); with secure_delete the freed
//   bytes are zeroed, so the personal data is gone from the kiosk's disk, not just unlinked.
//   Failed-for-good bodies are deleted too: the orchestrator will never take them, and
//   keeping personal data with no purpose is what PIPL forbids.
// - The file and its -wal/-shm companions are mode 0600.
//
// Thread-safe: one connection behind a mutex. One SubmissionQueue per file per machine; a
// second process on the same file is refused by SQLite's locking (kUnavailable) only while
// it writes, so do not do that. The Clock must outlive the queue.
class SubmissionQueue {
 public:
  // Longest idempotency key: printable ASCII without spaces, as an HTTP header value.
  static constexpr size_t kMaxIdempotencyKeyChars = 128;
  // Largest body accepted: far above any application form, small enough for one kiosk disk.
  static constexpr size_t kMaxBodyBytes = 1 << 20;

  // Opens the queue at `path`, creating the file (mode 0600) and its parent directories if
  // needed, and the schema if the file is new. The cipher is copied (it shares the keys).
  // Errors: kUnavailable (cannot create or open: permissions, disk; WAL not possible),
  // kCorrupt (not a queue database, or one written by a newer agent).
  static Result<std::unique_ptr<SubmissionQueue>> open(const std::filesystem::path& path,
                                                       const crypto::PiiCipher& cipher,
                                                       const Clock& clock);
  ~SubmissionQueue();
  SubmissionQueue(const SubmissionQueue&) = delete;
  SubmissionQueue& operator=(const SubmissionQueue&) = delete;

  // Stores `json_body` (opaque bytes; the orchestrator validates it) for forwarding with
  // `idempotency_key`, durably, behind every submission already queued. Idempotent: the same
  // key with the same body returns the first enqueue's result, in any state. Errors:
  //   kInvalidInput  empty or over-long key or body, or a key with spaces or non-ASCII;
  //   kConflict      the key is already queued with a different body;
  //   kUnavailable   the disk refused the write (nothing is stored: do not say "received").
  Result<QueuedSubmission> enqueue(std::string_view idempotency_key, std::string_view json_body);

  // The pending submission with the lowest sequence, decrypted, whether or not its
  // next_attempt_at has come (the caller decides); nullopt when nothing is pending.
  // kCorrupt when its body does not open (wrong key file, or altered bytes): the message
  // names the local id; the submission stays pending.
  Result<std::optional<PendingSubmission>> nextPending();

  // The orchestrator acknowledged `local_id` as `application_id`: the submission becomes
  // forwarded, its body is deleted and scrub() runs. Idempotent for the same application id.
  // Errors: kNotFound (no such local id), kConflict (it failed for good, or was forwarded as a
  // different application), kInvalidInput (empty application id), kUnavailable.
  Result<void> markForwarded(std::string_view local_id, std::string_view application_id);

  // A forwarding attempt failed with `error` (retryable): counts the attempt, keeps the error
  // text (no body data is ever in it) and defers the submission to `next_attempt_at`.
  // Errors: kNotFound; kConflict if the submission is not pending; kUnavailable.
  Result<void> markAttemptFailed(std::string_view local_id, const Error& error,
                                 SystemTime next_attempt_at);

  // The orchestrator refused `local_id` for good with `error`: it becomes failed_permanent
  // with that reason, is never forwarded again, its body is deleted and scrub() runs.
  // Errors as markAttemptFailed.
  Result<void> markFailedPermanent(std::string_view local_id, const Error& error);

  // The number of pending submissions (the heartbeat's queue depth).
  Result<int64_t> depth();
  // The number of pending submissions enqueued more than `age` ago (clock.now() - age): the
  // ones an operator should hear about.
  Result<int64_t> pendingOlderThan(SystemTime::duration age);

  // The bookkeeping of `local_id`; kNotFound if there is none.
  Result<SubmissionRecord> find(std::string_view local_id);
  // The same, by idempotency key.
  Result<SubmissionRecord> findByIdempotencyKey(std::string_view idempotency_key);

  // Deletes the records of submissions settled before `cutoff`; returns how many. Their keys
  // are forgotten: enqueueing one again queues it anew (the orchestrator still deduplicates).
  Result<int64_t> purgeSettledBefore(SystemTime cutoff);

  // Moves everything in the WAL into the database file and truncates the WAL to zero bytes,
  // so bytes freed by deletes (zeroed by secure_delete) replace the old ones in the file and
  // no stale frame survives in the WAL. kUnavailable if a reader blocked it (tried again on
  // the next settle).
  Result<void> scrub();

 private:
  SubmissionQueue(std::unique_ptr<sqlite::Database> db, const crypto::PiiCipher& cipher,
                  const Clock& clock);

  Result<void> settle(std::string_view local_id, SubmissionState state,
                      std::string_view application_id, std::string_view reason);
  Result<SubmissionRecord> findWhere(std::string_view column, std::string_view value);
  Result<void> scrubLocked();

  std::mutex mutex_;
  std::unique_ptr<sqlite::Database> db_;
  const crypto::PiiCipher cipher_;
  const Clock& clock_;
};

}  // namespace kaiban::agent
