#include "terminal-agent/queue/forwarder.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <Poco/Logger.h>

namespace kaiban::agent {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("agent.queue"); }

}  // namespace

bool isPermanentForwardError(ErrorCode code) {
  return code == ErrorCode::kInvalidInput || code == ErrorCode::kConflict ||
         code == ErrorCode::kRejected;
}

Forwarder::Forwarder(SubmissionQueue& queue, ForwardFunction forward, const Clock& clock,
                     BackoffPolicy policy)
    : queue_(queue),
      forward_(std::move(forward)),
      clock_(clock),
      policy_(policy),
      random_(std::random_device{}()) {}

SystemTime::duration Forwarder::backoff(int failures) {
  using std::chrono::milliseconds;
  const int doublings = std::clamp(failures - 1, 0, 30);
  // Doubling in floating point: initial * 2^30 would overflow a millisecond count.
  const double wanted = static_cast<double>(policy_.initial.count()) * std::ldexp(1.0, doublings);
  double wait = std::min(wanted, static_cast<double>(policy_.max.count()));
  if (policy_.jitter > 0) {
    std::lock_guard lock(random_mutex_);
    std::uniform_real_distribution<double> fraction(0.0, std::min(policy_.jitter, 1.0));
    wait *= 1.0 - fraction(random_);
  }
  return std::chrono::duration_cast<SystemTime::duration>(milliseconds(static_cast<int64_t>(wait)));
}

DrainOutcome Forwarder::drain(size_t max_submissions) {
  std::lock_guard drain_lock(drain_mutex_);
  DrainOutcome outcome;
  auto stopOnStorageError = [&](Error error) {
    ++storage_failures_;
    outcome.retry_at = clock_.now() + backoff(storage_failures_);
    logger().error("submission queue: %s", error.message);
    outcome.error = std::move(error);
  };

  while (static_cast<size_t>(outcome.forwarded + outcome.failed_permanent) < max_submissions) {
    Result<std::optional<PendingSubmission>> next = queue_.nextPending();
    if (!next) {
      stopOnStorageError(next.error());
      return outcome;
    }
    if (!next->has_value()) {
      storage_failures_ = 0;
      outcome.queue_empty = true;
      return outcome;
    }
    const PendingSubmission& head = **next;
    const SystemTime now = clock_.now();
    if (head.next_attempt_at > now && head.next_attempt_at - now <= policy_.max) {
      outcome.retry_at = head.next_attempt_at;
      return outcome;
    }

    Result<ForwardResult> sent = forward_(head.idempotency_key, head.body);
    if (sent.ok() && !sent->application_id.empty()) {
      if (Result<void> marked = queue_.markForwarded(head.local_id, sent->application_id);
          !marked) {
        // The orchestrator has it; the next drain resends with the same key and gets the
        // same application back.
        stopOnStorageError(marked.error());
        return outcome;
      }
      storage_failures_ = 0;
      ++outcome.forwarded;
      logger().information("submission %s forwarded as application %s", head.local_id,
                           sent->application_id);
      continue;
    }
    Error error = sent.ok() ? Error::internal(
                                  "the orchestrator accepted the submission but "
                                  "sent no application id")
                            : sent.error();
    if (isPermanentForwardError(error.code)) {
      if (Result<void> marked = queue_.markFailedPermanent(head.local_id, error); !marked) {
        stopOnStorageError(marked.error());
        return outcome;
      }
      ++outcome.failed_permanent;
      logger().warning("submission %s refused for good: %s", head.local_id, error.toString());
      continue;
    }
    const SystemTime retry_at = now + backoff(head.attempts + 1);
    if (Result<void> marked = queue_.markAttemptFailed(head.local_id, error, retry_at); !marked) {
      stopOnStorageError(marked.error());
      return outcome;
    }
    logger().notice("submission %s not forwarded (attempt %d), retrying later: %s", head.local_id,
                    head.attempts + 1, error.toString());
    outcome.retry_at = retry_at;
    outcome.error = std::move(error);
    return outcome;
  }
  return outcome;
}

BackgroundForwarder::BackgroundForwarder(Forwarder& forwarder, const Clock& clock,
                                         std::chrono::milliseconds idle_poll)
    : forwarder_(forwarder), clock_(clock), idle_poll_(idle_poll) {}

BackgroundForwarder::~BackgroundForwarder() { stop(); }

void BackgroundForwarder::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  notified_ = true;
  thread_ = std::thread([this] { run(); });
}

void BackgroundForwarder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundForwarder::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

BackgroundForwarder::Status BackgroundForwarder::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void BackgroundForwarder::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    notified_ = false;
    lock.unlock();
    // One submission per drain, so that stop() waits for at most one forward.
    DrainOutcome outcome = forwarder_.drain(1);
    const SystemTime now = clock_.now();
    lock.lock();

    ++status_.drains;
    status_.forwarded += outcome.forwarded;
    status_.failed_permanent += outcome.failed_permanent;
    if (outcome.forwarded > 0) {
      status_.last_forwarded_at = now;
      status_.last_error.reset();
    }
    if (outcome.error.has_value()) status_.last_error = outcome.error;
    status_.retry_at = outcome.retry_at;

    const bool more_now = !outcome.queue_empty && !outcome.retry_at.has_value();
    if (more_now) continue;
    std::chrono::milliseconds wait = idle_poll_;
    if (outcome.retry_at.has_value()) {
      const auto until = std::chrono::ceil<std::chrono::milliseconds>(*outcome.retry_at - now);
      wait = std::clamp(until, std::chrono::milliseconds(0), idle_poll_);
    }
    wake_.wait_for(lock, wait, [this] { return stopping_ || notified_; });
  }
}

}  // namespace kaiban::agent
