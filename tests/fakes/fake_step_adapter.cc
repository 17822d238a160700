#include "tests/fakes/fake_step_adapter.h"

namespace kaiban::fakes {

Result<adapters::Ack> FakeStepAdapter::dispatch(const adapters::StepRequest& request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  receipts_[request.message_id] += 1;
  called_.notify_all();
  if (fail_all_) return *fail_all_;
  if (!failures_.empty()) {
    Error error = failures_.front();
    failures_.pop_front();
    return error;
  }
  auto [it, inserted] =
      accepted_.emplace(request.message_id, partner_ + "-" + std::to_string(accepted_.size() + 1));
  if (inserted) effects_.push_back(request.message_id);
  if (!lost_acks_.empty()) {
    Error error = lost_acks_.front();
    lost_acks_.pop_front();
    return error;
  }
  return adapters::Ack{it->second};
}

Result<adapters::StepOutcome> FakeStepAdapter::poll(const adapters::MessageId& id) {
  std::lock_guard lock(mutex_);
  ++poll_calls_;
  auto answer = poll_answers_.find(id);
  if (answer != poll_answers_.end()) return answer->second;
  if (!accepted_.contains(id)) return Error::notFound(partner_ + " has no message " + id);
  adapters::StepOutcome pending;
  pending.message_id = id;
  pending.kind = adapters::OutcomeKind::kPending;
  return pending;
}

Result<adapters::StepOutcome> FakeStepAdapter::decodeCallback(std::string_view body) const {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t bar = body.find('|', start);
    parts.emplace_back(body.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (parts.size() != 5) return Error::invalidInput("fake callback needs 5 fields");
  adapters::StepOutcome outcome;
  outcome.message_id = parts[0];
  if (parts[1] == "pending") {
    outcome.kind = adapters::OutcomeKind::kPending;
  } else if (parts[1] == "done") {
    outcome.kind = adapters::OutcomeKind::kDone;
  } else if (parts[1] == "rejected") {
    outcome.kind = adapters::OutcomeKind::kRejected;
  } else if (parts[1] == "failed") {
    outcome.kind = adapters::OutcomeKind::kFailed;
  } else {
    return Error::invalidInput("unknown outcome kind " + parts[1]);
  }
  std::string_view pairs = parts[2];
  while (!pairs.empty()) {
    const size_t semicolon = pairs.find(';');
    std::string_view pair = pairs.substr(0, semicolon);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos) return Error::invalidInput("bad output pair");
    outcome.outputs[std::string(pair.substr(0, equals))] = std::string(pair.substr(equals + 1));
    pairs = semicolon == std::string_view::npos ? std::string_view{} : pairs.substr(semicolon + 1);
  }
  outcome.reason_code = parts[3];
  outcome.reason = parts[4];
  return outcome;
}

void FakeStepAdapter::failNextDispatches(int count, Error error) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) failures_.push_back(error);
}

void FakeStepAdapter::failAllDispatches(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  fail_all_ = std::move(error);
}

void FakeStepAdapter::loseNextAcks(int count, Error error) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) lost_acks_.push_back(error);
}

void FakeStepAdapter::setPollAnswer(const adapters::MessageId& id,
                                    Result<adapters::StepOutcome> answer) {
  std::lock_guard lock(mutex_);
  poll_answers_.insert_or_assign(id, std::move(answer));
}

void FakeStepAdapter::forget(const adapters::MessageId& id) {
  std::lock_guard lock(mutex_);
  accepted_.erase(id);
}

int FakeStepAdapter::dispatchCalls() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(requests_.size());
}

int FakeStepAdapter::pollCalls() const {
  std::lock_guard lock(mutex_);
  return poll_calls_;
}

std::vector<adapters::StepRequest> FakeStepAdapter::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<adapters::MessageId> FakeStepAdapter::effects() const {
  std::lock_guard lock(mutex_);
  return effects_;
}

std::map<adapters::MessageId, int> FakeStepAdapter::receipts() const {
  std::lock_guard lock(mutex_);
  return receipts_;
}

std::optional<adapters::StepRequest> FakeStepAdapter::lastRequest() const {
  std::lock_guard lock(mutex_);
  if (requests_.empty()) return std::nullopt;
  return requests_.back();
}

bool FakeStepAdapter::waitForDispatchCalls(int count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return called_.wait_for(lock, timeout,
                          [&] { return static_cast<int>(requests_.size()) >= count; });
}

}  // namespace kaiban::fakes
