#include "adapters/sim/http_handlers.h"

#include <istream>

#include "Poco/Exception.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/peer.h"

namespace kaiban::sim {
namespace {

// Reads at most `limit` bytes of the body; `too_large` when there is more.
std::string readBody(std::istream& in, size_t limit, bool& too_large) {
  std::string body;
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof buffer);
    body.append(buffer, static_cast<size_t>(in.gcount()));
    if (body.size() > limit) {
      too_large = true;
      body.clear();
      // Drain what is left so the connection stays usable for the 413.
      while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      }
      break;
    }
  }
  return body;
}

void send(Poco::Net::HTTPServerResponse& response, const Reply& reply) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType(reply.content_type);
  response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
  response.send() << reply.body;
}

class PartnerRequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit PartnerRequestHandler(PartnerService& service) : service_(service) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    try {
      PartnerCall call;
      call.method = request.getMethod();
      call.path = request.getURI();
      call.message_id_header = request.get(std::string(transport::kMessageIdHeader), "");
      Result<transport::PeerIdentity> peer = transport::peerIdentity(request);
      if (peer.ok()) {
        call.peer_cn = peer->common_name;
      } else {
        call.peer_error = peer.error().message;
      }
      call.body = readBody(request.stream(), kMaxRequestBytes, call.body_too_large);
      send(response, service_.handle(call));
    } catch (const Poco::Exception& error) {
      // Typically the client went away (a held answer after its timeout, a reset): there is
      // no one left to answer.
      service_.log().note("connection_error", error.displayText());
    } catch (const std::exception& error) {
      service_.log().note("handler_error", error.what());
      if (!response.sent()) {
        send(response, Reply{500, service_.sim().errorDocument("", "internal error")});
      }
    }
  }

 private:
  PartnerService& service_;
};

class ControlRequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ControlRequestHandler(ControlService& service) : service_(service) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    try {
      bool too_large = false;
      std::string body = readBody(request.stream(), 64 * 1024, too_large);
      if (too_large) {
        send(response, Reply{413, "{\"error\":\"body too large\"}", "application/json"});
        return;
      }
      send(response, service_.handle(request.getMethod(), request.getURI(), body));
    } catch (const Poco::Exception& error) {
      service_.log().note("connection_error", error.displayText());
    } catch (const std::exception& error) {
      service_.log().note("handler_error", error.what());
      if (!response.sent()) {
        send(response,
             Reply{500, std::string("{\"error\":\"internal error\"}"), "application/json"});
      }
    }
  }

 private:
  ControlService& service_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* PartnerHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  return new PartnerRequestHandler(service_);
}

Poco::Net::HTTPRequestHandler* ControlHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  return new ControlRequestHandler(service_);
}

}  // namespace kaiban::sim
