#pragma once

#include <chrono>
#include <memory>

#include "core/clock.h"
#include "orchestrator/api/console_api/console_auth.h"
#include "orchestrator/api/console_api/console_server.h"
#include "orchestrator/api/console_api/dashboard.h"
#include "orchestrator/api/console_api/web_assets.h"
#include "orchestrator/api/http_common/route_table.h"

// The console listener's routes (docs/api/console-api.md): the pages and their assets, and
// the JSON API under /console/api/v1 for bank staff and government operators.
//
// Every route but the login page, the assets and the login call needs a session (the
// __Host-kaiban_console cookie): without one a page redirects to /login and the API answers
// 401. A role that the route is not for gets 403. Every POST must be JSON, must come from
// the console's own origin when the browser says where it comes from (Origin), and must carry
// the session's CSRF token in X-CSRF-Token (403 otherwise). An application outside the
// user's bank or district answers 404 exactly as an id that does not exist.
namespace kaiban::orchestrator::api {

struct ConsoleRouteOptions {
  DashboardOptions dashboard;  // `days` is the default window; a request may ask 1..366
  // How long one computed dashboard (per scope and window) is served before it is computed
  // again: a room of operators refreshing every few seconds costs one computation.
  std::chrono::seconds dashboard_cache{5};
};

// Adds every console route to `routes`. Every reference must outlive the routes.
void addConsoleRoutes(RouteTable& routes, ConsoleServer& server, ConsoleAuth& auth,
                      std::shared_ptr<const WebAssets> assets, const Clock& clock,
                      ConsoleRouteOptions options = {});

}  // namespace kaiban::orchestrator::api
