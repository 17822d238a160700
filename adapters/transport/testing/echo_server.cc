#include "adapters/transport/testing/echo_server.h"

#include <iterator>
#include <string>

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerRequestImpl.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/Net/SecureStreamSocketImpl.h"
#include "Poco/Net/StreamSocket.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/peer.h"

namespace kaiban::transport::testing {

void Gate::open() {
  std::lock_guard lock(mutex_);
  open_ = true;
  opened_.notify_all();
}

void Gate::wait() {
  std::unique_lock lock(mutex_);
  opened_.wait(lock, [this] { return open_; });
}

namespace {

bool startsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

class EchoHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit EchoHandler(Gate& gate) : gate_(gate) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string body(std::istreambuf_iterator<char>(request.stream()), {});
    const std::string path = request.getURI();
    if (startsWith(path, "/status/")) {
      const int status = std::stoi(path.substr(8));
      response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
      const std::string text = "status " + std::to_string(status);
      response.sendBuffer(text.data(), text.size());
      return;
    }
    if (startsWith(path, "/bytes/") || startsWith(path, "/chunked/")) {
      const bool chunked = startsWith(path, "/chunked/");
      const std::string payload(std::stoul(path.substr(path.find('/', 1) + 1)), 'x');
      if (chunked) {
        response.setChunkedTransferEncoding(true);
        response.send() << payload;
      } else {
        response.sendBuffer(payload.data(), payload.size());
      }
      return;
    }
    if (path == "/hang") gate_.wait();

    response.set("X-Echo-Method", request.getMethod());
    response.set("X-Echo-Path", path);
    response.set("X-Echo-Message-Id", request.get(std::string(kMessageIdHeader), ""));
    if (auto peer = peerIdentity(request)) {
      response.set("X-Peer-CN", peer->common_name);
      response.set("X-Peer-O", peer->organization);
      response.set("X-Peer-OU", peer->organizational_unit);
    } else {
      response.set("X-Peer-Error", peer.error().message);
    }
    auto& request_impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
    auto* tls = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(request_impl.socket().impl());
    response.set("X-Tls-Resumed", tls != nullptr && tls->sessionWasReused() ? "1" : "0");
    response.set("X-Peer-Port", std::to_string(request.clientAddress().port()));
    response.setContentType("text/plain");
    response.sendBuffer(body.data(), body.size());
  }

 private:
  Gate& gate_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* EchoHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  ++requests_;
  return new EchoHandler(*gate_);
}

}  // namespace kaiban::transport::testing
