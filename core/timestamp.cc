#include "core/timestamp.h"

#include <cstdio>
#include <stdexcept>

namespace kaiban {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using std::chrono::year_month_day;

constexpr std::string_view kTimestampShape = "YYYY-MM-DDThh:mm:ss[.fraction] and Z or +hh:mm";

// SystemTime counts nanoseconds in 64 bits, so it spans only about 1678-2262. Text can name
// instants outside that span; they are refused instead of wrapping around.
constexpr sys_seconds kEarliestRepresentable = std::chrono::ceil<seconds>(SystemTime::min());
constexpr sys_seconds kLatestRepresentable =
    std::chrono::floor<seconds>(SystemTime::max()) - seconds{1};

bool isRepresentable(sys_seconds t) {
  return t >= kEarliestRepresentable && t <= kLatestRepresentable;
}

// Reads exactly `count` ASCII digits starting at `pos` and advances past them.
bool readDigits(std::string_view text, size_t& pos, int count, int& value) {
  if (pos + static_cast<size_t>(count) > text.size()) return false;
  int result = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  value = result;
  pos += static_cast<size_t>(count);
  return true;
}

bool readChar(std::string_view text, size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected) return false;
  ++pos;
  return true;
}

// Reads "YYYY-MM-DD" at `pos`. On failure returns what is wrong, for the caller's message.
std::string readDate(std::string_view text, size_t& pos, year_month_day& date) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (!readDigits(text, pos, 4, y) || !readChar(text, pos, '-') || !readDigits(text, pos, 2, m) ||
      !readChar(text, pos, '-') || !readDigits(text, pos, 2, d)) {
    return "the date must be YYYY-MM-DD";
  }
  if (m < 1 || m > 12) return "month must be 01-12";
  const year_month_day candidate{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                 std::chrono::day{static_cast<unsigned>(d)}};
  if (!candidate.ok()) return "there is no such day in that month";
  date = candidate;
  return {};
}

std::string quoted(std::string_view text) {
  // Long garbage is cut so that an error message stays readable in a log line.
  constexpr size_t kMaxQuoted = 64;
  std::string result = "\"";
  result += text.substr(0, kMaxQuoted);
  if (text.size() > kMaxQuoted) result += "...";
  result += "\"";
  return result;
}

Error badTimestamp(std::string_view text, std::string_view problem) {
  std::string message = "invalid timestamp " + quoted(text) + ": ";
  message += problem;
  message += " (expected ";
  message += kTimestampShape;
  message += ", e.g. 2026-02-13T15:00:00+08:00)";
  return Error::invalidInput(std::move(message));
}

}  // namespace

std::chrono::year_month_day shanghaiDate(SystemTime t) {
  // Flooring to seconds first keeps the offset addition clear of nanosecond overflow near the
  // end of SystemTime's range.
  const sys_seconds local = std::chrono::floor<seconds>(t) + kShanghaiUtcOffset;
  return year_month_day{std::chrono::floor<days>(local)};
}

SystemTime::duration shanghaiTimeOfDay(SystemTime t) {
  const sys_seconds whole = std::chrono::floor<seconds>(t);
  const sys_seconds local = whole + kShanghaiUtcOffset;
  return (local - std::chrono::floor<days>(local)) + (t - whole);
}

SystemTime shanghaiMidnight(std::chrono::year_month_day date) {
  return SystemTime{sys_days{date} - kShanghaiUtcOffset};
}

SystemTime shanghaiTime(int year, int month, int day, int hour, int minute, int second) {
  const year_month_day date{std::chrono::year{year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (month < 1 || month > 12 || day < 1 || !date.ok() || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59) {
    throw std::invalid_argument("shanghaiTime: no such date and time: " + std::to_string(year) +
                                "-" + std::to_string(month) + "-" + std::to_string(day) + " " +
                                std::to_string(hour) + ":" + std::to_string(minute) + ":" +
                                std::to_string(second));
  }
  const sys_seconds instant =
      sys_days{date} + hours{hour} + minutes{minute} + seconds{second} - kShanghaiUtcOffset;
  if (!isRepresentable(instant)) {
    throw std::invalid_argument("shanghaiTime: year " + std::to_string(year) +
                                " is outside the range of SystemTime");
  }
  return SystemTime{instant};
}

std::string formatIso8601(SystemTime t) {
  const sys_seconds local = std::chrono::floor<seconds>(t) + kShanghaiUtcOffset;
  const sys_days day = std::chrono::floor<days>(local);
  const year_month_day date{day};
  const std::chrono::hh_mm_ss time{local - day};
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d+08:00",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return buffer;
}

Result<SystemTime> parseIso8601(std::string_view text) {
  size_t pos = 0;
  year_month_day date;
  if (std::string problem = readDate(text, pos, date); !problem.empty()) {
    return badTimestamp(text, problem);
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return badTimestamp(text, "the date must be followed by 'T' and a time");
  }
  ++pos;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!readDigits(text, pos, 2, hour) || !readChar(text, pos, ':') ||
      !readDigits(text, pos, 2, minute) || !readChar(text, pos, ':') ||
      !readDigits(text, pos, 2, second)) {
    return badTimestamp(text, "the time must be hh:mm:ss");
  }
  if (hour > 23) return badTimestamp(text, "hour must be 00-23");
  if (minute > 59) return badTimestamp(text, "minute must be 00-59");
  if (second == 60) return badTimestamp(text, "leap seconds are not supported");
  if (second > 59) return badTimestamp(text, "second must be 00-59");

  nanoseconds fraction{0};
  if (readChar(text, pos, '.')) {
    int64_t nanos = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
      if (digits == 9) {
        // Finer digits than SystemTime can hold are dropped, not rounded, so that a
        // timestamp never moves into the next second.
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      }
    }
    if (digits == 0) return badTimestamp(text, "'.' must be followed by digits");
    for (int i = digits; i < 9; ++i) nanos *= 10;
    fraction = nanoseconds{nanos};
  }

  if (pos >= text.size()) return badTimestamp(text, "the UTC offset is missing (add Z or +08:00)");
  seconds offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const bool negative = text[pos] == '-';
    ++pos;
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!readDigits(text, pos, 2, offset_hours)) {
      return badTimestamp(text, "the UTC offset must be +hh:mm or +hhmm");
    }
    readChar(text, pos, ':');
    if (!readDigits(text, pos, 2, offset_minutes)) {
      return badTimestamp(text, "the UTC offset must be +hh:mm or +hhmm");
    }
    if (offset_hours > 23 || offset_minutes > 59) {
      return badTimestamp(text, "the UTC offset is out of range");
    }
    offset = hours{offset_hours} + minutes{offset_minutes};
    if (negative) offset = -offset;
  } else {
    return badTimestamp(text, "the UTC offset is missing (add Z or +08:00)");
  }
  if (pos != text.size()) return badTimestamp(text, "unexpected text after the UTC offset");

  const sys_seconds instant =
      sys_days{date} + hours{hour} + minutes{minute} + seconds{second} - offset;
  if (!isRepresentable(instant)) {
    return badTimestamp(text, "the instant is outside the supported years 1678-2261");
  }
  return SystemTime{instant} + std::chrono::duration_cast<SystemTime::duration>(fraction);
}

std::string formatDate(std::chrono::year_month_day date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

Result<std::chrono::year_month_day> parseDate(std::string_view text) {
  size_t pos = 0;
  year_month_day date;
  std::string problem = readDate(text, pos, date);
  if (problem.empty() && pos != text.size()) problem = "unexpected text after the date";
  if (!problem.empty()) {
    return Error::invalidInput("invalid date " + quoted(text) + ": " + problem +
                               " (expected YYYY-MM-DD)");
  }
  return date;
}

}  // namespace kaiban
