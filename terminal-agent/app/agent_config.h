#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"

// kaiban-agent's configuration: one POCO properties file plus command-line overrides, parsed
// once into this typed struct. Nothing below app/ reads configuration.
namespace kaiban::agent {

struct AgentConfig {
  // agent.*
  std::string kiosk_id = "QD-SN-0001";  // must equal the CN of the kiosk certificate
  std::string bank_code;                // "" = the O of the kiosk certificate
  std::string orchestrator_host = "127.0.0.1";
  int orchestrator_port = 8443;
  std::filesystem::path var_dir = "var";

  // pki.* (defaults below pki.dir = <var>/pki, the layout of certs/README.md)
  std::filesystem::path pki_dir;
  std::filesystem::path ca_file;           // pki.ca: <pki>/ca.crt
  std::filesystem::path certificate_file;  // pki.certificate: <pki>/kiosks/<id>/client.crt
  std::filesystem::path private_key_file;  // pki.private_key: <pki>/kiosks/<id>/client.key
  std::filesystem::path data_key_file;     // pki.data_key: <pki>/keys/agent.key

  // ui.*
  int ui_port = 8080;                  // 0 = ephemeral (read it from the ports file)
  std::filesystem::path assets_dir;    // ui.assets: the screen's files
  std::filesystem::path qr_library;    // ui.qr_library: the vendored QR code script
  std::filesystem::path choices_file;  // ui.choices: divisions and seal shops on screen

  // session.*
  std::chrono::seconds idle_timeout{120};
  std::chrono::seconds idle_warning{20};

  // devices.*
  std::optional<std::filesystem::path> sim_cards;  // the simulated card deck
  bool sim_auto_insert = false;
  double face_threshold = 0.80;

  // heartbeat.*, forwarder.*, link.*
  std::chrono::milliseconds heartbeat_interval{30000};
  std::chrono::milliseconds forwarder_poll{30000};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{300000};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds read_timeout{10000};

  // receipt.*, staff.*
  std::string status_url = "https://localhost:8444/status/{id}";
  std::string staff_code;

  // log.*
  std::string log_level = "information";
  std::optional<std::filesystem::path> log_file;

  bool help = false;

  // Derived paths.
  std::filesystem::path queueFile() const { return var_dir / "agent" / "queue.db"; }
  std::filesystem::path portsFile() const { return var_dir / "run" / "agent.ports.json"; }
  std::filesystem::path receiptsDir() const { return var_dir / "agent" / "receipts"; }
};

// Parses the command line (without argv[0]). `source_dir` is where the agent's own files sit
// (terminal-agent/ui/ and the sample card deck) when no path is configured.
//
//   --config FILE       a properties file (key = value, '#' comments)
//   --set KEY=VALUE     overrides one key (repeatable); later wins
//   --pki DIR, --kiosk-id ID, --orchestrator URL, --ui-port N, --var DIR, --sim-cards FILE,
//   --idle-timeout DURATION, --heartbeat DURATION, --staff-code CODE, --log-level LEVEL,
//   --log-file FILE     shorthands for the keys of the same meaning
//   --help
//
// Precedence: defaults < file < options in command-line order. Durations are "500ms", "30s",
// "2m", "1h" or plain seconds. kInvalidInput naming the option or key for an unknown option or
// key (a typo must not pass silently), a missing file, or a value out of range.
Result<AgentConfig> parseAgentConfig(std::span<const std::string> arguments,
                                     const std::filesystem::path& source_dir);

// The --help text: every option and key with its default.
std::string agentUsage();

// "120s" -> 120 s; kInvalidInput for anything else than the forms above.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace kaiban::agent
