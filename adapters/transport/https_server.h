#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "Poco/Net/Context.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
}
}  // namespace Poco

// An HTTP/1.1 listener for the orchestrator's APIs, the partner simulators and the kiosk UI.
namespace kaiban::transport {

struct ServerOptions {
  std::string bind_host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port, read it back with HttpsServer::port()
  // POCO holds one thread per connection for as long as the connection is kept alive, so this
  // bounds concurrent connections; beyond it they queue (up to max_queued), then are refused.
  int max_threads = 64;
  int max_queued = 256;
  std::chrono::seconds keep_alive_timeout{15};  // an idle connection is closed after this
  int max_keep_alive_requests = 1000;           // then the connection is closed
  std::chrono::seconds receive_timeout{15};     // for the first request and each read
};

// POCO's TCPServer with a dedicated thread pool sized from the options and the HTTP
// connection handling of HTTPServer. TLS when given a context (see tls.h), plain HTTP when the
// context is null: that is allowed only on a loopback address (admin listener, kiosk UI).
// Handlers created by `factory` run on the pool's threads, concurrently.
class HttpsServer {
 public:
  // Binds the listening socket at once (so port() is known before start()); does not accept
  // until start(). Throws std::runtime_error if the address cannot be bound, or plain HTTP
  // is requested on a non-loopback address: start-up configuration errors.
  HttpsServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::Net::Context::Ptr context,
              ServerOptions options);
  // Calls stop().
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Starts accepting connections. REQUIRES: called at most once, before stop().
  void start();

  // Stops accepting, lets requests being handled finish, closes idle keep-alive connections,
  // and returns once no connection thread is left. Idempotent. A stopped server cannot be
  // restarted. REQUIRES: no handler blocks forever.
  void stop();

  // The bound port (the ephemeral one when options.port was 0).
  int port() const { return port_; }
  bool isTls() const { return tls_; }

  // Connections accepted since start(), and those open now: for metrics and tests.
  int totalConnections() const;
  int currentConnections() const;

 private:
  class ConnectionRegistry;
  class Connection;
  class ConnectionFactory;

  std::shared_ptr<ConnectionRegistry> registry_;
  std::unique_ptr<Poco::ThreadPool> threads_;  // outlives server_, whose threads it owns
  std::unique_ptr<Poco::Net::TCPServer> server_;
  int port_ = 0;
  bool tls_ = false;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace kaiban::transport
