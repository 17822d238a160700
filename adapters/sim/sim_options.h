#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sim/faults.h"
#include "core/result.h"

// kaiban-sim's command line, parsed once into a typed struct (see usage() for every option).
namespace kaiban::sim {

struct SimOptions {
  std::filesystem::path pki_dir = "var/pki";
  std::filesystem::path data_dir = "var/sim";
  std::filesystem::path schema_dir;   // default: <source tree>/adapters/schemas
  std::filesystem::path people_file;  // default: <source tree>/adapters/sim/data/people.csv
  std::string bind_host = "127.0.0.1";
  std::map<std::string, int, std::less<>> ports;  // every partner; 0 = ephemeral
  int control_port = 9010;                        // 0 = ephemeral
  std::optional<std::filesystem::path> ports_file;
  std::string callback_host = "127.0.0.1";
  int callback_port = 8443;
  std::map<std::string, std::chrono::milliseconds, std::less<>> delays;  // every partner
  FaultTable faults;
  std::uint64_t seed = 1;
  std::chrono::milliseconds timeout_hold{15000};
  std::chrono::milliseconds callback_retry_initial{500};
  std::chrono::milliseconds callback_retry_max{30000};
  std::chrono::milliseconds callback_timeout{5000};
  int callback_threads = 2;
  std::string client_cn = "kaiban-orchestrator";  // the only client the partners serve
  bool help = false;
  std::optional<int> generate_people;  // print this many people as CSV and exit
};

inline constexpr std::chrono::milliseconds kDefaultDelay{2000};

// Parses argv[1..]. Both "--name value" and "--name=value" work. `default_source_dir` is the
// source tree the build came from, for the default schema and people files.
// kInvalidInput with a message naming the option otherwise.
Result<SimOptions> parseSimOptions(const std::vector<std::string>& arguments,
                                   const std::filesystem::path& default_source_dir);

// The --help text.
std::string usage();

}  // namespace kaiban::sim
