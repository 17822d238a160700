// kaiban-demo: see terminal-agent/demo/demo_run.h. Only parses arguments and runs.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "terminal-agent/demo/demo_run.h"

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  kaiban::Result<kaiban::agent::demo::DemoOptions> options =
      kaiban::agent::demo::parseDemoOptions(arguments);
  if (!options.ok()) {
    std::cerr << "kaiban-demo: " << options.error().message << "\n"
              << "usage: kaiban-demo --count N [--agent http://127.0.0.1:8080]"
                 " [--console https://127.0.0.1:8444] [--ca var/pki/ca.crt]"
                 " [--console-user bank.bocqd] [--console-password TEXT] [--timeout 600s]\n";
    return 2;
  }
  return kaiban::agent::demo::runDemo(*options, std::cout, isatty(STDOUT_FILENO) == 1);
}
