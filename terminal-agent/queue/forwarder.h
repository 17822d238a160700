#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "terminal-agent/queue/submission_queue.h"

namespace kaiban::agent {

// What the orchestrator answers when it accepts a submission.
struct ForwardResult {
  std::string application_id;  // the application it created, or found for a repeated key
};

// Sends one submission to the orchestrator: POST the body with the Idempotency-Key header.
// The agent's link provides it; tests pass fakes. It must map the answer to an ErrorCode as
// core/error.h does (422/400 -> kInvalidInput, 409 -> kConflict, 503/connection refused ->
// kUnavailable, no answer -> kTimeout, ...). Called from one thread at a time.
using ForwardFunction = std::function<Result<ForwardResult>(const std::string& idempotency_key,
                                                            const std::string& body)>;

// True for the errors after which resending the same body can never succeed: kInvalidInput
// (validation failed), kConflict (the key is taken by another body), kRejected (refused for a
// business reason). Everything else — unavailable, timeout, forbidden (a kiosk certificate
// problem an operator fixes), not found, corrupt, internal — is retried, because the
// submission itself may be fine.
bool isPermanentForwardError(ErrorCode code);

// How long the head of the queue waits after its n-th consecutive failed attempt:
// min(max, initial * 2^(n-1)), then shortened by a random fraction of up to `jitter` so that
// a fleet of kiosks coming back together does not retry in lockstep.
struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
  double jitter = 0.2;  // in [0, 1]; 0 for deterministic tests
};

// The outcome of one drain().
struct DrainOutcome {
  int forwarded = 0;         // acknowledged and marked forwarded in this drain
  int failed_permanent = 0;  // refused for good and marked so in this drain
  bool queue_empty = false;  // nothing was pending when the drain stopped
  // When the head may be tried again (set when the drain stopped on a retryable error or on a
  // head that is still backing off).
  std::optional<SystemTime> retry_at;
  // What stopped the drain early: the head's retryable forwarding error, or a queue (disk)
  // error. Absent when it stopped because the queue was empty, the head was backing off, or
  // `max_submissions` was reached.
  std::optional<Error> error;
};

// Drains a SubmissionQueue through a ForwardFunction, in sequence order, each submission
// exactly once as far as the orchestrator can tell:
// - The head is sent; on success it is marked forwarded before the next one is looked at.
// - On a retryable error the head is marked with the attempt and a backoff time, and the
//   drain stops: the head blocks the rest, so order is kept.
// - On a permanent error (isPermanentForwardError) the head is marked failed_permanent with
//   the reason and the drain goes on with the next.
// - A crash (or a lost answer) between sending and marking leaves the submission pending: it
//   is sent again with the same idempotency key, and the orchestrator answers with the
//   application it already created. That is the whole exactly-once argument; nothing here
//   tries to be cleverer.
// - A head whose next_attempt_at lies more than policy.max ahead (the wall clock was set
//   back) is treated as due.
// Thread-safe: concurrent drains are serialised. The queue, function and clock must outlive
// the Forwarder.
class Forwarder {
 public:
  Forwarder(SubmissionQueue& queue, ForwardFunction forward, const Clock& clock,
            BackoffPolicy policy = {});

  DrainOutcome drain(size_t max_submissions = std::numeric_limits<size_t>::max());

  // The wait after `failures` consecutive failures (>= 1), jitter applied.
  SystemTime::duration backoff(int failures);

 private:
  SubmissionQueue& queue_;
  ForwardFunction forward_;
  const Clock& clock_;
  const BackoffPolicy policy_;
  std::mutex drain_mutex_;
  std::mutex random_mutex_;
  std::minstd_rand random_;
  int storage_failures_ = 0;  // consecutive queue errors, for their own backoff
};

// Runs a Forwarder on a thread of its own: drains when notified (a submission was just
// enqueued), when the head's backoff ends, and every `idle_poll` otherwise (so a queue
// written by an earlier run is drained without any notify). Waits are real time, computed from
// the Clock and capped at `idle_poll`, so a ManualClock in tests is picked up within one cap.
class BackgroundForwarder {
 public:
  struct Status {
    int64_t drains = 0;
    int64_t forwarded = 0;
    int64_t failed_permanent = 0;
    std::optional<Error> last_error;  // cleared by the next drain that forwards anything
    std::optional<SystemTime> last_forwarded_at;
    std::optional<SystemTime> retry_at;
  };

  BackgroundForwarder(Forwarder& forwarder, const Clock& clock,
                      std::chrono::milliseconds idle_poll = std::chrono::seconds(30));
  // Stops the thread (see stop()).
  ~BackgroundForwarder();
  BackgroundForwarder(const BackgroundForwarder&) = delete;
  BackgroundForwarder& operator=(const BackgroundForwarder&) = delete;

  // Starts the thread; it drains at once. REQUIRES: not started.
  void start();
  // Asks the thread to stop and joins it; a drain in progress finishes its current
  // submission first. Idempotent.
  void stop();
  // Wakes the thread to drain now.
  void notify();
  Status status() const;

 private:
  void run();

  Forwarder& forwarder_;
  const Clock& clock_;
  const std::chrono::milliseconds idle_poll_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace kaiban::agent
