#include "adapters/sim/sim_options.h"

#include <charconv>

#include "adapters/sim/partners.h"

namespace kaiban::sim {
namespace {

Result<long long> parseInteger(std::string_view option, std::string_view text, long long low,
                               long long high) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < low ||
      value > high) {
    return Error::invalidInput(std::string(option) + ": expected a whole number from " +
                                   std::to_string(low) + " to " + std::to_string(high) + ", got '" +
                                   std::string(text) + "'",
                               std::string(option));
  }
  return value;
}

std::vector<std::string_view> splitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

// "registry=0,bank=9103" (only those partners) or, when `allow_plain` is set, a bare number
// that applies to every partner first: "1000,bank=5000".
Result<void> parsePerPartner(std::string_view option, std::string_view text, long long low,
                             long long high, bool allow_plain,
                             std::map<std::string, long long>& out) {
  for (std::string_view part : splitCommas(text)) {
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      if (!allow_plain) {
        return Error::invalidInput(
            std::string(option) + ": expected partner=value, got '" + std::string(part) + "'",
            std::string(option));
      }
      Result<long long> value = parseInteger(option, part, low, high);
      if (!value.ok()) return value.error();
      for (const PartnerInfo& partner : kPartners) out[std::string(partner.name)] = *value;
      continue;
    }
    std::optional<PartnerInfo> partner = findPartner(part.substr(0, equals));
    if (!partner) {
      return Error::invalidInput(std::string(option) + ": unknown partner '" +
                                     std::string(part.substr(0, equals)) +
                                     "' (known: registry, seal, bank, tax, people, sms)",
                                 std::string(option));
    }
    Result<long long> value = parseInteger(option, part.substr(equals + 1), low, high);
    if (!value.ok()) return value.error();
    out[std::string(partner->name)] = *value;
  }
  return ok();
}

Result<void> parseCallbackUrl(std::string_view url, SimOptions& options) {
  constexpr std::string_view kScheme = "https://";
  const Error invalid = Error::invalidInput(
      "--callback-url: expected https://<host>:<port>, got '" + std::string(url) + "'",
      "--callback-url");
  if (!url.starts_with(kScheme)) return invalid;
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with("/")) rest.remove_suffix(1);
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return invalid;
  Result<long long> port = parseInteger("--callback-url", rest.substr(colon + 1), 1, 65535);
  if (!port.ok()) return invalid;
  std::string_view host = rest.substr(0, colon);
  if (host.starts_with("[") && host.ends_with("]")) host = host.substr(1, host.size() - 2);
  options.callback_host = std::string(host);
  options.callback_port = static_cast<int>(*port);
  return ok();
}

}  // namespace

Result<SimOptions> parseSimOptions(const std::vector<std::string>& arguments,
                                   const std::filesystem::path& default_source_dir) {
  SimOptions options;
  options.schema_dir = default_source_dir / "adapters" / "schemas";
  options.people_file = default_source_dir / "adapters" / "sim" / "data" / "people.csv";
  std::map<std::string, long long> ports;
  std::map<std::string, long long> delays;
  long long port_base = kDefaultPortBase;
  std::optional<long long> control_port;
  long long delay_all = kDefaultDelay.count();

  for (size_t i = 0; i < arguments.size(); ++i) {
    std::string name = arguments[i];
    std::optional<std::string> inline_value;
    if (const size_t equals = name.find('=');
        name.starts_with("--") && equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    if (name == "--help" || name == "-h") {
      options.help = true;
      continue;
    }
    if (!name.starts_with("--")) {
      return Error::invalidInput("unexpected argument '" + name + "' (see --help)");
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < arguments.size()) {
      value = arguments[++i];
    } else {
      return Error::invalidInput(name + " needs a value (see --help)", name);
    }

    Result<void> parsed = ok();
    if (name == "--pki") {
      options.pki_dir = value;
    } else if (name == "--data") {
      options.data_dir = value;
    } else if (name == "--schemas") {
      options.schema_dir = value;
    } else if (name == "--people") {
      options.people_file = value;
    } else if (name == "--bind") {
      options.bind_host = value;
    } else if (name == "--port-base") {
      Result<long long> base = parseInteger(name, value, 0, 65535 - kControlPortOffset);
      if (!base.ok()) return base.error();
      port_base = *base;
    } else if (name == "--ports") {
      parsed = parsePerPartner(name, value, 0, 65535, false, ports);
    } else if (name == "--control-port") {
      Result<long long> port = parseInteger(name, value, 0, 65535);
      if (!port.ok()) return port.error();
      control_port = *port;
    } else if (name == "--ports-file") {
      options.ports_file = value;
    } else if (name == "--callback-url") {
      parsed = parseCallbackUrl(value, options);
    } else if (name == "--delay-ms") {
      std::map<std::string, long long> given;
      parsed = parsePerPartner(name, value, 0, 3'600'000, true, given);
      for (const auto& [partner, delay] : given) delays[partner] = delay;
    } else if (name == "--faults") {
      Result<FaultTable> faults = parseFaults(value);
      if (!faults.ok()) return Error::invalidInput("--faults: " + faults.error().message, name);
      for (const auto& [partner, spec] : *faults) options.faults[partner] = spec;
    } else if (name == "--seed") {
      Result<long long> seed = parseInteger(name, value, 0, INT64_MAX);
      if (!seed.ok()) return seed.error();
      options.seed = static_cast<std::uint64_t>(*seed);
    } else if (name == "--timeout-hold-ms") {
      Result<long long> hold = parseInteger(name, value, 1, 600'000);
      if (!hold.ok()) return hold.error();
      options.timeout_hold = std::chrono::milliseconds(*hold);
    } else if (name == "--callback-retry-ms") {
      Result<long long> initial = parseInteger(name, value, 1, 3'600'000);
      if (!initial.ok()) return initial.error();
      options.callback_retry_initial = std::chrono::milliseconds(*initial);
    } else if (name == "--callback-retry-max-ms") {
      Result<long long> ceiling = parseInteger(name, value, 1, 3'600'000);
      if (!ceiling.ok()) return ceiling.error();
      options.callback_retry_max = std::chrono::milliseconds(*ceiling);
    } else if (name == "--callback-timeout-ms") {
      Result<long long> timeout = parseInteger(name, value, 1, 600'000);
      if (!timeout.ok()) return timeout.error();
      options.callback_timeout = std::chrono::milliseconds(*timeout);
    } else if (name == "--callback-threads") {
      Result<long long> threads = parseInteger(name, value, 1, 64);
      if (!threads.ok()) return threads.error();
      options.callback_threads = static_cast<int>(*threads);
    } else if (name == "--client-cn") {
      if (value.empty()) return Error::invalidInput("--client-cn must not be empty", name);
      options.client_cn = value;
    } else if (name == "--generate-people") {
      Result<long long> count = parseInteger(name, value, 2, 100'000);
      if (!count.ok()) return count.error();
      options.generate_people = static_cast<int>(*count);
    } else {
      return Error::invalidInput("unknown option " + name + " (see --help)", name);
    }
    if (!parsed.ok()) return parsed.error();
  }

  for (const PartnerInfo& partner : kPartners) {
    const std::string key(partner.name);
    options.ports[key] =
        static_cast<int>(ports.contains(key) ? ports[key] : port_base + partner.port_offset);
    options.delays[key] = std::chrono::milliseconds(delays.contains(key) ? delays[key] : delay_all);
  }
  options.control_port = static_cast<int>(control_port.value_or(port_base + kControlPortOffset));
  if (options.callback_retry_max < options.callback_retry_initial) {
    options.callback_retry_max = options.callback_retry_initial;
  }
  return options;
}

std::string usage() {
  return R"(kaiban-sim: simulators of Kaiban's partner systems (registry, seal, bank, tax,
people-data, sms), each an HTTPS server with mutual TLS speaking its XML format
(docs/partner-wire.md, docs/simulators.md).

Usage: kaiban-sim [options]

Files
  --pki DIR                 development PKI from certs/make-dev-pki.sh (default var/pki):
                            ca.crt, partners/<name>/server.* and client.*
  --data DIR                state: DIR/sim.db, SQLite (default var/sim)
  --schemas DIR             partner XSDs (default: adapters/schemas of the source tree)
  --people FILE             people-data set, CSV (default adapters/sim/data/people.csv)

Listeners
  --bind HOST               address of the partner listeners (default 127.0.0.1)
  --port-base N             partner ports N+1..N+6 (registry, seal, bank, tax, people,
                            sms) and control port N+10 (default 9000)
  --ports P=PORT,...        per-partner ports, e.g. registry=0,bank=9103 (0: ephemeral)
  --control-port PORT       plain-HTTP control endpoint on 127.0.0.1 (default 9010; 0:
                            ephemeral)
  --ports-file FILE         once listening, write the actual ports there as JSON:
                            {"registry":9001,...,"control":9010}
  --client-cn CN            the client certificate CN served (default kaiban-orchestrator);
                            other certificates of the CA get 403

Behaviour
  --callback-url URL        where results go (default https://127.0.0.1:8443); POST
                            /partner/v1/<partner>/callback with the partner's client cert
  --delay-ms MS|P=MS,...    how long a result takes, for all partners and/or per partner,
                            e.g. 1000,bank=5000 (default 2000)
  --callback-retry-ms MS    first retry delay of a refused callback (default 500), doubling
  --callback-retry-max-ms MS   up to this (default 30000)
  --callback-timeout-ms MS  connect/read timeout of a callback (default 5000)
  --callback-threads N      callbacks delivered in parallel (default 2)

Faults (see docs/simulators.md; also POST /faults on the control port)
  --faults SPEC             e.g. "bank:latency=200ms,http500=0.1,timeout=0.05,
                            malformed=0.02,schema_invalid=0.02,drop_callback=0.1;
                            registry+seal:http500=0.2" ('*' = every partner); repeatable
  --seed N                  seed of the fault decisions (default 1): same seed, same faults
  --timeout-hold-ms MS      how long a 'timeout' holds its answer (default 15000)

Other
  --generate-people N       print the deterministic people data set of N people as CSV
                            and exit
  --help                    this text

Control endpoint (http://127.0.0.1:<control port>): GET /effects, GET /faults,
POST /faults (body: SPEC), GET /people?limit=N, GET /healthz.
Logs: one JSON line per request on stdout. SIGINT/SIGTERM stop it cleanly.
)";
}

}  // namespace kaiban::sim
