#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// What an operator puts in front of several orchestrators' mutual-TLS listeners, reduced to
// loopback for the multi-node test: a TCP passthrough balancer. Bytes pass untouched in both
// directions, so TLS ends at the orchestrator and the kiosk's or partner's client certificate
// (its identity) reaches it. Each new connection goes to the next backend in turn that accepts
// it; a backend that refuses (its process is dead) is skipped, as a balancer's health check
// would take it out. Connections already open to a backend that dies are cut, as they would
// be. Thread-safe.
namespace kaiban::testing {

class TcpBalancer {
 public:
  // Listens on 127.0.0.1:`listen_port` and forwards to 127.0.0.1:`backend_ports`. Throws
  // std::runtime_error if it cannot listen.
  TcpBalancer(int listen_port, std::vector<int> backend_ports);
  // Stops accepting, cuts every forwarded connection and waits for their threads.
  ~TcpBalancer();
  TcpBalancer(const TcpBalancer&) = delete;
  TcpBalancer& operator=(const TcpBalancer&) = delete;

  int port() const { return port_; }
  // Connections forwarded to each backend so far, in the order of `backend_ports`.
  std::vector<int> forwarded() const;

 private:
  struct Connection {
    int client = -1;
    int backend = -1;
    std::thread pump;
    std::atomic<bool> finished{false};
  };

  void acceptLoop();
  // Connects to the next backend that accepts, or returns -1 if none does.
  int connectBackend();
  static void pump(Connection& connection);

  int port_ = 0;
  int listener_ = -1;
  std::vector<int> backend_ports_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> connections_;  // guarded by mutex_
  std::vector<int> forwarded_;                            // guarded by mutex_
  size_t next_ = 0;                                       // guarded by mutex_
  std::thread acceptor_;
};

}  // namespace kaiban::testing
