#include "adapters/sim/simulator.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "adapters/sim/http_handlers.h"
#include "adapters/sim/partner_sims.h"
#include "adapters/transport/tls.h"
#include "core/timestamp.h"

namespace kaiban::sim {
namespace {

std::string readWholeFile(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + std::string(what) + " " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<PeopleRegister> loadPeople(const std::filesystem::path& file, const Clock& clock) {
  const std::chrono::year_month_day day = shanghaiDate(clock.now());
  const CivilDate today{static_cast<int>(day.year()), static_cast<int>(unsigned(day.month())),
                        static_cast<int>(unsigned(day.day()))};
  Result<std::vector<SimPerson>> people =
      parsePeopleCsv(readWholeFile(file, "the people data set"), today);
  if (!people.ok()) throw std::runtime_error(file.string() + ": " + people.error().message);
  return std::make_unique<PeopleRegister>(std::move(*people));
}

transport::TlsFiles partnerFiles(const std::filesystem::path& pki, std::string_view pki_name,
                                 std::string_view role) {
  const std::filesystem::path dir = pki / "partners" / std::string(pki_name);
  return transport::TlsFiles{pki / "ca.crt", dir / (std::string(role) + ".crt"),
                             dir / (std::string(role) + ".key"), std::nullopt};
}

}  // namespace

Simulator::Simulator(const SimOptions& options, const Clock& clock, std::ostream& log)
    : options_(options), clock_(clock), log_(log, clock), faults_(options.seed, options.faults) {
  people_ = loadPeople(options_.people_file, clock_);
  Result<std::unique_ptr<SimStore>> store = SimStore::open(options_.data_dir / "sim.db", clock_);
  if (!store.ok()) throw std::runtime_error(store.error().message);
  store_ = std::move(*store);
  sims_ = makePartnerSims(options_.schema_dir, *people_, clock_);

  std::map<std::string, Poco::Net::Context::Ptr, std::less<>> callback_contexts;
  for (const auto& sim : sims_) {
    if (sim->info().asynchronous) {
      callback_contexts.emplace(std::string(sim->info().name),
                                transport::makeClientContext(partnerFiles(
                                    options_.pki_dir, sim->info().pki_name, "client")));
    }
  }
  CallbackOptions callback_options;
  callback_options.host = options_.callback_host;
  callback_options.port = options_.callback_port;
  callback_options.retry = transport::RetryPolicy{options_.callback_retry_initial, 2.0,
                                                  options_.callback_retry_max, 0.2};
  callback_options.timeout = options_.callback_timeout;
  callback_options.threads = options_.callback_threads;
  callbacks_ = std::make_unique<CallbackSender>(*store_, faults_, log_, clock_, callback_options,
                                                callback_contexts);

  for (const auto& sim : sims_) {
    const std::string name(sim->info().name);
    PartnerServiceOptions service_options;
    service_options.delay = options_.delays.at(name);
    service_options.timeout_hold = options_.timeout_hold;
    service_options.client_cn = options_.client_cn;
    services_.push_back(std::make_unique<PartnerService>(
        *sim, *store_, faults_, log_, stop_, clock_, service_options,
        [callbacks = callbacks_.get()] { callbacks->wake(); }));

    transport::ServerOptions server_options;
    server_options.bind_host = options_.bind_host;
    server_options.port = options_.ports.at(name);
    server_options.max_threads = 32;
    try {
      servers_.push_back(std::make_unique<transport::HttpsServer>(
          Poco::Net::HTTPRequestHandlerFactory::Ptr(new PartnerHandlerFactory(*services_.back())),
          transport::makeServerContext(
              partnerFiles(options_.pki_dir, sim->info().pki_name, "server"),
              transport::ClientCertificates::kRequired),
          server_options));
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(name + " simulator: " + error.what());
    }
  }

  control_ = std::make_unique<ControlService>(*store_, faults_, *people_, log_,
                                              [this] { return ports(); });
  transport::ServerOptions control_options;
  control_options.bind_host = "127.0.0.1";
  control_options.port = options_.control_port;
  control_options.max_threads = 8;
  try {
    control_server_ = std::make_unique<transport::HttpsServer>(
        Poco::Net::HTTPRequestHandlerFactory::Ptr(new ControlHandlerFactory(*control_)), nullptr,
        control_options);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(std::string("control endpoint: ") + error.what());
  }
}

Simulator::~Simulator() { stop(); }

void Simulator::start() {
  callbacks_->start();
  for (auto& server : servers_) server->start();
  control_server_->start();

  const std::string ports_json = portsJson(ports());
  if (options_.ports_file) {
    const std::filesystem::path target = *options_.ports_file;
    const std::filesystem::path aside = target.string() + ".tmp";
    {
      std::ofstream out(aside, std::ios::trunc);
      out << ports_json << '\n';
      if (!out.flush()) throw std::runtime_error("cannot write the ports file " + aside.string());
    }
    std::error_code error;
    std::filesystem::rename(aside, target, error);
    if (error) {
      throw std::runtime_error("cannot write the ports file " + target.string() + ": " +
                               error.message());
    }
  }
  std::string faults;
  for (const auto& [partner, spec] : faults_.table()) {
    faults += (faults.empty() ? "" : ";") + partner + ":" + spec.toString();
  }
  log_.note("started", "listening " + ports_json + "; callbacks to https://" +
                           options_.callback_host + ":" + std::to_string(options_.callback_port) +
                           "; faults " + (faults.empty() ? std::string("none") : faults) +
                           "; seed " + std::to_string(options_.seed) + "; people " +
                           std::to_string(people_->size()));
}

void Simulator::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.stop();
  for (auto& server : servers_) server->stop();
  if (control_server_) control_server_->stop();
  if (callbacks_) callbacks_->stop();
  log_.note("stopped", "kaiban-sim stopped");
}

std::map<std::string, int> Simulator::ports() const {
  std::map<std::string, int> ports;
  for (size_t i = 0; i < sims_.size() && i < servers_.size(); ++i) {
    ports[std::string(sims_[i]->info().name)] = servers_[i]->port();
  }
  if (control_server_) ports["control"] = control_server_->port();
  return ports;
}

}  // namespace kaiban::sim
