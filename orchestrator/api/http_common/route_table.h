#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "Poco/Net/HTTPServerRequest.h"
#include "orchestrator/api/http_common/http_reply.h"

// The routes of one orchestrator listener: method + path pattern -> one handler class per
// route (STYLE.md). The partner callbacks, and later the kiosk and console APIs, add their
// routes to the table of the listener they belong to; RouteHandlerFactory serves it.
namespace kaiban::orchestrator::api {

// One request as a route handler sees it: the body already read (within the route's limit)
// and the path parameters bound.
struct RouteRequest {
  // The request itself, for headers and the TLS peer (transport::peerIdentity). Its body
  // stream has been consumed: use `body`.
  Poco::Net::HTTPServerRequest& http;
  std::string method;
  std::string path;                                        // percent-decoded, without the query
  std::string query;                                       // the raw query string, without '?'
  std::map<std::string, std::string, std::less<>> params;  // {name} segments of the pattern
  std::string body;

  // The path parameter `name` ("" if the pattern has none by that name).
  std::string param(std::string_view name) const;
};

// Handles the requests of one route. Called concurrently from the listener's threads, so
// implementations are thread-safe. Expected failures are replies (HttpReply::error); an
// exception is a bug: the factory logs it and answers 500 without detail.
class RouteHandler {
 public:
  virtual ~RouteHandler() = default;
  virtual HttpReply handle(const RouteRequest& request) = 0;
};

struct RouteOptions {
  // A larger body is refused with 413 before the handler runs, and is never read whole.
  std::size_t max_body_bytes = 64 * 1024;
};

// An immutable-once-served set of routes. Patterns are absolute paths whose segments are
// literals or "{name}" (one non-empty segment, bound to `name`): "/partner/v1/{partner}/
// callback". A path matches the first route added whose pattern matches it.
// Not thread-safe while routes are being added; const methods are safe concurrently.
class RouteTable {
 public:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    std::shared_ptr<RouteHandler> handler;
    RouteOptions options;
  };

  enum class MatchKind {
    kFound,
    kNoSuchPath,   // 404
    kWrongMethod,  // 405: the path exists for other methods (listed in `allowed`)
  };

  struct Match {
    MatchKind kind = MatchKind::kNoSuchPath;
    const Route* route = nullptr;  // kFound
    std::map<std::string, std::string, std::less<>> params;
    std::vector<std::string> allowed;  // kWrongMethod: methods the path has, in added order
  };

  // Adds a route. Throws std::invalid_argument (a wiring bug) for a pattern that is not an
  // absolute path of literal and {name} segments, a repeated parameter name, a route already
  // present (same method and pattern), or a null handler.
  void add(std::string method, std::string pattern, std::shared_ptr<RouteHandler> handler,
           RouteOptions options = {});

  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace kaiban::orchestrator::api
