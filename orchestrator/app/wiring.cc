#include "orchestrator/app/wiring.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <limits>

#include "Poco/Logger.h"
#include "adapters/bank/bank_adapter.h"
#include "adapters/people/people_adapter.h"
#include "adapters/registry/registry_adapter.h"
#include "adapters/seal/seal_adapter.h"
#include "adapters/sms/sms_notifier.h"
#include "adapters/tax/tax_adapter.h"
#include "adapters/transport/tls.h"
#include "orchestrator/api/console_api/console_handlers.h"
#include "orchestrator/api/http_common/route_handler_factory.h"
#include "orchestrator/api/kiosk_api/kiosk_handlers.h"
#include "orchestrator/store/postgres/migrations.h"
#include "orchestrator/store/postgres/postgres_console_store.h"
#include "orchestrator/store/postgres/postgres_store.h"
#include "orchestrator/store/sqlite/migrations.h"
#include "orchestrator/store/sqlite/sqlite_console_store.h"
#include "orchestrator/store/sqlite/sqlite_store.h"

namespace kaiban::orchestrator::app {

namespace {

// Turns a failed start-up step into the StartupError that names the key to fix.
template <class T>
T orThrow(Result<T> result, const std::string& what) {
  if (!result) throw StartupError(what + ": " + result.error().message);
  return std::move(result).value();
}

crypto::KeyRing loadKeys(const OrchestratorConfig& config) {
  Result<crypto::KeyRing> keys = crypto::KeyRing::loadFile(config.key_file);
  if (!keys && keys.error().code == ErrorCode::kNotFound) {
    throw StartupError("keys.file: " + config.key_file.string() +
                       " does not exist; create the development keys with ./kaiban pki (or "
                       "certs/make-dev-pki.sh --out " +
                       config.pki_dir.string() + ")");
  }
  return orThrow(std::move(keys), "keys.file " + config.key_file.string());
}

// The official calendar, extended by one provisional Monday-to-Friday year: next year's
// holidays are published in November, and a kiosk must not start refusing entrepreneurs at
// the end of December because an operator has not yet added the file. Deadlines that reach
// the provisional year are approximate, so from 60 days before it matters `gap` says so (the
// server logs it at every start; the CLI's commands do not repeat it).
WorkingCalendar loadCalendar(const OrchestratorConfig& config, const Clock& clock,
                             std::string& gap) {
  const WorkingCalendar official = orThrow(WorkingCalendar::load(config.calendar_dir),
                                           "calendar.dir " + config.calendar_dir.string());
  const auto soon = std::chrono::floor<std::chrono::days>(clock.now() + std::chrono::days{60});
  if (!official.coversDate(std::chrono::year_month_day{soon})) {
    const int next_year = static_cast<int>(official.lastCoveredDate().year()) + 1;
    gap =
        "calendar.dir " + config.calendar_dir.string() + " has no holiday data for " +
        std::to_string(next_year) + ": deadlines reaching it count Monday to Friday only; add cn-" +
        std::to_string(next_year) + ".txt when the State Council publishes the year's arrangements";
  }
  return official.withProvisionalYears(1);
}

// The flow definitions, with poll delays capped when the config asks (see
// OrchestratorConfig::poll_after_cap). Capping changes only when the engine asks a partner
// about a late result, never what a step does, so a capped definition keeps its version.
FlowCatalog loadFlows(const OrchestratorConfig& config) {
  FlowCatalog flows =
      orThrow(FlowCatalog::loadDirectory(config.flows_dir, config.flow_schema, stepAdapterNames()),
              "flows.dir " + config.flows_dir.string());
  if (config.poll_after_cap.count() == 0) return flows;
  std::vector<FlowDefinition> capped;
  for (int version : flows.versions()) {
    FlowDefinition definition = *flows.find(version);
    for (StepDefinition& step : definition.steps) {
      step.poll.after = std::min(step.poll.after, config.poll_after_cap);
      step.poll.max_interval = std::min(step.poll.max_interval, config.poll_after_cap);
    }
    if (Result<void> valid = validateFlowDefinition(definition, stepAdapterNames()); !valid) {
      throw StartupError("flows.poll_after_max_seconds: " + valid.error().message);
    }
    capped.push_back(std::move(definition));
  }
  return orThrow(FlowCatalog::fromDefinitions(std::move(capped)), "flows.poll_after_max_seconds");
}

// What start-up errors about a PostgreSQL store name: the key and the URL without password.
std::string postgresKey(const OrchestratorConfig& config) {
  return "postgres.url " + pg::redactUrl(config.postgres_url);
}

std::unique_ptr<Store> openStore(const OrchestratorConfig& config, const Clock& clock) {
  if (config.store_backend == StoreBackend::kPostgres) {
    PostgresStore::Options options;
    options.max_connections = config.postgres_max_connections;
    options.lock_timeout = config.busy_timeout;
    return orThrow(PostgresStore::open(config.postgres_url, clock, options), postgresKey(config));
  }
  std::error_code error;
  if (config.database.has_parent_path()) {
    std::filesystem::create_directories(config.database.parent_path(), error);
    if (error) {
      throw StartupError("store.path: cannot create the directory " +
                         config.database.parent_path().string() + ": " + error.message());
    }
  }
  SqliteStore::Options options;
  options.busy_timeout = config.busy_timeout;
  return orThrow(SqliteStore::open(config.database, clock, options),
                 "store.path " + config.database.string());
}

EngineOptions engineOptions(const OrchestratorConfig& config) {
  EngineOptions options;
  options.notifications = config.notifications;
  return options;
}

// The timer loop's lease owner, beside the dispatcher's (whose workers add "#<n>").
std::string timerOwner(const OrchestratorConfig& config) {
  return config.dispatcher_owner + "/timers";
}

DispatcherOptions dispatcherOptions(const OrchestratorConfig& config) {
  DispatcherOptions options;
  options.owner = config.dispatcher_owner;
  options.threads = config.dispatcher_threads;
  options.batch = config.dispatcher_batch;
  options.lease = config.dispatcher_lease;
  options.idle_wait = config.dispatcher_idle_wait;
  return options;
}

TimerLoopOptions timerOptions(const OrchestratorConfig& config) {
  TimerLoopOptions options;
  options.owner = timerOwner(config);
  options.lease = config.timer_lease;
  options.interval = config.timer_interval;
  return options;
}

transport::ServerOptions serverOptions(const ListenerConfig& listener) {
  transport::ServerOptions options;
  options.bind_host = listener.host;
  options.port = listener.port;
  options.max_threads = listener.threads;
  options.max_queued = listener.max_queued;
  options.keep_alive_timeout = listener.keep_alive_timeout;
  options.max_keep_alive_requests = listener.max_keep_alive_requests;
  options.receive_timeout = listener.receive_timeout;
  return options;
}

// A listener serving `routes`, every answer counted in `metrics` under the listener's name.
std::unique_ptr<transport::HttpsServer> makeListener(std::string_view name,
                                                     const ListenerConfig& listener,
                                                     std::shared_ptr<const api::RouteTable> routes,
                                                     Poco::Net::Context::Ptr context,
                                                     const std::string& logger, const Clock& clock,
                                                     metrics::Metrics& metrics) {
  try {
    return std::make_unique<transport::HttpsServer>(
        new metrics::MeteredHandlerFactory(new api::RouteHandlerFactory(routes, logger, clock),
                                           routes, std::string(name), metrics, clock),
        std::move(context), serverOptions(listener));
  } catch (const std::exception& error) {
    throw StartupError(std::string(name) + ".host/" + std::string(name) + ".port (" +
                       listener.host + ":" + std::to_string(listener.port) +
                       "): cannot listen: " + error.what());
  }
}

}  // namespace

const std::set<std::string, std::less<>>& stepAdapterNames() {
  static const std::set<std::string, std::less<>> names = {"registry", "seal", "bank",
                                                           "tax_registration", "tax_agreement"};
  return names;
}

OrchestratorCore::OrchestratorCore(const OrchestratorConfig& config)
    : config_(config),
      keys_(loadKeys(config)),
      cipher_(keys_),
      index_(keys_),
      calendar_(loadCalendar(config, clock_, calendar_gap_)),
      flows_(loadFlows(config)),
      store_(openStore(config_, clock_)),
      engine_(*store_, flows_, calendar_, clock_, cipher_, index_, engineOptions(config)) {
  // An application keeps the flow version it started with: refusing to start is better than
  // stranding it.
  if (Result<void> versions = engine_.checkFlowVersionsInUse(); !versions) {
    throw StartupError("flows.dir " + config.flows_dir.string() + ": " + versions.error().message);
  }
}

std::unique_ptr<ConsoleStore> OrchestratorCore::openConsoleStore() const {
  if (config_.store_backend == StoreBackend::kPostgres) {
    return orThrow(
        PostgresConsoleStore::open(config_.postgres_url, clock_, 2, config_.busy_timeout),
        postgresKey(config_));
  }
  return orThrow(SqliteConsoleStore::open(config_.database, clock_, config_.busy_timeout),
                 "store.path " + config_.database.string());
}

std::vector<std::string> OrchestratorCore::storeProblems() {
  std::vector<std::string> problems;
  Result<std::vector<EventRecord>> read =
      store_->eventsSince(std::numeric_limits<int64_t>::max(), 1);
  if (!read) problems.push_back("the store does not answer: " + read.error().message);
  auto checkSchema = [&](int version, int newest) {
    if (version != newest) {
      problems.push_back("the store's schema is at version " + std::to_string(version) + ", not " +
                         std::to_string(newest));
    }
  };
  if (auto* postgres = dynamic_cast<PostgresStore*>(store_.get())) {
    checkSchema(postgres->schemaVersion(), pg::migrations().back().version);
    return problems;
  }
  auto& sqlite = dynamic_cast<SqliteStore&>(*store_);
  checkSchema(sqlite.schemaVersion(), sqlite::migrations().back().version);
  // SQLite in WAL mode writes the database, its -wal and -shm files: it needs both.
  const std::filesystem::path& database = sqlite.path();
  const std::filesystem::path directory =
      database.has_parent_path() ? database.parent_path() : std::filesystem::path(".");
  if (::access(database.c_str(), W_OK) != 0) {
    problems.push_back("the database " + database.string() + " is not writable");
  }
  if (::access(directory.c_str(), W_OK) != 0) {
    problems.push_back("the database directory " + directory.string() + " is not writable");
  }
  return problems;
}

PartnerAdapters::PartnerAdapters(const OrchestratorConfig& config, const Clock& clock) {
  try {
    context_ = transport::makeClientContext(transport::TlsFiles{
        config.tls_ca, config.tls_client_certificate, config.tls_client_key, std::nullopt});
  } catch (const std::exception& error) {
    throw StartupError(std::string("tls.ca/tls.client_certificate/tls.client_key: ") +
                       error.what());
  }
  transport::ClientOptions client_options;
  client_options.connect_timeout = config.partner_connect_timeout;
  client_options.read_timeout = config.partner_read_timeout;
  transport::CircuitBreakerOptions breaker;
  breaker.failure_threshold = config.breaker_failures;
  breaker.open_for = config.breaker_open;
  for (const auto& [name, endpoint] : config.partners) {
    clients_.emplace(name, std::make_unique<transport::PartnerClient>(
                               name, transport::Endpoint{endpoint.host, endpoint.port, name},
                               context_, client_options, clock, breaker));
    links_.emplace(name, std::make_unique<adapters::PartnerClientLink>(*clients_.at(name)));
  }

  const std::string schemas = "schemas.dir " + config.schema_dir.string();
  const adapters::RegistryCodec registry =
      orThrow(adapters::RegistryCodec::load(config.schema_dir), schemas);
  const adapters::SealCodec seal = orThrow(adapters::SealCodec::load(config.schema_dir), schemas);
  const adapters::TaxCodec tax = orThrow(adapters::TaxCodec::load(config.schema_dir), schemas);
  const adapters::PeopleCodec people =
      orThrow(adapters::PeopleCodec::load(config.schema_dir), schemas);
  const adapters::SmsCodec sms = orThrow(adapters::SmsCodec::load(config.schema_dir), schemas);
  std::shared_ptr<const adapters::bank::BankCodec> bank =
      orThrow(adapters::bank::BankCodec::load(config.schema_dir / "iso20022"), schemas);

  adapters_.emplace("registry",
                    std::make_unique<adapters::RegistryAdapter>(registry, *links_.at("registry")));
  adapters_.emplace("seal", std::make_unique<adapters::SealAdapter>(seal, *links_.at("seal")));
  adapters_.emplace(
      "bank", std::make_unique<adapters::bank::BankAdapter>(*clients_.at("bank"), bank, clock));
  adapters_.emplace("tax_registration",
                    std::make_unique<adapters::TaxRegistrationAdapter>(tax, *links_.at("tax")));
  adapters_.emplace("tax_agreement",
                    std::make_unique<adapters::TaxAgreementAdapter>(tax, *links_.at("tax")));
  for (const auto& [name, adapter] : adapters_) step_adapters_.emplace(name, adapter.get());
  notifier_ = std::make_unique<adapters::SmsNotifier>(sms, *links_.at("sms"));
  people_ = std::make_unique<adapters::PeopleAdapter>(people, *links_.at("people"));
}

PartnerAdapters::~PartnerAdapters() = default;

adapters::RegistryAdapter& PartnerAdapters::registry() {
  // Built as a RegistryAdapter by the constructor above.
  return static_cast<adapters::RegistryAdapter&>(*adapters_.at("registry"));
}

OrchestratorService::OrchestratorService(const OrchestratorConfig& config, OrchestratorCore& core)
    : config_(config),
      core_(core),
      partners_(config, core.clock()),
      metered_(partners_.stepAdapters(), partners_.notifier(), partners_.people(), metrics_,
               core.clock()),
      dispatcher_(core.engine(), metered_.stepAdapters(),
                  config.notifications ? &metered_.notifier() : nullptr, dispatcherOptions(config)),
      timers_(core.engine(), timerOptions(config)) {
  if (!core.calendarGap().empty())
    Poco::Logger::get("orchestrator.app").warning(core.calendarGap());
  Poco::Net::Context::Ptr server_context;
  try {
    server_context = transport::makeServerContext(
        transport::TlsFiles{config.tls_ca, config.tls_server_certificate, config.tls_server_key,
                            config.tls_crl},
        transport::ClientCertificates::kRequired);
  } catch (const std::exception& error) {
    throw StartupError(std::string("tls.ca/tls.server_certificate/tls.server_key/tls.crl: ") +
                       error.what());
  }
  auto api_routes = std::make_shared<api::RouteTable>();
  api::addPartnerCallbackRoute(*api_routes, *this, config.callback_body_limit);
  kiosk_server_ = std::make_unique<api::EngineKioskServer>(
      core.engine(), core.store(), metered_.people(),
      [this](std::string_view name, std::string_view division) {
        return partners_.registry().checkName(name, division);
      });
  api::addKioskRoutes(*api_routes, *kiosk_server_, core.clock());
  if (config.tls_crl) {
    api::CrlWatcherOptions watch;
    watch.interval = config.crl_check_interval;
    // OrchestratorApp::serve blocks SIGHUP in every thread before any starts.
    watch.reload_on_sighup = true;
    crl_watcher_ = std::make_unique<api::CrlWatcher>(server_context, *config.tls_crl, watch);
  }
  api_server_ = makeListener("api", config.api, std::move(api_routes), server_context,
                             "orchestrator.api", core.clock(), metrics_);

  console_store_ = core.openConsoleStore();
  auto admin_routes = std::make_shared<api::RouteTable>();
  api::addHealthRoutes(*admin_routes, *this);
  metrics::addMetricsRoute(*admin_routes,
                           {metrics_.registry(), std::make_shared<metrics::StoreCollector>(
                                                     *console_store_, core.store(), core.clock())});
  admin_server_ = makeListener("admin", config.admin, std::move(admin_routes), nullptr,
                               "orchestrator.admin", core.clock(), metrics_);

  // The consoles: browsers present no certificate, so the context asks for none.
  const ConsoleSettings& console = config.console_settings;
  Poco::Net::Context::Ptr console_context;
  try {
    console_context = transport::makeServerContext(
        transport::TlsFiles{config.tls_ca, config.tls_server_certificate, config.tls_server_key,
                            std::nullopt},
        transport::ClientCertificates::kNone);
  } catch (const std::exception& error) {
    throw StartupError(std::string("tls.server_certificate/tls.server_key: ") + error.what());
  }
  api::ConsoleAuthOptions auth;
  auth.password.scrypt_n = console.password_scrypt_n;
  if (Result<void> valid = crypto::validatePasswordParams(auth.password); !valid) {
    throw StartupError("console.password_scrypt_n: " + valid.error().message);
  }
  auth.max_failures = console.max_failures;
  auth.lockout = console.lockout;
  auth.idle_timeout = console.session_idle;
  auth.session_lifetime = console.session_lifetime;
  console_auth_ = std::make_unique<api::ConsoleAuth>(*console_store_, core.clock(), auth);
  console_api_ = std::make_unique<api::EngineConsoleServer>(core.engine(), core.store(),
                                                            *console_store_, core.calendar());
  api::WebAssets assets =
      orThrow(api::WebAssets::load(console.web_dir), "console.web_dir " + console.web_dir.string());
  api::ConsoleRouteOptions console_options;
  console_options.dashboard.days = console.dashboard_days;
  console_options.dashboard_cache = console.dashboard_cache;
  auto console_routes = std::make_shared<api::RouteTable>();
  api::addConsoleRoutes(*console_routes, *console_api_, *console_auth_,
                        std::make_shared<const api::WebAssets>(std::move(assets)), core.clock(),
                        console_options);
  console_server_ = makeListener("console", config.console, std::move(console_routes),
                                 console_context, "orchestrator.console", core.clock(), metrics_);

  core_.engine().setOutboxListener([this] { dispatcher_.wake(); });
}

OrchestratorService::~OrchestratorService() {
  stop();
  core_.engine().setOutboxListener({});
}

void OrchestratorService::start() {
  // What this instance's previous run had claimed when it died is sent now rather than when
  // its leases run out (the partners deduplicate what it may have sent already).
  for (const std::string& owner : {config_.dispatcher_owner, timerOwner(config_)}) {
    Result<int> released = core_.engine().releaseLeases(owner);
    if (!released) throw StartupError("store.path: " + released.error().message);
    if (*released > 0) {
      Poco::Logger::get("orchestrator.app")
          .information("resuming " + std::to_string(*released) +
                       " messages and timers claimed by the previous run of " + owner);
    }
  }
  dispatcher_.start();
  timers_.start();
  if (crl_watcher_) crl_watcher_->start();
  api_server_->start();
  console_server_->start();
  admin_server_->start();
  running_ = true;
  writePortsFile();
}

void OrchestratorService::stop() {
  if (stopped_.exchange(true)) return;
  running_ = false;
  // Partners' callbacks stop first: one arriving while the dispatcher stops would still be
  // applied (the engine needs no dispatcher for that), but nothing new should start.
  api_server_->stop();
  console_server_->stop();
  if (crl_watcher_) crl_watcher_->stop();
  dispatcher_.stop();
  timers_.stop();
  admin_server_->stop();
  std::error_code ignored;
  std::filesystem::remove(config_.ports_file, ignored);
}

void OrchestratorService::writePortsFile() {
  const std::filesystem::path& target = config_.ports_file;
  std::error_code error;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), error);
  // Written aside and renamed, so a reader never sees half a file.
  const std::filesystem::path temporary = target.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "{\"api\": " << apiPort() << ", \"admin\": " << adminPort()
        << ", \"console\": " << consolePort() << ", \"pid\": " << ::getpid() << "}\n";
    out.close();
    if (!out) throw StartupError("run.ports_file: cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, target, error);
  if (error) {
    throw StartupError("run.ports_file: cannot write " + target.string() + ": " + error.message());
  }
}

std::vector<const adapters::StepAdapter*> OrchestratorService::adaptersOf(
    std::string_view partner) const {
  std::vector<const adapters::StepAdapter*> found;
  for (const auto& [name, adapter] : partners_.stepAdapters()) {
    if (adapter->partner() == partner) found.push_back(adapter);
  }
  return found;
}

const adapters::StepAdapter* OrchestratorService::adapterNamed(std::string_view name) const {
  auto found = partners_.stepAdapters().find(name);
  return found == partners_.stepAdapters().end() ? nullptr : found->second;
}

Result<MessageRoute> OrchestratorService::routeMessage(std::string_view message_id) {
  return core_.engine().routeMessage(message_id);
}

Result<OutcomeDisposition> OrchestratorService::applyOutcome(const adapters::StepOutcome& outcome,
                                                             std::string_view actor) {
  return core_.engine().applyOutcome(outcome, actor);
}

std::vector<std::string> OrchestratorService::readinessProblems() {
  std::vector<std::string> problems;
  if (!running_)
    problems.emplace_back(
        "the orchestrator is starting or stopping: the dispatcher and the timer loop are not "
        "running");

  for (std::string& problem : core_.storeProblems()) problems.push_back(std::move(problem));
  return problems;
}

}  // namespace kaiban::orchestrator::app
