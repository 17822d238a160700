#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/adapter.h"
#include "orchestrator/engine/engine.h"

namespace kaiban::orchestrator {

struct DispatcherOptions {
  // Lease owner name: unique per orchestrator process (e.g. "<host>:<pid>"); worker threads
  // append "#<n>".
  std::string owner = "dispatcher";
  // Rows one worker claims at a time. A worker sends its rows one after the other, so small
  // batches keep rows from waiting behind a slow partner while other workers are idle.
  int batch = 4;
  // How long a claimed row stays reserved: longer than `batch` times the slowest adapter
  // call, or another worker sends it again meanwhile (harmless: same message id, but wasted).
  std::chrono::seconds lease{120};
  int threads = 4;
  // How long an idle worker waits before looking again; wake() cuts it short.
  std::chrono::milliseconds idle_wait{500};
};

// Sends the outbox: claims due rows, asks the engine what to send, calls the step's
// StepAdapter (or the Notifier), and hands the result back to the engine, which decides what
// it means (acknowledged, retry later, failed). It holds no state a crash could lose: a row
// whose worker dies is claimed again when its lease expires and sent again under the same
// message id.
//
// Adapters and the notifier must be thread-safe and outlive the dispatcher.
class Dispatcher {
 public:
  using AdapterMap = std::map<std::string, adapters::StepAdapter*, std::less<>>;

  // `adapters` maps the adapter names used in flow definitions to their implementations;
  // `notifier` may be null when the engine queues no notifications.
  Dispatcher(Engine& engine, AdapterMap adapters, adapters::Notifier* notifier,
             DispatcherOptions options = {});
  ~Dispatcher();  // stops the workers
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Claims one batch of due rows and processes them on the calling thread. Returns the
  // number of rows claimed (0: nothing was due), or the first error (the other rows of the
  // batch are still processed). For tests and tools; start() runs the same in threads.
  Result<int> runOnce();

  // Starts options.threads workers. REQUIRES: not started.
  void start();
  // Stops the workers after their current row and joins them. Safe to call twice.
  void stop();
  // Wakes idle workers: new rows are due.
  void wake();

 private:
  Result<int> runBatch(const std::string& owner);
  Result<void> process(const OutboxMessage& row);
  void work(std::string owner);

  Engine& engine_;
  const AdapterMap adapters_;
  adapters::Notifier* const notifier_;
  const DispatcherOptions options_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  uint64_t wake_count_ = 0;  // guarded by mutex_
  std::atomic<bool> running_{false};
  std::vector<std::thread> workers_;
};

}  // namespace kaiban::orchestrator
