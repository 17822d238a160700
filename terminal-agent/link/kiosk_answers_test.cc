#include "terminal-agent/link/kiosk_answers.h"

#include <gtest/gtest.h>

#include "terminal-agent/link/json_text.h"
#include "terminal-agent/queue/forwarder.h"

namespace kaiban::agent {
namespace {

TEST(KioskAnswerErrorsTest, EveryStatusMapsToTheCodeTheForwarderActsOn) {
  struct Case {
    int status;
    ErrorCode code;
  };
  const Case cases[] = {
      {400, ErrorCode::kInvalidInput}, {401, ErrorCode::kForbidden},
      {403, ErrorCode::kForbidden},    {404, ErrorCode::kNotFound},
      {405, ErrorCode::kInvalidInput}, {408, ErrorCode::kUnavailable},
      {409, ErrorCode::kConflict},     {413, ErrorCode::kInvalidInput},
      {422, ErrorCode::kInvalidInput}, {429, ErrorCode::kUnavailable},
      {500, ErrorCode::kUnavailable},  {502, ErrorCode::kUnavailable},
      {503, ErrorCode::kUnavailable},  {504, ErrorCode::kTimeout},
      {301, ErrorCode::kCorrupt},      {100, ErrorCode::kCorrupt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(errorForKioskAnswer(c.status, "", "submit").code, c.code) << c.status;
  }
}

TEST(KioskAnswerErrorsTest, PermanentExactlyForAnswersThatResendingCannotChange) {
  // The queue gives up on a submission only for these; everything else is retried.
  for (int status : {400, 409, 413, 422}) {
    EXPECT_TRUE(isPermanentForwardError(errorForKioskAnswer(status, "", "submit").code)) << status;
  }
  for (int status : {401, 403, 404, 408, 429, 500, 502, 503, 504}) {
    EXPECT_FALSE(isPermanentForwardError(errorForKioskAnswer(status, "", "submit").code)) << status;
  }
}

TEST(KioskAnswerErrorsTest, UsesTheErrorBodyMessageAndField) {
  Error error = errorForKioskAnswer(
      400, R"({"error": {"code": "invalid_input", "message": "unknown field", "field": "x.y"}})",
      "submit");
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
  EXPECT_EQ(error.field, "x.y");
  EXPECT_NE(error.message.find("submit"), std::string::npos);
  EXPECT_NE(error.message.find("HTTP 400"), std::string::npos);
  EXPECT_NE(error.message.find("unknown field"), std::string::npos);
}

TEST(KioskAnswerErrorsTest, A422RejectionIsRejected) {
  Error error = errorForKioskAnswer(
      422, R"({"error": {"code": "rejected", "message": "kiosk disabled", "field": ""}})", "x");
  EXPECT_EQ(error.code, ErrorCode::kRejected);
}

TEST(KioskAnswerErrorsTest, A422ListsProblemKeysButNeverValues) {
  Error error = errorForKioskAnswer(
      422,
      R"({"problems": [{"field": "enterprise.name", "key": "enterprise.name.required",
          "zh": "请填写企业名称", "en": "Enter the company name"},
          {"field": "contact_phone", "key": "phone.invalid", "zh": "z", "en": "e"}]})",
      "submit");
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
  EXPECT_NE(error.message.find("enterprise.name.required@enterprise.name"), std::string::npos);
  EXPECT_NE(error.message.find("phone.invalid@contact_phone"), std::string::npos);
  EXPECT_EQ(error.message.find("请填写"), std::string::npos);
}

TEST(KioskAnswerErrorsTest, ANonJsonBodyIsQuotedShortly) {
  Error error = errorForKioskAnswer(502, std::string(1000, 'x'), "submit");
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_LT(error.message.size(), 250u);
}

TEST(KioskAnswersTest, ParsesASubmitAnswer) {
  Result<SubmitAnswer> answer = parseSubmitAnswer(
      R"({"application_id": "KB-20261127-7KQ2M9XD", "created": true, "state": "in_progress",
          "deadline": "2026-12-02T10:00:00+08:00", "flow_version": 1})",
      true);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->application_id, "KB-20261127-7KQ2M9XD");
  EXPECT_TRUE(answer->created);
  EXPECT_EQ(answer->state, "in_progress");
  EXPECT_EQ(answer->deadline, "2026-12-02T10:00:00+08:00");
}

TEST(KioskAnswersTest, ASubmitAnswerWithoutAUsableIdIsCorrupt) {
  EXPECT_EQ(parseSubmitAnswer(R"({"created": true})", true).error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(parseSubmitAnswer(R"({"application_id": "a/b"})", true).error().code,
            ErrorCode::kCorrupt);
  EXPECT_EQ(parseSubmitAnswer("<html>", true).error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(parseSubmitAnswer(R"({"application_id": 7})", true).error().code, ErrorCode::kCorrupt);
}

TEST(KioskAnswersTest, ParsesTheStatusAndDropsStaffOnlyMembers) {
  Result<ApplicationView> view = parseApplicationView(R"({
      "id": "KB1", "kiosk_id": "QD-SN-0001", "state": "needs_attention",
      "submitted_at": "2026-03-10T10:00:00+08:00", "deadline": "2026-03-13T10:00:00+08:00",
      "at_risk": true, "breached": false,
      "attention": ["registration: 企业名称已被占用 / the name is already registered"],
      "outputs": {"uscc": "91370202MA3C4D5E6F", "seals": 4},
      "steps": [{"id": "registration", "state": "failed", "message_id": "secret",
                 "partner_reference": "REG-1", "at_risk": true, "finished_at": "x"},
                {"id": "seal", "state": "pending"}]})");
  ASSERT_TRUE(view.ok()) << view.error();
  EXPECT_EQ(view->state, "needs_attention");
  EXPECT_TRUE(view->at_risk);
  ASSERT_EQ(view->attention.size(), 1u);
  ASSERT_EQ(view->outputs.size(), 2u);
  for (const auto& [name, value] : view->outputs) {
    EXPECT_EQ(value, name == "seals" ? "4" : "91370202MA3C4D5E6F") << name;
  }
  ASSERT_EQ(view->steps.size(), 2u);
  EXPECT_EQ(view->steps[0].state, "failed");
  EXPECT_TRUE(view->steps[0].at_risk);
  std::string shown = json::stringify(*toJson(*view));
  EXPECT_EQ(shown.find("secret"), std::string::npos);
  EXPECT_EQ(shown.find("REG-1"), std::string::npos);
}

TEST(KioskAnswersTest, AStatusWithoutStepsIsCorrupt) {
  EXPECT_EQ(parseApplicationView(R"({"id": "KB1", "state": "submitted"})").error().code,
            ErrorCode::kCorrupt);
}

TEST(KioskAnswersTest, NameCheckResultsAreExactlyTheDocumentedOnes) {
  EXPECT_EQ(
      parseNameCheckAnswer(R"({"result": "conflicting", "detail": "青岛海蓝有限公司"})")->detail,
      "青岛海蓝有限公司");
  EXPECT_TRUE(parseNameCheckAnswer(R"({"result": "available"})").ok());
  EXPECT_EQ(parseNameCheckAnswer(R"({"result": "maybe"})").error().code, ErrorCode::kCorrupt);
}

TEST(KioskAnswersTest, HeartbeatAnswerNeedsAServerTime) {
  EXPECT_TRUE(parseHeartbeatAnswer(R"({"server_time": "2026-03-10T10:00:00+08:00"})").ok());
  EXPECT_EQ(parseHeartbeatAnswer(R"({"server_time": "yesterday"})").error().code,
            ErrorCode::kCorrupt);
}

TEST(KioskAnswersTest, HeartbeatBodyCarriesQueueAndDevices) {
  HeartbeatReport report{"0.1.0",
                         3,
                         42,
                         {{"id_card_reader", DeviceStatus::kOk, ""},
                          {"receipt_printer", DeviceStatus::kDegraded, "paper low"}}};
  EXPECT_EQ(heartbeatBody(report),
            R"({"agent_version":"0.1.0","queue_depth":3,"oldest_pending_seconds":42,)"
            R"("devices":[{"device":"id_card_reader","status":"ok","detail":""},)"
            R"({"device":"receipt_printer","status":"degraded","detail":"paper low"}]})");
}

TEST(KioskAnswersTest, ListAndPeople) {
  Result<ApplicationPage> page = parseApplicationPage(
      R"({"applications": [{"id": "KB2", "state": "completed"}, {"id": "KB1"}],
          "next_cursor": "c1"})");
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_EQ(page->applications.size(), 2u);
  EXPECT_EQ(page->applications[0].state, "completed");
  EXPECT_EQ(page->next_cursor, "c1");
  Result<PersonRecord> person = parsePersonRecord(
      R"({"name": "张伟", "sex": "male", "birth_date": "1985-03-07", "address": "青岛"})");
  ASSERT_TRUE(person.ok());
  EXPECT_EQ(person->birth_date, "1985-03-07");
  EXPECT_EQ(parsePersonRecord(R"({"sex": "male"})").error().code, ErrorCode::kCorrupt);
}

TEST(KioskAnswersTest, SafeIdentifiers) {
  EXPECT_TRUE(isSafeIdentifier("KB-20261127-7KQ2M9XD"));
  EXPECT_FALSE(isSafeIdentifier(""));
  EXPECT_FALSE(isSafeIdentifier("../x"));
  EXPECT_FALSE(isSafeIdentifier("a?b"));
  EXPECT_FALSE(isSafeIdentifier(std::string(65, 'a')));
}

}  // namespace
}  // namespace kaiban::agent
