#include "adapters/transport/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <optional>
#include <ostream>
#include <utility>

#include "Poco/Exception.h"
#include "Poco/Logger.h"
#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/Net/IPAddress.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/SSLException.h"
#include "Poco/Net/SecureStreamSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/StreamSocket.h"

namespace kaiban::transport {

bool HeaderNameLess::operator()(std::string_view left, std::string_view right) const {
  return std::lexicographical_compare(left.begin(), left.end(), right.begin(), right.end(),
                                      [](char a, char b) {
                                        return std::tolower(static_cast<unsigned char>(a)) <
                                               std::tolower(static_cast<unsigned char>(b));
                                      });
}

struct HttpsClient::Connection {
  Poco::Net::StreamSocket socket;  // a SecureStreamSocket when the client has a context
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  SteadyTime idle_since{};
  bool reused = false;
  bool tls_session_saved = false;
};

struct HttpsClient::Request {
  const std::string& method;
  std::string_view path;
  std::string_view body;
  std::string_view content_type;
  const Headers& headers;
};

// The outcome of one try on one connection.
struct HttpsClient::Attempt {
  std::optional<Response> response;
  Error error;
  bool keep_connection = false;      // the connection can serve another request
  bool connection_was_dead = false;  // failed before any answer, not by timeout
};

namespace {

Poco::Timespan timespan(std::chrono::milliseconds value) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(value.count()) * 1000);
}

std::string milliseconds(std::chrono::milliseconds value) {
  return std::to_string(value.count()) + " ms";
}

bool isControl(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

Result<void> checkSendable(std::string_view path, const Headers& headers,
                           std::string_view content_type) {
  if (path.empty() || path.front() != '/' ||
      std::any_of(path.begin(), path.end(), [](char c) { return isControl(c) || c == ' '; })) {
    return Error::invalidInput("request path '" + std::string(path) +
                               "' must start with '/' and contain no spaces or control "
                               "characters");
  }
  auto bad_value = [](std::string_view value) {
    return std::any_of(value.begin(), value.end(),
                       [](char c) { return c != '\t' && isControl(c); });
  };
  for (const auto& [name, value] : headers) {
    if (name.empty() || std::any_of(name.begin(), name.end(),
                                    [](char c) { return isControl(c) || c == ' ' || c == ':'; })) {
      return Error::invalidInput("'" + name + "' is not a valid HTTP header name");
    }
    if (bad_value(value)) {
      return Error::invalidInput("the value of header " + name + " contains control characters");
    }
  }
  if (bad_value(content_type)) {
    return Error::invalidInput("the content type contains control characters");
  }
  return ok();
}

// The server certificate must name the host we dialled (DNS name or IP address in its
// subjectAltName). Done here with OpenSSL rather than by POCO, whose check resolves names
// through DNS for IP hosts and skips loopback addresses.
Result<void> checkServerName(Poco::Net::SecureStreamSocket& socket, const std::string& host,
                             const std::string& who) {
  if ((SSL_CTX_get_verify_mode(socket.context()->sslContext()) & SSL_VERIFY_PEER) == 0) {
    return ok();
  }
  if (!socket.havePeerCertificate()) {
    return Error::unavailable("TLS with " + who + " failed: the server sent no certificate");
  }
  Poco::Net::X509Certificate certificate = socket.peerCertificate();
  X509* x509 = const_cast<X509*>(certificate.certificate());
  Poco::Net::IPAddress ip;
  const bool matches = Poco::Net::IPAddress::tryParse(host, ip)
                           ? X509_check_ip_asc(x509, host.c_str(), 0) == 1
                           : X509_check_host(x509, host.data(), host.size(), 0, nullptr) == 1;
  if (!matches) {
    return Error::unavailable("TLS with " + who + " failed: its certificate (" +
                              certificate.subjectName() + ") is not issued for '" + host + "'");
  }
  return ok();
}

std::string bodyExcerpt(std::string_view body) {
  constexpr std::size_t kMaxExcerpt = 200;
  std::string excerpt(body.substr(0, kMaxExcerpt));
  for (char& c : excerpt) {
    if (isControl(c)) c = ' ';
  }
  if (body.size() > kMaxExcerpt) excerpt += "...";
  return excerpt;
}

}  // namespace

HttpsClient::HttpsClient(Endpoint endpoint, Poco::Net::Context::Ptr context, ClientOptions options,
                         const Clock& clock)
    : endpoint_(std::move(endpoint)),
      context_(std::move(context)),
      options_(options),
      clock_(clock),
      description_((endpoint_.name.empty() ? "" : endpoint_.name + " at ") + endpoint_.host + ":" +
                   std::to_string(endpoint_.port)) {}

HttpsClient::~HttpsClient() = default;

Result<Response> HttpsClient::post(std::string_view path, std::string_view body,
                                   std::string_view content_type, const Headers& headers) {
  return exchange(Request{Poco::Net::HTTPRequest::HTTP_POST, path, body, content_type, headers});
}

Result<Response> HttpsClient::get(std::string_view path, const Headers& headers) {
  return exchange(Request{Poco::Net::HTTPRequest::HTTP_GET, path, {}, {}, headers});
}

ClientStats HttpsClient::stats() const {
  return ClientStats{connections_opened_.load(), sessions_resumed_.load(), stale_retries_.load()};
}

Result<Response> HttpsClient::exchange(const Request& request) {
  if (auto sendable = checkSendable(request.path, request.headers, request.content_type);
      !sendable) {
    return sendable.error();
  }
  // At most two tries: the second only after a reused connection proved dead, and always on
  // a fresh connection.
  for (bool first_try = true;; first_try = false) {
    std::unique_ptr<Connection> connection = first_try ? takeIdle() : nullptr;
    if (!connection) {
      auto fresh = connect();
      if (!fresh) return fresh.error();
      connection = std::move(fresh).value();
    }
    Attempt outcome = attempt(*connection, request);
    if (outcome.response) {
      if (outcome.keep_connection) giveBack(std::move(connection));
      return std::move(*outcome.response);
    }
    if (first_try && connection->reused && outcome.connection_was_dead) {
      // The server closed its idle connections (restart, keep-alive expiry): the others in
      // the pool are most likely dead too.
      dropIdle();
      ++stale_retries_;
      Poco::Logger::get("transport.client")
          .debug("resending to %s on a fresh connection: %s", description_, outcome.error.message);
      continue;
    }
    return outcome.error;
  }
}

Result<std::unique_ptr<HttpsClient::Connection>> HttpsClient::connect() {
  if (endpoint_.port <= 0 || endpoint_.port > 65535) {
    return Error::invalidInput(description_ + ": not a valid port");
  }
  auto connection = std::make_unique<Connection>();
  try {
    Poco::Net::SocketAddress address(endpoint_.host, static_cast<Poco::UInt16>(endpoint_.port));
    if (context_) {
      Poco::Net::Session::Ptr resume;
      {
        std::lock_guard lock(mutex_);
        resume = tls_session_;
      }
      Poco::Net::SecureStreamSocket socket(context_, resume);
      socket.setPeerHostName(endpoint_.host);  // SNI, for DNS names
      // POCO's connect() ends a handshake that timed out without an error, so the handshake
      // is run separately, where a timeout can be seen.
      socket.setLazyHandshake(true);
      socket.connect(address, timespan(options_.connect_timeout));
      socket.setReceiveTimeout(timespan(options_.connect_timeout));
      socket.setSendTimeout(timespan(options_.connect_timeout));
      if (socket.completeHandshake() != 1) throw Poco::TimeoutException("TLS handshake");
      if (auto named = checkServerName(socket, endpoint_.host, description_); !named) {
        return named.error();
      }
      if (socket.sessionWasReused()) ++sessions_resumed_;
      connection->socket = socket;
    } else {
      connection->socket.connect(address, timespan(options_.connect_timeout));
    }
    connection->socket.setReceiveTimeout(timespan(options_.read_timeout));
    connection->socket.setSendTimeout(timespan(options_.read_timeout));
    connection->socket.setNoDelay(true);
    // A plain HTTPClientSession over the connected socket: TLS lives in the socket, and
    // HTTPSClientSession refuses to be built on a socket that is already connected.
    connection->session = std::make_unique<Poco::Net::HTTPClientSession>(connection->socket);
    connection->session->setTimeout(timespan(options_.connect_timeout),
                                    timespan(options_.read_timeout),
                                    timespan(options_.read_timeout));
    connection->session->setKeepAlive(true);
  } catch (const Poco::Exception& error) {
    return translate(error, Phase::kConnecting);
  }
  ++connections_opened_;
  return connection;
}

HttpsClient::Attempt HttpsClient::attempt(Connection& connection, const Request& request) {
  Attempt outcome;
  Phase phase = Phase::kSending;
  try {
    Poco::Net::HTTPRequest http_request(request.method, std::string(request.path),
                                        Poco::Net::HTTPMessage::HTTP_1_1);
    // The session was built on a connected socket, so it knows no host: name it here.
    http_request.setHost(endpoint_.host, static_cast<Poco::UInt16>(endpoint_.port));
    http_request.setKeepAlive(true);
    for (const auto& [name, value] : request.headers) http_request.set(name, value);
    if (request.method == Poco::Net::HTTPRequest::HTTP_POST) {
      http_request.setContentType(std::string(request.content_type));
      http_request.setContentLength64(static_cast<Poco::Int64>(request.body.size()));
    }
    std::ostream& out = connection.session->sendRequest(http_request);
    out.exceptions(std::ios::badbit);
    out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));

    phase = Phase::kAwaitingResponse;
    Poco::Net::HTTPResponse http_response;
    std::istream& in = connection.session->receiveResponse(http_response);
    phase = Phase::kReadingBody;
    in.exceptions(std::ios::badbit);  // rethrows the socket's own exception

    const bool has_length = http_response.hasContentLength();
    const auto declared = has_length ? http_response.getContentLength64() : Poco::Int64{0};
    if (has_length && static_cast<std::uint64_t>(declared) > options_.max_response_bytes) {
      outcome.error = Error::corrupt(description_ + " announced a response of " +
                                     std::to_string(declared) + " bytes, over the limit of " +
                                     std::to_string(options_.max_response_bytes));
      return outcome;
    }
    Response response;
    response.status = static_cast<int>(http_response.getStatus());
    char buffer[16384];
    while (in) {
      in.read(buffer, sizeof(buffer));
      const auto received = static_cast<std::size_t>(in.gcount());
      if (response.body.size() + received > options_.max_response_bytes) {
        outcome.error = Error::corrupt(description_ + " sent a response larger than " +
                                       std::to_string(options_.max_response_bytes) + " bytes");
        return outcome;
      }
      response.body.append(buffer, received);
    }
    if (has_length && response.body.size() != static_cast<std::uint64_t>(declared)) {
      outcome.error = Error::unavailable(description_ + " closed the connection after " +
                                         std::to_string(response.body.size()) + " of " +
                                         std::to_string(declared) + " response bytes");
      return outcome;
    }
    for (const auto& [name, value] : http_response) {
      auto [existing, inserted] = response.headers.emplace(name, value);
      if (!inserted) existing->second += ", " + value;
    }
    // Without a length or chunking the body ended with the connection.
    outcome.keep_connection = http_response.getKeepAlive() &&
                              (has_length || http_response.getChunkedTransferEncoding() ||
                               response.status == Poco::Net::HTTPResponse::HTTP_NO_CONTENT ||
                               response.status == Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
    rememberTlsSession(connection);
    outcome.response = std::move(response);
  } catch (const Poco::Exception& error) {
    outcome.error = translate(error, phase);
    outcome.connection_was_dead = phase != Phase::kReadingBody &&
                                  dynamic_cast<const Poco::TimeoutException*>(&error) == nullptr;
  }
  return outcome;
}

void HttpsClient::rememberTlsSession(Connection& connection) {
  if (!context_ || connection.tls_session_saved) return;
  // Read after the first response: a TLS 1.3 server sends its session ticket after the
  // handshake, so the session is resumable only once some data has been read.
  Poco::Net::SecureStreamSocket socket(connection.socket);
  Poco::Net::Session::Ptr session = socket.currentSession();
  if (!session || SSL_SESSION_is_resumable(session->sslSession()) != 1) return;
  connection.tls_session_saved = true;
  std::lock_guard lock(mutex_);
  tls_session_ = session;
}

std::unique_ptr<HttpsClient::Connection> HttpsClient::takeIdle() {
  std::vector<std::unique_ptr<Connection>> expired;
  std::unique_ptr<Connection> taken;
  const SteadyTime now = clock_.steadyNow();
  {
    std::lock_guard lock(mutex_);
    while (!idle_.empty() && !taken) {
      std::unique_ptr<Connection> candidate = std::move(idle_.back());
      idle_.pop_back();
      if (now - candidate->idle_since < options_.max_idle_time) {
        taken = std::move(candidate);
      } else {
        expired.push_back(std::move(candidate));
      }
    }
  }
  return taken;  // `expired` connections close here, outside the lock
}

void HttpsClient::giveBack(std::unique_ptr<Connection> connection) {
  connection->reused = true;
  connection->idle_since = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  if (static_cast<int>(idle_.size()) < options_.max_idle_sessions) {
    idle_.push_back(std::move(connection));
    return;
  }
  // Over the limit: the connection is closed as it goes out of scope.
}

void HttpsClient::dropIdle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(idle_);
}

Error HttpsClient::translate(const Poco::Exception& error, Phase phase) const {
  const std::string& who = description_;
  if (dynamic_cast<const Poco::TimeoutException*>(&error) != nullptr) {
    if (phase == Phase::kConnecting) {
      return Error::timeout(who + " did not complete the connection within " +
                            milliseconds(options_.connect_timeout));
    }
    return Error::timeout(who + " did not answer within " + milliseconds(options_.read_timeout));
  }
  if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&error) != nullptr) {
    return Error::unavailable(who + " refused the connection");
  }
  if (dynamic_cast<const Poco::Net::DNSException*>(&error) != nullptr) {
    return Error::unavailable(who + ": cannot resolve '" + endpoint_.host +
                              "': " + error.displayText());
  }
  if (dynamic_cast<const Poco::Net::SSLConnectionUnexpectedlyClosedException*>(&error) != nullptr) {
    return Error::unavailable(who + " closed the connection" +
                              (phase == Phase::kConnecting ? " during the TLS handshake" : ""));
  }
  if (dynamic_cast<const Poco::Net::SSLException*>(&error) != nullptr) {
    return Error::unavailable("TLS with " + who + " failed: " + error.displayText());
  }
  if (dynamic_cast<const Poco::Net::NoMessageException*>(&error) != nullptr) {
    return Error::unavailable(who + " closed the connection without answering");
  }
  if (dynamic_cast<const Poco::Net::ConnectionResetException*>(&error) != nullptr ||
      dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&error) != nullptr) {
    return Error::unavailable(who + " reset the connection");
  }
  if (dynamic_cast<const Poco::Net::MessageException*>(&error) != nullptr) {
    return Error::corrupt(who + " sent a malformed HTTP response: " + error.displayText());
  }
  if (dynamic_cast<const Poco::IOException*>(&error) != nullptr) {  // includes NetException
    return Error::unavailable(
        (phase == Phase::kConnecting ? "cannot connect to " : "connection to ") + who +
        (phase == Phase::kConnecting ? ": " : " failed: ") + error.displayText());
  }
  return Error::internal("unexpected failure talking to " + who + ": " + error.displayText());
}

Error errorForStatus(int status, std::string_view body, std::string_view who) {
  std::string message = std::string(who) + " answered HTTP " + std::to_string(status);
  if (!body.empty()) message += ": " + bodyExcerpt(body);
  if (status >= 500 || status == 408 || status == 429) return Error::unavailable(message);
  if (status == 409) return Error::conflict(message);
  if (status >= 400) return Error::invalidInput(message);
  // 1xx and 3xx are never a final answer from a Kaiban peer: redirects are not followed.
  return Error::corrupt(message + " (unexpected status)");
}

}  // namespace kaiban::transport
