#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "Poco/JSON/Object.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/tls.h"
#include "terminal-agent/link/orchestrator_link.h"

// A stand-in for the orchestrator's kiosk API (docs/api/kiosk-api.md) for the agent's tests:
// a real mutual-TLS listener that keeps what it receives in memory. It follows the contract
// closely enough to catch an agent that breaks it: client certificate required (the CN is the
// kiosk), Idempotency-Key required on every POST, the same key with another body is 409, the
// body must be a valid application (422 with problems otherwise) whose kiosk_id is the CN
// (403 otherwise), a kiosk reads only its own applications (404).
namespace kaiban::agent::testing {

class FakeOrchestrator {
 public:
  struct Submission {
    std::string kiosk_id;  // the client certificate's CN
    std::string idempotency_key;
    std::string application_id;
    std::string body;
  };

  // Listens on 127.0.0.1:`port` (0: ephemeral) with `server_files` (the orchestrator's
  // certificate, trusting the kiosks' CA). Started at once.
  explicit FakeOrchestrator(transport::TlsFiles server_files, int port = 0);
  ~FakeOrchestrator();
  FakeOrchestrator(const FakeOrchestrator&) = delete;
  FakeOrchestrator& operator=(const FakeOrchestrator&) = delete;

  // Stops listening (connection refused from now on); everything received is kept.
  void stop();
  // Listens again on the same port. REQUIRES: stopped.
  void start();
  int port() const { return port_; }

  // Answers every submit with `status` (e.g. 503) without creating anything; 0 restores
  // normal answers. Other endpoints are unaffected (heartbeats still arrive).
  void failSubmitsWith(int status);

  // Accepted submissions, in arrival order (replays are not repeated here).
  std::vector<Submission> submissions() const;
  // How many submit requests carried `key` (first acceptances, replays and refusals).
  int submitRequests(std::string_view key) const;
  // Every heartbeat body received, parsed, oldest first.
  std::vector<Poco::JSON::Object::Ptr> heartbeats() const;

  // Waits until `condition` (called under the fake's lock with nothing) holds, re-checking
  // whenever a request arrives; true if it held within `timeout`.
  bool waitFor(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // People-data records served by /api/v1/people/lookup (404 for others).
  void addPerson(std::string id_number, PersonRecord person);
  // The name-check answer for `name` (default: available).
  void setNameCheck(std::string name, NameCheckAnswer answer);
  // Marks every step of `application_id` done and the application completed, with outputs.
  void completeApplication(std::string_view application_id);

  // Used by the request handler.
  struct Reply {
    int status = 200;
    std::string body;
  };
  Reply handle(const std::string& method, const std::string& uri, const std::string& kiosk_id,
               const std::string& idempotency_key, const std::string& body);

 private:
  struct Application {
    std::string kiosk_id;
    std::string state = "in_progress";
    std::string submitted_at;
    std::string deadline;
    bool completed = false;
  };

  Reply submit(const std::string& kiosk_id, const std::string& key, const std::string& body);
  Reply status(const std::string& kiosk_id, const std::string& id) const;

  const transport::TlsFiles files_;
  int port_;
  std::unique_ptr<transport::HttpsServer> server_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int fail_submits_with_ = 0;
  std::vector<Submission> submissions_;
  std::map<std::string, std::string, std::less<>> body_by_key_;
  std::map<std::string, std::string, std::less<>> id_by_key_;
  std::map<std::string, int, std::less<>> requests_by_key_;
  std::map<std::string, Application, std::less<>> applications_;
  std::vector<Poco::JSON::Object::Ptr> heartbeats_;
  std::map<std::string, PersonRecord, std::less<>> people_;
  std::map<std::string, NameCheckAnswer, std::less<>> name_checks_;
  int next_id_ = 1;
};

}  // namespace kaiban::agent::testing
