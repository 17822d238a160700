#include "orchestrator/api/kiosk_api/kiosk_requests.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/timestamp.h"
#include "orchestrator/api/kiosk_api/kiosk_views.h"

// The kiosk API's request parsing and applicant views, without a server.
namespace kaiban::orchestrator::api {
namespace {

const CivilDate kToday{2026, 3, 10};

std::string text(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

void expectInvalid(const Result<Heartbeat>& result, const std::string& field,
                   const std::string& message_part) {
  ASSERT_FALSE(result) << "accepted";
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(result.error().field, field) << result.error();
  EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error();
}

TEST(IdempotencyKeyTest, AcceptsEightTo128SafeCharacters) {
  EXPECT_EQ(checkIdempotencyKey(std::string("abcDEF12")).value(), "abcDEF12");
  EXPECT_TRUE(checkIdempotencyKey(std::string(128, 'k')));
  EXPECT_TRUE(checkIdempotencyKey(std::string("kiosk_QD-SN-0001_00042")));
  for (const std::optional<std::string>& bad :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("short12"), std::optional<std::string>(std::string(129, 'k')),
        std::optional<std::string>("has space 1"), std::optional<std::string>("semi;colon12"),
        std::optional<std::string>("\xe5\xbc\x80\xe5\x8a\x9e-key-1")}) {
    Result<std::string> refused = checkIdempotencyKey(bad);
    ASSERT_FALSE(refused) << bad.value_or("<absent>");
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(refused.error().field, "Idempotency-Key");
  }
}

TEST(ListQueryTest, DefaultsLimitsAndCursorsRoundTrip) {
  ListQuery empty = parseListQuery("").value();
  EXPECT_EQ(empty.limit, kDefaultListLimit);
  EXPECT_EQ(empty.store_cursor, "");

  const std::string store_cursor = "1773108000000000:KB-20260310-7KQ2M9XD";
  const std::string cursor = kioskCursor(store_cursor);
  EXPECT_EQ(cursor, "1773108000000000_KB-20260310-7KQ2M9XD");
  ListQuery page = parseListQuery("limit=5&cursor=" + cursor).value();
  EXPECT_EQ(page.limit, 5);
  EXPECT_EQ(page.store_cursor, store_cursor);
  EXPECT_EQ(kioskCursor(""), "");
  EXPECT_EQ(parseListQuery("limit=100").value().limit, 100);
}

TEST(ListQueryTest, RefusesWhatItDoesNotKnow) {
  const std::pair<std::string, std::string> cases[] = {{"limit=0", "limit"},
                                                       {"limit=101", "limit"},
                                                       {"limit=ten", "limit"},
                                                       {"limit=5&limit=6", "limit"},
                                                       {"limit=-1", "limit"},
                                                       {"limit=5x", "limit"},
                                                       {"cursor=abc", "cursor"},
                                                       {"cursor=1773_x&cursor=1773_y", "cursor"},
                                                       {"cursor=_KB-1", "cursor"},
                                                       {"cursor=12a_KB", "cursor"},
                                                       {"cursor=12_KB%3Bdrop", "cursor"},
                                                       {"state=completed", "state"},
                                                       {"kiosk_id=QD-SN-0002", "kiosk_id"}};
  for (const auto& [query, field] : cases) {
    Result<ListQuery> refused = parseListQuery(query);
    ASSERT_FALSE(refused) << query;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput) << query;
    EXPECT_EQ(refused.error().field, field) << query;
  }
}

TEST(PeopleLookupTest, ParsesStrictlyAndValidatesTheNumber) {
  EXPECT_EQ(parsePeopleLookup(R"({"id_number": "370202198503071235"})")->id_number,
            "370202198503071235");

  Result<PeopleLookupRequest> unknown =
      parsePeopleLookup(R"({"id_number": "370202198503071235", "name": "张伟"})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "name");
  EXPECT_NE(unknown.error().message.find("unknown field"), std::string::npos);

  Result<PeopleLookupRequest> wrong_type =
      parsePeopleLookup(R"({"id_number": 370202198503071235})");
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().field, "id_number");
  EXPECT_NE(wrong_type.error().message.find("expected a string"), std::string::npos);

  Result<PeopleLookupRequest> malformed = parsePeopleLookup(R"({"id_number": )");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().field, "");
  EXPECT_NE(malformed.error().message.find("not valid JSON"), std::string::npos);
  ASSERT_FALSE(parsePeopleLookup("[1]"));
  ASSERT_FALSE(parsePeopleLookup(""));

  EXPECT_TRUE(peopleLookupProblems({"370202198503071235"}, kToday).empty());
  EXPECT_TRUE(peopleLookupProblems({"11010519491231002x"}, kToday).empty());  // lower-case x
  EXPECT_EQ(peopleLookupProblems({""}, kToday),
            (std::vector<Problem>{{"id_number", "person.id_number.required"}}));
  EXPECT_EQ(peopleLookupProblems({"370202198503071234"}, kToday),  // wrong check character
            (std::vector<Problem>{{"id_number", "person.id_number.invalid"}}));
}

TEST(NameCheckTest, ParsesAndValidates) {
  NameCheckQuery query =
      parseNameCheck(R"({"name": "青岛海蓝科技有限公司", "division_code": "370202"})").value();
  EXPECT_EQ(query.name, "青岛海蓝科技有限公司");
  EXPECT_TRUE(nameCheckProblems(query).empty());

  Result<NameCheckQuery> missing = parseNameCheck(R"({"name": "青岛海蓝科技有限公司"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "division_code");
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos);

  EXPECT_EQ(nameCheckProblems({"", "990000"}),
            (std::vector<Problem>{{"name", "enterprise.name.required"},
                                  {"division_code", "address.division_code.invalid"}}));
  EXPECT_EQ(nameCheckProblems({"青", "370202"}),
            (std::vector<Problem>{{"name", "enterprise.name.length"}}));
}

TEST(ApplicantAnswerTest, TakesAnOptionalNewName) {
  EXPECT_EQ(parseApplicantAnswer(R"({"enterprise_name": "青岛蓝海科技有限公司"})")->enterprise_name,
            "青岛蓝海科技有限公司");
  EXPECT_EQ(parseApplicantAnswer("{}")->enterprise_name, std::nullopt);
  EXPECT_EQ(parseApplicantAnswer(R"({"enterprise_name": null})")->enterprise_name, std::nullopt);
  Result<ApplicantAnswer> other = parseApplicantAnswer(R"({"enterprise_name": "x", "capital": 1})");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().field, "capital");
  Result<ApplicantAnswer> wrong = parseApplicantAnswer(R"({"enterprise_name": ["x"]})");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().field, "enterprise_name");
}

constexpr const char* kHeartbeat =
    R"({"agent_version": "1.2.0", "queue_depth": 3, "oldest_pending_seconds": 75,
        "devices": [{"device": "id_card_reader", "status": "ok", "detail": ""},
                    {"device": "receipt_printer", "status": "degraded", "detail": "paper low"}]})";

TEST(HeartbeatTest, ParsesEveryMemberAndStoresExactlyThem) {
  Heartbeat heartbeat = parseHeartbeat(kHeartbeat).value();
  EXPECT_EQ(heartbeat.agent_version, "1.2.0");
  EXPECT_EQ(heartbeat.queue_depth, 3);
  EXPECT_EQ(heartbeat.oldest_pending_seconds, 75);
  ASSERT_EQ(heartbeat.devices.size(), 2u);
  EXPECT_EQ(heartbeat.devices[1], (DeviceReport{"receipt_printer", "degraded", "paper low"}));
  EXPECT_EQ(heartbeatJson(heartbeat),
            R"({"agent_version":"1.2.0","queue_depth":3,"oldest_pending_seconds":75,"devices":[)"
            R"({"device":"id_card_reader","status":"ok","detail":""},)"
            R"({"device":"receipt_printer","status":"degraded","detail":"paper low"}]})");
  // A device without a detail is stored with an empty one.
  Heartbeat bare = parseHeartbeat(R"({"agent_version": "1", "queue_depth": 0,
      "oldest_pending_seconds": 0, "devices": [{"device": "face_camera", "status": "offline"}]})")
                       .value();
  EXPECT_EQ(bare.devices[0].detail, "");
}

TEST(HeartbeatTest, RefusesBadMembersNamingTheirPath) {
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 0,
      "oldest_pending_seconds": 0, "devices": [], "uptime": 5})"),
                "uptime", "unknown field");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 0,
      "oldest_pending_seconds": 0, "devices": [{"device": "x", "status": "ok"},
      {"device": "y", "status": "ok", "colour": "red"}]})"),
                "devices[1].colour", "unknown field");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 0,
      "oldest_pending_seconds": 0, "devices": [{"device": "x", "status": "broken"}]})"),
                "devices[0].status", "must be");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": -1,
      "oldest_pending_seconds": 0, "devices": []})"),
                "queue_depth", "negative");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 1.5,
      "oldest_pending_seconds": 0, "devices": []})"),
                "queue_depth", "whole number");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": true,
      "oldest_pending_seconds": 0, "devices": []})"),
                "queue_depth", "whole number");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 1,
      "oldest_pending_seconds": 0, "devices": {}})"),
                "devices", "expected an array");
  expectInvalid(parseHeartbeat(R"({"queue_depth": 1, "oldest_pending_seconds": 0,
      "devices": []})"),
                "agent_version", "missing");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 1,
      "oldest_pending_seconds": 0, "devices": [7]})"),
                "devices[0]", "expected an object");
  expectInvalid(parseHeartbeat(R"({"agent_version": "1", "queue_depth": 1,
      "oldest_pending_seconds": 99999999999999999999999, "devices": []})"),
                "", "not valid JSON");  // the parser refuses what no integer type holds
  std::string many = R"({"agent_version": "1", "queue_depth": 1, "oldest_pending_seconds": 0,
      "devices": [)";
  for (int i = 0; i <= static_cast<int>(kMaxHeartbeatDevices); ++i) {
    many += std::string(i == 0 ? "" : ",") + R"({"device": "d", "status": "ok"})";
  }
  expectInvalid(parseHeartbeat(many + "]}"), "devices", "more than");
  expectInvalid(parseHeartbeat(R"({"agent_version": ")" + std::string(201, 'v') +
                               R"(", "queue_depth": 1, "oldest_pending_seconds": 0,
                               "devices": []})"),
                "agent_version", "longer than");
  expectInvalid(parseHeartbeat("{\"agent_version\": \"\xff\", \"queue_depth\": 1, "
                               "\"oldest_pending_seconds\": 0, \"devices\": []}"),
                "", "not valid JSON");  // the parser refuses malformed UTF-8 itself
}

TEST(ApplicantViewTest, MasksAccountNumbers) {
  EXPECT_EQ(maskAccountNumber("6217000012345678"), "****5678");
  EXPECT_EQ(maskAccountNumber("12345"), "****2345");
  EXPECT_EQ(maskAccountNumber("1234"), "****");
  EXPECT_EQ(maskAccountNumber("12"), "**");
  EXPECT_EQ(maskAccountNumber(""), "");
}

ApplicationStatus sampleStatus() {
  ApplicationStatus status;
  status.id = "KB-20260310-7KQ2M9XD";
  status.kiosk_id = "QD-SN-0001";
  status.bank_code = "BOCQD";
  status.district = "370202";
  status.flow_version = 1;
  status.state = ApplicationState::kInProgress;
  status.submitted_at = parseIso8601("2026-03-10T10:00:00+08:00").value();
  status.deadline = parseIso8601("2026-03-13T10:00:00+08:00").value();
  status.updated_at = status.submitted_at;
  status.at_risk = true;
  status.outputs = {{"uscc", "91370202MA3C5XYZ1K"},
                    {"account_number", "6217000012345678"},
                    {"internal_note", "staff only"}};
  StepStatus bank;
  bank.id = "bank_account";
  bank.adapter = "bank";
  bank.state = StepState::kDone;
  bank.message_id = "KB-20260310-7KQ2M9XD-bank";
  bank.partner_reference = "BOC-REF-1";
  bank.outputs = {{"account_number", "6217000012345678"}};
  bank.human_task =
      HumanTaskStatus{"kyc_review", "bank_staff",        HumanTaskState::kApproved, "staff:wang",
                      "looks fine", status.submitted_at, status.submitted_at};
  status.steps.push_back(bank);
  StepStatus seal;
  seal.id = "seal";
  seal.state = StepState::kPending;
  status.steps.push_back(seal);
  return status;
}

TEST(ApplicantViewTest, StatusShowsOnlyWhatTheApplicantMaySee) {
  const std::string json = text(*applicantStatusJson(sampleStatus()));
  EXPECT_EQ(
      json,
      R"({"id":"KB-20260310-7KQ2M9XD","state":"in_progress","green_channel":false,)"
      R"("submitted_at":"2026-03-10T10:00:00+08:00","deadline":"2026-03-13T10:00:00+08:00",)"
      R"("updated_at":"2026-03-10T10:00:00+08:00","at_risk":true,"breached":false,)"
      R"("attention":[],"outputs":{"uscc":"91370202MA3C5XYZ1K","account_number":"****5678"},)"
      R"("steps":[{"id":"bank_account","state":"done","at_risk":false,"breached":false,)"
      R"("budget_due_at":null,"finished_at":null,"outputs":{"account_number":"****5678"},)"
      R"("human_task":{"kind":"kyc_review","state":"approved"}},)"
      R"({"id":"seal","state":"pending","at_risk":false,"breached":false,"budget_due_at":null,)"
      R"("finished_at":null,"outputs":{},"human_task":null}]})");
  for (const char* hidden : {"6217000012345678", "staff:wang", "looks fine", "BOC-REF-1",
                             "KB-20260310-7KQ2M9XD-bank", "internal_note", "QD-SN-0001", "BOCQD"}) {
    EXPECT_EQ(json.find(hidden), std::string::npos) << hidden;
  }
}

TEST(ApplicantViewTest, ListCarriesTheKioskCursor) {
  ApplicationList list;
  ApplicationSummary summary;
  summary.id = "KB-20260310-7KQ2M9XD";
  summary.kiosk_id = "QD-SN-0001";
  summary.submitted_at = parseIso8601("2026-03-10T10:00:00+08:00").value();
  summary.deadline = summary.submitted_at;
  summary.updated_at = summary.submitted_at;
  list.applications.push_back(summary);
  list.next_cursor = "1773108000000000:KB-20260310-7KQ2M9XD";
  const std::string json = text(*applicantListJson(list));
  EXPECT_NE(json.find(R"("next_cursor":"1773108000000000_KB-20260310-7KQ2M9XD")"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("QD-SN-0001"), std::string::npos) << json;
}

TEST(ApplicantViewTest, NameCheckResults) {
  EXPECT_EQ(text(*nameCheckJson({adapters::NameVerdict::kAvailable, ""})),
            R"({"result":"available","detail":""})");
  EXPECT_EQ(text(*nameCheckJson({adapters::NameVerdict::kConflicting, "青岛海蓝科技有限公司"})),
            R"({"result":"conflicting","detail":"青岛海蓝科技有限公司"})");
  EXPECT_EQ(text(*nameCheckJson({adapters::NameVerdict::kProhibitedWord, "中国"})),
            R"({"result":"prohibited_word","detail":"中国"})");
}

}  // namespace
}  // namespace kaiban::orchestrator::api
