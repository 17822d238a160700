#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "Poco/Util/OptionSet.h"
#include "Poco/Util/ServerApplication.h"
#include "orchestrator/app/commands.h"
#include "orchestrator/app/config.h"

// kaiban-orchestrator as a POCO ServerApplication: it reads the command line and the
// configuration, then either serves (wiring.h builds everything; SIGINT/SIGTERM stop it
// cleanly) or runs one of the subcommands (commands.h). It holds no logic of its own.
//
//   kaiban-orchestrator [--config FILE] [--var DIR] [--pki DIR] [--set key=value]...
//                       [command ...]
namespace kaiban::orchestrator::app {

class OrchestratorApp final : public Poco::Util::ServerApplication {
 public:
  // `resource_dir`: the source tree this binary was built from (default of resources.dir).
  explicit OrchestratorApp(std::filesystem::path resource_dir);

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& arguments) override;

 private:
  // Builds, starts and runs the server until a stop signal. Returns the exit code.
  int serve(const OrchestratorConfig& config);
  void printHelp();

  ConfigSources sources_;
  CommandLine command_;
  bool help_ = false;
};

}  // namespace kaiban::orchestrator::app
