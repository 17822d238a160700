#include "tests/integration/multinode_balancer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kaiban::testing {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Copies what `from` has to `to`. False when `from` has nothing more (closed or failed).
bool forward(int from, int to) {
  char buffer[16384];
  const ssize_t got = ::recv(from, buffer, sizeof buffer, 0);
  if (got <= 0) return false;
  ssize_t sent = 0;
  while (sent < got) {
    const ssize_t n = ::send(to, buffer + sent, static_cast<size_t>(got - sent), MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += n;
  }
  return true;
}

}  // namespace

TcpBalancer::TcpBalancer(int listen_port, std::vector<int> backend_ports)
    : backend_ports_(std::move(backend_ports)), forwarded_(backend_ports_.size(), 0) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("balancer: socket: " + std::string(strerror(errno)));
  const int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address = loopback(listen_port);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 128) != 0) {
    const std::string why = strerror(errno);
    ::close(listener_);
    throw std::runtime_error("balancer: cannot listen on 127.0.0.1:" + std::to_string(listen_port) +
                             ": " + why);
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

TcpBalancer::~TcpBalancer() {
  stopping_ = true;
  acceptor_.join();
  ::close(listener_);
  std::lock_guard lock(mutex_);
  for (const std::unique_ptr<Connection>& connection : connections_) {
    ::shutdown(connection->client, SHUT_RDWR);
    ::shutdown(connection->backend, SHUT_RDWR);
  }
  for (const std::unique_ptr<Connection>& connection : connections_) {
    connection->pump.join();
    ::close(connection->client);
    ::close(connection->backend);
  }
}

std::vector<int> TcpBalancer::forwarded() const {
  std::lock_guard lock(mutex_);
  return forwarded_;
}

int TcpBalancer::connectBackend() {
  for (size_t tried = 0; tried < backend_ports_.size(); ++tried) {
    size_t index = 0;
    {
      std::lock_guard lock(mutex_);
      index = next_++ % backend_ports_.size();
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in address = loopback(backend_ports_[index]);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      const int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      std::lock_guard lock(mutex_);
      ++forwarded_[index];
      return fd;
    }
    ::close(fd);
  }
  return -1;
}

void TcpBalancer::acceptLoop() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int yes = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    const int backend = connectBackend();
    if (backend < 0) {
      ::close(client);  // every backend is down: the client sees the connection refused
      continue;
    }
    auto connection = std::make_unique<Connection>();
    connection->client = client;
    connection->backend = backend;
    Connection* raw = connection.get();
    std::lock_guard lock(mutex_);
    // Threads of connections that ended are joined here, so a long run does not pile them up.
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->finished) {
        (*it)->pump.join();
        ::close((*it)->client);
        ::close((*it)->backend);
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    raw->pump = std::thread([raw] { pump(*raw); });
    connections_.push_back(std::move(connection));
  }
}

void TcpBalancer::pump(Connection& connection) {
  // Half-closes pass through: a side that finished sending is shut down for writing on the
  // other, and the connection ends when both directions have.
  bool client_open = true;
  bool backend_open = true;
  while (client_open || backend_open) {
    pollfd fds[2] = {{client_open ? connection.client : -1, POLLIN, 0},
                     {backend_open ? connection.backend : -1, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0 && !forward(connection.client, connection.backend)) {
      client_open = false;
      ::shutdown(connection.backend, SHUT_WR);
    }
    if (fds[1].revents != 0 && !forward(connection.backend, connection.client)) {
      backend_open = false;
      ::shutdown(connection.client, SHUT_WR);
    }
  }
  // The sockets are closed by whoever joins this thread: closing them here could let their
  // numbers be reused while the destructor still shuts them down.
  connection.finished = true;
}

}  // namespace kaiban::testing
