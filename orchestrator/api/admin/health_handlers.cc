#include "orchestrator/api/admin/health_handlers.h"

#include <memory>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"

namespace kaiban::orchestrator::api {

HttpReply HealthzHandler::handle(const RouteRequest&) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("status", "alive");
  return HttpReply::json(200, body);
}

HttpReply ReadyzHandler::handle(const RouteRequest&) {
  const std::vector<std::string> problems = server_.readinessProblems();
  Poco::JSON::Array::Ptr reasons = new Poco::JSON::Array;
  for (const std::string& problem : problems) reasons->add(problem);
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("ready", problems.empty());
  body.set("reasons", reasons);
  return HttpReply::json(problems.empty() ? 200 : 503, body);
}

void addHealthRoutes(RouteTable& routes, HealthServer& server) {
  routes.add("GET", "/healthz", std::make_shared<HealthzHandler>());
  routes.add("GET", "/readyz", std::make_shared<ReadyzHandler>(server));
}

}  // namespace kaiban::orchestrator::api
