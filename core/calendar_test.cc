#include "core/calendar.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/timestamp.h"
#include "tests/testing/test_env.h"

namespace kaiban {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

// The repository's real data: 2025 and 2026 as published by the State Council.
const WorkingCalendar& chinaCalendar() {
  static const WorkingCalendar calendar = [] {
    Result<WorkingCalendar> loaded = WorkingCalendar::load(testing::repoFile("data/calendar"));
    if (!loaded) throw std::runtime_error(loaded.error().toString());
    return std::move(loaded).value();
  }();
  return calendar;
}

SystemTime at(std::string_view iso) { return parseIso8601(iso).value(); }

// Results as text, so that a failure prints a readable instant or the error.
std::string text(const Result<SystemTime>& result) {
  return result ? formatIso8601(*result) : "error: " + result.error().toString();
}

year_month_day date(int y, unsigned m, unsigned d) {
  return year_month_day{year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

void writeFile(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

TEST(CalendarTest, LoadsTheRepositoryDataForWholeYears) {
  const WorkingCalendar& calendar = chinaCalendar();
  EXPECT_EQ(calendar.firstCoveredDate(), date(2025, 1, 1));
  EXPECT_EQ(calendar.lastCoveredDate(), date(2026, 12, 31));
  EXPECT_TRUE(calendar.coversDate(date(2025, 1, 1)));
  EXPECT_TRUE(calendar.coversDate(date(2026, 12, 31)));
  EXPECT_FALSE(calendar.coversDate(date(2024, 12, 31)));
  EXPECT_FALSE(calendar.coversDate(date(2027, 1, 1)));
  EXPECT_EQ(calendar.workingDayLength(), hours{8});
}

// A second, independent transcription of /work/shared/data/cn-public-holidays.md: every day off
// and every make-up day, checked against what the data files produce.
TEST(CalendarTest, DataFilesMatchThePublishedArrangements) {
  struct Holiday {
    year_month_day first;
    year_month_day last;
  };
  const Holiday holidays[] = {
      {date(2025, 1, 1), date(2025, 1, 1)},   {date(2025, 1, 28), date(2025, 2, 4)},
      {date(2025, 4, 4), date(2025, 4, 6)},   {date(2025, 5, 1), date(2025, 5, 5)},
      {date(2025, 5, 31), date(2025, 6, 2)},  {date(2025, 10, 1), date(2025, 10, 8)},
      {date(2026, 1, 1), date(2026, 1, 3)},   {date(2026, 2, 15), date(2026, 2, 23)},
      {date(2026, 4, 4), date(2026, 4, 6)},   {date(2026, 5, 1), date(2026, 5, 5)},
      {date(2026, 6, 19), date(2026, 6, 21)}, {date(2026, 9, 25), date(2026, 9, 27)},
      {date(2026, 10, 1), date(2026, 10, 7)},
  };
  const year_month_day make_up_days[] = {
      date(2025, 1, 26),  date(2025, 2, 8),  date(2025, 4, 27),  date(2025, 9, 28),
      date(2025, 10, 11), date(2026, 1, 4),  date(2026, 2, 14),  date(2026, 2, 28),
      date(2026, 5, 9),   date(2026, 9, 20), date(2026, 10, 10),
  };
  const WorkingCalendar& calendar = chinaCalendar();
  int days_off_on_weekdays = 0;
  for (const Holiday& holiday : holidays) {
    for (sys_days day{holiday.first}; day <= sys_days{holiday.last}; day += days{1}) {
      EXPECT_FALSE(calendar.isWorkingDay(year_month_day{day})) << formatDate(year_month_day{day});
      const std::chrono::weekday weekday{day};
      if (weekday != std::chrono::Saturday && weekday != std::chrono::Sunday) {
        ++days_off_on_weekdays;
      }
    }
  }
  for (const year_month_day& day : make_up_days) {
    EXPECT_TRUE(calendar.isWorkingDay(day)) << formatDate(day);
  }
  // Nothing else deviates from Monday-to-Friday: count working days over both years.
  int working_days = 0;
  int weekdays = 0;
  for (sys_days day{date(2025, 1, 1)}; day <= sys_days{date(2026, 12, 31)}; day += days{1}) {
    const std::chrono::weekday weekday{day};
    if (weekday != std::chrono::Saturday && weekday != std::chrono::Sunday) ++weekdays;
    if (calendar.isWorkingDay(year_month_day{day})) ++working_days;
  }
  EXPECT_EQ(working_days,
            weekdays - days_off_on_weekdays + static_cast<int>(std::size(make_up_days)));
}

// The house example. From Friday 2026-02-13 15:00, three working days are 24 working hours:
//   Fri 02-13 15:00-17:00        2h  (total  2h)
//   Sat 02-14 make-up day       8h  (total 10h)
//   Sun 02-15 .. Mon 02-23      Spring Festival, nothing
//   Tue 02-24                   8h  (total 18h)
//   Wed 02-25 09:00-15:00        6h  (total 24h)  -> 2026-02-25 15:00
TEST(CalendarTest, ThreeWorkingDaysAcrossSpringFestival2026) {
  EXPECT_EQ(text(chinaCalendar().addWorkingDays(at("2026-02-13T15:00:00+08:00"), 3)),
            "2026-02-25T15:00:00+08:00");
}

// The second make-up Saturday, 02-28: from Thu 02-26 15:00, two working days (16h) are
// Thu 2h + Fri 02-27 8h + Sat 02-28 6h -> Saturday 15:00.
TEST(CalendarTest, MakeUpSaturdayAfterSpringFestivalCounts) {
  EXPECT_EQ(text(chinaCalendar().addWorkingDays(at("2026-02-26T15:00:00+08:00"), 2)),
            "2026-02-28T15:00:00+08:00");
}

// Submitted on Saturday 2026-10-03 10:00, in the National Day holiday (10-01..10-07): the clock
// starts at 09:00 on Thursday 10-08. Three working days are then Thu 10-08, Fri 10-09 and the
// make-up Saturday 10-10, ending when that Saturday closes.
TEST(CalendarTest, DeadlineAskedForOnAHolidayStartsAtTheNextOpening) {
  const WorkingCalendar& calendar = chinaCalendar();
  const SystemTime submitted = at("2026-10-03T10:00:00+08:00");
  EXPECT_EQ(calendar.workingTimeBetween(submitted, at("2026-10-08T09:00:00+08:00")).value(),
            minutes{0});
  EXPECT_EQ(calendar.workingTimeBetween(submitted, at("2026-10-08T10:00:00+08:00")).value(),
            minutes{60});
  EXPECT_EQ(text(calendar.addWorkingTime(submitted, minutes{1})), "2026-10-08T09:01:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingDays(submitted, 3)), "2026-10-10T17:00:00+08:00");
}

// 2026-09-20 is a Sunday worked for National Day. From Fri 09-18 14:00, one working day (8h) is
// Fri 3h, nothing on Sat 09-19, then Sun 09-20 09:00-14:00 5h.
TEST(CalendarTest, NationalDay2026MakeUpSunday) {
  const WorkingCalendar& calendar = chinaCalendar();
  EXPECT_FALSE(calendar.isWorkingDay(date(2026, 9, 19)));
  EXPECT_TRUE(calendar.isWorkingDay(date(2026, 9, 20)));
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-09-18T14:00:00+08:00"), 1)),
            "2026-09-20T14:00:00+08:00");
  // Thu 09-24 10:00 + 24h: Thu 7h, Mid-Autumn Fri 09-25..Sun 09-27 off, Mon 09-28 8h (15h),
  // Tue 09-29 8h (23h), Wed 09-30 1h -> 10:00.
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-09-24T10:00:00+08:00"), 3)),
            "2026-09-30T10:00:00+08:00");
  // Wed 09-30 10:00 + 24h: Wed 7h, 10-01..10-07 off, Thu 10-08 8h (15h), Fri 10-09 8h (23h),
  // make-up Sat 10-10 1h -> 10:00.
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-09-30T10:00:00+08:00"), 3)),
            "2026-10-10T10:00:00+08:00");
}

// An ordinary weekend: Fri 03-06 16:00 + 8h = Fri 1h + Mon 03-09 7h -> Monday 16:00.
TEST(CalendarTest, OrdinaryWeekendIsSkipped) {
  const WorkingCalendar& calendar = chinaCalendar();
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-03-06T16:00:00+08:00"), 1)),
            "2026-03-09T16:00:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingTime(at("2026-03-07T11:00:00+08:00"), minutes{30})),
            "2026-03-09T09:30:00+08:00");
}

// Outside office hours the clock waits for the next opening, on the same day or the next.
TEST(CalendarTest, EveningAndEarlySubmissionsCountFromTheNextOpening) {
  const WorkingCalendar& calendar = chinaCalendar();
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-03-10T20:00:00+08:00"), 1)),
            "2026-03-11T17:00:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-03-10T07:00:00+08:00"), 1)),
            "2026-03-10T17:00:00+08:00");
  // Friday evening: the weekend is skipped too.
  EXPECT_EQ(text(calendar.addWorkingTime(at("2026-03-13T18:30:00+08:00"), minutes{90})),
            "2026-03-16T10:30:00+08:00");
}

// End-inclusive semantics: time used up exactly at closing ends at 17:00 that day.
TEST(CalendarTest, SeventeenHundredBoundary) {
  const WorkingCalendar& calendar = chinaCalendar();
  EXPECT_EQ(text(calendar.addWorkingTime(at("2026-03-10T09:00:00+08:00"), hours{8})),
            "2026-03-10T17:00:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingTime(at("2026-03-13T16:00:00+08:00"), minutes{60})),
            "2026-03-13T17:00:00+08:00");  // Friday: not Monday 09:00
  EXPECT_EQ(text(calendar.addWorkingTime(at("2026-03-10T17:00:00+08:00"), minutes{1})),
            "2026-03-11T09:01:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-03-10T17:00:00+08:00"), 1)),
            "2026-03-11T17:00:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingTime(at("2026-03-10T17:00:00+08:00"), minutes{0})),
            "2026-03-10T17:00:00+08:00");

  EXPECT_TRUE(calendar.isWorkingTime(at("2026-03-10T09:00:00+08:00")));
  EXPECT_TRUE(calendar.isWorkingTime(at("2026-03-10T16:59:59+08:00")));
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-03-10T17:00:00+08:00")));
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-03-10T08:59:59+08:00")));
  EXPECT_EQ(
      calendar.workingTimeBetween(at("2026-03-10T16:00:00+08:00"), at("2026-03-11T09:00:00+08:00"))
          .value(),
      minutes{60});
}

TEST(CalendarTest, WorkingTimeBetweenAcrossWeekendAndHoliday) {
  const WorkingCalendar& calendar = chinaCalendar();
  // Fri 03-06 16:00 .. Mon 03-09 10:00: 1h on Friday + 1h on Monday.
  EXPECT_EQ(
      calendar.workingTimeBetween(at("2026-03-06T16:00:00+08:00"), at("2026-03-09T10:00:00+08:00"))
          .value(),
      minutes{120});
  // Fri 02-13 15:00 .. Tue 02-24 10:00: 2h + 8h (make-up Sat 02-14) + 1h.
  EXPECT_EQ(
      calendar.workingTimeBetween(at("2026-02-13T15:00:00+08:00"), at("2026-02-24T10:00:00+08:00"))
          .value(),
      minutes{11 * 60});
  // Reversed or equal instants: zero.
  EXPECT_EQ(
      calendar.workingTimeBetween(at("2026-02-24T10:00:00+08:00"), at("2026-02-13T15:00:00+08:00"))
          .value(),
      minutes{0});
  // Sub-minute remainders are rounded down.
  EXPECT_EQ(
      calendar
          .workingTimeBetween(at("2026-03-10T10:00:00+08:00"), at("2026-03-10T10:01:59.9+08:00"))
          .value(),
      minutes{1});
}

// Green channel: one working day. Fri 2026-04-03 11:00, then Qingming Sat 04-04..Mon 04-06,
// so Friday's 6h and Tuesday's 2h -> Tue 04-07 11:00.
TEST(CalendarTest, GreenChannelOneWorkingDay) {
  EXPECT_EQ(text(chinaCalendar().addWorkingDays(at("2026-04-03T11:00:00+08:00"), 1)),
            "2026-04-07T11:00:00+08:00");
}

// New Year 2026: Wed 2025-12-31 15:00 + 8h = 2h, then 01-01..01-03 off, and the make-up
// Sunday 01-04 09:00-15:00.
TEST(CalendarTest, CrossesFromOneYearFileIntoTheNext) {
  EXPECT_EQ(text(chinaCalendar().addWorkingDays(at("2025-12-31T15:00:00+08:00"), 1)),
            "2026-01-04T15:00:00+08:00");
}

TEST(CalendarTest, IsWorkingTimeOnMakeUpSaturdayAndHolidays) {
  const WorkingCalendar& calendar = chinaCalendar();
  EXPECT_TRUE(calendar.isWorkingTime(at("2026-02-14T10:00:00+08:00")));   // make-up Saturday
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-02-14T18:00:00+08:00")));  // after its hours
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-03-07T10:00:00+08:00")));  // ordinary Saturday
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-02-16T10:00:00+08:00")));  // Monday in holiday
  EXPECT_TRUE(calendar.isWorkingTime(at("2026-02-24T10:00:00+08:00")));   // first day back
  // The same instant written in UTC: 02:00Z is 10:00 in Shanghai.
  EXPECT_TRUE(calendar.isWorkingTime(at("2026-02-14T02:00:00Z")));
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-02-14T10:00:00Z")));  // 18:00 in Shanghai
}

TEST(CalendarTest, RefusesToRunPastTheLoadedYears) {
  const WorkingCalendar& calendar = chinaCalendar();
  // Thu 2026-12-31 15:00: 2h are left in 2026, so 120 min fit and 121 do not.
  const SystemTime last_afternoon = at("2026-12-31T15:00:00+08:00");
  EXPECT_EQ(text(calendar.addWorkingTime(last_afternoon, minutes{120})),
            "2026-12-31T17:00:00+08:00");
  for (Result<SystemTime> beyond : {calendar.addWorkingTime(last_afternoon, minutes{121}),
                                    calendar.addWorkingDays(last_afternoon, 1),
                                    calendar.addWorkingTime(last_afternoon, minutes::max())}) {
    ASSERT_FALSE(beyond.ok()) << text(beyond);
    EXPECT_EQ(beyond.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(
        beyond.error().message.find("no holiday data for 2027: add data/calendar/cn-2027.txt"),
        std::string::npos)
        << beyond.error().message;
  }
  Result<SystemTime> before = calendar.addWorkingDays(at("2024-12-31T10:00:00+08:00"), 1);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(before.error().message.find("no holiday data for 2024"), std::string::npos);

  Result<minutes> between =
      calendar.workingTimeBetween(at("2026-12-30T10:00:00+08:00"), at("2027-01-04T10:00:00+08:00"));
  ASSERT_FALSE(between.ok());
  EXPECT_EQ(between.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(between.error().message.find("2027"), std::string::npos);
}

TEST(CalendarTest, ProvisionalYearsCountWeekdaysButStayUncovered) {
  const WorkingCalendar calendar = chinaCalendar().withProvisionalYears(1);
  // Mon 2026-12-28 10:00 + 3 working days: Tue, Wed, Thu 12-31 are official; the third day
  // ends in provisional 2027 on Fri 01-01 (a real holiday the data does not know yet).
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-12-29T10:00:00+08:00"), 3)),
            "2027-01-01T10:00:00+08:00");
  EXPECT_FALSE(calendar.coversDate(date(2027, 1, 1)));
  EXPECT_TRUE(calendar.isProvisional(date(2027, 1, 1)));
  EXPECT_FALSE(calendar.isProvisional(date(2026, 12, 31)));
  EXPECT_FALSE(calendar.isProvisional(date(2028, 1, 3)));
  EXPECT_FALSE(calendar.isWorkingDay(date(2027, 1, 2)));  // a Saturday
  EXPECT_EQ(calendar.lastCoveredDate(), date(2026, 12, 31));
  // Official data is unchanged: the Spring Festival make-up Saturday still counts.
  EXPECT_TRUE(calendar.isWorkingDay(date(2026, 2, 14)));
  // Past the provisional years it refuses again, naming the missing year.
  Result<SystemTime> beyond = calendar.addWorkingDays(at("2027-12-31T10:00:00+08:00"), 2);
  ASSERT_FALSE(beyond.ok()) << text(beyond);
  EXPECT_NE(beyond.error().message.find("no holiday data for 2028"), std::string::npos)
      << beyond.error().message;
  EXPECT_EQ(text(chinaCalendar().withProvisionalYears(0).addWorkingDays(
                at("2026-12-31T10:00:00+08:00"), 1)),
            text(chinaCalendar().addWorkingDays(at("2026-12-31T10:00:00+08:00"), 1)));
}

TEST(CalendarTest, RejectsNegativeAmounts) {
  const WorkingCalendar& calendar = chinaCalendar();
  const SystemTime t = at("2026-03-10T10:00:00+08:00");
  EXPECT_EQ(calendar.addWorkingTime(t, minutes{-1}).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(calendar.addWorkingDays(t, -1).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(text(calendar.addWorkingDays(t, 0)), "2026-03-10T10:00:00+08:00");
}

TEST(CalendarTest, KeepsSubMinutePrecisionOfTheStart) {
  EXPECT_EQ(chinaCalendar().addWorkingTime(at("2026-03-10T10:00:30.25+08:00"), minutes{90}).value(),
            at("2026-03-10T11:30:30.25+08:00"));
}

// The per-day tables must agree with the plain definition: walk minute by minute, counting the
// minutes that are working time. Starts are spread over both years at odd offsets so they land
// inside and outside office hours, on holidays and make-up days.
TEST(CalendarTest, AgreesWithMinuteByMinuteReference) {
  const WorkingCalendar& calendar = chinaCalendar();
  auto reference = [&](SystemTime from, minutes amount) {
    SystemTime t = from;
    for (minutes left = amount; left > minutes{0};) {
      const auto time_of_day = shanghaiTimeOfDay(t);
      if (!calendar.isWorkingDay(shanghaiDate(t)) || time_of_day >= hours{17}) {
        t += days{1} - time_of_day;  // to the next midnight: nothing to count before it
      } else if (time_of_day < hours{9}) {
        t += hours{9} - time_of_day;
      } else {
        --left;
        t += minutes{1};
      }
    }
    return t;
  };
  int checked = 0;
  for (SystemTime from = at("2025-01-01T00:00:00+08:00"); from < at("2026-12-20T00:00:00+08:00");
       from += hours{61} + minutes{17}) {
    for (minutes amount : {minutes{0}, minutes{1}, minutes{479}, minutes{480}, minutes{24 * 60}}) {
      Result<SystemTime> fast = calendar.addWorkingTime(from, amount);
      ASSERT_TRUE(fast.ok()) << formatIso8601(from) << ": " << fast.error();
      ASSERT_EQ(formatIso8601(*fast), formatIso8601(reference(from, amount)))
          << "from " << formatIso8601(from) << " + " << amount.count() << " min";
      ASSERT_EQ(calendar.workingTimeBetween(from, *fast).value(), amount)
          << "from " << formatIso8601(from);
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(CalendarTest, ConfigurableOfficeHours) {
  Result<WorkingCalendar> loaded = WorkingCalendar::load(
      testing::repoFile("data/calendar"), OfficeHours{minutes{8 * 60 + 30}, minutes{17 * 60 + 30}});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const WorkingCalendar& calendar = *loaded;
  EXPECT_EQ(calendar.workingDayLength(), hours{9});
  EXPECT_TRUE(calendar.isWorkingTime(at("2026-03-10T08:30:00+08:00")));
  EXPECT_FALSE(calendar.isWorkingTime(at("2026-03-10T17:30:00+08:00")));
  // One 9h day from Friday 16:30: 1h, then Monday 08:30 + 8h.
  EXPECT_EQ(text(calendar.addWorkingDays(at("2026-03-06T16:30:00+08:00"), 1)),
            "2026-03-09T16:30:00+08:00");

  for (OfficeHours bad : {OfficeHours{hours{17}, hours{9}}, OfficeHours{hours{9}, hours{9}},
                          OfficeHours{hours{-1}, hours{9}}, OfficeHours{hours{9}, hours{25}}}) {
    Result<WorkingCalendar> refused =
        WorkingCalendar::load(testing::repoFile("data/calendar"), bad);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
  }
}

TEST(CalendarTest, BadDataLinesAreReportedWithFileAndLine) {
  struct Case {
    const char* content;
    const char* where;
    const char* reason;
  };
  const Case cases[] = {
      {"year 2026\nholiday 2026-02-30 2026-03-01 Nothing\n", "test.txt:2", "no such day"},
      {"year 2026\n\nholiday 2026-02-15 2026/02/23 Spring Festival\n", "test.txt:3",
       "bad end date"},
      {"year 2026\nholiday 2026-02-23 2026-02-15 Spring Festival\n", "test.txt:2",
       "is before its start"},
      {"year 2026\nworkday 2026-02-13 Spring Festival make-up\n", "test.txt:2", "is a Friday"},
      {"year 2026\nholiday 2026-10-01 2026-10-07 National Day\n"
       "workday 2026-10-04 Impossible make-up\n",
       "test.txt:3", "overlaps holiday 2026-10-01..2026-10-07"},
      {"year 2026\nholiday 2026-10-01 2026-10-07 National Day\n"
       "# a comment\nholiday 2026-09-25 2026-10-01 Mid-Autumn\n",
       "test.txt:2", "overlaps holiday 2026-09-25..2026-10-01 (Mid-Autumn) at test.txt:4"},
      {"year 2026\nworkday 2026-02-14 make-up\nworkday 2026-02-14 again\n", "test.txt:3",
       "overlaps"},
      {"year 2026\nvacation 2026-02-15 2026-02-23 Spring Festival\n", "test.txt:2",
       "unknown keyword 'vacation'"},
      {"year 2026\nholiday 2026-02-15 2026-02-23\n", "test.txt:2", "missing the name"},
      {"year 2026\nholiday 2026-02-15\n", "test.txt:2", "missing the end date"},
      {"holiday 2026-02-15 2026-02-23 Spring Festival\n", "test.txt:1", "'year YYYY' line"},
      {"# nothing but a comment\n", "test.txt", "no 'year YYYY' line"},
      {"year 2026\nyear 2027\n", "test.txt:2", "second 'year' line"},
      {"year 26\n", "test.txt:1", "expected 'year YYYY'"},
      {"year 2026\nholiday 2062-02-15 2062-02-23 Spring Festival\n", "test.txt:2",
       "is not in year 2026"},
      {"year 2026\nholiday 2026-02-15 2026-04-23 Spring Festival\n", "test.txt:2",
       "longer than 31 days"},
  };
  for (const Case& c : cases) {
    Result<WorkingCalendar> parsed = WorkingCalendar::parse(c.content, "test.txt");
    ASSERT_FALSE(parsed.ok()) << "accepted:\n" << c.content;
    EXPECT_EQ(parsed.error().code, ErrorCode::kCorrupt) << parsed.error();
    EXPECT_EQ(parsed.error().message.rfind(std::string(c.where) + ": ", 0), 0u)
        << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(c.reason), std::string::npos) << parsed.error().message;
  }
}

TEST(CalendarTest, AcceptsCommentsBlankLinesCrlfAndBom) {
  Result<WorkingCalendar> parsed = WorkingCalendar::parse(
      "\xEF\xBB\xBF# header\r\n\r\n  year 2026   # trailing comment\r\n"
      "\tworkday 2026-02-14   Spring Festival make-up  \r\n",
      "test.txt");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(parsed->isWorkingDay(date(2026, 2, 14)));
  EXPECT_FALSE(parsed->isWorkingDay(date(2026, 2, 15)));
  EXPECT_TRUE(parsed->isWorkingDay(date(2026, 2, 16)));  // this file declares no holidays
}

TEST(CalendarTest, BadFileOnDiskIsNamedInTheError) {
  const std::filesystem::path bad = testing::testData("calendar-bad-2026.txt");
  Result<WorkingCalendar> loaded = WorkingCalendar::load(bad);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(loaded.error().message.rfind(bad.string() + ":10: workday 2026-02-13 is a Friday", 0),
            0u)
      << loaded.error().message;
}

TEST(CalendarTest, DirectoryLoadingChecksFilesAgainstEachOther) {
  const std::string year_2025 = "year 2025\nholiday 2025-10-01 2025-10-08 National Day\n";
  const std::string year_2026 = "year 2026\nholiday 2026-01-01 2026-01-03 New Year\n";
  {
    testing::TempDir dir;
    writeFile(dir.path() / "cn-2025.txt", year_2025);
    writeFile(dir.path() / "cn-2026.txt", year_2026);
    writeFile(dir.path() / "notes.txt", "not a calendar file");
    Result<WorkingCalendar> loaded = WorkingCalendar::load(dir.path());
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    EXPECT_EQ(loaded->firstCoveredDate(), date(2025, 1, 1));
    EXPECT_EQ(loaded->lastCoveredDate(), date(2026, 12, 31));
    EXPECT_FALSE(loaded->isWorkingDay(date(2025, 10, 8)));
    EXPECT_FALSE(loaded->isWorkingDay(date(2026, 1, 2)));
  }
  {
    testing::TempDir dir;
    writeFile(dir.path() / "cn-2025.txt", year_2025);
    writeFile(dir.path() / "cn-2027.txt", "year 2027\n");
    Result<WorkingCalendar> loaded = WorkingCalendar::load(dir.path());
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(loaded.error().message.find("but not 2026: add data/calendar/cn-2026.txt"),
              std::string::npos)
        << loaded.error().message;
  }
  {
    testing::TempDir dir;
    writeFile(dir.path() / "cn-2026.txt", year_2025);  // last year's file, copied unedited
    Result<WorkingCalendar> loaded = WorkingCalendar::load(dir.path());
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("declares year 2025 but the file is named for 2026"),
              std::string::npos)
        << loaded.error().message;
  }
  {
    testing::TempDir dir;
    writeFile(dir.path() / "cn-2026.txt", year_2026);
    writeFile(dir.path() / "cn-2026-copy.txt", year_2026);
    Result<WorkingCalendar> loaded = WorkingCalendar::load(dir.path());
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("year 2026 is already declared"), std::string::npos)
        << loaded.error().message;
  }
  {
    // A holiday announced in the 2026 file that reaches back into 2025 collides with 2025's.
    testing::TempDir dir;
    writeFile(dir.path() / "cn-2025.txt", "year 2025\nholiday 2025-12-31 2025-12-31 Eve\n");
    writeFile(dir.path() / "cn-2026.txt", "year 2026\nholiday 2025-12-31 2026-01-02 New Year\n");
    Result<WorkingCalendar> loaded = WorkingCalendar::load(dir.path());
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("cn-2026.txt:2: holiday 2025-12-31..2026-01-02"),
              std::string::npos)
        << loaded.error().message;
    EXPECT_NE(loaded.error().message.find("cn-2025.txt:2"), std::string::npos)
        << loaded.error().message;
  }
  {
    testing::TempDir dir;
    Result<WorkingCalendar> loaded = WorkingCalendar::load(dir.path());
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
    EXPECT_NE(loaded.error().message.find("no cn-*.txt"), std::string::npos);
  }
  Result<WorkingCalendar> missing = WorkingCalendar::load("/nonexistent/calendar/cn-2026.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/calendar/cn-2026.txt"), std::string::npos);
}

// An entry reaching into a year that is not loaded applies only where the calendar has data.
TEST(CalendarTest, EntriesReachingIntoAnUnloadedYearAreIgnoredThere) {
  Result<WorkingCalendar> parsed =
      WorkingCalendar::parse("year 2026\nholiday 2025-12-31 2026-01-02 New Year\n", "test.txt");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_FALSE(parsed->coversDate(date(2025, 12, 31)));
  EXPECT_FALSE(parsed->isWorkingDay(date(2026, 1, 2)));
  EXPECT_TRUE(parsed->isWorkingDay(date(2026, 1, 5)));
}

}  // namespace
}  // namespace kaiban
