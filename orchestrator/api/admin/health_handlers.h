#pragma once

#include <string>
#include <vector>

#include "orchestrator/api/http_common/route_table.h"

// The admin listener's health routes (plain HTTP on loopback): for supervisors, load
// balancers and the integration tests. /metrics joins them in a later issue.
namespace kaiban::orchestrator::api {

// What the health routes ask the orchestrator. Thread-safe.
class HealthServer {
 public:
  virtual ~HealthServer() = default;
  // Why the orchestrator cannot do its work now, one sentence per reason an operator can act
  // on ("the store at var/orchestrator.db is not writable: ..."); empty when it is ready.
  virtual std::vector<std::string> readinessProblems() = 0;
};

// GET /healthz: 200 {"status": "alive"} while the process answers at all.
class HealthzHandler final : public RouteHandler {
 public:
  HttpReply handle(const RouteRequest& request) override;
};

// GET /readyz: 200 {"ready": true, "reasons": []}, or 503 {"ready": false, "reasons": [..]}
// listing every HealthServer::readinessProblems.
class ReadyzHandler final : public RouteHandler {
 public:
  // `server` must outlive the handler.
  explicit ReadyzHandler(HealthServer& server) : server_(server) {}
  HttpReply handle(const RouteRequest& request) override;

 private:
  HealthServer& server_;
};

// Adds GET /healthz and GET /readyz to `routes`.
void addHealthRoutes(RouteTable& routes, HealthServer& server);

}  // namespace kaiban::orchestrator::api
