#include "orchestrator/engine/dispatcher.h"

#include <Poco/Logger.h>

#include <exception>

namespace kaiban::orchestrator {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("orchestrator.dispatch"); }

// Adapters report expected failures as Results; an exception from one is a bug in it. It
// becomes a kInternal result, which the engine retries a bounded number of times, so one
// broken adapter cannot take the dispatcher down or loop forever.
template <class T, class Call>
Result<T> guarded(std::string_view what, Call&& call) {
  try {
    return call();
  } catch (const std::exception& e) {
    return Error::internal(std::string(what) + " threw: " + e.what());
  }
}

}  // namespace

Dispatcher::Dispatcher(Engine& engine, AdapterMap adapters, adapters::Notifier* notifier,
                       DispatcherOptions options)
    : engine_(engine),
      adapters_(std::move(adapters)),
      notifier_(notifier),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() { stop(); }

Result<int> Dispatcher::runOnce() { return runBatch(options_.owner); }

Result<int> Dispatcher::runBatch(const std::string& owner) {
  Result<std::vector<OutboxMessage>> rows =
      engine_.claimDueOutbox(options_.batch, owner, options_.lease);
  if (!rows) return rows.error();
  Result<void> first_error;
  for (const OutboxMessage& row : *rows) {
    Result<void> processed = process(row);
    if (!processed) {
      // The row keeps its lease and is tried again when it expires.
      logger().warning("application " + row.application_id + ", message " + row.message_id + ": " +
                       processed.error().toString());
      if (first_error.ok()) first_error = processed;
    }
  }
  if (!first_error.ok()) return first_error.error();
  return static_cast<int>(rows->size());
}

Result<void> Dispatcher::process(const OutboxMessage& row) {
  Result<std::optional<PreparedSend>> prepared = engine_.prepareSend(row);
  if (!prepared) return prepared.error();
  if (!prepared->has_value()) return ok();
  const PreparedSend& send = **prepared;

  if (send.kind == OutboxKind::kNotify) {
    Result<void> sent = Error::invalidInput("no notifier is wired into the dispatcher");
    if (notifier_ != nullptr) {
      try {
        sent = notifier_->notify(row.message_id, send.phone, send.text);
      } catch (const std::exception& e) {
        sent = Error::internal(std::string("notifier threw: ") + e.what());
      }
    }
    return engine_.recordNotifyResult(row, sent, send.snapshot.get());
  }

  auto adapter = adapters_.find(send.adapter);
  const Error missing = Error::invalidInput("no adapter named '" + send.adapter +
                                            "' is wired into this orchestrator");
  if (send.kind == OutboxKind::kDispatch) {
    Result<adapters::Ack> ack = adapter == adapters_.end()
                                    ? Result<adapters::Ack>(missing)
                                    : guarded<adapters::Ack>(send.adapter, [&] {
                                        return adapter->second->dispatch(send.request);
                                      });
    return engine_.recordDispatchResult(row, ack, send.snapshot.get());
  }
  Result<adapters::StepOutcome> outcome = adapter == adapters_.end()
                                              ? Result<adapters::StepOutcome>(missing)
                                              : guarded<adapters::StepOutcome>(send.adapter, [&] {
                                                  return adapter->second->poll(row.message_id);
                                                });
  return engine_.recordPollResult(row, outcome, send.snapshot.get());
}

void Dispatcher::start() {
  if (running_.exchange(true)) return;
  for (int i = 0; i < std::max(options_.threads, 1); ++i) {
    workers_.emplace_back([this, i] { work(options_.owner + "#" + std::to_string(i)); });
  }
}

void Dispatcher::stop() {
  if (!running_.exchange(false)) return;
  wake();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wake_count_;
  }
  wakeup_.notify_all();
}

void Dispatcher::work(std::string owner) {
  while (running_.load()) {
    uint64_t seen;
    {
      std::lock_guard lock(mutex_);
      seen = wake_count_;
    }
    Result<int> handled = runBatch(owner);
    // A full batch means more may be due: go again at once.
    if (handled && *handled >= options_.batch) continue;
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, options_.idle_wait,
                     [&] { return !running_.load() || wake_count_ != seen; });
  }
}

}  // namespace kaiban::orchestrator
