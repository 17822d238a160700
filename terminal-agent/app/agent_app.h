#pragma once

#include <memory>
#include <string>

#include "Poco/JSON/Object.h"
#include "Poco/Net/Context.h"
#include "core/clock.h"
#include "core/crypto/pii_cipher.h"
#include "terminal-agent/app/agent_config.h"

namespace kaiban::transport {
class HttpsServer;
}

namespace kaiban::agent {

class SubmissionQueue;
class SimulatedIdCardReader;
class SimulatedFaceCamera;
class SimulatedReceiptPrinter;
class KioskLink;
class Forwarder;
class BackgroundForwarder;
class HeartbeatLoop;
class KioskSessions;
struct KioskBackend;

// The agent's wiring, and nothing else: the data key and the kiosk certificate, the offline
// queue, the devices, the mTLS link, the forwarder that drains the queue through the link, the
// heartbeat, the screen's sessions and the local listener on 127.0.0.1.
class AgentApp {
 public:
  // Builds every part from `config`. Throws std::runtime_error with a message for the operator
  // when the agent cannot start: a missing or unreadable key file or certificate, a
  // certificate whose CN is not the kiosk id, a queue file that cannot be opened, a card deck
  // or screen file that cannot be read, a UI port in use. `clock` must outlive the app.
  AgentApp(AgentConfig config, const Clock& clock);
  // Calls stop().
  ~AgentApp();
  AgentApp(const AgentApp&) = delete;
  AgentApp& operator=(const AgentApp&) = delete;

  // Starts forwarding, heartbeats and the listener, then writes the ports file
  // ({"ui": PORT}) under <var>/run. REQUIRES: called once.
  void start();
  // Stops the listener first (no new submissions), then the heartbeat and the forwarder
  // (a forward in flight completes), and drops the session. Idempotent.
  void stop();

  int uiPort() const;
  const std::string& bankCode() const { return bank_code_; }
  // What GET /local/health answers: devices, queue, forwarder, heartbeat, link counters.
  Poco::JSON::Object::Ptr health();

 private:
  void writePortsFile() const;

  const AgentConfig config_;
  const Clock& clock_;
  const crypto::PiiCipher cipher_;
  Poco::Net::Context::Ptr tls_;
  std::string bank_code_;
  std::unique_ptr<SubmissionQueue> queue_;
  std::unique_ptr<SimulatedIdCardReader> reader_;
  std::unique_ptr<SimulatedFaceCamera> camera_;
  std::unique_ptr<SimulatedReceiptPrinter> printer_;
  std::unique_ptr<KioskLink> link_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<BackgroundForwarder> background_;
  std::unique_ptr<HeartbeatLoop> heartbeat_;
  std::unique_ptr<KioskSessions> sessions_;
  std::unique_ptr<KioskBackend> backend_;
  std::unique_ptr<transport::HttpsServer> server_;
  bool started_ = false;
  bool stopped_ = false;
};

// The agent's version, sent in heartbeats.
std::string_view agentVersion();

}  // namespace kaiban::agent
