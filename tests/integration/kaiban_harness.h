#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "Poco/JSON/Object.h"
#include "adapters/transport/https_client.h"
#include "core/clock.h"
#include "tests/integration/child_process.h"
#include "tests/testing/test_env.h"

// kaiban-sim and kaiban-orchestrator as real processes on loopback, with a fresh var/ in a
// temporary directory and the shared test PKI (certs/make-dev-pki.sh): what the orchestrator
// integration tests and the crash test drive.
namespace kaiban::testing {

// `count` companies that pass validation, each with its own name so the registry simulator
// registers every one, as a JSON array in the kiosk API's form (core/application_json.h).
// `first` offsets the names, for several batches.
std::string applicationsJson(int count, int first = 0);

class KaibanHarness {
 public:
  KaibanHarness();
  // Stops both processes (SIGTERM, then SIGKILL after a while).
  ~KaibanHarness();
  KaibanHarness(const KaibanHarness&) = delete;
  KaibanHarness& operator=(const KaibanHarness&) = delete;

  // Starts kaiban-sim on ephemeral ports, calling back to this harness's API port, with
  // results after 100 ms and callback retries capped at 1 s. `extra` is appended.
  void startSim(const std::vector<std::string>& extra = {});
  // Starts kaiban-orchestrator (REQUIRES: startSim) and waits until /readyz answers 200.
  // `settings` are extra --set key=value.
  void startOrchestrator(const std::vector<std::string>& settings = {});
  // SIGKILL, as a crash: nothing runs to clean up.
  void killOrchestrator();
  // SIGTERM; the exit code once it stopped.
  int stopOrchestrator();
  ChildProcess& orchestrator() { return *orchestrator_; }

  // kaiban-orchestrator with this harness's --var, --pki and settings, then `arguments`.
  ProcessResult cli(const std::vector<std::string>& arguments);
  // The --var/--pki/--set arguments every run of the binary gets.
  std::vector<std::string> commonArguments() const;

  // GET http://127.0.0.1:<control>/effects of the simulator; without the per-message lists
  // when `by_message` is false.
  Poco::JSON::Object::Ptr effects(bool by_message = true);
  // Waits until the simulator has received at least `count` text messages (milestone texts
  // go out after the state change that queued them). False on timeout.
  bool waitForTexts(int count, std::chrono::milliseconds timeout);
  // `kaiban-orchestrator summary` and `status --all`.
  Poco::JSON::Object::Ptr summary();
  std::vector<Poco::JSON::Object::Ptr> statuses();
  // GET on the orchestrator's admin listener.
  transport::Response admin(const std::string& path);

  int apiPort() const { return api_port_; }
  int adminPort() const { return admin_port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path pkiDir() const;
  std::filesystem::path varDir() const { return dir() / "var"; }
  std::filesystem::path orchestratorBinary() const;

  // Checks `condition` every 100 ms until it holds (true) or `timeout` passes (false).
  static bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

 private:
  int readSimPort(const std::string& name);

  TempDir dir_;
  SystemClock clock_;
  int api_port_ = 0;
  int admin_port_ = 0;
  int control_port_ = 0;
  std::vector<std::string> partner_settings_;
  std::vector<std::string> settings_;
  std::unique_ptr<ChildProcess> sim_;
  std::unique_ptr<ChildProcess> orchestrator_;
};

Poco::JSON::Object::Ptr parseObject(const std::string& text);

// What expectCompletedExactlyOnce counted, for the test's report.
struct EffectCounts {
  int applications = 0;
  int completed = 0;
  int partner_effects = 0;     // registry + seal + bank + tax effects at the simulator
  int duplicates_refused = 0;  // resends the simulator recognised and answered from its store
  int sms = 0;
};

// Expects (gtest) that every application in `statuses` (status --all) is completed with all
// its outputs, distinct USCCs and account numbers, and that the simulator's `effects` hold
// exactly one effect for the current message of every step, no effect for any other message
// (a second account under a new message id would show here), and exactly two text messages
// per application (submitted, completed).
EffectCounts expectCompletedExactlyOnce(const std::vector<Poco::JSON::Object::Ptr>& statuses,
                                        const Poco::JSON::Object& effects,
                                        int expected_applications);

}  // namespace kaiban::testing
