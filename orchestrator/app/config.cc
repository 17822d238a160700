#include "orchestrator/app/config.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

#include "Poco/AutoPtr.h"
#include "Poco/Environment.h"
#include "Poco/Exception.h"
#include "Poco/Logger.h"
#include "Poco/Net/IPAddress.h"
#include "Poco/String.h"
#include "Poco/Util/AbstractConfiguration.h"
#include "Poco/Util/IniFileConfiguration.h"
#include "Poco/Util/PropertyFileConfiguration.h"

namespace kaiban::orchestrator::app {

namespace {

using Poco::Util::AbstractConfiguration;

constexpr int kDefaultPartnerPorts[] = {9001, 9002, 9003, 9004, 9005, 9006};

bool isPartnerName(std::string_view name) {
  return std::find(std::begin(kPartnerNames), std::end(kPartnerNames), name) !=
         std::end(kPartnerNames);
}

// "partners.bank.port" -> true; the partner keys are generated from kPartnerNames rather than
// listed in configKeys() one by one.
bool isPartnerEndpointKey(std::string_view key) {
  constexpr std::string_view prefix = "partners.";
  if (key.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = key.substr(prefix.size());
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view field = rest.substr(dot + 1);
  return isPartnerName(rest.substr(0, dot)) && (field == "host" || field == "port");
}

bool isKnownKey(std::string_view key) {
  if (isPartnerEndpointKey(key)) return true;
  for (const ConfigKey& known : configKeys()) {
    if (known.name == key) return true;
  }
  return false;
}

// Every key of `config` that holds a value.
void collectKeys(const AbstractConfiguration& config, const std::string& prefix,
                 std::vector<std::string>& out) {
  AbstractConfiguration::Keys keys;
  config.keys(prefix, keys);
  for (const std::string& key : keys) {
    const std::string full = prefix.empty() ? key : prefix + "." + key;
    AbstractConfiguration::Keys children;
    config.keys(full, children);
    if (children.empty() || config.hasProperty(full)) out.push_back(full);
    if (!children.empty()) collectKeys(config, full, out);
  }
}

// The raw settings, with where each came from, so every message can say which file or flag
// to fix.
class Settings {
 public:
  struct Value {
    std::string text;
    std::string source;  // "var/orchestrator.properties" or "--set"
  };

  Result<void> readFile(const std::filesystem::path& path) {
    std::string extension = Poco::toLower(path.extension().string());
    try {
      Poco::AutoPtr<AbstractConfiguration> file;
      if (extension == ".ini") {
        file = new Poco::Util::IniFileConfiguration(path.string());
      } else {
        file = new Poco::Util::PropertyFileConfiguration(path.string());
      }
      std::vector<std::string> keys;
      collectKeys(*file, "", keys);
      for (const std::string& key : keys) {
        values_[key] = Value{Poco::trim(file->getRawString(key, "")), path.string()};
      }
    } catch (const Poco::Exception& error) {
      return Error::invalidInput("cannot read the configuration file " + path.string() + ": " +
                                 error.displayText());
    }
    return ok();
  }

  Result<void> applyOverride(const std::string& assignment) {
    const std::size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Error::invalidInput("--set " + assignment + ": expected key=value");
    }
    values_[Poco::trim(assignment.substr(0, equals))] =
        Value{Poco::trim(assignment.substr(equals + 1)), "--set"};
    return ok();
  }

  Result<void> checkKeys() const {
    for (const auto& [key, value] : values_) {
      if (!isKnownKey(key)) {
        return Error::invalidInput("unknown configuration key '" + key + "' (from " + value.source +
                                       "); kaiban-orchestrator --help lists the keys",
                                   key);
      }
    }
    return ok();
  }

  const Value* find(std::string_view key) const {
    auto found = values_.find(key);
    return found == values_.end() ? nullptr : &found->second;
  }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

Error badValue(std::string_view key, const Settings::Value& value, std::string_view why) {
  return Error::invalidInput(
      std::string(key) + " (from " + value.source + "): '" + value.text + "' " + std::string(why),
      std::string(key));
}

// Reads typed values into the config; the first error is kept and later reads are skipped,
// so one bad value gives one clear message.
class Reader {
 public:
  explicit Reader(const Settings& settings) : settings_(settings) {}

  void text(std::string_view key, std::string& out, bool allow_empty = false) {
    const Settings::Value* value = lookup(key);
    if (value == nullptr) return;
    if (value->text.empty() && !allow_empty) {
      fail(badValue(key, *value, "must not be empty"));
      return;
    }
    out = value->text;
  }

  void path(std::string_view key, std::filesystem::path& out) {
    std::string text;
    this->text(key, text);
    if (!text.empty()) out = text;
  }

  void integer(std::string_view key, int& out, int min, int max) {
    long long parsed = 0;
    if (number(key, parsed, min, max)) out = static_cast<int>(parsed);
  }

  void size(std::string_view key, std::size_t& out, long long min, long long max) {
    long long parsed = 0;
    if (number(key, parsed, min, max)) out = static_cast<std::size_t>(parsed);
  }

  template <class Duration>
  void duration(std::string_view key, Duration& out, long long min, long long max) {
    long long parsed = 0;
    if (number(key, parsed, min, max)) out = Duration{parsed};
  }

  void boolean(std::string_view key, bool& out) {
    const Settings::Value* value = lookup(key);
    if (value == nullptr) return;
    const std::string lower = Poco::toLower(value->text);
    if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") {
      out = true;
    } else if (lower == "false" || lower == "no" || lower == "off" || lower == "0") {
      out = false;
    } else {
      fail(badValue(key, *value, "is not a boolean (true or false)"));
    }
  }

  const Settings::Value* lookup(std::string_view key) {
    if (error_) return nullptr;
    return settings_.find(key);
  }

  void fail(Error error) {
    if (!error_) error_ = std::move(error);
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  bool number(std::string_view key, long long& out, long long min, long long max) {
    const Settings::Value* value = lookup(key);
    if (value == nullptr) return false;
    const char* begin = value->text.data();
    const char* end = begin + value->text.size();
    long long parsed = 0;
    auto [stop, code] = std::from_chars(begin, end, parsed);
    if (code != std::errc() || stop != end || value->text.empty()) {
      fail(badValue(key, *value, "is not a whole number"));
      return false;
    }
    if (parsed < min || parsed > max) {
      fail(badValue(key, *value,
                    "is out of range " + std::to_string(min) + ".." + std::to_string(max)));
      return false;
    }
    out = parsed;
    return true;
  }

  const Settings& settings_;
  std::optional<Error> error_;
};

bool isLoopback(const std::string& host) {
  if (host == "localhost") return true;
  Poco::Net::IPAddress address;
  if (!Poco::Net::IPAddress::tryParse(host, address)) return false;
  return address.isLoopback();
}

void readListener(Reader& reader, std::string_view prefix, ListenerConfig& listener) {
  const std::string p(prefix);
  reader.text(p + ".host", listener.host);
  reader.integer(p + ".port", listener.port, 0, 65535);
  reader.integer(p + ".threads", listener.threads, 1, 4096);
  reader.integer(p + ".max_queued", listener.max_queued, 0, 65536);
  reader.duration(p + ".keep_alive_seconds", listener.keep_alive_timeout, 1, 3600);
  reader.integer(p + ".max_keep_alive_requests", listener.max_keep_alive_requests, 1, 1000000);
  reader.duration(p + ".receive_timeout_seconds", listener.receive_timeout, 1, 3600);
}

}  // namespace

const std::vector<ConfigKey>& configKeys() {
  static const std::vector<ConfigKey> keys = {
      {"api.host", "address of the mutual-TLS API listener (default 0.0.0.0)"},
      {"api.port", "its port (default 8443; 0 = ephemeral, see run.ports_file)"},
      {"api.threads", "connection threads = concurrent kiosk/partner connections (default 64)"},
      {"api.max_queued", "connections waiting for a thread before refusal (default 256)"},
      {"api.keep_alive_seconds", "idle keep-alive connections close after this (default 15)"},
      {"api.max_keep_alive_requests", "requests per connection (default 1000)"},
      {"api.receive_timeout_seconds", "TLS handshake and each read (default 15)"},
      {"api.callback_body_limit_bytes", "largest partner callback body, else 413 (default 262144)"},
      {"admin.host", "admin listener address; must be loopback (default 127.0.0.1)"},
      {"admin.port", "its port (default 9464; 0 = ephemeral)"},
      {"admin.threads", "its connection threads (default 4)"},
      {"admin.max_queued", "(default 16)"},
      {"admin.keep_alive_seconds", "(default 5)"},
      {"admin.max_keep_alive_requests", "(default 100)"},
      {"admin.receive_timeout_seconds", "(default 5)"},
      {"console.host", "console listener address (HTTPS, browsers; default 0.0.0.0)"},
      {"console.port", "its port (default 8444; 0 = ephemeral)"},
      {"console.threads", "its connection threads (default 16)"},
      {"console.max_queued", "(default 64)"},
      {"console.keep_alive_seconds", "(default 15)"},
      {"console.max_keep_alive_requests", "(default 1000)"},
      {"console.receive_timeout_seconds", "(default 15)"},
      {"console.web_dir", "console pages and assets (default <resources>/orchestrator/web)"},
      {"console.password_scrypt_n", "scrypt cost of new password hashes (default 32768)"},
      {"console.max_failures", "failed logins that lock an account (default 5)"},
      {"console.lockout_seconds", "how long it stays locked (default 900)"},
      {"console.session_idle_seconds", "a session ends unused for this long (default 1800)"},
      {"console.session_lifetime_seconds", "and this long after the login (default 43200)"},
      {"console.dashboard_days", "the dashboard's default window in days (default 30)"},
      {"console.dashboard_cache_seconds", "a computed dashboard is reused (default 5)"},
      {"tls.ca", "the only CA trusted for kiosks, partners and simulators (default <pki>/ca.crt)"},
      {"tls.server_certificate",
       "API listener certificate (default <pki>/orchestrator/server.crt)"},
      {"tls.server_key", "its key (default <pki>/orchestrator/server.key)"},
      {"tls.crl", "revocation list checked on the API listener (default <pki>/ca.crl; none = off)"},
      {"tls.crl_check_seconds",
       "reload tls.crl when the file changes, checked this often (default 10; 0 = only on "
       "SIGHUP)"},
      {"tls.client_certificate", "presented to partners (default <pki>/orchestrator/client.crt)"},
      {"tls.client_key", "its key (default <pki>/orchestrator/client.key)"},
      {"partners.<name>.host", "registry|seal|bank|tax|people|sms address (default 127.0.0.1)"},
      {"partners.<name>.port", "its port (defaults 9001..9006 in that order, as kaiban-sim)"},
      {"partners.connect_timeout_ms", "TCP connect + TLS handshake to a partner (default 2000)"},
      {"partners.read_timeout_ms", "each wait for a partner's answer (default 5000)"},
      {"partners.breaker_failures", "consecutive failures that open a circuit (default 5)"},
      {"partners.breaker_open_ms", "how long an open circuit fails fast (default 10000)"},
      {"store.path", "SQLite database (default <var>/orchestrator.db)"},
      {"store.busy_timeout_ms", "wait for a lock held elsewhere (default 5000)"},
      {"store", "sqlite (default) or postgres: several orchestrators share one PostgreSQL"},
      {"postgres.url", "store = postgres: postgresql://user@host:port/database (libpq form)"},
      {"postgres.max_connections", "connections this process opens (default 16)"},
      {"keys.file", "data keys for personal data (default <pki>/keys/orchestrator.key)"},
      {"resources.dir",
       "source tree holding data/, orchestrator/flows, adapters/schemas "
       "(default: the tree this binary was built from)"},
      {"calendar.dir", "working-day calendar files (default <resources>/data/calendar)"},
      {"flows.dir", "flow definitions (default <resources>/orchestrator/flows)"},
      {"flows.schema", "their XSD (default <flows.dir>/flow.xsd)"},
      {"flows.poll_after_max_seconds",
       "cap on each step's wait for a late callback before polling (default 0 = the flow's)"},
      {"schemas.dir", "partner XSDs (default <resources>/adapters/schemas)"},
      {"dispatcher.owner",
       "lease owner name: stable across restarts, unique per instance "
       "(default orchestrator@<host name>)"},
      {"dispatcher.threads", "outbox workers (default 4)"},
      {"dispatcher.batch", "rows a worker claims at a time (default 16)"},
      {"dispatcher.lease_seconds",
       "a claimed row's reservation; after a crash it is resent once this passes (default 120)"},
      {"dispatcher.idle_wait_ms", "an idle worker looks again after this (default 500)"},
      {"timers.interval_ms", "how often deadline timers are checked (default 1000)"},
      {"timers.lease_seconds", "a claimed timer's reservation (default 60)"},
      {"engine.notifications", "milestone SMS to applicants (default true)"},
      {"log.level", "error|warning|notice|information|debug|trace (default information)"},
      {"log.file", "JSON-lines log file (default: standard output)"},
      {"run.ports_file",
       "actual listener ports as JSON (default <var>/run/orchestrator.ports.json)"},
  };
  return keys;
}

Result<OrchestratorConfig> loadConfig(const ConfigSources& sources) {
  Settings settings;
  OrchestratorConfig config;
  config.var_dir = sources.var_dir;
  config.pki_dir = sources.pki_dir.value_or(sources.var_dir / "pki");

  std::optional<std::filesystem::path> file = sources.config_file;
  if (!file) {
    std::filesystem::path fallback = sources.var_dir / "orchestrator.properties";
    std::error_code ignored;
    if (std::filesystem::exists(fallback, ignored)) file = fallback;
  } else if (std::error_code ignored; !std::filesystem::exists(*file, ignored)) {
    return Error::invalidInput("the configuration file " + file->string() + " does not exist",
                               "--config");
  }
  if (file) {
    if (Result<void> read = settings.readFile(*file); !read) return read.error();
    config.config_file = file;
  }
  for (const std::string& assignment : sources.overrides) {
    if (Result<void> applied = settings.applyOverride(assignment); !applied) {
      return applied.error();
    }
  }
  if (Result<void> known = settings.checkKeys(); !known) return known.error();

  Reader reader(settings);
  readListener(reader, "api", config.api);
  reader.size("api.callback_body_limit_bytes", config.callback_body_limit, 1024, 64 << 20);
  readListener(reader, "admin", config.admin);
  if (!reader.error() && !isLoopback(config.admin.host)) {
    reader.fail(Error::invalidInput(
        "admin.host '" + config.admin.host +
            "' is not a loopback address: the admin listener is plain HTTP and must stay on "
            "127.0.0.1 or ::1",
        "admin.host"));
  }

  readListener(reader, "console", config.console);
  ConsoleSettings& console = config.console_settings;
  std::size_t scrypt_n = console.password_scrypt_n;
  reader.size("console.password_scrypt_n", scrypt_n, 2, 1LL << 20);
  console.password_scrypt_n = scrypt_n;
  if (!reader.error() && (console.password_scrypt_n & (console.password_scrypt_n - 1)) != 0) {
    reader.fail(Error::invalidInput("console.password_scrypt_n must be a power of two",
                                    "console.password_scrypt_n"));
  }
  reader.integer("console.max_failures", console.max_failures, 1, 1000);
  reader.duration("console.lockout_seconds", console.lockout, 1, 86400 * 7);
  reader.duration("console.session_idle_seconds", console.session_idle, 1, 86400);
  reader.duration("console.session_lifetime_seconds", console.session_lifetime, 1, 86400 * 7);
  reader.integer("console.dashboard_days", console.dashboard_days, 1, 366);
  reader.duration("console.dashboard_cache_seconds", console.dashboard_cache, 0, 3600);

  const std::filesystem::path& pki = config.pki_dir;
  config.tls_ca = pki / "ca.crt";
  config.tls_server_certificate = pki / "orchestrator" / "server.crt";
  config.tls_server_key = pki / "orchestrator" / "server.key";
  config.tls_crl = pki / "ca.crl";
  config.tls_client_certificate = pki / "orchestrator" / "client.crt";
  config.tls_client_key = pki / "orchestrator" / "client.key";
  reader.path("tls.ca", config.tls_ca);
  reader.path("tls.server_certificate", config.tls_server_certificate);
  reader.path("tls.server_key", config.tls_server_key);
  if (const Settings::Value* crl = reader.lookup("tls.crl")) {
    if (crl->text == "none") {
      config.tls_crl.reset();
    } else {
      reader.path("tls.crl", *config.tls_crl);
    }
  }
  reader.duration("tls.crl_check_seconds", config.crl_check_interval, 0, 86400);
  reader.path("tls.client_certificate", config.tls_client_certificate);
  reader.path("tls.client_key", config.tls_client_key);

  for (std::size_t i = 0; i < std::size(kPartnerNames); ++i) {
    const std::string name(kPartnerNames[i]);
    PartnerEndpoint endpoint{"127.0.0.1", kDefaultPartnerPorts[i]};
    reader.text("partners." + name + ".host", endpoint.host);
    reader.integer("partners." + name + ".port", endpoint.port, 1, 65535);
    config.partners.emplace(name, endpoint);
  }
  reader.duration("partners.connect_timeout_ms", config.partner_connect_timeout, 10, 600000);
  reader.duration("partners.read_timeout_ms", config.partner_read_timeout, 10, 600000);
  reader.integer("partners.breaker_failures", config.breaker_failures, 1, 1000);
  reader.duration("partners.breaker_open_ms", config.breaker_open, 10, 3600000);

  config.database = config.var_dir / "orchestrator.db";
  reader.path("store.path", config.database);
  reader.duration("store.busy_timeout_ms", config.busy_timeout, 0, 600000);
  if (const Settings::Value* backend = reader.lookup("store")) {
    if (backend->text == "sqlite") {
      config.store_backend = StoreBackend::kSqlite;
    } else if (backend->text == "postgres") {
      config.store_backend = StoreBackend::kPostgres;
    } else {
      reader.fail(badValue("store", *backend, "is not a store (sqlite or postgres)"));
    }
  }
  reader.text("postgres.url", config.postgres_url);
  reader.integer("postgres.max_connections", config.postgres_max_connections, 1, 1000);
  if (!reader.error() && config.store_backend == StoreBackend::kPostgres &&
      config.postgres_url.empty()) {
    reader.fail(Error::invalidInput(
        "store = postgres needs postgres.url (postgresql://user@host:port/database)",
        "postgres.url"));
  }
  config.key_file = pki / "keys" / "orchestrator.key";
  reader.path("keys.file", config.key_file);

  config.resource_dir = sources.resource_dir;
  reader.path("resources.dir", config.resource_dir);
  config.calendar_dir = config.resource_dir / "data" / "calendar";
  config.flows_dir = config.resource_dir / "orchestrator" / "flows";
  config.schema_dir = config.resource_dir / "adapters" / "schemas";
  reader.path("calendar.dir", config.calendar_dir);
  reader.path("flows.dir", config.flows_dir);
  config.flow_schema = config.flows_dir / "flow.xsd";
  reader.path("flows.schema", config.flow_schema);
  reader.duration("flows.poll_after_max_seconds", config.poll_after_cap, 0, 86400);
  reader.path("schemas.dir", config.schema_dir);
  config.console_settings.web_dir = config.resource_dir / "orchestrator" / "web";
  reader.path("console.web_dir", config.console_settings.web_dir);

  config.dispatcher_owner = "orchestrator@" + Poco::Environment::nodeName();
  reader.text("dispatcher.owner", config.dispatcher_owner);
  if (!reader.error() && (config.dispatcher_owner.find('#') != std::string::npos ||
                          config.dispatcher_owner.find('/') != std::string::npos)) {
    reader.fail(Error::invalidInput("dispatcher.owner '" + config.dispatcher_owner +
                                        "' may not contain '#' or '/' (worker and timer names "
                                        "are derived from it)",
                                    "dispatcher.owner"));
  }
  reader.integer("dispatcher.threads", config.dispatcher_threads, 1, 256);
  reader.integer("dispatcher.batch", config.dispatcher_batch, 1, 1000);
  reader.duration("dispatcher.lease_seconds", config.dispatcher_lease, 1, 86400);
  reader.duration("dispatcher.idle_wait_ms", config.dispatcher_idle_wait, 1, 60000);
  reader.duration("timers.interval_ms", config.timer_interval, 10, 3600000);
  reader.duration("timers.lease_seconds", config.timer_lease, 1, 86400);
  reader.boolean("engine.notifications", config.notifications);

  reader.text("log.level", config.log_level);
  if (const Settings::Value* level = reader.lookup("log.level")) {
    try {
      Poco::Logger::parseLevel(level->text);
    } catch (const Poco::Exception&) {
      reader.fail(badValue("log.level", *level,
                           "is not a level (none, fatal, critical, error, warning, notice, "
                           "information, debug, trace)"));
    }
  }
  std::string log_file;
  reader.text("log.file", log_file, /*allow_empty=*/true);
  if (!log_file.empty()) config.log_file = log_file;
  config.ports_file = config.var_dir / "run" / "orchestrator.ports.json";
  reader.path("run.ports_file", config.ports_file);

  if (reader.error()) return *reader.error();
  return config;
}

}  // namespace kaiban::orchestrator::app
