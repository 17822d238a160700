#include "adapters/sim/partner_service.h"

#include <gtest/gtest.h>

#include <sstream>

#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/registry/registry_adapter.h"
#include "adapters/sim/sim_test_harness.h"
#include "adapters/xml/parse.h"

// The machinery every simulated partner shares, shown on the registry: routing, the client
// check, validation, faults, and the log.
namespace kaiban::sim {
namespace {

using adapters::testing::sampleRequest;
using adapters::testing::schemaDir;
using testing::ServiceLink;
using testing::SimHarness;

class PartnerServiceTest : public ::testing::Test {
 protected:
  std::string registrationBody(const std::string& message_id) {
    adapters::RegistrationRequest request;
    const adapters::StepRequest step = sampleRequest("registration");
    request.message_id = message_id;
    request.application_id = "APP-1";
    request.enterprise = step.application.enterprise;
    request.legal_representative = step.application.legal_representative;
    request.shareholders = step.application.shareholders;
    return codec_.encode(request).value();
  }

  Reply submit(const std::string& message_id) {
    return harness_.call("registry", SimHarness::post("/registry/v1/registration",
                                                      registrationBody(message_id), message_id));
  }

  SimHarness harness_;
  adapters::RegistryCodec codec_ = adapters::RegistryCodec::load(schemaDir()).value();
};

TEST_F(PartnerServiceTest, ServesOnlyTheConfiguredClient) {
  PartnerCall call = SimHarness::post("/registry/v1/registration", registrationBody("M-1"), "M-1");
  call.peer_cn = "QD-SN-0001";
  Reply reply = harness_.call("registry", call);
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.body.find("QD-SN-0001"), std::string::npos);

  call.peer_cn.clear();
  call.peer_error = "no client certificate";
  EXPECT_EQ(harness_.call("registry", call).status, 403);
  EXPECT_FALSE(harness_.store().find("registry", "M-1")->has_value());
}

TEST_F(PartnerServiceTest, RoutesAndMethods) {
  EXPECT_EQ(harness_.call("registry", SimHarness::post("/seal/v1/engraving", "x")).status, 404);
  EXPECT_EQ(harness_.call("registry", SimHarness::post("/registry/v1/dissolution", "x")).status,
            404);
  EXPECT_EQ(harness_.call("registry", SimHarness::get("/registry/v1/registration")).status, 405);
  EXPECT_EQ(harness_.call("registry", SimHarness::post("/registry/v1/status/M-1", "")).status, 405);
  EXPECT_EQ(harness_.call("registry", SimHarness::get("/registry/v1/status/M-1")).status, 404);
  EXPECT_EQ(harness_.call("registry", SimHarness::get("/registry/v1/status/bad_id!")).status, 400);
  // Synchronous partners have no status resource.
  EXPECT_EQ(harness_.call("sms", SimHarness::get("/sms/v1/status/M-1")).status, 404);
}

TEST_F(PartnerServiceTest, InvalidRequestsGetTheErrorDocumentAndChangeNothing) {
  std::string body = registrationBody("M-1");
  body.replace(body.find("<BusinessScope>"), 0, "<Unknown>1</Unknown>");
  const Reply reply =
      harness_.call("registry", SimHarness::post("/registry/v1/registration", body, "M-1"));
  EXPECT_EQ(reply.status, 400);
  Result<adapters::ErrorReport> report = codec_.decodeErrorReport(reply.body);
  ASSERT_TRUE(report.ok()) << report.error() << reply.body;
  EXPECT_EQ(report->message_id, "M-1");
  EXPECT_NE(report->reason.find("Unknown"), std::string::npos) << report->reason;

  const Reply mismatch = harness_.call(
      "registry",
      SimHarness::post("/registry/v1/registration", registrationBody("M-2"), "OTHER-ID"));
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_NE(mismatch.body.find("OTHER-ID"), std::string::npos);

  PartnerCall large = SimHarness::post("/registry/v1/registration", "", "M-3");
  large.body_too_large = true;
  EXPECT_EQ(harness_.call("registry", large).status, 413);

  const std::string doctype =
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
  EXPECT_EQ(
      harness_.call("registry", SimHarness::post("/registry/v1/registration", doctype)).status,
      400);
  EXPECT_TRUE(harness_.store().effects()->empty());
}

TEST_F(PartnerServiceTest, Http500FaultAnswersBeforeAnythingHappens) {
  harness_.faults().apply(parseFaults("registry:http500=1").value());
  EXPECT_EQ(submit("M-1").status, 500);
  EXPECT_FALSE(harness_.store().find("registry", "M-1")->has_value());
  harness_.faults().apply(parseFaults("registry:none").value());
  EXPECT_EQ(submit("M-1").status, 202);
  EXPECT_EQ(harness_.effects("registry").effects_by_message.at("M-1"), 1);
}

TEST_F(PartnerServiceTest, MalformedAndSchemaInvalidAnswersComeAfterTheWorkIsStored) {
  harness_.faults().apply(parseFaults("registry:malformed=1").value());
  const Reply malformed = submit("M-1");
  EXPECT_EQ(malformed.status, 202);
  EXPECT_FALSE(xml::parse(malformed.body).ok()) << malformed.body;

  harness_.faults().apply(parseFaults("registry:schema_invalid=1").value());
  const Reply invalid = submit("M-1");
  EXPECT_EQ(invalid.status, 202);
  EXPECT_TRUE(xml::parse(invalid.body).ok()) << invalid.body;
  Result<adapters::Acknowledgement> refused = codec_.decodeAcknowledgement(invalid.body);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("SimulatorInjectedFault"), std::string::npos);

  harness_.faults().apply(parseFaults("registry:none").value());
  const Reply clean = submit("M-1");
  EXPECT_EQ(clean.status, 202);
  ASSERT_TRUE(codec_.decodeAcknowledgement(clean.body).ok()) << clean.body;
  const PartnerEffects effects = harness_.effects("registry");
  EXPECT_EQ(effects.effects_by_message.at("M-1"), 1);
  EXPECT_EQ(effects.duplicates_refused, 2);
}

TEST_F(PartnerServiceTest, FaultsSurfaceThroughTheAdapterAsRetryableErrors) {
  ServiceLink link(harness_);
  adapters::RegistryAdapter adapter(codec_, link);
  const adapters::StepRequest request = sampleRequest("registration");

  harness_.faults().apply(parseFaults("registry:http500=1").value());
  Result<adapters::Ack> unavailable = adapter.dispatch(request);
  ASSERT_FALSE(unavailable.ok());
  EXPECT_EQ(unavailable.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(isRetryable(unavailable.error().code));

  for (std::string_view fault : {"registry:malformed=1", "registry:schema_invalid=1"}) {
    harness_.faults().apply(parseFaults(fault).value());
    Result<adapters::Ack> corrupt = adapter.dispatch(request);
    ASSERT_FALSE(corrupt.ok()) << fault;
    EXPECT_EQ(corrupt.error().code, ErrorCode::kCorrupt) << fault << ": " << corrupt.error();
    Result<adapters::StepOutcome> poll = adapter.poll(request.message_id);
    ASSERT_FALSE(poll.ok()) << fault;
    EXPECT_EQ(poll.error().code, ErrorCode::kCorrupt) << fault;
  }
  harness_.faults().apply(parseFaults("registry:none").value());
  ASSERT_TRUE(adapter.dispatch(request).ok());
  EXPECT_EQ(harness_.effects("registry").effects, 1);
}

TEST_F(PartnerServiceTest, TimeoutHoldsTheAnswerAndLogsIt) {
  harness_.faults().apply(parseFaults("registry:timeout=1").value());
  const Reply held = submit("M-1");
  EXPECT_EQ(held.status, 202);  // what goes out once the hold is over (1 ms in this harness)
  EXPECT_NE(harness_.logText().find("\"fault\":\"timeout\""), std::string::npos)
      << harness_.logText();
}

TEST_F(PartnerServiceTest, LatencyDelaysEveryRequest) {
  harness_.faults().apply(parseFaults("registry:latency=30ms").value());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(submit("M-1").status, 202);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(30));
}

TEST_F(PartnerServiceTest, LogsOneJsonLinePerRequest) {
  submit("M-1");
  submit("M-1");
  harness_.call("registry", SimHarness::get("/registry/v1/status/M-1"));
  std::istringstream lines(harness_.logText());
  std::string line;
  std::vector<Poco::JSON::Object::Ptr> events;
  while (std::getline(lines, line)) {
    events.push_back(Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>());
  }
  ASSERT_EQ(events.size(), 3u) << harness_.logText();
  for (const Poco::JSON::Object::Ptr& event : events) {
    EXPECT_EQ(event->getValue<std::string>("event"), "request");
    EXPECT_EQ(event->getValue<std::string>("partner"), "registry");
    EXPECT_EQ(event->getValue<std::string>("message_id"), "M-1");
    EXPECT_EQ(event->getValue<std::string>("fault"), "none");
  }
  EXPECT_TRUE(events[0]->getValue<std::string>("outcome").starts_with("registered:"));
  EXPECT_FALSE(events[0]->getValue<bool>("duplicate"));
  EXPECT_TRUE(events[1]->getValue<bool>("duplicate"));
  EXPECT_EQ(events[2]->getValue<std::string>("outcome"), "pending");
  // No personal data: the legal representative's ID number never appears.
  EXPECT_EQ(harness_.logText().find(
                sampleRequest("registration").application.legal_representative.id_number),
            std::string::npos);
}

TEST(FaultCopiesTest, MalformedAndSchemaInvalidCopies) {
  const std::string document = "<?xml version=\"1.0\"?>\n<A xmlns=\"urn:x\"><B>1</B></A>\n";
  EXPECT_FALSE(xml::parse(malformedCopy(document)).ok());
  EXPECT_FALSE(xml::parse(malformedCopy("<A/>")).ok());
  const std::string invalid = schemaInvalidCopy(document);
  ASSERT_TRUE(xml::parse(invalid).ok()) << invalid;
  EXPECT_NE(invalid.find("<B>1</B><SimulatorInjectedFault>"), std::string::npos) << invalid;
}

TEST(MessageIdTest, Shape) {
  EXPECT_TRUE(isMessageId("APP-1-registration"));
  EXPECT_TRUE(isMessageId(std::string(35, 'a')));
  EXPECT_FALSE(isMessageId(std::string(36, 'a')));
  EXPECT_FALSE(isMessageId(""));
  EXPECT_FALSE(isMessageId("a_b"));
  EXPECT_FALSE(isMessageId("../etc"));
}

}  // namespace
}  // namespace kaiban::sim
