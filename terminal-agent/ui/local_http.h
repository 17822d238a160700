#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "core/error.h"

// The plumbing of the kiosk's local HTTP listener (127.0.0.1, plain HTTP, the kiosk's own
// browser only): requests and replies as values, one handler class per route, a route table,
// and the POCO factory that serves it.
namespace kaiban::agent {

// One request as a local handler sees it; the body is already read (within the limit).
struct LocalRequest {
  std::string method;
  std::string path;                                        // without the query
  std::string query;                                       // raw, without '?'
  std::map<std::string, std::string, std::less<>> params;  // {name} segments
  std::string body;
  std::string session;  // the X-Kiosk-Session header, "" when absent

  // The query parameter `name`, percent-decoded; "" when absent.
  std::string queryParam(std::string_view name) const;
  std::string param(std::string_view name) const;
};

struct LocalReply {
  int status = 200;
  std::string content_type;
  std::string body;

  static LocalReply json(int status, const Poco::JSON::Object& object);
  static LocalReply noContent();
  // {"error": {"code", "message", "field"}} with `status`.
  static LocalReply error(int status, const Error& error);
  // As above with the status core/error.h maps the code to.
  static LocalReply error(const Error& error);
  // 422 {"problems": problems}.
  static LocalReply problems(const Poco::JSON::Array::Ptr& problems);
};

// Handles one route. Called concurrently; implementations are thread-safe. Expected failures
// are replies; an exception is a bug (logged, answered 500).
class LocalHandler {
 public:
  virtual ~LocalHandler() = default;
  virtual LocalReply handle(const LocalRequest& request) = 0;
};

// Method + pattern ("/local/submissions/{ref}") -> handler. Patterns are absolute paths of
// literal and {name} segments; the first matching route wins. Not thread-safe while routes
// are added; const methods are.
class LocalRoutes {
 public:
  // Throws std::invalid_argument for a malformed pattern or a null handler (a wiring bug).
  void add(std::string method, std::string pattern, std::shared_ptr<LocalHandler> handler);

  struct Match {
    LocalHandler* handler = nullptr;  // null: no route
    bool path_known = false;          // the path exists for another method (405)
    std::map<std::string, std::string, std::less<>> params;
  };
  Match match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    std::shared_ptr<LocalHandler> handler;
  };
  std::vector<Route> routes_;
};

// Serves LocalRoutes. For each request, in one top-level try:
//   - the Host header must name this listener (127.0.0.1:<port> or localhost:<port>) and an
//     Origin header, when present, must be http:// one of those: a web page from elsewhere
//     (DNS rebinding, a link opened in the kiosk browser) cannot drive the kiosk (403);
//   - bodies over 256 KiB are refused (413); unknown paths 404, other methods 405;
//   - every reply carries Cache-Control: no-store (the screens show personal data),
//     X-Content-Type-Options: nosniff, and a Content-Security-Policy allowing only this
//     origin (plus data: images for the QR code).
// Requests are logged on "agent.ui" (debug; 5xx at error) without bodies or query strings.
class LocalHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  static constexpr std::size_t kMaxBodyBytes = 256 * 1024;

  explicit LocalHandlerFactory(std::shared_ptr<const LocalRoutes> routes);

  // The port the listener is bound to, for the Host check. Call before serving.
  void setPort(int port) { port_ = port; }

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  class Dispatch;

  const std::shared_ptr<const LocalRoutes> routes_;
  std::atomic<int> port_{0};
};

// A path segment or query value percent-decoded ('+' is a space in queries); nullopt-free:
// malformed escapes are kept literally.
std::string percentDecode(std::string_view text, bool plus_is_space);

}  // namespace kaiban::agent
