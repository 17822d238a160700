#include "adapters/sim/callback_sender.h"

#include <functional>

namespace kaiban::sim {
namespace {

// How long an idle sender sleeps at most before it looks at the store again: it is woken for
// new results, so this only bounds how late a retry can be after a clock jump.
constexpr std::chrono::milliseconds kMaxIdleWait{1000};
// How long to wait while every due callback is already in flight.
constexpr std::chrono::milliseconds kBusyWait{50};

std::string key(std::string_view partner, std::string_view message_id) {
  return std::string(partner) + "/" + std::string(message_id);
}

}  // namespace

CallbackSender::CallbackSender(
    SimStore& store, const FaultInjector& faults, EventLog& log, const Clock& clock,
    CallbackOptions options,
    const std::map<std::string, Poco::Net::Context::Ptr, std::less<>>& client_contexts)
    : store_(store), faults_(faults), log_(log), clock_(clock), options_(std::move(options)) {
  transport::ClientOptions client_options;
  client_options.connect_timeout = options_.timeout;
  client_options.read_timeout = options_.timeout;
  for (const auto& [partner, context] : client_contexts) {
    clients_.emplace(partner, std::make_unique<transport::HttpsClient>(
                                  transport::Endpoint{options_.host, options_.port, "orchestrator"},
                                  context, client_options, clock_));
  }
}

CallbackSender::~CallbackSender() { stop(); }

void CallbackSender::start() {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { run(); });
}

void CallbackSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

void CallbackSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void CallbackSender::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    woken_ = false;
    Result<std::optional<DueCallback>> due = store_.nextDueCallback(in_flight_);
    if (!due.ok()) {
      log_.note("callback_error", due.error().message);
    } else if (due->has_value()) {
      const DueCallback callback = std::move(**due);
      const std::string in_flight_key = key(callback.partner, callback.message_id);
      in_flight_.insert(in_flight_key);
      lock.unlock();
      deliver(callback);
      lock.lock();
      in_flight_.erase(in_flight_key);
      changed_.notify_all();
      continue;
    }
    lock.unlock();
    const std::chrono::milliseconds wait = idleWait();
    lock.lock();
    changed_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
  }
}

std::chrono::milliseconds CallbackSender::idleWait() {
  Result<std::optional<SystemTime>> earliest = store_.earliestPendingCallback();
  if (!earliest.ok() || !earliest->has_value()) return kMaxIdleWait;
  const auto until =
      std::chrono::duration_cast<std::chrono::milliseconds>(**earliest - clock_.now());
  // Due already, yet not handed out: another thread is delivering it.
  if (until <= std::chrono::milliseconds::zero()) return kBusyWait;
  return std::min(until + std::chrono::milliseconds(1), kMaxIdleWait);
}

void CallbackSender::deliver(const DueCallback& due) {
  CallbackEvent event{due.partner, due.message_id, due.attempts + 1, "", 0, "", 0};
  // Decided once per result, before its first attempt; the decision is stored, so a
  // restarted simulator does not deliver what it dropped.
  if (due.attempts == 0 &&
      faults_.strikes(due.partner, FaultKind::kDropCallback, key(due.partner, due.message_id), 1)) {
    Result<void> dropped = store_.callbackDropped(due.partner, due.message_id);
    event.outcome = dropped.ok() ? "dropped" : "failed";
    event.error = dropped.ok() ? "" : dropped.error().message;
    log_.callback(event);
    return;
  }

  auto client = clients_.find(due.partner);
  Result<transport::Response> response =
      client == clients_.end()
          ? Result<transport::Response>(
                Error::internal("no client certificate for partner " + due.partner))
          : client->second->post("/partner/v1/" + due.partner + "/callback", due.body,
                                 "application/xml",
                                 {{std::string(transport::kMessageIdHeader), due.message_id}});
  if (response.ok() && response->status >= 200 && response->status < 300) {
    Result<void> recorded = store_.callbackDelivered(due.partner, due.message_id);
    event.outcome = "delivered";
    event.status = response->status;
    if (!recorded.ok()) event.error = recorded.error().message;
    log_.callback(event);
    return;
  }

  const std::chrono::milliseconds retry_in =
      options_.retry.nextDelay(due.attempts + 1, std::hash<std::string>{}(due.message_id));
  event.outcome = "failed";
  event.retry_in_ms = retry_in.count();
  if (response.ok()) {
    event.status = response->status;
    event.error =
        transport::errorForStatus(response->status, response->body, "orchestrator").message;
  } else {
    event.error = response.error().message;
  }
  Result<void> recorded =
      store_.callbackFailed(due.partner, due.message_id, clock_.now() + retry_in, event.error);
  if (!recorded.ok()) event.error += "; " + recorded.error().message;
  log_.callback(event);
}

}  // namespace kaiban::sim
