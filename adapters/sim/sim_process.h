#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "Poco/JSON/Object.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/testing/test_pki.h"
#include "core/clock.h"

// Test support for running the real kaiban-sim binary: the process, its control endpoint,
// and an orchestrator-side callback receiver over mutual TLS.
namespace kaiban::sim::testing {

// Polls `condition` until it holds or `timeout` passes; true when it held.
bool waitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

// kaiban-sim (from the build tree) running with every port ephemeral, its PKI and data in
// given directories and its output in <data>/sim.log. Killed on destruction.
class SimProcess {
 public:
  // Starts the simulator and waits until its ports file appears. `extra` arguments are
  // appended (e.g. "--delay-ms", "200"). Throws std::runtime_error with the simulator's log
  // if it exits or does not listen within 60 s.
  SimProcess(const std::filesystem::path& pki_dir, const std::filesystem::path& data_dir,
             int callback_port, const std::vector<std::string>& extra = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  int port(std::string_view name) const;
  // SIGTERM, then the exit status once it has exited (-1 if it had to be killed).
  int stop();
  // SIGKILL, like a crash.
  void kill();
  // Everything the simulator printed so far.
  std::string log() const;

  // Calls the control endpoint. Fails the test (and returns status 0) on a transport error.
  transport::Response control(std::string_view method, std::string_view path,
                              std::string_view body = {});
  // GET /effects, parsed.
  Poco::JSON::Object::Ptr effects();
  // The effect count of `message_id` at `partner` in GET /effects; -1 if it is not listed.
  int effectsOf(std::string_view partner, std::string_view message_id);
  // A counter of `partner` in GET /effects ("duplicates_refused", "messages", "effects"), or
  // of its "callbacks" ("pending", "delivered", "dropped") when `in_callbacks`.
  int counter(std::string_view partner, std::string_view name, bool in_callbacks = false);

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  std::map<std::string, int> ports_;
  SystemClock clock_;
  std::unique_ptr<transport::HttpsClient> control_;
};

// The orchestrator's partner callback listener, reduced to what tests need: mutual TLS with
// the orchestrator's server certificate (client certificates required, checked against the
// dev CA), records every POST /partner/v1/<partner>/callback with the client's CN, answers
// 204.
class CallbackReceiver {
 public:
  struct Callback {
    std::string peer_cn;
    std::string path;
    std::string message_id;  // X-Kaiban-Message-Id
    std::string body;
  };

  // Listens on 127.0.0.1:`port` (0: ephemeral).
  CallbackReceiver(const transport::testing::TestPki& pki, int port = 0);
  ~CallbackReceiver();

  int port() const;
  // Waits (up to `timeout`) for a callback about `message_id`.
  std::optional<Callback> waitFor(std::string_view message_id,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::vector<Callback> received() const;

  // Records a callback; used by the request handler.
  void record(Callback callback);

 private:
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Callback> callbacks_;
  std::unique_ptr<transport::HttpsServer> server_;
};

}  // namespace kaiban::sim::testing
