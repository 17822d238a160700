#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "Poco/Net/Context.h"
#include "adapters/sim/event_log.h"
#include "adapters/sim/faults.h"
#include "adapters/sim/sim_store.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/retry_policy.h"
#include "core/clock.h"

// Delivers the partners' results to the orchestrator: POST /partner/v1/<partner>/callback
// over mutual TLS with that partner's client certificate, once the result is due. A callback
// the orchestrator does not take (down, refusing, timing out, answering non-2xx) is retried
// with exponential backoff, indefinitely; the schedule lives in the SimStore, so a restarted
// simulator carries on where it stopped.
namespace kaiban::sim {

struct CallbackOptions {
  std::string host = "127.0.0.1";
  int port = 8443;
  transport::RetryPolicy retry;             // backoff between attempts of one callback
  std::chrono::milliseconds timeout{5000};  // connect and read timeout of one attempt
  int threads = 2;                          // callbacks delivered in parallel
};

class CallbackSender {
 public:
  // `client_contexts`: per partner name, the TLS client context presenting that partner's
  // certificate. Everything passed by reference must outlive the sender.
  CallbackSender(
      SimStore& store, const FaultInjector& faults, EventLog& log, const Clock& clock,
      CallbackOptions options,
      const std::map<std::string, Poco::Net::Context::Ptr, std::less<>>& client_contexts);
  // Calls stop().
  ~CallbackSender();
  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;

  // Starts the delivery threads. REQUIRES: called once.
  void start();
  // Tells the sender a new result was scheduled (it may be due sooner than any it knew).
  void wake();
  // Stops the threads once their current attempt ends (bounded by the timeout). Idempotent.
  void stop();

 private:
  void run();
  void deliver(const DueCallback& due);
  // How long to sleep before looking for due callbacks again.
  std::chrono::milliseconds idleWait();

  SimStore& store_;
  const FaultInjector& faults_;
  EventLog& log_;
  const Clock& clock_;
  const CallbackOptions options_;
  std::map<std::string, std::unique_ptr<transport::HttpsClient>, std::less<>> clients_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool woken_ = false;
  std::set<std::string> in_flight_;  // "<partner>/<message id>"
  std::vector<std::thread> threads_;
};

}  // namespace kaiban::sim
