#include "orchestrator/flow/deadline.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator {
namespace {

using std::chrono::minutes;

const WorkingCalendar& calendar() {
  static const WorkingCalendar loaded = [] {
    Result<WorkingCalendar> result = WorkingCalendar::load(testing::repoFile("data/calendar"));
    if (!result) throw std::runtime_error(result.error().toString());
    return std::move(result).value();
  }();
  return loaded;
}

SystemTime at(std::string_view iso) { return parseIso8601(iso).value(); }

FlowDefinition threeDayFlow() {
  FlowDefinition flow;
  flow.name = "company-startup";
  flow.version = 1;
  flow.deadline_working_days = 3;
  flow.green_channel_deadline_working_days = 1;
  return flow;
}

std::string text(SystemTime t) { return formatIso8601(t); }

TEST(DeadlineTest, ThreeWorkingDaysOnOrdinaryWeekdays) {
  // Tuesday 2026-03-10 10:00: due Friday 10:00; at risk after 19.2 working hours.
  Result<BudgetMarks> marks =
      applicationMarks(calendar(), threeDayFlow(), at("2026-03-10T10:00:00+08:00"), false);
  ASSERT_TRUE(marks) << marks.error();
  EXPECT_EQ(text(marks->due_at), "2026-03-13T10:00:00+08:00");
  EXPECT_EQ(text(marks->at_risk_at), "2026-03-12T13:12:00+08:00");
}

TEST(DeadlineTest, SubmittedTheFridayBeforeSpringFestival2026) {
  // Friday 2026-02-13 15:00. Saturday 14th is a make-up working day; 15th-23rd are off.
  // Working time left: Fri 2h, Sat 8h, then Tue 24th 9:00 onwards: 24h - 10h = 14h,
  // i.e. 24th (8h) and 25th until 15:00.
  const SystemTime submitted = at("2026-02-13T15:00:00+08:00");
  Result<BudgetMarks> marks = applicationMarks(calendar(), threeDayFlow(), submitted, false);
  ASSERT_TRUE(marks) << marks.error();
  EXPECT_EQ(text(marks->due_at), "2026-02-25T15:00:00+08:00");
  // 80% of 24h = 19h12m: 10h before the holiday, 8h on the 24th, 1h12m on the 25th.
  EXPECT_EQ(text(marks->at_risk_at), "2026-02-25T10:12:00+08:00");
  // The green channel's single day: 2h Friday, 6h on the make-up Saturday.
  Result<BudgetMarks> green = applicationMarks(calendar(), threeDayFlow(), submitted, true);
  ASSERT_TRUE(green) << green.error();
  EXPECT_EQ(text(green->due_at), "2026-02-14T15:00:00+08:00");
  EXPECT_EQ(text(green->at_risk_at), "2026-02-14T13:24:00+08:00");
  // Nine days of holiday are not working time: on the 23rd the application is still on track.
  EXPECT_EQ(assessRisk(*marks, at("2026-02-23T16:00:00+08:00")), Risk::kOnTrack);
  EXPECT_EQ(assessRisk(*marks, at("2026-02-25T10:12:00+08:00")), Risk::kAtRisk);
  EXPECT_EQ(assessRisk(*marks, at("2026-02-25T15:00:00+08:00")), Risk::kBreached);
}

TEST(DeadlineTest, AnEveningSubmissionStartsCountingAtTheNextOpening) {
  Result<BudgetMarks> marks =
      applicationMarks(calendar(), threeDayFlow(), at("2026-03-10T20:30:00+08:00"), false);
  ASSERT_TRUE(marks) << marks.error();
  // Counting starts Wednesday 09:00; three days end Friday 17:00.
  EXPECT_EQ(text(marks->due_at), "2026-03-13T17:00:00+08:00");
}

TEST(DeadlineTest, StepBudgetsInWorkingTime) {
  // A 6h step made ready at 15:00 on the Friday before the holiday.
  Result<BudgetMarks> marks =
      budgetMarks(calendar(), at("2026-02-13T15:00:00+08:00"), minutes{360});
  ASSERT_TRUE(marks) << marks.error();
  EXPECT_EQ(text(marks->due_at), "2026-02-14T13:00:00+08:00");
  EXPECT_EQ(text(marks->at_risk_at), "2026-02-14T11:48:00+08:00");  // 288 minutes
  EXPECT_EQ(assessRisk(*marks, at("2026-02-14T11:47:59+08:00")), Risk::kOnTrack);
  EXPECT_EQ(assessRisk(*marks, at("2026-02-14T11:48:00+08:00")), Risk::kAtRisk);
  EXPECT_EQ(assessRisk(*marks, at("2026-02-14T13:00:00+08:00")), Risk::kBreached);
}

TEST(DeadlineTest, AMissingYearIsAnErrorNotAGuess) {
  Result<BudgetMarks> marks =
      applicationMarks(calendar(), threeDayFlow(), at("2026-12-30T10:00:00+08:00"), false);
  ASSERT_FALSE(marks);
  EXPECT_EQ(marks.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(marks.error().message.find("2027"), std::string::npos) << marks.error();
}

}  // namespace
}  // namespace kaiban::orchestrator
