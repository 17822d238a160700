#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "Poco/Net/Context.h"
#include "adapters/transport/https_client.h"
#include "core/clock.h"
#include "terminal-agent/link/orchestrator_link.h"

namespace kaiban::agent {

struct KioskLinkOptions {
  std::chrono::milliseconds connect_timeout{3000};  // TCP connect and the TLS handshake
  std::chrono::milliseconds read_timeout{10000};    // each wait for the orchestrator
  int max_idle_connections = 4;                     // kept alive for reuse
};

// The kiosk API over mutual TLS: one transport::HttpsClient to the orchestrator (keep-alive
// connections, TLS session resumption when it reconnects) presenting the kiosk's client
// certificate, which `context` carries (transport::makeClientContext). Non-2xx answers become
// errors through errorForKioskAnswer; bodies are read through the kiosk_answers.h parsers.
//
// Every POST carries an Idempotency-Key: submit and answer use the caller's; lookups, name
// checks and heartbeats, which change nothing, get a fresh random key per call.
// Thread-safe. `clock` must outlive the link.
class KioskLink final : public OrchestratorLink {
 public:
  KioskLink(transport::Endpoint orchestrator, Poco::Net::Context::Ptr context,
            KioskLinkOptions options, const Clock& clock);

  Result<SubmitAnswer> submit(const std::string& idempotency_key, const std::string& body) override;
  Result<ApplicationView> status(std::string_view application_id) override;
  Result<ApplicationPage> list(int limit, std::string_view cursor) override;
  Result<void> answer(std::string_view application_id, const std::string& idempotency_key,
                      const Poco::JSON::Object& answer) override;
  Result<PersonRecord> lookupPerson(std::string_view id_number) override;
  Result<NameCheckAnswer> checkName(std::string_view name, std::string_view division_code) override;
  Result<SystemTime> heartbeat(const HeartbeatReport& report) override;

  // Connection counters (connections opened, TLS sessions resumed), for the health endpoint
  // and tests.
  transport::ClientStats stats() const { return client_.stats(); }
  const std::string& description() const { return client_.description(); }

 private:
  Result<transport::Response> post(std::string_view path, const std::string& body,
                                   const std::string& idempotency_key, std::string_view what);
  Result<transport::Response> get(std::string_view path, std::string_view what);

  transport::HttpsClient client_;
};

}  // namespace kaiban::agent
