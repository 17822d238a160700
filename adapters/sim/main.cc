// kaiban-sim: parses the command line, runs the Simulator until SIGINT or SIGTERM.

#include <pthread.h>
#include <signal.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "adapters/sim/people_dataset.h"
#include "adapters/sim/sim_options.h"
#include "adapters/sim/simulator.h"
#include "core/clock.h"

int main(int argc, char** argv) {
  // Block the stop signals in every thread (threads inherit the mask) so that sigwait below
  // receives them; ignore SIGPIPE, which a write to a client that went away would raise.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::vector<std::string> arguments(argv + 1, argv + argc);
  kaiban::Result<kaiban::sim::SimOptions> options =
      kaiban::sim::parseSimOptions(arguments, KAIBAN_SIM_SOURCE_DIR);
  if (!options.ok()) {
    std::cerr << "kaiban-sim: " << options.error().message << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << kaiban::sim::usage();
    return 0;
  }
  if (options->generate_people) {
    std::cout << kaiban::sim::toCsv(kaiban::sim::generatePeople(*options->generate_people));
    return 0;
  }

  try {
    kaiban::SystemClock clock;
    kaiban::sim::Simulator simulator(*options, clock, std::cout);
    simulator.start();
    int received = 0;
    sigwait(&stop_signals, &received);
    simulator.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "kaiban-sim: cannot start: " << error.what() << "\n";
    return 1;
  }
}
