#include "adapters/transport/https_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include "Poco/Exception.h"
#include "Poco/Logger.h"
#include "Poco/Net/HTTPServerConnection.h"
#include "Poco/Net/HTTPServerParams.h"
#include "Poco/Net/SSLException.h"
#include "Poco/Net/SecureServerSocket.h"
#include "Poco/Net/SecureStreamSocketImpl.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/TCPServer.h"
#include "Poco/Net/TCPServerConnectionFactory.h"
#include "Poco/ThreadPool.h"

namespace kaiban::transport {

// The sockets of live connections, so that stop() can end idle keep-alive connections at
// once. POCO's HTTPServer::stopAll(true) would shut sockets down through the TLS layer from
// another thread, racing the connection thread on the same SSL object; shutting down only
// the read side of the descriptor wakes that thread (its next read sees end of stream)
// without touching TLS state, and a response being written still goes out.
class HttpsServer::ConnectionRegistry {
 public:
  void add(poco_socket_t descriptor) {
    std::lock_guard lock(mutex_);
    descriptors_.insert(descriptor);
    if (stopping_) ::shutdown(descriptor, SHUT_RD);
  }

  // Called before the descriptor is closed, so stopAll() never shuts down a reused number.
  void remove(poco_socket_t descriptor) {
    std::lock_guard lock(mutex_);
    descriptors_.erase(descriptor);
    if (descriptors_.empty()) drained_.notify_all();
  }

  void stopAll() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (poco_socket_t descriptor : descriptors_) ::shutdown(descriptor, SHUT_RD);
  }

  void waitUntilDrained() {
    std::unique_lock lock(mutex_);
    drained_.wait(lock, [this] { return descriptors_.empty(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable drained_;
  std::set<poco_socket_t> descriptors_;
  bool stopping_ = false;
};

class HttpsServer::Connection final : public Poco::Net::HTTPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
             Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
             std::shared_ptr<ConnectionRegistry> registry)
      : HTTPServerConnection(socket, params, std::move(factory)),
        registry_(std::move(registry)),
        receive_timeout_(params->getTimeout()),
        descriptor_(this->socket().impl()->sockfd()) {
    registry_->add(descriptor_);
  }

  ~Connection() override { registry_->remove(descriptor_); }

  void run() override {
    try {
      if (!handshake()) return;
      HTTPServerConnection::run();
    } catch (const Poco::Exception& error) {
      Poco::Logger::get("transport.server")
          .information("connection from %s ended: %s", peerAddress(), error.displayText());
    }
  }

 private:
  // Completes the TLS handshake before any HTTP is read. POCO would do it lazily inside the
  // first read of the request, where a refused handshake looks like a client that sent
  // nothing; here it is logged with its reason, and bounded by the receive timeout.
  bool handshake() {
    auto* tls = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket().impl());
    if (tls == nullptr) return true;
    socket().setReceiveTimeout(receive_timeout_);
    socket().setSendTimeout(receive_timeout_);
    try {
      if (tls->completeHandshake() == 1) return true;
      Poco::Logger::get("transport.server")
          .information("TLS handshake from %s timed out", peerAddress());
    } catch (const Poco::Net::SSLException& error) {
      // Typically a refused client certificate: none, unknown CA, revoked.
      Poco::Logger::get("transport.server")
          .information("TLS handshake from %s failed: %s", peerAddress(), error.displayText());
      drainBeforeClose();
    }
    return false;
  }

  // OpenSSL has sent its alert (the reason a client is refused). Under TLS 1.3 the client
  // has already sent its request by then; closing with that request unread makes the kernel
  // send a reset, which can overtake the alert and leave the client with only "connection
  // reset". So: half-close, and discard what the client still sends until it closes, for a
  // bounded time and amount.
  void drainBeforeClose() {
    constexpr int kMaxReads = 16;
    constexpr int kPollMilliseconds = 100;
    ::shutdown(descriptor_, SHUT_WR);
    char buffer[4096];
    for (int i = 0; i < kMaxReads; ++i) {
      pollfd readable{.fd = descriptor_, .events = POLLIN, .revents = 0};
      if (::poll(&readable, 1, kPollMilliseconds) <= 0) return;
      if (::recv(descriptor_, buffer, sizeof(buffer), 0) <= 0) return;
    }
  }

  std::string peerAddress() {
    try {
      return socket().peerAddress().toString();
    } catch (const Poco::Exception&) {
      return "a disconnected peer";
    }
  }

  std::shared_ptr<ConnectionRegistry> registry_;
  Poco::Timespan receive_timeout_;
  poco_socket_t descriptor_;
};

class HttpsServer::ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                    std::shared_ptr<ConnectionRegistry> registry)
      : params_(std::move(params)), factory_(std::move(factory)), registry_(std::move(registry)) {}

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, params_, factory_, registry_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  std::shared_ptr<ConnectionRegistry> registry_;
};

namespace {

Poco::Timespan seconds(std::chrono::seconds value) {
  return Poco::Timespan(static_cast<long>(value.count()), 0);
}

Poco::Net::ServerSocket bindListener(const Poco::Net::Context::Ptr& context,
                                     const ServerOptions& options) {
  const std::string where = options.bind_host + ":" + std::to_string(options.port);
  if (options.port < 0 || options.port > 65535) {
    throw std::runtime_error("cannot listen on " + where + ": not a valid port");
  }
  try {
    Poco::Net::SocketAddress address(options.bind_host, static_cast<Poco::UInt16>(options.port));
    if (!context && !address.host().isLoopback()) {
      throw std::runtime_error("refusing to serve plain HTTP on " + where +
                               ": plain HTTP is for loopback listeners only");
    }
    Poco::Net::ServerSocket socket =
        context ? Poco::Net::SecureServerSocket(context) : Poco::Net::ServerSocket();
    // No SO_REUSEPORT: a second process on the same port must fail here, not share it.
    socket.bind(address, /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(std::max(64, options.max_queued));
    return socket;
  } catch (const Poco::Exception& error) {
    throw std::runtime_error("cannot listen on " + where + ": " + error.displayText());
  }
}

}  // namespace

HttpsServer::HttpsServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                         Poco::Net::Context::Ptr context, ServerOptions options)
    : registry_(std::make_shared<ConnectionRegistry>()), tls_(!context.isNull()) {
  if (options.max_threads < 1 || options.max_queued < 0) {
    throw std::runtime_error("server options: max_threads must be at least 1");
  }
  Poco::Net::ServerSocket socket = bindListener(context, options);
  port_ = socket.address().port();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.max_threads);
  params->setMaxQueued(options.max_queued);
  params->setThreadIdleTime(Poco::Timespan(60, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(seconds(options.keep_alive_timeout));
  params->setMaxKeepAliveRequests(options.max_keep_alive_requests);
  params->setTimeout(seconds(options.receive_timeout));

  threads_ = std::make_unique<Poco::ThreadPool>(tls_ ? "https" : "http",
                                                /*minCapacity=*/std::min(2, options.max_threads),
                                                /*maxCapacity=*/options.max_threads,
                                                /*idleTime=*/60);
  server_ = std::make_unique<Poco::Net::TCPServer>(
      new ConnectionFactory(params, std::move(factory), registry_), *threads_, socket, params);
}

HttpsServer::~HttpsServer() { stop(); }

void HttpsServer::start() {
  if (started_ || stopped_) return;
  started_ = true;
  server_->start();
}

void HttpsServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  server_->stop();  // no new connections; queued ones are dropped
  registry_->stopAll();
  registry_->waitUntilDrained();
}

int HttpsServer::totalConnections() const { return server_->totalConnections(); }

int HttpsServer::currentConnections() const { return server_->currentConnections(); }

}  // namespace kaiban::transport
