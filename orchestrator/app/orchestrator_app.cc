#include "orchestrator/app/orchestrator_app.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "Poco/Logger.h"
#include "Poco/Util/HelpFormatter.h"
#include "Poco/Util/Option.h"
#include "orchestrator/api/http_common/log_fields.h"
#include "orchestrator/app/logging.h"
#include "orchestrator/app/wiring.h"

namespace kaiban::orchestrator::app {

namespace {

using Poco::Util::Option;

Poco::Logger& appLog() { return Poco::Logger::get("orchestrator.app"); }

// The stop signals go to the thread that waits for them (waitForTerminationRequest), never
// to a worker thread where their default action would kill the process without a clean stop:
// block them before any thread starts, as threads inherit the mask.
void blockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGQUIT);
  // SIGHUP reloads the CRL: the watcher thread waits for it (api/kiosk_api/crl_watcher.h).
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A partner or kiosk closing its connection mid-answer must not end the process.
  signal(SIGPIPE, SIG_IGN);
}

// glibc gives threads up to 8 malloc arenas per core and keeps what each frees for its own
// reuse; with a thread per keep-alive kiosk connection, memory freed after a burst stayed
// resident (kaiban-bench: 385 MB after a saturating burst with 10 thousand applications in
// flight, 64 MB after a restart with the same applications; 245 MB with this). Four arenas
// keep contention low on a few cores, and returning free pages to the system twice a minute
// keeps the resident size closer to what is live.
class MemoryReturner {
 public:
  MemoryReturner() {
    mallopt(M_ARENA_MAX, 4);
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, std::chrono::seconds(30), [this] { return stopping_; })) {
        lock.unlock();
        malloc_trim(0);
        lock.lock();
      }
    });
  }
  ~MemoryReturner() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  MemoryReturner(const MemoryReturner&) = delete;
  MemoryReturner& operator=(const MemoryReturner&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

OrchestratorApp::OrchestratorApp(std::filesystem::path resource_dir) {
  sources_.resource_dir = std::move(resource_dir);
  setUnixOptions(true);
}

void OrchestratorApp::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  options.addOption(Option("help", "h", "print this help and exit"));
  options.addOption(Option("config", "",
                           "configuration file (.properties or .ini; default "
                           "<var>/orchestrator.properties when it exists)")
                        .argument("FILE"));
  options.addOption(Option("var", "", "directory of runtime files: database, run/ (default var)")
                        .argument("DIR"));
  options.addOption(
      Option("pki", "", "development PKI from certs/make-dev-pki.sh (default <var>/pki)")
          .argument("DIR"));
  options.addOption(Option("set", "", "override one configuration key; repeatable")
                        .argument("KEY=VALUE")
                        .repeatable(true));
  options.addOption(Option("file", "", "submit: the application JSON file").argument("FILE"));
  options.addOption(Option("kiosk", "", "submit: the submitting kiosk's id").argument("ID"));
  options.addOption(Option("application", "", "task approve: the application").argument("ID"));
  options.addOption(Option("step", "", "task approve: only this step's task").argument("STEP"));
  options.addOption(Option("actor", "", "task: the staff member deciding").argument("NAME"));
  options.addOption(Option("head", "", "audit verify: the expected head hash").argument("HASH"));
  options.addOption(Option("all", "", "status: every application"));
  options.addOption(Option("bank", "", "kiosk add, user add: the bank code").argument("CODE"));
  options.addOption(
      Option("district", "",
             "kiosk add: its GB/T 2260 code; user add: the operator's district or all")
          .argument("CODE"));
  options.addOption(Option("name", "", "kiosk add: display name and location").argument("TEXT"));
  options.addOption(
      Option("role", "", "user add: bank_staff, gov_operator or admin").argument("ROLE"));
  options.addOption(
      Option("display-name", "", "user add: the name the console shows").argument("TEXT"));
  options.addOption(
      Option("generate-password", "", "user add/passwd: make a password and print it"));
}

void OrchestratorApp::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "help") {
    help_ = true;
    stopOptionsProcessing();
  } else if (name == "config") {
    sources_.config_file = value;
  } else if (name == "var") {
    sources_.var_dir = value;
  } else if (name == "pki") {
    sources_.pki_dir = value;
  } else if (name == "set") {
    sources_.overrides.push_back(value);
  } else if (name == "file") {
    command_.file = value;
  } else if (name == "kiosk") {
    command_.kiosk = value;
  } else if (name == "application") {
    command_.application = value;
  } else if (name == "step") {
    command_.step = value;
  } else if (name == "actor") {
    command_.actor = value;
  } else if (name == "head") {
    command_.head = value;
  } else if (name == "all") {
    command_.all = true;
  } else if (name == "bank") {
    command_.bank = value;
  } else if (name == "district") {
    command_.district = value;
  } else if (name == "name") {
    command_.name = value;
  } else if (name == "role") {
    command_.role = value;
  } else if (name == "display-name") {
    command_.display_name = value;
  } else if (name == "generate-password") {
    command_.generate_password = true;
  }
}

void OrchestratorApp::printHelp() {
  Poco::Util::HelpFormatter help(options());
  help.setCommand(commandName());
  help.setUsage("[OPTIONS] [COMMAND ...]");
  help.setHeader(
      "kaiban-orchestrator: drives each company start-up application through registration, "
      "seals, bank account and tax (docs/operations.md). Without a command it serves: the "
      "mutual-TLS API (kiosk API, partner callbacks), the HTTPS consoles for bank staff and "
      "operators, and the loopback admin listener (/healthz, /readyz, /metrics), until SIGINT "
      "or SIGTERM.");
  help.setUnixStyle(true);
  help.format(std::cout);
  std::cout << "\n" << commandsUsage() << "\nConfiguration keys (--set KEY=VALUE, or the file):\n";
  for (const ConfigKey& key : configKeys()) {
    std::cout << "  " << key.name << "\n      " << key.help << "\n";
  }
}

int OrchestratorApp::main(const std::vector<std::string>& arguments) {
  if (help_) {
    printHelp();
    return EXIT_OK;
  }
  Result<OrchestratorConfig> config = loadConfig(sources_);
  if (!config) {
    std::cerr << "kaiban-orchestrator: " << config.error().message << "\n";
    return kExitConfig;
  }
  if (!arguments.empty()) {
    command_.words = arguments;
    // A command's own output goes to standard output; its logs only matter when they warn.
    configureLogging("warning", std::nullopt);
    return runCommand(*config, command_, std::cout, std::cerr);
  }
  return serve(*config);
}

int OrchestratorApp::serve(const OrchestratorConfig& config) {
  blockStopSignals();
  configureLogging(config.log_level, config.log_file);
  MemoryReturner memory;
  try {
    OrchestratorCore core(config);
    OrchestratorService service(config, core);
    service.start();
    const std::string api = "https://" + config.api.host + ":" + std::to_string(service.apiPort());
    const std::string admin =
        "http://" + config.admin.host + ":" + std::to_string(service.adminPort());
    appLog().information("kaiban-orchestrator is running: kiosk API on " + api +
                         "/api/v1 and partner callbacks on " + api +
                         "/partner/v1/<partner>/callback (mutual TLS); health on " + admin +
                         "/healthz and " + admin + "/readyz; database " + config.database.string() +
                         "; flow versions " + std::to_string(core.flows().versions().front()) +
                         ".." + std::to_string(core.flows().newest().version));
    waitForTerminationRequest();
    appLog().information("stop requested: finishing requests and the messages being sent");
    service.stop();
    appLog().information("stopped");
    return EXIT_OK;
  } catch (const StartupError& error) {
    appLog().fatal(std::string("cannot start: ") + error.what());
    std::cerr << "kaiban-orchestrator: cannot start: " << error.what() << "\n";
    return kExitConfig;
  }
}

}  // namespace kaiban::orchestrator::app
