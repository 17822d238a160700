#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/adapter.h"
#include "adapters/partner_codec/partner_link.h"
#include "adapters/registry/registry_adapter.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/partner_client.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/crypto/blind_index.h"
#include "core/crypto/key_ring.h"
#include "core/crypto/pii_cipher.h"
#include "orchestrator/api/admin/health_handlers.h"
#include "orchestrator/api/console_api/console_auth.h"
#include "orchestrator/api/console_api/console_server.h"
#include "orchestrator/api/kiosk_api/crl_watcher.h"
#include "orchestrator/api/kiosk_api/kiosk_server.h"
#include "orchestrator/api/partner_callbacks/partner_callback_handler.h"
#include "orchestrator/app/config.h"
#include "orchestrator/engine/dispatcher.h"
#include "orchestrator/engine/engine.h"
#include "orchestrator/engine/timer_loop.h"
#include "orchestrator/flow/flow_loader.h"
#include "orchestrator/metrics/metrics.h"
#include "orchestrator/store/console_store.h"
#include "orchestrator/store/store.h"

// The object graph of kaiban-orchestrator, built explicitly from the config (no service
// locator, no static registration). Only this file and main.cc know the concrete backends.
namespace kaiban::orchestrator::app {

// A start-up failure an operator fixes in the configuration or the files it names. The
// message names the key, the file and the reason. The binary logs it and exits non-zero.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The flow adapter names this orchestrator wires (flow definitions may use only these):
// registry, seal, bank, tax_registration, tax_agreement.
const std::set<std::string, std::less<>>& stepAdapterNames();

// State and the engine: what the server and every subcommand share. Opening it loads the
// data keys, the calendar and the flow definitions (capped polls applied), opens the store the
// config names (SQLite or PostgreSQL, running migrations) and checks that every flow version
// unfinished applications use is loaded. `config` must outlive it.
class OrchestratorCore {
 public:
  // Throws StartupError.
  explicit OrchestratorCore(const OrchestratorConfig& config);
  OrchestratorCore(const OrchestratorCore&) = delete;
  OrchestratorCore& operator=(const OrchestratorCore&) = delete;

  Engine& engine() { return engine_; }
  Store& store() { return *store_; }
  // A ConsoleStore over the same database as store(). Throws StartupError.
  std::unique_ptr<ConsoleStore> openConsoleStore() const;
  // Why the store cannot serve now, for /readyz: it does not answer, its schema is not the
  // newest, (SQLite) its file or directory is not writable. Empty when it can.
  std::vector<std::string> storeProblems();
  const FlowCatalog& flows() const { return flows_; }
  const WorkingCalendar& calendar() const { return calendar_; }
  // Why deadlines soon reach a year without holiday data; empty when they do not.
  const std::string& calendarGap() const { return calendar_gap_; }
  const Clock& clock() const { return clock_; }

 private:
  const OrchestratorConfig& config_;
  SystemClock clock_;
  crypto::KeyRing keys_;
  crypto::PiiCipher cipher_;
  crypto::BlindIndex index_;
  std::string calendar_gap_;  // before calendar_, which fills it
  WorkingCalendar calendar_;
  FlowCatalog flows_;
  std::unique_ptr<Store> store_;
  Engine engine_;
};

// The partner systems: one mutual-TLS PartnerClient (with its circuit breaker) per system and
// the adapters over them. Thread-safe once built.
class PartnerAdapters {
 public:
  // Loads the partner schemas and the client TLS files. Throws StartupError.
  PartnerAdapters(const OrchestratorConfig& config, const Clock& clock);
  ~PartnerAdapters();
  PartnerAdapters(const PartnerAdapters&) = delete;
  PartnerAdapters& operator=(const PartnerAdapters&) = delete;

  // The step adapters by flow adapter name (stepAdapterNames()).
  const Dispatcher::AdapterMap& stepAdapters() const { return step_adapters_; }
  adapters::Notifier& notifier() { return *notifier_; }
  // Pre-fills the kiosk from the people-data platform (used by the kiosk API).
  adapters::PeopleDirectory& people() { return *people_; }
  // The registry, whose name check the kiosk API asks.
  adapters::RegistryAdapter& registry();

 private:
  Poco::Net::Context::Ptr context_;
  // By partner name; the adapters refer to them.
  std::map<std::string, std::unique_ptr<transport::PartnerClient>, std::less<>> clients_;
  std::map<std::string, std::unique_ptr<adapters::PartnerClientLink>, std::less<>> links_;
  // By flow adapter name.
  std::map<std::string, std::unique_ptr<adapters::StepAdapter>, std::less<>> adapters_;
  Dispatcher::AdapterMap step_adapters_;
  std::unique_ptr<adapters::Notifier> notifier_;
  std::unique_ptr<adapters::PeopleDirectory> people_;
};

// The running server: partner adapters (timed and counted for the metrics), the dispatcher,
// the timer loop, the mutual-TLS API listener (partner callbacks and the kiosk API, its CRL
// reloaded when the file changes and on SIGHUP), the HTTPS console listener (bank staff and
// operators, docs/api/console-api.md) and the admin listener (health, /metrics). It is the narrow
// server interface the handlers see (PartnerCallbackServer, HealthServer).
class OrchestratorService final : public api::PartnerCallbackServer, public api::HealthServer {
 public:
  // Builds everything and binds both listeners (so their ports are known), starting nothing.
  // Throws StartupError (bad TLS files, a port in use, ...). `core` must outlive the service.
  OrchestratorService(const OrchestratorConfig& config, OrchestratorCore& core);
  // Calls stop().
  ~OrchestratorService() override;

  // Frees the outbox and timer claims of this instance's previous run (same
  // dispatcher.owner), starts the dispatcher and timer loop, then the listeners, and writes
  // the ports file. Throws StartupError if the store fails or the ports file cannot be written.
  void start();
  // Stops the listeners (no new callbacks; requests in progress finish), then the dispatcher
  // (after the row each worker is sending) and the timer loop; removes the ports file.
  // Idempotent.
  void stop();

  int apiPort() const { return api_server_->port(); }
  int adminPort() const { return admin_server_->port(); }
  int consolePort() const { return console_server_->port(); }

  // api::PartnerCallbackServer
  std::vector<const adapters::StepAdapter*> adaptersOf(std::string_view partner) const override;
  const adapters::StepAdapter* adapterNamed(std::string_view name) const override;
  Result<MessageRoute> routeMessage(std::string_view message_id) override;
  Result<OutcomeDisposition> applyOutcome(const adapters::StepOutcome& outcome,
                                          std::string_view actor) override;

  // api::HealthServer: the store answers and its directory and file are writable, its schema
  // is at the newest migration, the dispatcher and timer loop run, the listeners accept.
  std::vector<std::string> readinessProblems() override;

 private:
  void writePortsFile();

  const OrchestratorConfig& config_;
  OrchestratorCore& core_;
  PartnerAdapters partners_;
  metrics::Metrics metrics_;
  metrics::MeteredPartners metered_;  // partners_ as the dispatcher and the kiosk API use them
  Dispatcher dispatcher_;
  TimerLoop timers_;
  std::unique_ptr<api::EngineKioskServer> kiosk_server_;  // the kiosk routes' server
  std::unique_ptr<api::CrlWatcher> crl_watcher_;          // null with tls.crl=none
  std::unique_ptr<transport::HttpsServer> api_server_;
  std::unique_ptr<transport::HttpsServer> admin_server_;
  // The consoles: their store (users, sessions; same database), logins and handlers' server.
  std::unique_ptr<ConsoleStore> console_store_;
  std::unique_ptr<api::ConsoleAuth> console_auth_;
  std::unique_ptr<api::EngineConsoleServer> console_api_;
  std::unique_ptr<transport::HttpsServer> console_server_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace kaiban::orchestrator::app
