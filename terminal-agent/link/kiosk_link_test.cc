// KioskLink against a real mutual-TLS listener (the fake orchestrator) with the dev PKI.

#include "terminal-agent/link/kiosk_link.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "core/application.h"
#include "core/application_json.h"
#include "terminal-agent/link/heartbeat_loop.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/testing/fake_orchestrator.h"

namespace kaiban::agent {
namespace {

using transport::testing::TestPki;

// A valid application from kiosk `kiosk_id`, in its JSON form.
std::string applicationBody(const std::string& kiosk_id, const std::string& name) {
  Application application;
  application.kiosk_id = kiosk_id;
  application.bank_code = "BOCQD";
  application.enterprise = {name, EnterpriseType::kLimitedLiabilityCompany,
                            Money::parseYuan("100万").value(), Address{"370202", "香港中路8号"},
                            "软件开发"};
  application.legal_representative = {"370202198805123010", "王海蓝", "13800138000"};
  application.shareholders = {
      {{"370202198805123010", "王海蓝", ""}, Money::parseYuan("100万").value()}};
  application.contact_phone = "13800138000";
  application.seal = {"QD-SEAL-017", SealDelivery::kPickup, std::nullopt};
  return json::stringify(*toJson(application));
}

class KioskLinkTest : public ::testing::Test {
 protected:
  KioskLinkTest() : fake_(pki().server(false)) {}

  static const TestPki& pki() { return TestPki::shared(); }

  KioskLink link(const std::string& kiosk = "QD-SN-0001") {
    return KioskLink({"127.0.0.1", fake_.port(), "orchestrator"},
                     transport::makeClientContext(pki().kiosk(kiosk)), {}, clock_);
  }

  SystemClock clock_;
  testing::FakeOrchestrator fake_;
};

TEST_F(KioskLinkTest, SubmitIsIdempotentByKey) {
  KioskLink client = link();
  const std::string body = applicationBody("QD-SN-0001", "青岛海蓝科技有限公司");
  Result<SubmitAnswer> first = client.submit("key-0000000001", body);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->state, "in_progress");
  Result<SubmitAnswer> again = client.submit("key-0000000001", body);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->application_id, first->application_id);
  EXPECT_EQ(fake_.submissions().size(), 1u);
  EXPECT_EQ(fake_.submitRequests("key-0000000001"), 2);
}

TEST_F(KioskLinkTest, RefusalsMapToTheirCodes) {
  KioskLink client = link();
  const std::string body = applicationBody("QD-SN-0001", "青岛海蓝科技有限公司");
  ASSERT_TRUE(client.submit("key-0000000002", body).ok());
  // The same key with another body.
  EXPECT_EQ(
      client.submit("key-0000000002", applicationBody("QD-SN-0001", "另一个有限公司")).error().code,
      ErrorCode::kConflict);
  // A kiosk submitting for another kiosk.
  EXPECT_EQ(client.submit("key-0000000003", applicationBody("QD-SN-0002", "青岛海蓝有限公司"))
                .error()
                .code,
            ErrorCode::kForbidden);
  // An invalid application: 422 with problems.
  Error invalid = client.submit("key-0000000004", applicationBody("QD-SN-0001", "海蓝")).error();
  EXPECT_EQ(invalid.code, ErrorCode::kInvalidInput);
  EXPECT_NE(invalid.message.find("enterprise.name.form_company@enterprise.name"), std::string::npos)
      << invalid.message;
  fake_.failSubmitsWith(503);
  EXPECT_EQ(client.submit("key-0000000005", body).error().code, ErrorCode::kUnavailable);
}

TEST_F(KioskLinkTest, AKioskSeesOnlyItsOwnApplications) {
  KioskLink mine = link("QD-SN-0001");
  KioskLink other = link("QD-SN-0002");
  Result<SubmitAnswer> answer =
      mine.submit("key-0000000010", applicationBody("QD-SN-0001", "青岛海蓝科技有限公司"));
  ASSERT_TRUE(answer.ok()) << answer.error();
  Result<ApplicationView> view = mine.status(answer->application_id);
  ASSERT_TRUE(view.ok()) << view.error();
  EXPECT_EQ(view->steps.size(), 5u);
  EXPECT_EQ(other.status(answer->application_id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(mine.status("../etc").error().code, ErrorCode::kInvalidInput);
}

TEST_F(KioskLinkTest, LookupNameCheckAndHeartbeat) {
  KioskLink client = link();
  fake_.addPerson("370202198805123010", {"王海蓝", "male", "1988-05-12", "青岛市市南区"});
  Result<PersonRecord> person = client.lookupPerson("370202198805123010");
  ASSERT_TRUE(person.ok()) << person.error();
  EXPECT_EQ(person->address, "青岛市市南区");
  EXPECT_EQ(client.lookupPerson("11010519750203007X").error().code, ErrorCode::kNotFound);

  fake_.setNameCheck("青岛啤酒有限公司", {"conflicting", "青岛啤酒股份有限公司"});
  EXPECT_EQ(client.checkName("青岛啤酒有限公司", "370202")->result, "conflicting");
  EXPECT_EQ(client.checkName("青岛海蓝科技有限公司", "370202")->result, "available");

  EXPECT_TRUE(client.heartbeat({"test", 2, 7, {}}).ok());
  ASSERT_EQ(fake_.heartbeats().size(), 1u);
  EXPECT_EQ(json::intMember(*fake_.heartbeats()[0], "queue_depth"), 2);
}

TEST_F(KioskLinkTest, NewConnectionsResumeTheTlsSession) {
  // Without idle connections to reuse, every call connects anew: after the first full
  // handshake, the next ones resume the session (half the server's handshake cost).
  KioskLink client({"127.0.0.1", fake_.port(), "orchestrator"},
                   transport::makeClientContext(pki().kiosk("QD-SN-0001")),
                   {.max_idle_connections = 0}, clock_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.heartbeat({"test", 0, 0, {}}).ok());
  EXPECT_EQ(client.stats().connections_opened, 3u);
  EXPECT_GE(client.stats().sessions_resumed, 1u);
}

TEST_F(KioskLinkTest, AnOrchestratorRestartIsUnavailableThenReachedAgain) {
  KioskLink client = link();
  ASSERT_TRUE(client.heartbeat({"test", 0, 0, {}}).ok());
  fake_.stop();
  EXPECT_EQ(client.heartbeat({"test", 0, 0, {}}).error().code, ErrorCode::kUnavailable);
  fake_.start();
  ASSERT_TRUE(client.heartbeat({"test", 0, 0, {}}).ok());
}

TEST_F(KioskLinkTest, KeepAliveReusesOneConnection) {
  KioskLink client = link();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.heartbeat({"test", 0, 0, {}}).ok());
  EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST_F(KioskLinkTest, AStrangerCertificateIsRefused) {
  KioskLink stranger({"127.0.0.1", fake_.port(), "orchestrator"},
                     transport::makeClientContext(pki().stranger()), {}, clock_);
  Result<SystemTime> answer = stranger.heartbeat({"test", 0, 0, {}});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(fake_.heartbeats().empty());
}

TEST_F(KioskLinkTest, HeartbeatLoopSendsAtStartAndOnNotify) {
  KioskLink client = link();
  std::atomic<int> collected{0};
  HeartbeatLoop loop(
      client,
      [&] {
        ++collected;
        return HeartbeatReport{
            "test", collected.load(), 0, {{"face_camera", DeviceStatus::kOffline, "unplugged"}}};
      },
      std::chrono::hours(1));
  loop.start();
  ASSERT_TRUE(fake_.waitFor([&] { return fake_.heartbeats().size() >= 1; }));
  loop.notify();
  ASSERT_TRUE(fake_.waitFor([&] { return fake_.heartbeats().size() >= 2; }));
  loop.stop();
  EXPECT_GE(loop.status().sent, 2);
  Poco::JSON::Object::Ptr second = fake_.heartbeats()[1];
  EXPECT_EQ(json::intMember(*second, "queue_depth"), 2);
  Poco::JSON::Array::Ptr devices = json::arrayMember(*second, "devices");
  ASSERT_FALSE(devices.isNull());
  EXPECT_EQ(json::stringMember(*devices->getObject(0), "status"), "offline");
}

TEST_F(KioskLinkTest, HeartbeatLoopCountsFailures) {
  KioskLink client = link();
  fake_.stop();
  HeartbeatLoop loop(
      client,
      [] {
        return HeartbeatReport{"test", 0, 0, {}};
      },
      std::chrono::hours(1));
  loop.start();
  ASSERT_TRUE(fake_.waitFor([&] { return loop.status().failed >= 1; }));
  loop.stop();
  EXPECT_EQ(loop.status().sent, 0);
  ASSERT_TRUE(loop.status().last_error.has_value());
  EXPECT_EQ(loop.status().last_error->code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace kaiban::agent
