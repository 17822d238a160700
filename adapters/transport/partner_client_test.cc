// PartnerClient: the circuit breaker in front of real connections.
#include "adapters/transport/partner_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "adapters/transport/testing/echo_fixture.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"

namespace kaiban::transport {
namespace {

using namespace std::chrono_literals;
using testing::EchoServer;
using testing::TestPki;
using State = CircuitBreaker::State;

Poco::Net::Context::Ptr serverContext() {
  return makeServerContext(TestPki::shared().server(), ClientCertificates::kRequired);
}
Poco::Net::Context::Ptr orchestratorContext() {
  const TestPki& pki = TestPki::shared();
  return makeClientContext(TlsFiles{.ca = pki.file("ca.crt"),
                                    .certificate = pki.file("orchestrator/client.crt"),
                                    .private_key = pki.file("orchestrator/client.key"),
                                    .crl = std::nullopt});
}

TEST(PartnerClientTest, OpensAfterRefusedConnectionsAndClosesWhenThePartnerIsBack) {
  ManualClock clock{SystemTime{}};
  const int port = kaiban::testing::freeLoopbackPort();
  PartnerClient registry("registry", Endpoint{.host = "127.0.0.1", .port = port, .name = {}},
                         orchestratorContext(), {}, clock);
  for (int i = 0; i < 5; ++i) {
    auto refused = registry.get("/");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message,
              "registry at 127.0.0.1:" + std::to_string(port) + " refused the connection");
  }
  EXPECT_EQ(registry.circuitState(), State::kOpen);

  ServerOptions options;
  options.port = port;
  EchoServer server(serverContext(), options);
  auto fast_fail = registry.get("/");
  ASSERT_FALSE(fast_fail.ok());
  EXPECT_EQ(fast_fail.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(fast_fail.error().message,
            "circuit open for registry after 5 consecutive failures; retrying after 10 s");
  EXPECT_EQ(server.factory().requests(), 0) << "an open circuit must not reach the partner";

  clock.advance(10s);
  auto trial = registry.post("/echo", "trial", "application/xml");
  ASSERT_TRUE(trial.ok()) << trial.error();
  EXPECT_EQ(trial->body, "trial");
  EXPECT_EQ(registry.circuitState(), State::kClosed);
}

TEST(PartnerClientTest, ServerErrorsCountAgainstTheBreakerButClientErrorsDoNot) {
  ManualClock clock{SystemTime{}};
  EchoServer server(serverContext());
  PartnerClient bank("bank", server.endpoint(""), orchestratorContext(), {}, clock,
                     {.failure_threshold = 3, .open_for = 5s});
  for (int i = 0; i < 10; ++i) {
    auto answer = bank.get("/status/404");
    ASSERT_TRUE(answer.ok()) << answer.error();
    EXPECT_EQ(answer->status, 404);
  }
  EXPECT_EQ(bank.circuitState(), State::kClosed);

  for (int i = 0; i < 3; ++i) {
    auto answer = bank.get("/status/503");
    ASSERT_TRUE(answer.ok()) << answer.error();
    EXPECT_EQ(answer->status, 503);  // the caller still sees the partner's answer
  }
  EXPECT_EQ(bank.circuitState(), State::kOpen);
  auto refused = bank.get("/");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "circuit open for bank after 3 consecutive failures; retrying after 5 s");
  EXPECT_EQ(server.factory().requests(), 13);
}

TEST(PartnerClientTest, TimeoutsCountAgainstTheBreaker) {
  ManualClock clock{SystemTime{}};
  EchoServer server(serverContext());
  PartnerClient tax("tax", server.endpoint(""), orchestratorContext(), {.read_timeout = 200ms},
                    clock, {.failure_threshold = 2, .open_for = 10s});
  for (int i = 0; i < 2; ++i) {
    auto result = tax.get("/hang");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kTimeout);
    EXPECT_NE(result.error().message.find("tax at 127.0.0.1:"), std::string::npos);
  }
  EXPECT_EQ(tax.circuitState(), State::kOpen);
}

}  // namespace
}  // namespace kaiban::transport
