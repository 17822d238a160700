#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/adapter.h"

namespace kaiban::fakes {

// An in-process partner behind the StepAdapter interface that behaves like a real one: it
// deduplicates on message id (a resend of an accepted message acknowledges again without a
// second effect), and it can be scripted to fail. Records everything it receives so tests can
// check what a partner saw and that every effect happened exactly once. Thread-safe.
class FakeStepAdapter final : public adapters::StepAdapter {
 public:
  explicit FakeStepAdapter(std::string partner) : partner_(std::move(partner)) {}

  std::string_view partner() const override { return partner_; }

  // Accepts the request (recording one effect per distinct message id) and acknowledges it
  // with reference "<partner>-<n>", unless a scripted failure applies.
  Result<adapters::Ack> dispatch(const adapters::StepRequest& request) override;

  // The scripted answer for `id` (setPollAnswer), else kPending for an accepted message and
  // kNotFound for an unknown one.
  Result<adapters::StepOutcome> poll(const adapters::MessageId& id) override;

  // Test callback format: "<message id>|<pending|done|rejected|failed>|k=v;k=v|code|reason".
  Result<adapters::StepOutcome> decodeCallback(std::string_view body) const override;

  // --- Scripting ---
  // The next `count` dispatch calls fail with `error` before accepting anything.
  void failNextDispatches(int count, Error error);
  // Every dispatch call fails with `error` until cleared (nullopt).
  void failAllDispatches(std::optional<Error> error);
  // The next `count` dispatch calls accept the request (the effect happens) but then answer
  // `error`, as when the acknowledgement is lost on the way back.
  void loseNextAcks(int count, Error error);
  void setPollAnswer(const adapters::MessageId& id, Result<adapters::StepOutcome> answer);
  // Forgets an accepted message, as a partner that lost its state would.
  void forget(const adapters::MessageId& id);

  // --- Inspection ---
  int dispatchCalls() const;
  int pollCalls() const;
  std::vector<adapters::StepRequest> requests() const;  // every dispatch call, in order
  // Distinct message ids whose effect happened, in the order they first arrived.
  std::vector<adapters::MessageId> effects() const;
  // How many times each message id was received by dispatch (resends included).
  std::map<adapters::MessageId, int> receipts() const;
  // The last request received, if any.
  std::optional<adapters::StepRequest> lastRequest() const;
  // Waits until dispatch has been called at least `count` times; false on timeout.
  bool waitForDispatchCalls(int count, std::chrono::milliseconds timeout) const;

 private:
  const std::string partner_;
  mutable std::mutex mutex_;
  mutable std::condition_variable called_;
  std::deque<Error> failures_;
  std::optional<Error> fail_all_;
  std::deque<Error> lost_acks_;
  std::map<adapters::MessageId, Result<adapters::StepOutcome>> poll_answers_;
  std::vector<adapters::StepRequest> requests_;
  std::vector<adapters::MessageId> effects_;
  std::map<adapters::MessageId, std::string> accepted_;  // message id -> partner reference
  std::map<adapters::MessageId, int> receipts_;
  int poll_calls_ = 0;
};

}  // namespace kaiban::fakes
