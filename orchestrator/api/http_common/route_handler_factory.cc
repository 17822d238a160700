#include "orchestrator/api/http_common/route_handler_factory.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <istream>
#include <optional>
#include <ostream>

#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/URI.h"
#include "adapters/transport/peer.h"
#include "orchestrator/api/http_common/log_fields.h"

namespace kaiban::orchestrator::api {

namespace {

bool mayCarryBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

HttpReply tooLarge(std::size_t limit) {
  return HttpReply::error(
      413, Error::invalidInput("the request body is larger than the " + std::to_string(limit) +
                                   " bytes this route accepts",
                               "body"));
}

// "12.345": milliseconds with microsecond precision.
std::string millis(std::chrono::microseconds elapsed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(elapsed.count()) / 1000.0);
  return text;
}

// A refused body up to this size is still read (and thrown away) before answering, so that
// a client busy sending it gets to read the 413 instead of a connection reset; a larger one
// is cut off.
constexpr std::size_t kDrainLimit = 1 << 20;

void drain(std::istream& in, std::size_t already_read) {
  char buffer[8192];
  while (in && already_read < kDrainLimit) {
    in.read(buffer, sizeof buffer);
    if (in.gcount() == 0) break;
    already_read += static_cast<std::size_t>(in.gcount());
  }
}

// Reads the body up to `limit` bytes; nullopt once it is known to be longer.
std::optional<std::string> readBounded(std::istream& in, std::size_t limit) {
  std::string body;
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof buffer);
    const std::size_t got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    if (body.size() + got > limit) {
      drain(in, body.size() + got);
      return std::nullopt;
    }
    body.append(buffer, got);
  }
  return body;
}

}  // namespace

class RouteHandlerFactory::Dispatch final : public Poco::Net::HTTPRequestHandler {
 public:
  Dispatch(const RouteTable& routes, Poco::Logger& logger, const Clock& clock)
      : routes_(routes), logger_(logger), clock_(clock) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const SteadyTime started = clock_.steadyNow();
    std::string path = request.getURI();
    HttpReply reply;
    bool body_left_unread = false;
    try {
      reply = route(request, path, body_left_unread);
    } catch (const std::exception& error) {
      logWith(logger_, Poco::Message::PRIO_ERROR, std::string("handler failed: ") + error.what(),
              {{"method", request.getMethod()}, {"path", path}});
      reply = HttpReply::error(
          Error::internal("the orchestrator failed to handle this request; see its log"));
    }
    // An unread body would be parsed as the next request on this connection.
    if (body_left_unread) response.setKeepAlive(false);
    write(reply, response);
    logAccess(request, path, reply.status, started);
  }

 private:
  HttpReply route(Poco::Net::HTTPServerRequest& request, std::string& path,
                  bool& body_left_unread) {
    RouteRequest routed{request, request.getMethod(), {}, {}, {}, {}};
    try {
      Poco::URI uri(request.getURI());
      routed.path = uri.getPath();
      routed.query = uri.getRawQuery();
    } catch (const Poco::Exception& error) {
      body_left_unread = true;
      return HttpReply::error(
          Error::invalidInput("the request URI does not parse: " + error.displayText()));
    }
    path = routed.path;

    RouteTable::Match match = routes_.match(routed.method, routed.path);
    if (match.kind != RouteTable::MatchKind::kFound) body_left_unread = true;
    if (match.kind == RouteTable::MatchKind::kNoSuchPath) {
      return HttpReply::error(Error::notFound("no such resource: " + routed.path));
    }
    if (match.kind == RouteTable::MatchKind::kWrongMethod) {
      std::string allowed;
      for (const std::string& method : match.allowed) {
        allowed += (allowed.empty() ? "" : ", ") + method;
      }
      HttpReply reply =
          HttpReply::error(405, Error::invalidInput(routed.method + " is not allowed on " +
                                                    routed.path + " (allowed: " + allowed + ")"));
      reply.headers.emplace_back("Allow", allowed);
      return reply;
    }

    const std::size_t limit = match.route->options.max_body_bytes;
    if (mayCarryBody(routed.method) || request.hasContentLength()) {
      if (request.hasContentLength() &&
          static_cast<std::uint64_t>(request.getContentLength64()) > limit) {
        if (static_cast<std::uint64_t>(request.getContentLength64()) <= kDrainLimit) {
          drain(request.stream(), 0);
        }
        body_left_unread = true;
        return tooLarge(limit);
      }
      std::optional<std::string> body = readBounded(request.stream(), limit);
      if (!body) {
        body_left_unread = true;
        return tooLarge(limit);
      }
      routed.body = std::move(*body);
    }
    routed.params = std::move(match.params);
    return match.route->handler->handle(routed);
  }

  static void write(const HttpReply& reply, Poco::Net::HTTPServerResponse& response) {
    if (response.sent()) return;  // the handler failed after answering: nothing more to say
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    if (reply.content_type.empty()) {
      response.send();
      return;
    }
    response.setContentType(reply.content_type);
    response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
    response.send() << reply.body;
  }

  void logAccess(Poco::Net::HTTPServerRequest& request, const std::string& path, int status,
                 SteadyTime started) {
    const Poco::Message::Priority priority = status >= 500   ? Poco::Message::PRIO_ERROR
                                             : status >= 400 ? Poco::Message::PRIO_WARNING
                                                             : Poco::Message::PRIO_DEBUG;
    if (!logger_.is(priority)) return;
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.steadyNow() - started);
    Result<transport::PeerIdentity> peer = transport::peerIdentity(request);
    logWith(logger_, priority, request.getMethod() + " " + path + " " + std::to_string(status),
            {{"method", request.getMethod()},
             {"path", path},
             {"status", std::to_string(status)},
             {"duration_ms", millis(elapsed)},
             {"peer", peer ? peer->common_name : std::string()}});
  }

  const RouteTable& routes_;
  Poco::Logger& logger_;
  const Clock& clock_;
};

RouteHandlerFactory::RouteHandlerFactory(std::shared_ptr<const RouteTable> routes,
                                         std::string logger_name, const Clock& clock)
    : routes_(std::move(routes)), logger_name_(std::move(logger_name)), clock_(clock) {}

Poco::Net::HTTPRequestHandler* RouteHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  return new Dispatch(*routes_, Poco::Logger::get(logger_name_), clock_);
}

}  // namespace kaiban::orchestrator::api
