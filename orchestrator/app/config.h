#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// kaiban-orchestrator's configuration: one POCO configuration file (orchestrator.properties
// or .ini) plus command-line overrides, parsed ONCE here into a typed struct. Nothing below
// app/ reads configuration. docs/operations.md lists every key; configKeys() is the same list
// for --help.
namespace kaiban::orchestrator::app {

// One HTTP listener.
struct ListenerConfig {
  std::string host;
  int port = 0;  // 0: an ephemeral port (the actual one goes to the ports file)
  // POCO holds one thread per connection for its keep-alive life: this bounds concurrent
  // connections (kiosks and partners). Beyond it connections queue, up to max_queued.
  int threads = 64;
  int max_queued = 256;
  std::chrono::seconds keep_alive_timeout{15};
  int max_keep_alive_requests = 1000;
  std::chrono::seconds receive_timeout{15};
};

// Where one partner system (or its simulator) listens.
struct PartnerEndpoint {
  std::string host = "127.0.0.1";
  int port = 0;
};

// The consoles' settings beyond their listener (docs/api/console-api.md, "Configuration").
struct ConsoleSettings {
  std::filesystem::path web_dir;                 // pages and assets (<resources>/orchestrator/web)
  uint64_t password_scrypt_n = 1ULL << 15;       // scrypt cost of new password hashes
  int max_failures = 5;                          // failed logins that lock an account...
  std::chrono::seconds lockout{900};             // ...for this long
  std::chrono::seconds session_idle{1800};       // a session ends unused for this long
  std::chrono::seconds session_lifetime{43200};  // and this long after the login
  int dashboard_days = 30;                       // the dashboard's default window
  std::chrono::seconds dashboard_cache{5};       // a computed dashboard is reused this long
};

// Where the orchestrator's state lives: one SQLite file (the default, one orchestrator) or a
// PostgreSQL database that several orchestrators share (docs/operations-scale-out.md).
enum class StoreBackend { kSqlite, kPostgres };

// Every setting, with its default. Paths are as given (relative ones are relative to the
// working directory); the defaults derive from --var, --pki and the resource directory.
struct OrchestratorConfig {
  std::filesystem::path var_dir = "var";             // --var: runtime files
  std::filesystem::path pki_dir = "var/pki";         // --pki: certs/make-dev-pki.sh layout
  std::optional<std::filesystem::path> config_file;  // the file that was read, if any
  // The source tree's data: data/calendar, orchestrator/flows, adapters/schemas.
  std::filesystem::path resource_dir;

  // The mutual-TLS listener: partner callbacks (and the kiosk API, later).
  ListenerConfig api{
      "0.0.0.0", 8443, 64, 256, std::chrono::seconds{15}, 1000, std::chrono::seconds{15}};
  std::size_t callback_body_limit = 256 * 1024;
  // The admin listener (plain HTTP, loopback only): /healthz, /readyz.
  ListenerConfig admin{
      "127.0.0.1", 9464, 4, 16, std::chrono::seconds{5}, 100, std::chrono::seconds{5}};

  // The console listener (HTTPS, server certificate only): bank staff and operators'
  // browsers (docs/api/console-api.md).
  ListenerConfig console{
      "0.0.0.0", 8444, 16, 64, std::chrono::seconds{15}, 1000, std::chrono::seconds{15}};
  ConsoleSettings console_settings;

  // TLS (PEM). The server certificate serves the API listener; the client certificate is
  // what the orchestrator presents to partners. Only `tls_ca` is trusted for peers.
  std::filesystem::path tls_ca;
  std::filesystem::path tls_server_certificate;
  std::filesystem::path tls_server_key;
  std::optional<std::filesystem::path> tls_crl;  // unset: no revocation check (tls.crl=none)
  // How often the CRL file is checked for a new version, reloaded without a restart (also on
  // SIGHUP); 0: only on SIGHUP.
  std::chrono::seconds crl_check_interval{10};
  std::filesystem::path tls_client_certificate;
  std::filesystem::path tls_client_key;

  // Partner systems by name: registry, seal, bank, tax, people, sms.
  std::map<std::string, PartnerEndpoint, std::less<>> partners;
  std::chrono::milliseconds partner_connect_timeout{2000};
  std::chrono::milliseconds partner_read_timeout{5000};
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_open{10000};

  StoreBackend store_backend = StoreBackend::kSqlite;  // store = sqlite | postgres
  std::filesystem::path database;                      // SQLite file
  // Waiting for a lock another writer holds (SQLite's busy timeout, PostgreSQL's lock_timeout).
  std::chrono::milliseconds busy_timeout{5000};
  // store = postgres: the database (postgresql://user@host:port/dbname, libpq's form) and the
  // connections this process opens to it.
  std::string postgres_url;
  int postgres_max_connections = 16;
  std::filesystem::path key_file;  // data keys (core/crypto/key_ring.h format)

  std::filesystem::path calendar_dir;  // cn-<year>.txt files
  std::filesystem::path flows_dir;     // flow definitions, *.xml
  std::filesystem::path flow_schema;   // flow.xsd
  std::filesystem::path schema_dir;    // partner XSDs (adapters/schemas)
  // When > 0, no step waits longer than this for a late callback before its first poll
  // (caps each flow step's <poll after-seconds>); 0 keeps the flow's values.
  std::chrono::seconds poll_after_cap{0};

  // The lease owner name of this orchestrator's dispatcher and timer loop: stable across
  // restarts of one instance (a restarted instance frees what its predecessor had claimed),
  // different for every instance that shares a database.
  std::string dispatcher_owner;  // default "orchestrator@<host name>"
  int dispatcher_threads = 4;
  int dispatcher_batch = 16;
  // How long a claimed outbox row stays reserved; after a crash, rows the dead process held
  // wait this long before they are sent again. Longer than the slowest partner call.
  std::chrono::seconds dispatcher_lease{120};
  std::chrono::milliseconds dispatcher_idle_wait{500};
  std::chrono::milliseconds timer_interval{1000};
  std::chrono::seconds timer_lease{60};
  bool notifications = true;  // milestone SMS to applicants

  std::string log_level = "information";  // POCO level names: error, warning, information, ...
  std::optional<std::filesystem::path> log_file;  // unset: standard output
  std::filesystem::path ports_file;  // {"api": .., "admin": .., "console": .., "pid": ..}
};

// The partners the orchestrator talks to, with their kaiban-sim default ports.
inline constexpr std::string_view kPartnerNames[] = {"registry", "seal",   "bank",
                                                     "tax",      "people", "sms"};

// What the command line says about where the configuration comes from.
struct ConfigSources {
  std::filesystem::path var_dir = "var";
  std::optional<std::filesystem::path> pki_dir;      // default <var>/pki
  std::optional<std::filesystem::path> config_file;  // default <var>/orchestrator.properties,
                                                     // read only if it exists
  std::vector<std::string> overrides;                // "key=value", from --set; win over the file
  std::filesystem::path resource_dir;                // default for resources.dir
};

// Reads the file (.properties, or .ini by extension), applies the overrides and builds the
// config. kInvalidInput, naming the key and where it came from, for: a file that cannot be
// read or parsed, an override without '=', an unknown key, a value of the wrong type or out of
// range, an admin host that is not a loopback address, a log level POCO does not know.
// Files named by the config are not opened here; the wiring opens them and says which key
// named a file that is missing or bad.
Result<OrchestratorConfig> loadConfig(const ConfigSources& sources);

// Every key with a line of help (its default and meaning), in the order of docs/operations.md.
struct ConfigKey {
  std::string_view name;
  std::string_view help;
};
const std::vector<ConfigKey>& configKeys();

}  // namespace kaiban::orchestrator::app
