#include "terminal-agent/app/agent_config.h"

#include <charconv>
#include <map>
#include <set>
#include <vector>

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/URI.h"
#include "Poco/Util/PropertyFileConfiguration.h"

namespace kaiban::agent {

namespace {

using Settings = std::map<std::string, std::string, std::less<>>;

const std::set<std::string, std::less<>> kKeys = {"agent.kiosk_id",
                                                  "agent.bank_code",
                                                  "agent.orchestrator",
                                                  "agent.var_dir",
                                                  "pki.dir",
                                                  "pki.ca",
                                                  "pki.certificate",
                                                  "pki.private_key",
                                                  "pki.data_key",
                                                  "ui.port",
                                                  "ui.assets",
                                                  "ui.qr_library",
                                                  "ui.choices",
                                                  "session.idle_timeout",
                                                  "session.idle_warning",
                                                  "devices.kind",
                                                  "devices.sim_cards",
                                                  "devices.sim_auto_insert",
                                                  "devices.face_threshold",
                                                  "heartbeat.interval",
                                                  "forwarder.poll",
                                                  "forwarder.backoff_initial",
                                                  "forwarder.backoff_max",
                                                  "link.connect_timeout",
                                                  "link.read_timeout",
                                                  "receipt.status_url",
                                                  "staff.code",
                                                  "log.level",
                                                  "log.file"};

// Command-line shorthands and the key each sets.
const std::map<std::string, std::string, std::less<>> kShorthands = {
    {"--pki", "pki.dir"},
    {"--kiosk-id", "agent.kiosk_id"},
    {"--orchestrator", "agent.orchestrator"},
    {"--ui-port", "ui.port"},
    {"--var", "agent.var_dir"},
    {"--sim-cards", "devices.sim_cards"},
    {"--idle-timeout", "session.idle_timeout"},
    {"--heartbeat", "heartbeat.interval"},
    {"--staff-code", "staff.code"},
    {"--log-level", "log.level"},
    {"--log-file", "log.file"}};

Error bad(const std::string& key, const std::string& message) {
  return Error::invalidInput(key + ": " + message, key);
}

void collectKeys(const Poco::Util::AbstractConfiguration& config, const std::string& prefix,
                 Settings& settings) {
  Poco::Util::AbstractConfiguration::Keys keys;
  config.keys(prefix, keys);
  if (keys.empty() && !prefix.empty()) {
    settings[prefix] = config.getRawString(prefix);
    return;
  }
  for (const std::string& key : keys) {
    collectKeys(config, prefix.empty() ? key : prefix + "." + key, settings);
  }
}

Result<void> readFile(const std::string& file, Settings& settings) {
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> config(
        new Poco::Util::PropertyFileConfiguration(file));
    collectKeys(*config, "", settings);
    return ok();
  } catch (const Poco::Exception& error) {
    return Error::invalidInput("--config " + file + ": cannot read: " + error.displayText(),
                               "--config");
  }
}

Result<int> parseInt(const std::string& key, const std::string& text, int low, int high) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return bad(key, "expected a whole number from " + std::to_string(low) + " to " +
                        std::to_string(high) + ", got \"" + text + "\"");
  }
  return value;
}

Result<bool> parseBool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "yes" || text == "1") return true;
  if (text == "false" || text == "no" || text == "0") return false;
  return bad(key, "expected true or false, got \"" + text + "\"");
}

Result<std::chrono::milliseconds> durationSetting(const std::string& key, const std::string& text,
                                                  std::chrono::milliseconds low,
                                                  std::chrono::milliseconds high) {
  Result<std::chrono::milliseconds> value = parseDuration(text);
  if (!value.ok()) return bad(key, value.error().message);
  if (*value < low || *value > high) {
    return bad(key, "must be between " + std::to_string(low.count()) + " ms and " +
                        std::to_string(high.count()) + " ms");
  }
  return *value;
}

bool isKioskId(const std::string& id) {
  if (id.size() < 3 || id.size() > 32) return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool isBankCode(const std::string& code) {
  if (code.size() < 2 || code.size() > 16) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool isPrintableAscii(const std::string& text) {
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// Applies `settings` over the defaults.
Result<AgentConfig> build(const Settings& settings, const std::filesystem::path& source_dir) {
  AgentConfig config;
  auto get = [&](const std::string& key) -> const std::string* {
    auto found = settings.find(key);
    return found == settings.end() ? nullptr : &found->second;
  };
  using std::chrono::milliseconds;
  using std::chrono::seconds;

  if (const std::string* v = get("agent.kiosk_id")) config.kiosk_id = *v;
  if (!isKioskId(config.kiosk_id)) {
    return bad("agent.kiosk_id", "3-32 of A-Z 0-9 '-', got \"" + config.kiosk_id + "\"");
  }
  if (const std::string* v = get("agent.bank_code")) config.bank_code = *v;
  if (!config.bank_code.empty() && !isBankCode(config.bank_code)) {
    return bad("agent.bank_code", "2-16 of A-Z 0-9, got \"" + config.bank_code + "\"");
  }
  if (const std::string* v = get("agent.orchestrator")) {
    try {
      Poco::URI uri(*v);
      if (uri.getScheme() != "https" || uri.getHost().empty() ||
          (!uri.getPath().empty() && uri.getPath() != "/")) {
        return bad("agent.orchestrator", "expected https://HOST:PORT, got \"" + *v + "\"");
      }
      config.orchestrator_host = uri.getHost();
      config.orchestrator_port = uri.getPort();
    } catch (const Poco::Exception& error) {
      return bad("agent.orchestrator", "not a URL: " + error.displayText());
    }
  }
  if (const std::string* v = get("agent.var_dir")) config.var_dir = *v;

  config.pki_dir = config.var_dir / "pki";
  if (const std::string* v = get("pki.dir")) config.pki_dir = *v;
  const std::filesystem::path kiosk_dir = config.pki_dir / "kiosks" / config.kiosk_id;
  config.ca_file = config.pki_dir / "ca.crt";
  config.certificate_file = kiosk_dir / "client.crt";
  config.private_key_file = kiosk_dir / "client.key";
  config.data_key_file = config.pki_dir / "keys" / "agent.key";
  if (const std::string* v = get("pki.ca")) config.ca_file = *v;
  if (const std::string* v = get("pki.certificate")) config.certificate_file = *v;
  if (const std::string* v = get("pki.private_key")) config.private_key_file = *v;
  if (const std::string* v = get("pki.data_key")) config.data_key_file = *v;

  if (const std::string* v = get("ui.port")) {
    Result<int> port = parseInt("ui.port", *v, 0, 65535);
    if (!port.ok()) return port.error();
    config.ui_port = *port;
  }
  config.assets_dir = source_dir / "terminal-agent" / "ui" / "assets";
  config.qr_library =
      source_dir / "terminal-agent" / "ui" / "vendor" / "qrcode-generator" / "qrcode.js";
  config.choices_file = source_dir / "terminal-agent" / "ui" / "kiosk_choices.json";
  if (const std::string* v = get("ui.assets")) config.assets_dir = *v;
  if (const std::string* v = get("ui.qr_library")) config.qr_library = *v;
  if (const std::string* v = get("ui.choices")) config.choices_file = *v;

  if (const std::string* v = get("session.idle_timeout")) {
    Result<milliseconds> value =
        durationSetting("session.idle_timeout", *v, seconds(15), std::chrono::hours(1));
    if (!value.ok()) return value.error();
    config.idle_timeout = std::chrono::duration_cast<seconds>(*value);
  }
  if (const std::string* v = get("session.idle_warning")) {
    Result<milliseconds> value =
        durationSetting("session.idle_warning", *v, seconds(5), std::chrono::minutes(5));
    if (!value.ok()) return value.error();
    config.idle_warning = std::chrono::duration_cast<seconds>(*value);
  }
  if (config.idle_warning >= config.idle_timeout) {
    return bad("session.idle_warning", "must be shorter than session.idle_timeout");
  }

  if (const std::string* v = get("devices.kind"); v && *v != "simulated") {
    return bad("devices.kind",
               "only \"simulated\" devices are built into this agent; a real "
               "driver is wired in terminal-agent/app/");
  }
  config.sim_cards = source_dir / "terminal-agent" / "devices" / "sim_cards.json";
  if (const std::string* v = get("devices.sim_cards")) config.sim_cards = *v;
  if (const std::string* v = get("devices.sim_auto_insert")) {
    Result<bool> value = parseBool("devices.sim_auto_insert", *v);
    if (!value.ok()) return value.error();
    config.sim_auto_insert = *value;
  }
  if (const std::string* v = get("devices.face_threshold")) {
    double value = -1;
    auto [end, error] = std::from_chars(v->data(), v->data() + v->size(), value);
    if (error != std::errc() || end != v->data() + v->size() || value < 0 || value > 1) {
      return bad("devices.face_threshold", "expected a number in [0, 1], got \"" + *v + "\"");
    }
    config.face_threshold = value;
  }

  struct DurationKey {
    const char* key;
    milliseconds* target;
    milliseconds low;
    milliseconds high;
  };
  const DurationKey durations[] = {
      {"heartbeat.interval", &config.heartbeat_interval, milliseconds(200), std::chrono::hours(1)},
      {"forwarder.poll", &config.forwarder_poll, milliseconds(100), std::chrono::hours(1)},
      {"forwarder.backoff_initial", &config.backoff_initial, milliseconds(10),
       std::chrono::minutes(10)},
      {"forwarder.backoff_max", &config.backoff_max, milliseconds(10), std::chrono::hours(6)},
      {"link.connect_timeout", &config.connect_timeout, milliseconds(100), std::chrono::minutes(2)},
      {"link.read_timeout", &config.read_timeout, milliseconds(100), std::chrono::minutes(5)},
  };
  for (const DurationKey& entry : durations) {
    if (const std::string* v = get(entry.key)) {
      Result<milliseconds> value = durationSetting(entry.key, *v, entry.low, entry.high);
      if (!value.ok()) return value.error();
      *entry.target = *value;
    }
  }
  if (config.backoff_max < config.backoff_initial) {
    return bad("forwarder.backoff_max", "must not be shorter than forwarder.backoff_initial");
  }

  if (const std::string* v = get("receipt.status_url")) config.status_url = *v;
  if (config.status_url.find("{id}") == std::string::npos || config.status_url.size() > 400 ||
      !isPrintableAscii(config.status_url)) {
    return bad("receipt.status_url",
               "must be a URL of printable ASCII (at most 400) containing {id}");
  }
  if (const std::string* v = get("staff.code")) config.staff_code = *v;
  if (!config.staff_code.empty()) {
    bool digits = config.staff_code.size() >= 4 && config.staff_code.size() <= 12;
    for (char c : config.staff_code) digits = digits && c >= '0' && c <= '9';
    if (!digits) return bad("staff.code", "4-12 digits, or empty to disable");
  }

  if (const std::string* v = get("log.level")) config.log_level = *v;
  static const std::set<std::string, std::less<>> kLevels = {
      "none", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};
  if (!kLevels.contains(config.log_level)) {
    return bad("log.level",
               "one of fatal, critical, error, warning, notice, information, "
               "debug, trace, none");
  }
  if (const std::string* v = get("log.file"); v && !v->empty()) config.log_file = *v;
  return config;
}

}  // namespace

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) {
    return Error::invalidInput("expected a duration like 500ms, 30s, 2m or 1h, got " + quoted);
  }
  const long long number = std::stoll(std::string(text.substr(0, digits)));
  const std::string_view unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit.empty() || unit == "s") return std::chrono::milliseconds(number * 1000);
  if (unit == "m") return std::chrono::milliseconds(number * 60 * 1000);
  if (unit == "h") return std::chrono::milliseconds(number * 3600 * 1000);
  return Error::invalidInput("expected a duration like 500ms, 30s, 2m or 1h, got " + quoted);
}

Result<AgentConfig> parseAgentConfig(std::span<const std::string> arguments,
                                     const std::filesystem::path& source_dir) {
  // First pass: the file, wherever --config appears, so options override it in any order.
  Settings settings;
  std::vector<std::pair<std::string, std::string>> overrides;
  bool help = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& option = arguments[i];
    if (option == "--help" || option == "-h") {
      help = true;
      continue;
    }
    if (i + 1 >= arguments.size()) {
      return Error::invalidInput(option + ": unknown option or missing value (see --help)", option);
    }
    const std::string& value = arguments[++i];
    if (option == "--config") {
      Result<void> read = readFile(value, settings);
      if (!read.ok()) return read.error();
    } else if (option == "--set") {
      const size_t equals = value.find('=');
      if (equals == std::string::npos || equals == 0) {
        return Error::invalidInput("--set expects KEY=VALUE, got \"" + value + "\"", "--set");
      }
      overrides.emplace_back(value.substr(0, equals), value.substr(equals + 1));
    } else if (auto shorthand = kShorthands.find(option); shorthand != kShorthands.end()) {
      overrides.emplace_back(shorthand->second, value);
    } else {
      return Error::invalidInput(option + ": unknown option (see --help)", option);
    }
  }
  for (auto& [key, value] : overrides) settings[key] = value;
  for (const auto& [key, value] : settings) {
    if (!kKeys.contains(key)) return Error::invalidInput(key + ": unknown setting", key);
  }
  Result<AgentConfig> config = build(settings, source_dir);
  if (config.ok()) config->help = help;
  return config;
}

std::string agentUsage() {
  return R"(kaiban-agent — the terminal agent of a Kaiban kiosk.

Serves the kiosk screen on http://127.0.0.1:<ui-port>/, keeps every submission in an
encrypted local queue and forwards it to the orchestrator over mutual TLS, exactly once,
and sends heartbeats with device health and queue depth. Stops cleanly on SIGINT/SIGTERM.

Usage: kaiban-agent [--config FILE] [--set KEY=VALUE ...] [options]

Options (each sets the key in brackets):
  --config FILE            properties file (key = value, '#' comments)
  --set KEY=VALUE          override any key below; repeatable, later wins
  --kiosk-id ID            [agent.kiosk_id]       QD-SN-0001; must equal the certificate CN
  --orchestrator URL       [agent.orchestrator]   https://127.0.0.1:8443
  --var DIR                [agent.var_dir]        var   (queue: DIR/agent/queue.db,
                                                  ports: DIR/run/agent.ports.json)
  --pki DIR                [pki.dir]              <var>/pki (certs/README.md layout)
  --ui-port N              [ui.port]              8080; 0 = ephemeral, see the ports file
  --sim-cards FILE         [devices.sim_cards]    terminal-agent/devices/sim_cards.json
  --idle-timeout DURATION  [session.idle_timeout] 120s
  --heartbeat DURATION     [heartbeat.interval]   30s
  --staff-code CODE        [staff.code]           none (staff verification off)
  --log-level LEVEL        [log.level]            information
  --log-file FILE          [log.file]             standard output
  --help                   this text

Other keys:
  agent.bank_code          the O of the kiosk certificate
  pki.ca, pki.certificate, pki.private_key, pki.data_key
                           <pki>/ca.crt, <pki>/kiosks/<id>/client.{crt,key}, <pki>/keys/agent.key
  ui.assets, ui.qr_library, ui.choices
                           the screen's files (terminal-agent/ui/...)
  session.idle_warning     20s   countdown shown before the session ends
  devices.kind             simulated (the only kind built in)
  devices.sim_auto_insert  false  present the next deck card when the slot is empty
  devices.face_threshold   0.80
  forwarder.poll 30s, forwarder.backoff_initial 1s, forwarder.backoff_max 5m
  link.connect_timeout 3s, link.read_timeout 10s
  receipt.status_url       https://localhost:8444/status/{id}   (the QR code's link)

Durations: 500ms, 30s, 2m, 1h, or plain seconds.
Exit status: 0 after a clean stop, 2 for a bad option, 1 when it cannot start.
)";
}

}  // namespace kaiban::agent
