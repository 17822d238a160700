// kaiban-orchestrator: hands the command line to OrchestratorApp (app/), which wires and runs.

#include "orchestrator/app/orchestrator_app.h"

int main(int argc, char** argv) {
  kaiban::orchestrator::app::OrchestratorApp app(KAIBAN_ORCHESTRATOR_SOURCE_DIR);
  return app.run(argc, argv);
}
