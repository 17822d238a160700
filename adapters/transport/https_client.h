#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "Poco/Net/Context.h"
#include "Poco/Net/Session.h"
#include "core/clock.h"
#include "core/result.h"

namespace Poco {
class Exception;
}

// The HTTPS client every outbound call goes through (orchestrator → partners, simulators →
// orchestrator callbacks, kiosk agent → orchestrator). Third-party errors are translated to
// kaiban::Error here, once.
namespace kaiban::transport {

// Carries the stable id of a logical partner message (adapters::MessageId) on every request.
inline constexpr std::string_view kMessageIdHeader = "X-Kaiban-Message-Id";

struct Endpoint {
  std::string host;  // a DNS name or an IP literal; the server certificate must name it
  int port = 0;
  std::string name;  // who this is, for error messages ("registry"); empty: host:port only
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2000};  // TCP connect and TLS handshake
  std::chrono::milliseconds read_timeout{5000};     // each wait for the server (send or receive)
  int max_idle_sessions = 8;                        // keep-alive connections kept for reuse
  std::size_t max_response_bytes = 4 * 1024 * 1024;
  // An idle connection older than this is closed instead of reused; keep it below the
  // server's keep-alive timeout (15 s by default) so reuse rarely meets a closed connection.
  std::chrono::milliseconds max_idle_time{10000};
};

// Orders header names case-insensitively, as HTTP compares them.
struct HeaderNameLess {
  using is_transparent = void;
  bool operator()(std::string_view left, std::string_view right) const;
};
using Headers = std::map<std::string, std::string, HeaderNameLess>;

struct Response {
  int status = 0;
  std::string body;
  Headers headers;  // repeated headers are joined with ", "
};

// Counters since construction, for metrics and tests.
struct ClientStats {
  std::uint64_t connections_opened = 0;
  std::uint64_t sessions_resumed = 0;  // connections that resumed an earlier TLS session
  std::uint64_t stale_retries = 0;     // requests resent after a reused connection was dead
};

// A keep-alive HTTP/1.1 client for one endpoint. Thread-safe: concurrent calls each use their
// own connection, taken from a small pool of idle ones or opened fresh (resuming the last
// TLS session). A null context means plain HTTP (loopback listeners).
//
// Every call returns the server's Response whatever its HTTP status (see errorForStatus()),
// or one of these errors:
//   kUnavailable  connection refused, host unreachable or unresolvable, TLS handshake or
//                 verification failed (the OpenSSL reason is in the message), connection
//                 closed or reset before a complete response;
//   kTimeout      no connection within connect_timeout, or no data within read_timeout;
//   kCorrupt      the response is larger than max_response_bytes or is not HTTP;
//   kInvalidInput the path or a header cannot be sent (control characters).
// When a connection reused from the pool turns out to be closed by the server (the first
// write or read fails, not by timeout), the request is sent once more on a fresh connection:
// the server had closed it before the request could reach the application. No other retries
// happen here (see RetryPolicy and PartnerClient).
class HttpsClient {
 public:
  // `clock` must outlive the client.
  HttpsClient(Endpoint endpoint, Poco::Net::Context::Ptr context, ClientOptions options,
              const Clock& clock);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  Result<Response> post(std::string_view path, std::string_view body, std::string_view content_type,
                        const Headers& headers = {});
  Result<Response> get(std::string_view path, const Headers& headers = {});

  const Endpoint& endpoint() const { return endpoint_; }
  // "registry at 127.0.0.1:9001", as error messages name the endpoint.
  const std::string& description() const { return description_; }
  ClientStats stats() const;

 private:
  struct Connection;
  struct Request;
  struct Attempt;
  enum class Phase { kConnecting, kSending, kAwaitingResponse, kReadingBody };

  Result<Response> exchange(const Request& request);
  Result<std::unique_ptr<Connection>> connect();
  Attempt attempt(Connection& connection, const Request& request);
  std::unique_ptr<Connection> takeIdle();
  void giveBack(std::unique_ptr<Connection> connection);
  void dropIdle();
  void rememberTlsSession(Connection& connection);
  Error translate(const Poco::Exception& error, Phase phase) const;

  const Endpoint endpoint_;
  const Poco::Net::Context::Ptr context_;
  const ClientOptions options_;
  const Clock& clock_;
  const std::string description_;

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
  Poco::Net::Session::Ptr tls_session_;            // resumed by the next new connection

  std::atomic<std::uint64_t> connections_opened_{0};
  std::atomic<std::uint64_t> sessions_resumed_{0};
  std::atomic<std::uint64_t> stale_retries_{0};
};

// The error a caller reports for a non-2xx answer from `who`: 5xx, 408 and 429 →
// kUnavailable (retry later); 409 → kConflict; other 4xx → kInvalidInput. The message quotes
// the status and the start of the body. REQUIRES: status is not 2xx.
Error errorForStatus(int status, std::string_view body, std::string_view who);

}  // namespace kaiban::transport
