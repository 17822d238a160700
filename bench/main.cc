#include <signal.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_options.h"
#include "bench/bench_run.h"

// kaiban-bench: measures Kaiban against this machine's own limits (docs/performance.md).
int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  kaiban::Result<kaiban::bench::BenchOptions> options = kaiban::bench::parseBenchOptions(arguments);
  if (!options) {
    std::cerr << "kaiban-bench: " << options.error().message << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << kaiban::bench::benchUsage();
    return 0;
  }
  // A kiosk or the orchestrator closing a connection mid-answer must not end the bench.
  signal(SIGPIPE, SIG_IGN);
  try {
    kaiban::bench::BenchRun run(*options);
    return run.run();
  } catch (const std::exception& error) {
    std::cerr << "\nkaiban-bench: " << error.what() << "\n";
    return 3;
  }
}
