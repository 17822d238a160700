#include "core/timestamp.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kaiban {
namespace {

using std::chrono::day;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::month;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

// 2026-02-13T07:00:00Z, computed by hand: 20497 days from 1970-01-01 to 2026-02-13.
constexpr SystemTime kFriday1500Shanghai{seconds{20497LL * 86400 + 7 * 3600}};

TEST(TimestampTest, ShanghaiTimeIsUtcPlusEight) {
  EXPECT_EQ(shanghaiTime(2026, 2, 13, 15, 0), kFriday1500Shanghai);
  EXPECT_EQ(shanghaiTime(1970, 1, 1, 8, 0), SystemTime{});
  // No daylight saving: a July instant has the same offset as a January one.
  EXPECT_EQ(shanghaiTime(2026, 7, 1, 8, 0) - shanghaiTime(2026, 1, 1, 8, 0), hours{181 * 24});
}

TEST(TimestampTest, FormatsWithShanghaiOffsetToTheSecond) {
  EXPECT_EQ(formatIso8601(kFriday1500Shanghai), "2026-02-13T15:00:00+08:00");
  EXPECT_EQ(formatIso8601(kFriday1500Shanghai + milliseconds{999}), "2026-02-13T15:00:00+08:00");
  EXPECT_EQ(formatIso8601(shanghaiTime(2026, 12, 31, 23, 59, 59)), "2026-12-31T23:59:59+08:00");
  // 16:30 UTC is already the next day in Shanghai.
  EXPECT_EQ(formatIso8601(SystemTime{sys_days{year{2025} / 12 / 31}} + hours{16} + minutes{30}),
            "2026-01-01T00:30:00+08:00");
}

TEST(TimestampTest, FormatTruncatesBeforeEpochTowardsThePast) {
  EXPECT_EQ(formatIso8601(SystemTime{} - milliseconds{1}), "1970-01-01T07:59:59+08:00");
}

TEST(TimestampTest, ParsesOffsetsInEveryAcceptedSpelling) {
  const char* spellings[] = {
      "2026-02-13T15:00:00+08:00", "2026-02-13T07:00:00Z",      "2026-02-13T07:00:00z",
      "2026-02-13T07:00:00+0000",  "2026-02-13t15:00:00+0800",  "2026-02-13 15:00:00+08:00",
      "2026-02-13T02:00:00-05:00", "2026-02-13T07:00:00-00:00", "2026-02-12T23:00:00-08:00",
  };
  for (const char* text : spellings) {
    Result<SystemTime> parsed = parseIso8601(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
    EXPECT_EQ(formatIso8601(*parsed), "2026-02-13T15:00:00+08:00") << text;
  }
}

TEST(TimestampTest, ParsesFractionalSeconds) {
  EXPECT_EQ(parseIso8601("2026-02-13T15:00:00.5+08:00").value(),
            kFriday1500Shanghai + milliseconds{500});
  EXPECT_EQ(parseIso8601("2026-02-13T07:00:00.123456789Z").value(),
            kFriday1500Shanghai + nanoseconds{123456789});
  // Digits finer than nanoseconds are dropped, never rounded up into the next second.
  EXPECT_EQ(parseIso8601("2026-02-13T07:00:00.9999999999999Z").value(),
            kFriday1500Shanghai + nanoseconds{999999999});
}

TEST(TimestampTest, RoundTripsThroughText) {
  for (SystemTime t : {kFriday1500Shanghai, shanghaiTime(2000, 2, 29, 0, 0, 0),
                       shanghaiTime(2099, 12, 31, 23, 59, 59), SystemTime{},
                       shanghaiTime(1991, 4, 14, 2, 30, 0)}) {
    const std::string text = formatIso8601(t);
    Result<SystemTime> parsed = parseIso8601(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
    EXPECT_EQ(*parsed, t) << text;
  }
  // Every minute of a day, across midnight in both time zones.
  for (SystemTime t = shanghaiTime(2026, 3, 1, 0, 0); t < shanghaiTime(2026, 3, 2, 0, 0);
       t += minutes{7}) {
    EXPECT_EQ(parseIso8601(formatIso8601(t)).value(), t);
  }
}

TEST(TimestampTest, RejectsMalformedTimestampsWithAReason) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"", "YYYY-MM-DD"},
      {"2026-02-13", "followed by 'T'"},
      {"2026-02-13T15:00:00", "offset is missing"},
      {"2026-02-13T15:00+08:00", "hh:mm:ss"},
      {"2026-2-13T15:00:00+08:00", "YYYY-MM-DD"},
      {"2026-13-01T15:00:00+08:00", "month"},
      {"2026-02-29T15:00:00+08:00", "no such day"},
      {"2026-02-13T24:00:00+08:00", "hour"},
      {"2026-02-13T15:60:00+08:00", "minute"},
      {"2026-02-13T15:00:60+08:00", "leap second"},
      {"2026-02-13T15:00:61+08:00", "second"},
      {"2026-02-13T15:00:00.+08:00", "digits"},
      {"2026-02-13T15:00:00+8:00", "+hh:mm"},
      {"2026-02-13T15:00:00+08:0", "+hh:mm"},
      {"2026-02-13T15:00:00+24:00", "out of range"},
      {"2026-02-13T15:00:00+08:00 ", "after the UTC offset"},
      {"2026-02-13T15:00:00Zjunk", "after the UTC offset"},
      {"2026-02-13T15:00:00 +08:00", "offset is missing"},
      {"9999-12-31T23:59:59Z", "outside the supported years"},
      {"1000-01-01T00:00:00Z", "outside the supported years"},
  };
  for (const Case& c : cases) {
    Result<SystemTime> parsed = parseIso8601(c.text);
    ASSERT_FALSE(parsed.ok()) << "accepted: \"" << c.text << "\"";
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.error().message.find(c.reason), std::string::npos)
        << c.text << " -> " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(std::string("\"") + c.text), std::string::npos)
        << "the message should quote the input: " << parsed.error().message;
  }
}

TEST(TimestampTest, ShanghaiDateAndTimeOfDayUseLocalMidnight) {
  const SystemTime just_before_midnight = shanghaiTime(2026, 2, 13, 23, 59, 59);
  EXPECT_EQ(shanghaiDate(just_before_midnight), year{2026} / 2 / 13);
  EXPECT_EQ(shanghaiDate(just_before_midnight + seconds{1}), year{2026} / 2 / 14);
  EXPECT_EQ(shanghaiTimeOfDay(just_before_midnight + milliseconds{1500}), milliseconds{500});
  EXPECT_EQ(shanghaiTimeOfDay(kFriday1500Shanghai + nanoseconds{3}), hours{15} + nanoseconds{3});
  EXPECT_EQ(shanghaiMidnight(year{2026} / 2 / 13), shanghaiTime(2026, 2, 13, 0, 0));
  EXPECT_EQ(shanghaiDate(shanghaiMidnight(year{2026} / 2 / 13)), year{2026} / 2 / 13);
}

TEST(TimestampTest, ShanghaiTimeRejectsImpossibleFieldsAsABug) {
  EXPECT_THROW(shanghaiTime(2026, 2, 29, 9, 0), std::invalid_argument);
  EXPECT_THROW(shanghaiTime(2026, 13, 1, 9, 0), std::invalid_argument);
  EXPECT_THROW(shanghaiTime(2026, 0, 1, 9, 0), std::invalid_argument);
  EXPECT_THROW(shanghaiTime(2026, 1, 1, 24, 0), std::invalid_argument);
  EXPECT_THROW(shanghaiTime(2026, 1, 1, 9, -1), std::invalid_argument);
  EXPECT_THROW(shanghaiTime(3000, 1, 1, 9, 0), std::invalid_argument);
  EXPECT_NO_THROW(shanghaiTime(2024, 2, 29, 23, 59, 59));
}

TEST(TimestampTest, DatesRoundTripAndRejectGarbage) {
  EXPECT_EQ(formatDate(year{2026} / 2 / 3), "2026-02-03");
  EXPECT_EQ(parseDate("2026-02-03").value(), year_month_day(year{2026}, month{2}, day{3}));
  for (const char* bad : {"2026-02-30", "2026-2-3", "2026-02-03x", "20260203", "", "2026-00-01"}) {
    Result<year_month_day> parsed = parseDate(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace kaiban
