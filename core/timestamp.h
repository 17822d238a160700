#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace kaiban {

// Kaiban's civil time is Asia/Shanghai (China Standard Time). Mainland China has used one fixed
// offset, UTC+08:00, with no daylight saving since 1991, so a constant offset gives the same
// answers as the IANA database for every instant this system deals with, and it does not depend
// on the host's tzdata (kiosk images and containers often ship none, or a stale one). Instants
// before 1991 also get +08:00, which differs from tzdata in the summers of 1986-1991; nothing in
// Kaiban handles such instants.
inline constexpr std::chrono::seconds kShanghaiUtcOffset{8 * 60 * 60};

// The Shanghai civil date on which instant `t` falls.
std::chrono::year_month_day shanghaiDate(SystemTime t);

// How long after Shanghai midnight instant `t` is: in [0, 24h).
SystemTime::duration shanghaiTimeOfDay(SystemTime t);

// The instant at which Shanghai civil day `date` begins (00:00 local).
// REQUIRES: date.ok(), and the date lies within the range of SystemTime (years 1678-2261).
SystemTime shanghaiMidnight(std::chrono::year_month_day date);

// The instant at Shanghai wall-clock time year-month-day hour:minute:second.
// Throws std::invalid_argument when the fields do not name a real date and time (month 13,
// February 30, hour 24, ...): fields come from code, so a bad one is a bug. Use parseIso8601 for
// text from outside.
SystemTime shanghaiTime(int year, int month, int day, int hour, int minute, int second = 0);

// `t` as Shanghai wall-clock time with an explicit offset, to the second (any sub-second part
// is truncated towards the past): "2026-02-13T15:00:00+08:00".
std::string formatIso8601(SystemTime t);

// Parses an RFC 3339 / ISO 8601 timestamp with a mandatory offset:
//   YYYY-MM-DD 'T' hh:mm:ss [ '.' fraction ] ( 'Z' | ±hh:mm | ±hhmm )
// 't', 'z' and a single space in place of 'T' are accepted too. The fraction may have any number
// of digits; digits beyond nanoseconds are dropped. A timestamp without an offset is refused
// rather than guessed, and so is a leap second (ss = 60).
// Returns kInvalidInput with a message that quotes the text and says what is wrong.
Result<SystemTime> parseIso8601(std::string_view text);

// "2026-02-13". REQUIRES: date.ok() and a year in 0..9999.
std::string formatDate(std::chrono::year_month_day date);

// Parses exactly "YYYY-MM-DD" naming a real date. kInvalidInput otherwise.
Result<std::chrono::year_month_day> parseDate(std::string_view text);

}  // namespace kaiban
