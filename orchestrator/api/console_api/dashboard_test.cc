#include "orchestrator/api/console_api/dashboard.h"

#include <gtest/gtest.h>

#include "Poco/JSON/Array.h"
#include "core/timestamp.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator::api {
namespace {

using std::chrono::minutes;

SystemTime at(std::string_view iso) { return parseIso8601(iso).value(); }

const WorkingCalendar& calendar() {
  static const WorkingCalendar instance =
      WorkingCalendar::load(testing::repoFile("data/calendar")).value();
  return instance;
}

StepTiming step(std::string id, StepState state, std::optional<SystemTime> ready = {},
                std::optional<SystemTime> finished = {}, uint32_t flags = 0) {
  StepTiming timing;
  timing.step_id = std::move(id);
  timing.state = state;
  timing.ready_at = ready;
  timing.finished_at = finished;
  timing.flags = flags;
  return timing;
}

ApplicationTimeline timeline(std::string id, ApplicationState state, std::string_view submitted,
                             std::string_view deadline, std::vector<StepTiming> steps,
                             std::string bank = "QDBANK", std::string district = "370202",
                             std::string kiosk = "QD-SN-0001") {
  ApplicationTimeline t;
  t.id = std::move(id);
  t.state = state;
  t.submitted_at = at(submitted);
  t.deadline_at = at(deadline);
  t.updated_at = t.submitted_at;
  t.steps = std::move(steps);
  t.bank_code = std::move(bank);
  t.district = std::move(district);
  t.kiosk_id = std::move(kiosk);
  return t;
}

// Friday afternoon; a 7-day window starts on Saturday 2026-03-07.
const SystemTime kNow = at("2026-03-13T15:00:00+08:00");

std::vector<ApplicationTimeline> sample() {
  std::vector<ApplicationTimeline> timelines;
  // A: completed on time; registration took 2 working hours, the bank 11.
  timelines.push_back(timeline(
      "A", ApplicationState::kCompleted, "2026-03-09T09:00:00+08:00", "2026-03-12T09:00:00+08:00",
      {step("registration", StepState::kDone, at("2026-03-09T09:00:00+08:00"),
            at("2026-03-09T11:00:00+08:00")),
       step("bank_account", StepState::kDone, at("2026-03-10T09:00:00+08:00"),
            at("2026-03-11T12:00:00+08:00"))}));
  // B: completed a day late; registration took 1 working hour (across the evening).
  timelines.push_back(timeline(
      "B", ApplicationState::kCompleted, "2026-03-09T10:00:00+08:00", "2026-03-12T10:00:00+08:00",
      {step("registration", StepState::kDone, at("2026-03-09T16:30:00+08:00"),
            at("2026-03-10T09:30:00+08:00")),
       step("bank_account", StepState::kDone, at("2026-03-12T09:00:00+08:00"),
            at("2026-03-13T10:00:00+08:00"))}));
  // C: at the seal shop (at risk), the bank's review open.
  ApplicationTimeline c = timeline(
      "C", ApplicationState::kInProgress, "2026-03-10T09:30:00+08:00", "2026-03-16T09:30:00+08:00",
      {step("registration", StepState::kDone, at("2026-03-10T09:30:00+08:00"),
            at("2026-03-10T10:30:00+08:00")),
       step("seal", StepState::kAcknowledged, at("2026-03-10T10:30:00+08:00"), {}, kFlagAtRisk),
       step("bank_account", StepState::kPending)});
  c.steps[2].human_task = HumanTaskState::kOpen;
  timelines.push_back(c);
  // D: another bank and district; registration failed and breached.
  ApplicationTimeline d =
      timeline("D", ApplicationState::kNeedsAttention, "2026-03-10T11:00:00+08:00",
               "2026-03-13T11:00:00+08:00",
               {step("registration", StepState::kFailed, at("2026-03-10T11:00:00+08:00"),
                     at("2026-03-10T11:05:00+08:00"), kFlagBreached)},
               "ICBC", "370211", "QD-LS-0002");
  d.flags = kFlagBreached;
  timelines.push_back(d);
  // E: long ago, completed: outside the window.
  timelines.push_back(timeline(
      "E", ApplicationState::kCompleted, "2026-01-05T09:00:00+08:00", "2026-01-08T09:00:00+08:00",
      {step("registration", StepState::kDone, at("2026-01-05T09:00:00+08:00"),
            at("2026-01-05T09:10:00+08:00"))}));
  return timelines;
}

Dashboard compute(const std::vector<KioskRecord>& kiosks = {}) {
  DashboardOptions options;
  options.days = 7;
  return computeDashboard(sample(), kiosks, calendar(), kNow, options);
}

TEST(DashboardTest, CountsTheWindowAndWhatIsOpenNow) {
  const Dashboard dashboard = compute();
  EXPECT_EQ(dashboard.window_start, at("2026-03-07T00:00:00+08:00"));
  const Counts& totals = dashboard.totals;
  EXPECT_EQ(totals.started, 4);
  EXPECT_EQ(totals.completed, 2);
  EXPECT_EQ(totals.on_time, 1);
  EXPECT_DOUBLE_EQ(totals.onTimeShare(), 0.5);
  EXPECT_EQ(totals.in_progress, 2);
  EXPECT_EQ(totals.needs_attention, 1);
  EXPECT_EQ(totals.at_risk, 1);
  EXPECT_EQ(totals.breached, 1);
  // A: Mon 09:00 -> Wed 12:00 = 8 + 8 + 3 working hours; B: Mon 10:00 -> Fri 10:00 = 32 h.
  // Nearest rank of two values: the median is the smaller.
  EXPECT_EQ(totals.median_working_minutes, 19 * 60);
}

TEST(DashboardTest, DailyAndWeeklyRowsCoverTheWindow) {
  const Dashboard dashboard = compute();
  ASSERT_EQ(dashboard.daily.size(), 7u);
  EXPECT_EQ(formatDate(dashboard.daily.front().date), "2026-03-07");
  EXPECT_EQ(formatDate(dashboard.daily.back().date), "2026-03-13");
  const DayRow& monday = dashboard.daily[2];
  EXPECT_EQ(formatDate(monday.date), "2026-03-09");
  EXPECT_EQ(monday.started, 2);
  EXPECT_EQ(dashboard.daily[3].started, 2);    // Tuesday: C, D
  EXPECT_EQ(dashboard.daily[4].completed, 1);  // Wednesday: A, on time
  EXPECT_EQ(dashboard.daily[4].completed_on_time, 1);
  EXPECT_EQ(dashboard.daily[6].completed, 1);  // Friday: B, late
  EXPECT_EQ(dashboard.daily[6].completed_on_time, 0);

  ASSERT_EQ(dashboard.weekly.size(), 2u);
  EXPECT_EQ(formatDate(dashboard.weekly[0].date), "2026-03-02");
  EXPECT_EQ(dashboard.weekly[0].started, 0);
  EXPECT_EQ(formatDate(dashboard.weekly[1].date), "2026-03-09");
  EXPECT_EQ(dashboard.weekly[1].started, 4);
  EXPECT_EQ(dashboard.weekly[1].completed, 2);
  EXPECT_EQ(dashboard.weekly[1].completed_on_time, 1);
}

TEST(DashboardTest, StepLoadAndWorkingTimePerStep) {
  const Dashboard dashboard = compute();
  ASSERT_EQ(dashboard.step_load.size(), 3u);
  EXPECT_EQ(dashboard.step_load[0].step, "registration");
  EXPECT_EQ(dashboard.step_load[0].failed, 1);
  EXPECT_EQ(dashboard.step_load[0].breached, 1);
  EXPECT_EQ(dashboard.step_load[1].step, "seal");
  EXPECT_EQ(dashboard.step_load[1].with_partner, 1);
  EXPECT_EQ(dashboard.step_load[1].at_risk, 1);
  EXPECT_EQ(dashboard.step_load[2].step, "bank_account");
  EXPECT_EQ(dashboard.step_load[2].waiting_staff, 1);
  EXPECT_EQ(dashboard.step_load[2].waiting, 0);

  ASSERT_EQ(dashboard.step_times.size(), 2u);
  const StepTime& registration = dashboard.step_times[0];
  EXPECT_EQ(registration.step, "registration");
  EXPECT_EQ(registration.samples, 3);  // A 120, B 60 (16:30-17:00 + 09:00-09:30), C 60
  EXPECT_EQ(registration.median_minutes, 60);
  EXPECT_EQ(registration.p90_minutes, 120);
  EXPECT_EQ(registration.max_minutes, 120);
  const StepTime& bank = dashboard.step_times[1];
  EXPECT_EQ(bank.step, "bank_account");
  EXPECT_EQ(bank.samples, 2);  // A: 8 h + 3 h; B: 8 h + 1 h
  EXPECT_EQ(bank.median_minutes, 9 * 60);
  EXPECT_EQ(bank.p90_minutes, 11 * 60);
}

TEST(DashboardTest, BreakdownsAndTheAtRiskList) {
  const Dashboard dashboard = compute();
  ASSERT_EQ(dashboard.by_district.size(), 2u);
  EXPECT_EQ(dashboard.by_district[0].key, "370202");
  EXPECT_EQ(dashboard.by_district[0].counts.started, 3);
  EXPECT_EQ(dashboard.by_district[0].counts.completed, 2);
  EXPECT_EQ(dashboard.by_district[1].key, "370211");
  EXPECT_EQ(dashboard.by_district[1].counts.breached, 1);
  ASSERT_EQ(dashboard.by_bank.size(), 2u);
  EXPECT_EQ(dashboard.by_bank[0].key, "ICBC");
  EXPECT_EQ(dashboard.by_bank[1].key, "QDBANK");
  EXPECT_EQ(dashboard.by_bank[1].counts.at_risk, 1);
  ASSERT_EQ(dashboard.by_kiosk.size(), 2u);
  EXPECT_EQ(dashboard.by_kiosk[1].key, "QD-SN-0001");

  ASSERT_EQ(dashboard.at_risk.size(), 2u);
  EXPECT_EQ(dashboard.at_risk[0].id, "D");  // breached first
  EXPECT_TRUE(dashboard.at_risk[0].breached);
  EXPECT_EQ(dashboard.at_risk[0].flagged_steps, std::vector<std::string>{"registration"});
  EXPECT_EQ(dashboard.at_risk[0].working_minutes_left, -4 * 60);  // 11:00 -> 15:00
  EXPECT_EQ(dashboard.at_risk[1].id, "C");
  EXPECT_FALSE(dashboard.at_risk[1].breached);
  EXPECT_EQ(dashboard.at_risk[1].flagged_steps, std::vector<std::string>{"seal"});
  EXPECT_EQ(dashboard.at_risk[1].working_minutes_left, 150);  // Fri 15-17, Mon 9-9:30
}

KioskRecord kiosk(std::string id, std::optional<SystemTime> heartbeat_at, std::string heartbeat,
                  bool enabled = true) {
  KioskRecord record;
  record.kiosk_id = std::move(id);
  record.bank_code = "QDBANK";
  record.district = "370202";
  record.name = "市南区, 香港中路网点";
  record.enabled = enabled;
  record.last_heartbeat_at = heartbeat_at;
  record.last_heartbeat = std::move(heartbeat);
  return record;
}

TEST(DashboardTest, KioskHealthFromHeartbeats) {
  const std::string ok_devices =
      R"({"agent_version":"0.1.0","queue_depth":0,"oldest_pending_seconds":0,"devices":[)"
      R"({"device":"id_card_reader","status":"ok","detail":""}]})";
  const std::string printer_low =
      R"({"agent_version":"0.1.0","queue_depth":2,"oldest_pending_seconds":30,"devices":[)"
      R"({"device":"receipt_printer","status":"degraded","detail":"paper low"}]})";
  const Dashboard dashboard = compute({kiosk("QD-SN-0001", kNow - minutes{1}, ok_devices),
                                       kiosk("QD-SN-0002", kNow - minutes{2}, printer_low),
                                       kiosk("QD-SN-0003", kNow - minutes{60}, ok_devices),
                                       kiosk("QD-SN-0004", std::nullopt, ""),
                                       kiosk("QD-SN-0005", kNow - minutes{1}, ok_devices, false)});
  ASSERT_EQ(dashboard.kiosks.size(), 5u);
  EXPECT_EQ(dashboard.kiosks[0].status, "online");
  EXPECT_EQ(dashboard.kiosks[0].started, 3);
  EXPECT_EQ(dashboard.kiosks[0].agent_version, "0.1.0");
  EXPECT_EQ(dashboard.kiosks[1].status, "degraded");
  EXPECT_EQ(dashboard.kiosks[1].queue_depth, 2);
  ASSERT_EQ(dashboard.kiosks[1].devices.size(), 1u);
  EXPECT_EQ(dashboard.kiosks[1].devices[0].detail, "paper low");
  EXPECT_EQ(dashboard.kiosks[2].status, "offline");
  EXPECT_EQ(dashboard.kiosks[3].status, "never");
  EXPECT_EQ(dashboard.kiosks[4].status, "disabled");
}

TEST(DashboardTest, JsonCarriesEverySection) {
  const Dashboard dashboard = compute();
  Poco::JSON::Object::Ptr json = toJson(dashboard);
  EXPECT_EQ(json->getValue<int>("days"), 7);
  EXPECT_EQ(json->getObject("totals")->getValue<int>("started"), 4);
  EXPECT_DOUBLE_EQ(json->getObject("totals")->getValue<double>("on_time_share"), 0.5);
  EXPECT_EQ(json->getArray("daily")->size(), 7u);
  EXPECT_EQ(json->getArray("weekly")->size(), 2u);
  EXPECT_EQ(json->getArray("step_load")->getObject(1)->getValue<std::string>("step"), "seal");
  EXPECT_EQ(json->getArray("step_times")->getObject(0)->getValue<int>("p90_minutes"), 120);
  EXPECT_EQ(json->getArray("at_risk")->getObject(0)->getValue<std::string>("level"), "breached");
  EXPECT_EQ(json->getArray("by_bank")->getObject(0)->getValue<std::string>("key"), "ICBC");
  EXPECT_TRUE(json->getArray("by_bank")->getObject(0)->isNull("on_time_share"));
}

TEST(DashboardTest, CsvTablesAreRfc4180WithABom) {
  const Dashboard dashboard = compute({kiosk("QD-SN-0001", kNow, "")});
  Result<std::string> daily = toCsv(dashboard, "daily");
  ASSERT_TRUE(daily) << daily.error();
  EXPECT_EQ(daily->rfind("\xEF\xBB\xBF"
                         "date,started,completed,completed_on_time\r\n"
                         "2026-03-07,0,0,0\r\n",
                         0),
            0u)
      << *daily;
  EXPECT_NE(daily->find("2026-03-09,2,0,0\r\n"), std::string::npos);

  Result<std::string> fleet = toCsv(dashboard, "fleet");
  ASSERT_TRUE(fleet);
  EXPECT_NE(fleet->find("QD-SN-0001,\"市南区, 香港中路网点\",QDBANK,370202,online"),
            std::string::npos)
      << *fleet;

  Result<std::string> steps = toCsv(dashboard, "steps");
  ASSERT_TRUE(steps);
  EXPECT_NE(steps->find("registration,0,0,0,1,0,1,3,60,120,120\r\n"), std::string::npos) << *steps;
  Result<std::string> at_risk = toCsv(dashboard, "at_risk");
  ASSERT_TRUE(at_risk);
  EXPECT_NE(at_risk->find("D,breached,needs_attention,ICBC,370211"), std::string::npos);
  for (std::string_view table : kCsvTables) EXPECT_TRUE(toCsv(dashboard, table)) << table;

  Result<std::string> unknown = toCsv(dashboard, "secrets");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "table");
}

TEST(DashboardTest, NearestRank) {
  EXPECT_EQ(nearestRank({5}, 0.5), 5);
  EXPECT_EQ(nearestRank({5}, 0.9), 5);
  EXPECT_EQ(nearestRank({4, 1, 3, 2}, 0.5), 2);
  EXPECT_EQ(nearestRank({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9), 9);
  EXPECT_EQ(nearestRank({10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11}, 0.9), 10);
  EXPECT_EQ(nearestRank({3, 1, 2}, 0.0), 1);
}

}  // namespace
}  // namespace kaiban::orchestrator::api
