// HttpsClient and HttpsServer over real loopback connections: error translation, timeouts,
// keep-alive reuse, TLS session resumption and the stale-connection retry.
#include "adapters/transport/https_client.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/StreamSocket.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/testing/echo_fixture.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"

namespace kaiban::transport {
namespace {

using namespace std::chrono_literals;
using testing::EchoServer;
using testing::TestPki;

const TestPki& pki() { return TestPki::shared(); }

Poco::Net::Context::Ptr serverContext() {
  return makeServerContext(pki().server(), ClientCertificates::kRequired);
}
Poco::Net::Context::Ptr kioskContext() { return makeClientContext(pki().kiosk("QD-SN-0001")); }

std::string header(const Response& response, const std::string& name) {
  auto found = response.headers.find(name);
  return found == response.headers.end() ? std::string("<absent>") : found->second;
}

class HttpsClientTest : public ::testing::Test {
 protected:
  SystemClock clock_;
};

TEST_F(HttpsClientTest, PostsAndGetsWithHeaders) {
  EchoServer server(serverContext());
  HttpsClient client(server.endpoint(), kioskContext(), {}, clock_);
  auto posted = client.post("/applications", "<a/>", "application/xml",
                            {{std::string(kMessageIdHeader), "APP-1-registration"}});
  ASSERT_TRUE(posted.ok()) << posted.error();
  EXPECT_EQ(posted->status, 200);
  EXPECT_EQ(posted->body, "<a/>");
  EXPECT_EQ(header(*posted, "x-echo-method"), "POST");
  EXPECT_EQ(header(*posted, "X-Echo-Path"), "/applications");
  EXPECT_EQ(header(*posted, "X-Echo-Message-Id"), "APP-1-registration");
  EXPECT_EQ(header(*posted, "Content-Type"), "text/plain");

  auto got = client.get("/status/409");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->status, 409);
  EXPECT_EQ(got->body, "status 409");
  EXPECT_EQ(errorForStatus(got->status, got->body, client.description()).code,
            ErrorCode::kConflict);
}

TEST_F(HttpsClientTest, RefusedConnectionIsUnavailable) {
  const int port = kaiban::testing::freeLoopbackPort();
  HttpsClient client(Endpoint{.host = "127.0.0.1", .port = port, .name = "registry"},
                     kioskContext(), {}, clock_);
  auto result = client.get("/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message,
            "registry at 127.0.0.1:" + std::to_string(port) + " refused the connection");
}

TEST_F(HttpsClientTest, UnresolvableHostIsUnavailable) {
  HttpsClient client(Endpoint{.host = "no-such-host.invalid", .port = 443, .name = {}},
                     kioskContext(), {.connect_timeout = 500ms}, clock_);
  auto result = client.get("/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable) << result.error();
}

TEST_F(HttpsClientTest, ServerThatNeverAnswersTimesOutAfterReadTimeout) {
  EchoServer server(serverContext());
  ClientOptions options;
  options.read_timeout = 300ms;
  HttpsClient client(server.endpoint(), kioskContext(), options, clock_);
  const auto start = std::chrono::steady_clock::now();
  auto result = client.get("/hang");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kTimeout) << result.error();
  EXPECT_EQ(result.error().message, client.description() + " did not answer within 300 ms");
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(client.stats().stale_retries, 0u);
}

TEST_F(HttpsClientTest, ListenerThatNeverHandshakesTimesOutAfterConnectTimeout) {
  // The kernel completes TCP connections into the backlog; nobody ever speaks TLS.
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  ClientOptions options;
  options.connect_timeout = 300ms;
  HttpsClient client(Endpoint{.host = "127.0.0.1", .port = silent.address().port(), .name = {}},
                     kioskContext(), options, clock_);
  const auto start = std::chrono::steady_clock::now();
  auto result = client.get("/");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kTimeout) << result.error();
  EXPECT_NE(result.error().message.find("did not complete the connection within 300 ms"),
            std::string::npos);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpsClientTest, KeepAliveReusesOneConnectionForSeveralRequests) {
  EchoServer server(serverContext());
  HttpsClient client(server.endpoint(), kioskContext(), {}, clock_);
  std::vector<std::string> ports;
  for (int i = 0; i < 4; ++i) {
    auto result = client.post("/echo", std::to_string(i), "text/plain");
    ASSERT_TRUE(result.ok()) << result.error();
    ports.push_back(header(*result, "X-Peer-Port"));
  }
  EXPECT_EQ(server.server().totalConnections(), 1);
  EXPECT_EQ(client.stats().connections_opened, 1u);
  EXPECT_EQ(ports, std::vector<std::string>(4, ports.front()));
}

TEST_F(HttpsClientTest, ConcurrentCallsUseSeparateConnections) {
  EchoServer server(serverContext());
  HttpsClient client(server.endpoint(), kioskContext(), {}, clock_);
  std::vector<std::thread> threads;
  std::atomic<int> succeeded{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string body = std::to_string(t) + "-" + std::to_string(i);
        auto result = client.post("/echo", body, "text/plain");
        if (result.ok() && result->body == body) ++succeeded;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 20);
  EXPECT_LE(client.stats().connections_opened, 4u);
}

// Each request on a new connection: the server closes after every response.
class ResumptionTest : public HttpsClientTest, public ::testing::WithParamInterface<int> {};

TEST_P(ResumptionTest, ReconnectingClientResumesItsTlsSession) {
  ServerOptions options;
  options.max_keep_alive_requests = 1;
  EchoServer server(serverContext(), options);
  Poco::Net::Context::Ptr context = kioskContext();
  ASSERT_EQ(SSL_CTX_set_max_proto_version(context->sslContext(), GetParam()), 1);
  HttpsClient client(server.endpoint(), context, {}, clock_);

  auto first = client.get("/");
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(header(*first, "X-Tls-Resumed"), "0");
  for (int i = 0; i < 2; ++i) {
    auto again = client.get("/");
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ(header(*again, "X-Tls-Resumed"), "1");
    EXPECT_EQ(header(*again, "X-Peer-CN"), "QD-SN-0001") << "a resumed session keeps its peer";
  }
  EXPECT_EQ(server.server().totalConnections(), 3);
  EXPECT_EQ(client.stats().connections_opened, 3u);
  EXPECT_EQ(client.stats().sessions_resumed, 2u);
}

INSTANTIATE_TEST_SUITE_P(Tls12And13, ResumptionTest,
                         ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& param_info) {
                           return param_info.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
                         });

TEST_F(HttpsClientTest, StaleKeepAliveConnectionIsRetriedOnceOnAFreshOne) {
  auto first_server = std::make_unique<EchoServer>(serverContext());
  const int port = first_server->server().port();
  HttpsClient client(first_server->endpoint(), kioskContext(), {}, clock_);
  ASSERT_TRUE(client.get("/").ok());

  // The server restarts on the same port: it closes the idle connection the client holds.
  first_server.reset();
  ServerOptions options;
  options.port = port;
  EchoServer second_server(serverContext(), options);

  // A large body: writing it into the dead connection meets a reset and later writes fail
  // with EPIPE, which must not kill the process (POCO blocks SIGPIPE in its threads).
  const std::string body(2 * 1024 * 1024, 'b');
  auto result = client.post("/echo", body, "text/plain");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->body, body);
  EXPECT_EQ(client.stats().stale_retries, 1u);
  EXPECT_EQ(client.stats().connections_opened, 2u);
  EXPECT_EQ(second_server.server().totalConnections(), 1);
  EXPECT_EQ(second_server.factory().requests(), 1);
}

TEST_F(HttpsClientTest, StaleRetryHappensOnlyOnce) {
  auto server = std::make_unique<EchoServer>(serverContext());
  HttpsClient client(server->endpoint(), kioskContext(), {}, clock_);
  ASSERT_TRUE(client.get("/").ok());
  server.reset();  // and nothing listens any more

  auto result = client.get("/");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("refused the connection"), std::string::npos)
      << result.error();
  EXPECT_EQ(client.stats().stale_retries, 1u);
}

TEST_F(HttpsClientTest, TimeoutOnAReusedConnectionIsNotRetried) {
  EchoServer server(serverContext());
  ClientOptions options;
  options.read_timeout = 300ms;
  HttpsClient client(server.endpoint(), kioskContext(), options, clock_);
  ASSERT_TRUE(client.get("/").ok());
  auto result = client.get("/hang");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(client.stats().stale_retries, 0u);
  EXPECT_EQ(server.factory().requests(), 2);
}

TEST_F(HttpsClientTest, IdleConnectionOlderThanMaxIdleTimeIsNotReused) {
  EchoServer server(serverContext());
  ManualClock clock{SystemTime{}};
  ClientOptions options;
  options.max_idle_time = 10s;
  HttpsClient client(server.endpoint(), kioskContext(), options, clock);
  ASSERT_TRUE(client.get("/").ok());
  clock.advance(9s);
  ASSERT_TRUE(client.get("/").ok());
  EXPECT_EQ(client.stats().connections_opened, 1u);
  clock.advance(10s);
  ASSERT_TRUE(client.get("/").ok());
  EXPECT_EQ(client.stats().connections_opened, 2u);
  EXPECT_EQ(client.stats().stale_retries, 0u);
}

TEST_F(HttpsClientTest, ResponseOverTheLimitIsCorrupt) {
  EchoServer server(serverContext());
  ClientOptions options;
  options.max_response_bytes = 1000;
  HttpsClient client(server.endpoint(), kioskContext(), options, clock_);

  auto exact = client.get("/bytes/1000");
  ASSERT_TRUE(exact.ok()) << exact.error();
  EXPECT_EQ(exact->body.size(), 1000u);

  auto declared = client.get("/bytes/1001");
  ASSERT_FALSE(declared.ok());
  EXPECT_EQ(declared.error().code, ErrorCode::kCorrupt);

  auto chunked = client.get("/chunked/50000");
  ASSERT_FALSE(chunked.ok());
  EXPECT_EQ(chunked.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(chunked.error().message.find("larger than 1000 bytes"), std::string::npos);

  auto small_chunked = client.get("/chunked/10");
  ASSERT_TRUE(small_chunked.ok()) << small_chunked.error();
  EXPECT_EQ(small_chunked->body, std::string(10, 'x'));
}

TEST_F(HttpsClientTest, UnsendableRequestIsInvalidInput) {
  EchoServer server(serverContext());
  HttpsClient client(server.endpoint(), kioskContext(), {}, clock_);
  EXPECT_EQ(client.get("no-slash").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(client.get("/a b").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(client.get("/", {{"X-Injected", "a\r\nHost: evil"}}).error().code,
            ErrorCode::kInvalidInput);
  EXPECT_EQ(client.get("/", {{"Bad Name", "x"}}).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(server.factory().requests(), 0);
}

TEST(PlainHttpTest, LoopbackListenerServesPlainHttp) {
  EchoServer server(nullptr);
  EXPECT_FALSE(server.server().isTls());
  SystemClock clock;
  HttpsClient client(server.endpoint(), nullptr, {}, clock);
  auto result = client.post("/echo", "plain", "text/plain");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->body, "plain");
  EXPECT_EQ(header(*result, "X-Peer-Error"),
            "the request arrived over plain HTTP: no client certificate");
}

TEST(PlainHttpTest, PlainHttpOnANonLoopbackAddressIsRefused) {
  auto factory = Poco::Net::HTTPRequestHandlerFactory::Ptr(new testing::EchoHandlerFactory);
  ServerOptions options;
  options.bind_host = "0.0.0.0";
  EXPECT_THROW(HttpsServer(factory, nullptr, options), std::runtime_error);
}

TEST(HttpsServerTest, PortInUseIsAStartUpError) {
  EchoServer first(serverContext());
  ServerOptions options;
  options.port = first.server().port();
  auto factory = Poco::Net::HTTPRequestHandlerFactory::Ptr(new testing::EchoHandlerFactory);
  try {
    HttpsServer second(factory, serverContext(), options);
    FAIL() << "a second listener bound the same port";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos)
        << error.what();
  }
}

TEST(HttpsServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  ServerOptions options;
  options.keep_alive_timeout = 30s;
  EchoServer server(serverContext(), options);
  SystemClock clock;
  HttpsClient client(server.endpoint(), kioskContext(), {}, clock);
  ASSERT_TRUE(client.get("/").ok());  // leaves an idle keep-alive connection on the server
  ASSERT_EQ(server.server().currentConnections(), 1);
  const auto start = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(HttpsServerTest, ClientThatNeverHandshakesDoesNotBlockOthers) {
  ServerOptions options;
  options.max_threads = 4;
  EchoServer server(serverContext(), options);
  Poco::Net::StreamSocket idle;
  idle.connect(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server.server().port())));
  SystemClock clock;
  HttpsClient client(server.endpoint(), kioskContext(), {.read_timeout = 2000ms}, clock);
  auto result = client.get("/");
  EXPECT_TRUE(result.ok()) << result.error();
}

}  // namespace
}  // namespace kaiban::transport
