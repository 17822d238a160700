#pragma once

#include <string>

#include "Poco/SharedPtr.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/testing/echo_server.h"

namespace kaiban::transport::testing {

// An HttpsServer running an EchoHandlerFactory on 127.0.0.1, started at construction. Opens
// the echo gate before stopping, so /hang requests cannot block the shutdown.
class EchoServer {
 public:
  explicit EchoServer(Poco::Net::Context::Ptr context, ServerOptions options = {})
      : factory_(new EchoHandlerFactory),
        server_(Poco::Net::HTTPRequestHandlerFactory::Ptr(factory_), std::move(context),
                std::move(options)) {
    server_.start();
  }
  ~EchoServer() { factory_->gate().open(); }

  Endpoint endpoint(std::string name = "test") const {
    return Endpoint{.host = "127.0.0.1", .port = server_.port(), .name = std::move(name)};
  }
  HttpsServer& server() { return server_; }
  EchoHandlerFactory& factory() { return *factory_; }
  void stop() {
    factory_->gate().open();
    server_.stop();
  }

 private:
  Poco::SharedPtr<EchoHandlerFactory> factory_;
  HttpsServer server_;
};

}  // namespace kaiban::transport::testing
