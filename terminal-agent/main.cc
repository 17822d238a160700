// kaiban-agent: parses the configuration, runs the AgentApp until SIGINT or SIGTERM.

#include <pthread.h>
#include <signal.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "terminal-agent/app/agent_app.h"
#include "terminal-agent/app/agent_config.h"
#include "terminal-agent/app/agent_logging.h"

int main(int argc, char** argv) {
  // Block the stop signals in every thread (threads inherit the mask) so that sigwait below
  // receives them; ignore SIGPIPE, which a write to a browser that went away would raise.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::vector<std::string> arguments(argv + 1, argv + argc);
  kaiban::Result<kaiban::agent::AgentConfig> config =
      kaiban::agent::parseAgentConfig(arguments, KAIBAN_AGENT_SOURCE_DIR);
  if (!config.ok()) {
    std::cerr << "kaiban-agent: " << config.error().message << "\n";
    return 2;
  }
  if (config->help) {
    std::cout << kaiban::agent::agentUsage();
    return 0;
  }
  try {
    kaiban::agent::configureAgentLogging(config->kiosk_id, config->log_level, config->log_file);
    kaiban::SystemClock clock;
    kaiban::agent::AgentApp app(*config, clock);
    app.start();
    int received = 0;
    sigwait(&stop_signals, &received);
    app.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "kaiban-agent: cannot start: " << error.what() << "\n";
    return 1;
  }
}
