#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "Poco/JSON/Object.h"
#include "adapters/transport/https_client.h"
#include "core/clock.h"

// Test support for running the real kaiban-agent binary and talking to its local API.
namespace kaiban::agent::testing {

// Polls `condition` until it holds or `timeout` passes; true when it held.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

// kaiban-agent (from the build tree) with an ephemeral UI port, its queue and logs under
// `var_dir` (log: <var>/agent.log), talking to https://127.0.0.1:<orchestrator_port>, with
// fast test timings (heartbeat 500 ms, forwarder poll 200 ms, backoff 100 ms-1 s) unless
// `extra` overrides them. Killed on destruction.
class AgentProcess {
 public:
  // Starts the agent and waits until its ports file appears. Throws std::runtime_error with
  // the agent's log if it exits or does not listen within 60 s.
  AgentProcess(const std::filesystem::path& pki_dir, const std::filesystem::path& var_dir,
               int orchestrator_port, const std::vector<std::string>& extra = {});
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  int uiPort() const { return ui_port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(ui_port_); }
  // SIGTERM, then the exit status (-1 if it had to be killed).
  int stop();
  // SIGKILL, like a power cut.
  void kill();
  bool running() const { return pid_ > 0; }
  std::string log() const;

  // A request to the local API with the session header when `session` is not empty. Fails the
  // test (status 0) on a transport error.
  transport::Response call(std::string_view method, std::string_view path,
                           std::string_view body = {}, const std::string& session = {});
  // The JSON body of a call; fails the test if it is not an object.
  Poco::JSON::Object::Ptr parsed(const transport::Response& response);

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int ui_port_ = 0;
  SystemClock clock_;
  std::unique_ptr<transport::HttpsClient> client_;
};

}  // namespace kaiban::agent::testing
