#include "terminal-agent/ui/local_http.h"

#include <chrono>
#include <exception>
#include <istream>
#include <stdexcept>

#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "terminal-agent/link/json_text.h"

namespace kaiban::agent {

namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool isParameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
        hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else if (plus_is_space && text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string LocalRequest::queryParam(std::string_view name) const {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string_view pair = std::string_view(query).substr(start, end - start);
    size_t equals = pair.find('=');
    std::string_view key = pair.substr(0, equals);
    if (percentDecode(key, true) == name) {
      return equals == std::string_view::npos ? std::string()
                                              : percentDecode(pair.substr(equals + 1), true);
    }
    start = end + 1;
  }
  return {};
}

std::string LocalRequest::param(std::string_view name) const {
  auto found = params.find(name);
  return found == params.end() ? std::string() : found->second;
}

LocalReply LocalReply::json(int status, const Poco::JSON::Object& object) {
  return {status, "application/json; charset=utf-8", json::stringify(object)};
}

LocalReply LocalReply::noContent() { return {204, "", ""}; }

LocalReply LocalReply::error(int status, const Error& error) {
  Poco::JSON::Object::Ptr inner = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  inner->set("code", std::string(errorCodeName(error.code)));
  inner->set("message", error.message);
  inner->set("field", error.field);
  Poco::JSON::Object body;
  body.set("error", inner);
  return json(status, body);
}

LocalReply LocalReply::error(const Error& error) {
  return LocalReply::error(httpStatus(error.code), error);
}

LocalReply LocalReply::problems(const Poco::JSON::Array::Ptr& problems) {
  Poco::JSON::Object body;
  body.set("problems", problems);
  return json(422, body);
}

void LocalRoutes::add(std::string method, std::string pattern,
                      std::shared_ptr<LocalHandler> handler) {
  if (!handler) throw std::invalid_argument("route " + pattern + " has no handler");
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must be an absolute path: " + pattern);
  }
  routes_.push_back({std::move(method), splitPath(pattern), std::move(handler)});
}

LocalRoutes::Match LocalRoutes::match(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string> segments = splitPath(path);
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      if (isParameter(route.segments[i])) {
        if (segments[i].empty()) matches = false;
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] =
            percentDecode(segments[i], false);
      } else if (route.segments[i] != segments[i]) {
        matches = false;
      }
    }
    if (!matches) continue;
    if (route.method != method) {
      match.path_known = true;
      continue;
    }
    match.handler = route.handler.get();
    match.params = std::move(params);
    return match;
  }
  return match;
}

class LocalHandlerFactory::Dispatch final : public Poco::Net::HTTPRequestHandler {
 public:
  Dispatch(const LocalRoutes& routes, int port) : routes_(routes), port_(port) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    Poco::Logger& logger = Poco::Logger::get("agent.ui");
    const auto started = std::chrono::steady_clock::now();
    LocalReply reply;
    std::string path;
    try {
      const std::string& uri = request.getURI();
      const size_t question = uri.find('?');
      path = uri.substr(0, question);
      reply = serve(request, path, question == std::string::npos ? "" : uri.substr(question + 1));
    } catch (const std::exception& bug) {
      logger.error("%s %s failed: %s", request.getMethod(), path, std::string(bug.what()));
      reply = LocalReply::error(500, Error::internal("the kiosk agent failed; see its log"));
    }
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    response.set("Cache-Control", "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                 "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action "
                 "'none'");
    if (!reply.content_type.empty()) response.setContentType(reply.content_type);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    std::ostream& out = response.send();
    if (request.getMethod() != "HEAD") out << reply.body;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (reply.status >= 500) {
      logger.error("%s %s -> %d (%d ms)", request.getMethod(), path, reply.status,
                   static_cast<int>(elapsed.count()));
    } else {
      logger.debug("%s %s -> %d (%d ms)", request.getMethod(), path, reply.status,
                   static_cast<int>(elapsed.count()));
    }
  }

 private:
  bool isOwnHost(const std::string& host) const {
    const std::string port = std::to_string(port_);
    return host == "127.0.0.1:" + port || host == "localhost:" + port;
  }

  LocalReply serve(Poco::Net::HTTPServerRequest& request, const std::string& path,
                   std::string query) {
    if (!isOwnHost(request.getHost())) {
      return LocalReply::error(403, Error::forbidden("this listener serves only its own host"));
    }
    const std::string origin = request.get("Origin", "");
    if (!origin.empty() && (!origin.starts_with("http://") || !isOwnHost(origin.substr(7)))) {
      return LocalReply::error(403, Error::forbidden("requests from other origins are refused"));
    }
    LocalRoutes::Match match = routes_.match(request.getMethod(), path);
    if (match.handler == nullptr) {
      return match.path_known ? LocalReply::error(405, Error::invalidInput("method not allowed"))
                              : LocalReply::error(404, Error::notFound("no such page"));
    }
    if (request.hasContentLength() &&
        request.getContentLength64() > static_cast<Poco::Int64>(kMaxBodyBytes)) {
      return LocalReply::error(413, Error::invalidInput("request body too large"));
    }
    LocalRequest local;
    local.method = request.getMethod();
    local.path = path;
    local.query = std::move(query);
    local.params = std::move(match.params);
    local.session = request.get("X-Kiosk-Session", "");
    std::istream& body = request.stream();
    char buffer[8192];
    while (body.read(buffer, sizeof buffer) || body.gcount() > 0) {
      local.body.append(buffer, static_cast<size_t>(body.gcount()));
      if (local.body.size() > kMaxBodyBytes) {
        return LocalReply::error(413, Error::invalidInput("request body too large"));
      }
    }
    return match.handler->handle(local);
  }

  const LocalRoutes& routes_;
  const int port_;
};

LocalHandlerFactory::LocalHandlerFactory(std::shared_ptr<const LocalRoutes> routes)
    : routes_(std::move(routes)) {}

Poco::Net::HTTPRequestHandler* LocalHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  return new Dispatch(*routes_, port_.load());
}

}  // namespace kaiban::agent
