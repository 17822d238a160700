#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "Poco/Net/HTTPRequestHandlerFactory.h"

// A tiny HTTP handler for transport tests, describing what the server saw.
namespace kaiban::transport::testing {

// A latch the test opens; requests to /hang wait on it.
class Gate {
 public:
  void open();
  void wait();

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// Routes:
//   /status/<n>  answers HTTP <n> with body "status <n>"
//   /bytes/<n>   answers 200 with <n> bytes (Content-Length)
//   /chunked/<n> answers 200 with <n> bytes, chunked
//   /hang        waits until the gate opens, then answers 200
//   anything else: 200, echoing the request body, with headers
//     X-Echo-Method, X-Echo-Path, X-Echo-Message-Id (the X-Kaiban-Message-Id received),
//     X-Peer-CN / X-Peer-O / X-Peer-OU from peerIdentity(), or X-Peer-Error with its message,
//     X-Tls-Resumed ("1" when the TLS session was resumed), X-Peer-Port (client's port).
class EchoHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit EchoHandlerFactory(std::shared_ptr<Gate> gate = std::make_shared<Gate>())
      : gate_(std::move(gate)) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

  int requests() const { return requests_.load(); }
  Gate& gate() { return *gate_; }

 private:
  std::shared_ptr<Gate> gate_;
  std::atomic<int> requests_{0};
};

}  // namespace kaiban::transport::testing
