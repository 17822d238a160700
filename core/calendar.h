#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace kaiban {

// The daily office hours of a working day, as offsets from Shanghai midnight. Working time runs
// in [open, close). REQUIRES for use: 0 <= open < close <= 24h (WorkingCalendar checks it).
struct OfficeHours {
  std::chrono::minutes open{9 * 60};
  std::chrono::minutes close{17 * 60};

  std::chrono::minutes length() const { return close - open; }
};

// Working time in Asia/Shanghai: Monday to Friday inside office hours, except official public
// holidays, plus the weekend days that are official make-up working days (调休). Holidays and
// make-up days come from data files, one per year (data/calendar/README.md describes the format),
// so a new year is added by adding a file, not by changing code.
//
// The calendar knows the days of the whole years it loaded, and only those: it never guesses.
// Operations that would need a day outside them return kUnavailable ("no holiday data for 2027:
// add data/calendar/cn-2027.txt"), so a missing file shows up as an error, not as a deadline that
// silently ignores next year's holidays.
//
// Instants are measured on a continuous "working clock" that runs only during office hours on
// working days. addWorkingTime(from, x) returns the EARLIEST instant at which x of working time
// has elapsed since `from`. Consequences, chosen on purpose and used consistently:
//   - an amount that is used up exactly at closing time ends at 17:00 of that day, not at 09:00
//     of the next working day;
//   - starting outside office hours, counting starts at the next opening (an evening submission
//     counts from 09:00 on the next working day);
//   - adding zero returns `from` unchanged.
// isWorkingTime(17:00) is false (office hours are [open, close)), yet 17:00 can be a result of
// addWorkingTime: it is the instant the last working minute ends.
//
// Immutable after load; every const method is safe to call from any number of threads. Queries
// are O(1) and additions O(log days) on precomputed per-day tables; nothing loops over minutes.
class WorkingCalendar {
 public:
  // Loads one year file, or every file named cn-*.txt in a directory (each must declare a
  // different year, and together they must cover consecutive years).
  // Errors: kNotFound if the path does not exist or a directory holds no cn-*.txt;
  // kUnavailable if a file cannot be read; kCorrupt for bad content, with "file:line:" and what
  // is wrong (bad date, range end before start, a `workday` on a weekday, overlapping entries,
  // a duplicate or missing year); kInvalidInput if `hours` is not 0 <= open < close <= 24h.
  static Result<WorkingCalendar> load(const std::filesystem::path& file_or_directory,
                                      OfficeHours hours = {});

  // Builds a calendar from the text of one year file. `source_name` is used in error messages.
  // Same errors as load() except kNotFound and kUnavailable.
  static Result<WorkingCalendar> parse(std::string_view text, std::string_view source_name,
                                       OfficeHours hours = {});

  const OfficeHours& officeHours() const { return hours_; }

  // The length of one full working day (8h with the default office hours).
  std::chrono::minutes workingDayLength() const { return hours_.length(); }

  // The loaded years: January 1 of the first to December 31 of the last. Provisional years
  // (withProvisionalYears) are not covered: these describe the official data only.
  std::chrono::year_month_day firstCoveredDate() const;
  std::chrono::year_month_day lastCoveredDate() const;
  bool coversDate(std::chrono::year_month_day date) const;

  // A copy that also counts the `years` whole years after the last loaded one, as Monday to
  // Friday with no holidays, instead of refusing them. For a service that must keep accepting
  // applications when next year's file is late (the State Council publishes it in November,
  // and a 3-working-day deadline set on December 28 already reaches January): deadlines that
  // reach a provisional year are approximate, so the caller should warn loudly (see
  // isProvisional) until the real file is added. REQUIRES: years >= 0.
  WorkingCalendar withProvisionalYears(int years) const;

  // True when `date` is after the loaded years but inside the provisional ones.
  bool isProvisional(std::chrono::year_month_day date) const;

  // Whether `date` is an official working day. Outside the covered years there is no holiday data
  // and the answer is just "Monday to Friday": callers that must not guess check coversDate().
  bool isWorkingDay(std::chrono::year_month_day date) const;

  // Whether `t` is inside office hours on a working day (Shanghai time). Same caveat as
  // isWorkingDay outside the covered years.
  bool isWorkingTime(SystemTime t) const;

  // The earliest instant by which `amount` of working time has elapsed after `from` (see the
  // class comment for the semantics at opening and closing time). Sub-minute parts of `from` are
  // kept. Errors: kInvalidInput if amount is negative; kUnavailable naming the missing year if
  // `from` or the result lies outside the covered years.
  Result<SystemTime> addWorkingTime(SystemTime from, std::chrono::minutes amount) const;

  // addWorkingTime(from, days * workingDayLength()): "N working days from now" keeps the time of
  // day when it starts inside office hours. Errors as addWorkingTime.
  Result<SystemTime> addWorkingDays(SystemTime from, int days) const;

  // Working time elapsed from `a` to `b`, rounded down to whole minutes; zero if b <= a.
  // Inverse of addWorkingTime: workingTimeBetween(t, addWorkingTime(t, x)) == x.
  // Errors: kUnavailable naming the missing year if `a` or `b` lies outside the covered years.
  Result<std::chrono::minutes> workingTimeBetween(SystemTime a, SystemTime b) const;

 private:
  WorkingCalendar(OfficeHours hours, std::chrono::sys_days first_day, std::vector<bool> working);

  // Index of `t`'s Shanghai day in working_, or -1 if outside the covered years.
  int64_t dayIndex(SystemTime t) const;
  // Working time between the start of the covered range and `t`. REQUIRES: day_index is t's.
  SystemTime::duration workingClock(SystemTime t, int64_t day_index) const;
  Error notCovered(std::chrono::year_month_day date) const;

  OfficeHours hours_;
  std::chrono::sys_days first_day_;
  // working_[i]: whether day first_day_ + i is a working day.
  std::vector<bool> working_;
  // How many days from first_day_ the official data covers; working_ may reach further with
  // provisional (Monday-to-Friday) days after them.
  size_t official_days_ = 0;
  // working_days_before_[i]: number of working days among days [0, i); size working_.size() + 1.
  std::vector<int32_t> working_days_before_;
};

}  // namespace kaiban
