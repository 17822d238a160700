#include "adapters/partner_codec/partner_codec.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/StreamCopier.h"
#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/partner_codec/partner_link.h"
#include "adapters/transport/https_server.h"
#include "core/clock.h"

namespace kaiban::adapters {
namespace {

TEST(WireTest, AmountsAreDecimalsWithTwoFractionDigitsAndRoundTrip) {
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(1)), "0.01");
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(100'000'000)), "1000000.00");
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(60'000'050)), "600000.50");
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(-150)), "-1.50");
  for (int64_t fen : {int64_t{1}, int64_t{99}, int64_t{100}, int64_t{123'456'789'012'345'678}}) {
    EXPECT_EQ(wire::parseAmount(wire::amount(Money::fromMinorUnits(fen))).minorUnits(), fen);
  }
}

TEST(WireTest, IdNumbersGetACapitalCheckCharacterAndNothingElseChanges) {
  EXPECT_EQ(wire::idNumber("11010519491231002x"), "11010519491231002X");
  EXPECT_EQ(wire::idNumber("11010519491231002X"), "11010519491231002X");
  EXPECT_EQ(wire::idNumber("x"), "x");  // not an ID number: left for the schema to refuse
  EXPECT_EQ(wire::idNumber(" 11010519491231002x"), " 11010519491231002x");
}

TEST(WireTest, RandomMessageIdsAreMessageIdsAndDistinctAcrossThreads) {
  std::vector<std::vector<MessageId>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 500; ++i) ids.push_back(wire::randomMessageId("NC"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<MessageId> distinct;
  for (const auto& ids : per_thread) {
    for (const MessageId& id : ids) {
      EXPECT_EQ(id.size(), 27u) << id;
      EXPECT_EQ(id.rfind("NC-", 0), 0u) << id;
      EXPECT_EQ(id.find_first_not_of("NC-0123456789abcdef"), std::string::npos) << id;
      distinct.insert(id);
    }
  }
  EXPECT_EQ(distinct.size(), 2000u);
}

TEST(RefusalOfTest, SplitsTheCodeFromTheReason) {
  EXPECT_EQ(refusalOf(Error::rejected("NAME_TAKEN: 名称已被登记: 请更换")),
            (Refusal{"NAME_TAKEN", "名称已被登记: 请更换"}));
  EXPECT_EQ(refusalOf(Error::rejected("no code here")), (Refusal{"", "no code here"}));
  EXPECT_EQ(refusalOf(Error::unavailable("X: down")), (Refusal{"", "X: down"}));
}

// What a partner received, as its HTTP server saw it.
struct Received {
  std::string method;
  std::string uri;
  std::string content_type;
  std::string message_id;
  std::string body;
};

// A loopback partner that records each request and answers 202 with "<ok/>".
class RecordingPartner : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(*this);
  }
  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(RecordingPartner& owner) : owner_(owner) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      Received seen{request.getMethod(),
                    request.getURI(),
                    request.getContentType(),
                    request.get(std::string(transport::kMessageIdHeader), ""),
                    {}};
      Poco::StreamCopier::copyToString(request.stream(), seen.body);
      {
        std::lock_guard<std::mutex> lock(owner_.mutex_);
        owner_.received_.push_back(std::move(seen));
      }
      response.setStatus(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
      response.setContentType("application/xml");
      response.send() << "<ok/>";
    }

   private:
    RecordingPartner& owner_;
  };

  mutable std::mutex mutex_;
  std::vector<Received> received_;
};

TEST(PartnerClientLinkTest, PostsXmlWithTheMessageIdHeaderAndGetsStatus) {
  Poco::SharedPtr<RecordingPartner> partner(new RecordingPartner);
  transport::HttpsServer server(partner, nullptr, transport::ServerOptions{});
  server.start();
  SystemClock clock;
  transport::PartnerClient client("registry",
                                  transport::Endpoint{"127.0.0.1", server.port(), "registry"},
                                  nullptr, transport::ClientOptions{}, clock);
  PartnerClientLink link(client);

  Result<transport::Response> posted =
      link.post("/registry/v1/registration", "<RegistrationRequest/>", "APP-1-registration");
  Result<transport::Response> polled = link.get("/registry/v1/status/APP-1-registration");

  ASSERT_TRUE(posted.ok()) << posted.error();
  EXPECT_EQ(posted->status, 202);
  EXPECT_EQ(posted->body, "<ok/>");
  ASSERT_TRUE(polled.ok()) << polled.error();
  const std::vector<Received> received = partner->received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].uri, "/registry/v1/registration");
  EXPECT_EQ(received[0].content_type, "application/xml");
  EXPECT_EQ(received[0].message_id, "APP-1-registration");
  EXPECT_EQ(received[0].body, "<RegistrationRequest/>");
  EXPECT_EQ(received[1].method, "GET");
  EXPECT_EQ(received[1].uri, "/registry/v1/status/APP-1-registration");
  server.stop();
}

}  // namespace
}  // namespace kaiban::adapters
