#pragma once

#include <memory>
#include <string>

#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "core/clock.h"
#include "orchestrator/api/http_common/route_table.h"

namespace kaiban::orchestrator::api {

// Serves a RouteTable on a transport::HttpsServer. For each request:
//   - no route for the path -> 404, a route for another method -> 405 with Allow;
//   - a body larger than the route's max_body_bytes -> 413, refused from Content-Length
//     before the handler, or as soon as a chunked body passes the limit; the rest of the body
//     is read and dropped up to 1 MiB (so the sender reads the answer rather than a reset)
//     and the connection is closed after the answer;
//   - a URI that does not parse -> 400;
//   - otherwise the route's handler, inside the one top-level try of the request: an
//     exception is logged with its text and answered 500 with a generic message.
// Every error body is errorJson(). Each answered request is logged on `logger_name`: at debug
// level when it succeeded, warning for 4xx and error for 5xx, with method, path, status,
// duration and the TLS peer's CN when there is one.
// Thread-safe; the table must not change once the factory serves it.
class RouteHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  // `clock` (for durations) must outlive the factory.
  RouteHandlerFactory(std::shared_ptr<const RouteTable> routes, std::string logger_name,
                      const Clock& clock);

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  class Dispatch;

  const std::shared_ptr<const RouteTable> routes_;
  const std::string logger_name_;
  const Clock& clock_;
};

}  // namespace kaiban::orchestrator::api
