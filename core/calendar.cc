#include "core/calendar.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

#include "core/timestamp.h"

namespace kaiban {

namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::weekday;
using std::chrono::year_month_day;
using Duration = SystemTime::duration;

// The fixed +08:00 offset (see timestamp.h) is right from 1991 on; the upper bound only catches
// typos such as 20266.
constexpr int kFirstSupportedYear = 1991;
constexpr int kLastSupportedYear = 2200;

// A holiday announced in one year's notice may start in late December of the year before (the
// 2023 New Year holiday ran 2022-12-31 to 2023-01-02), so entries may reach this far into the
// neighbouring years. Anything further is a typo in the year.
constexpr days kNeighbourYearReach{31};

// China's longest official holiday is nine days; a longer range is a mistyped month.
constexpr days kLongestHoliday{31};

enum class EntryKind { kHoliday, kWorkday };

struct Entry {
  EntryKind kind = EntryKind::kHoliday;
  sys_days first;
  sys_days last;
  std::string name;
  size_t file_index = 0;  // order of loading; with `line`, ties overlapping entries to files
  int line = 0;
  std::string where;  // "path:line", for messages
};

struct YearFile {
  int year = 0;
  std::string year_where;
  std::vector<Entry> entries;
};

Error corruptAt(const std::string& where, const std::string& problem) {
  return Error::corrupt(where + ": " + problem);
}

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back())) text.remove_suffix(1);
  return text;
}

// Splits the first blank-separated word off `rest`.
std::string_view takeWord(std::string_view& rest) {
  rest = trim(rest);
  size_t end = 0;
  while (end < rest.size() && !isBlank(rest[end])) ++end;
  const std::string_view word = rest.substr(0, end);
  rest.remove_prefix(end);
  return word;
}

bool isWeekend(sys_days day) {
  const weekday wd{day};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

std::string weekdayName(sys_days day) {
  static constexpr const char* kNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
  return kNames[weekday{day}.c_encoding()];
}

std::string describe(const Entry& entry) {
  if (entry.kind == EntryKind::kWorkday) {
    return "workday " + formatDate(year_month_day{entry.first}) + " (" + entry.name + ")";
  }
  return "holiday " + formatDate(year_month_day{entry.first}) + ".." +
         formatDate(year_month_day{entry.last}) + " (" + entry.name + ")";
}

Result<sys_days> readEntryDate(std::string_view word, const std::string& where,
                               std::string_view what) {
  if (word.empty()) return corruptAt(where, "missing the " + std::string(what));
  Result<year_month_day> date = parseDate(word);
  if (!date) return corruptAt(where, "bad " + std::string(what) + ": " + date.error().message);
  return sys_days{*date};
}

Result<YearFile> parseYearFile(std::string_view text, std::string_view source, size_t file_index) {
  YearFile file;
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());

  int line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view rest = trim(line);
    if (rest.empty()) continue;

    const std::string where = std::string(source) + ":" + std::to_string(line_number);
    const std::string_view keyword = takeWord(rest);

    if (keyword == "year") {
      const std::string_view value = takeWord(rest);
      if (file.year != 0) {
        return corruptAt(where,
                         "a second 'year' line; the year was declared at " + file.year_where);
      }
      if (!file.entries.empty()) {
        return corruptAt(where, "the 'year' line must come before entries");
      }
      int year = 0;
      const bool four_digits =
          value.size() == 4 &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (four_digits) year = std::stoi(std::string(value));
      if (!four_digits || !trim(rest).empty() || year < kFirstSupportedYear ||
          year > kLastSupportedYear) {
        return corruptAt(where, "expected 'year YYYY' with a year in " +
                                    std::to_string(kFirstSupportedYear) + "-" +
                                    std::to_string(kLastSupportedYear));
      }
      file.year = year;
      file.year_where = where;
      continue;
    }

    if (keyword != "holiday" && keyword != "workday") {
      return corruptAt(where, "unknown keyword '" + std::string(keyword) +
                                  "' (expected year, holiday or workday)");
    }
    if (file.year == 0) return corruptAt(where, "entries must follow a 'year YYYY' line");

    Entry entry;
    entry.file_index = file_index;
    entry.line = line_number;
    entry.where = where;
    if (keyword == "holiday") {
      entry.kind = EntryKind::kHoliday;
      Result<sys_days> first = readEntryDate(takeWord(rest), where, "start date");
      if (!first) return first.error();
      Result<sys_days> last = readEntryDate(takeWord(rest), where, "end date");
      if (!last) return last.error();
      entry.first = *first;
      entry.last = *last;
      if (entry.last < entry.first) {
        return corruptAt(where, "holiday range end " + formatDate(year_month_day{entry.last}) +
                                    " is before its start " +
                                    formatDate(year_month_day{entry.first}));
      }
      if (entry.last - entry.first >= kLongestHoliday) {
        return corruptAt(where, "holiday range " + formatDate(year_month_day{entry.first}) + ".." +
                                    formatDate(year_month_day{entry.last}) +
                                    " is longer than 31 days; check the dates");
      }
    } else {
      entry.kind = EntryKind::kWorkday;
      Result<sys_days> day = readEntryDate(takeWord(rest), where, "date");
      if (!day) return day.error();
      entry.first = entry.last = *day;
      if (!isWeekend(entry.first)) {
        return corruptAt(where, "workday " + formatDate(year_month_day{entry.first}) + " is a " +
                                    weekdayName(entry.first) +
                                    "; only a Saturday or Sunday can be a make-up working day");
      }
    }

    entry.name = std::string(trim(rest));
    if (entry.name.empty()) {
      return corruptAt(where, "missing the name after the date (e.g. 'Spring Festival 春节')");
    }
    const sys_days year_start{std::chrono::year{file.year} / 1 / 1};
    const sys_days year_end{std::chrono::year{file.year} / 12 / 31};
    if (entry.first < year_start - kNeighbourYearReach ||
        entry.last > year_end + kNeighbourYearReach) {
      return corruptAt(where, describe(entry) + " is not in year " + std::to_string(file.year) +
                                  " declared at " + file.year_where);
    }
    file.entries.push_back(std::move(entry));
  }
  if (file.year == 0) {
    return Error::corrupt(std::string(source) + ": no 'year YYYY' line");
  }
  return file;
}

// A file named cn-YYYY.txt must declare year YYYY: this catches last year's file copied
// without editing its year line.
Result<void> checkNameMatchesYear(const fs::path& path, const YearFile& file) {
  const std::string stem = path.stem().string();
  if (stem.size() != 7 || stem.rfind("cn-", 0) != 0) return ok();
  const std::string digits = stem.substr(3);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ok();
  }
  if (std::stoi(digits) != file.year) {
    return corruptAt(file.year_where, "declares year " + std::to_string(file.year) +
                                          " but the file is named for " + digits);
  }
  return ok();
}

Result<std::string> readWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::unavailable("cannot open calendar file " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Error::unavailable("cannot read calendar file " + path.string());
  return content.str();
}

Result<void> checkOfficeHours(const OfficeHours& hours) {
  if (hours.open < minutes{0} || hours.close > minutes{24 * 60} || hours.open >= hours.close) {
    return Error::invalidInput(
        "office hours must satisfy 00:00 <= open < close <= 24:00; got open " +
            std::to_string(hours.open.count()) + " min, close " +
            std::to_string(hours.close.count()) + " min after midnight",
        "office_hours");
  }
  return ok();
}

// The per-day table of whole consecutive years that WorkingCalendar is built from.
struct DayTable {
  sys_days first_day;
  std::vector<bool> working;
};

// Checks the year files against each other (one file per year, no gaps, no overlapping entries
// even across files) and lays their entries over the Monday-to-Friday week.
Result<DayTable> buildDayTable(std::vector<YearFile> files) {
  std::sort(files.begin(), files.end(),
            [](const YearFile& a, const YearFile& b) { return a.year < b.year; });
  for (size_t i = 1; i < files.size(); ++i) {
    if (files[i].year == files[i - 1].year) {
      return corruptAt(files[i].year_where, "year " + std::to_string(files[i].year) +
                                                " is already declared at " +
                                                files[i - 1].year_where);
    }
    if (files[i].year != files[i - 1].year + 1) {
      const std::string missing = std::to_string(files[i - 1].year + 1);
      return Error::corrupt("calendar files cover " + std::to_string(files[i - 1].year) + " and " +
                            std::to_string(files[i].year) + " but not " + missing +
                            ": add data/calendar/cn-" + missing + ".txt");
    }
  }

  std::vector<const Entry*> entries;
  for (const YearFile& file : files) {
    for (const Entry& entry : file.entries) entries.push_back(&entry);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) {
    return std::tie(a->first, a->file_index, a->line) < std::tie(b->first, b->file_index, b->line);
  });
  // Sorted by start, an entry overlaps an earlier one exactly when it starts on or before the
  // furthest end seen so far.
  const Entry* furthest = nullptr;
  for (const Entry* entry : entries) {
    if (furthest != nullptr && entry->first <= furthest->last) {
      return corruptAt(entry->where, describe(*entry) + " overlaps " + describe(*furthest) +
                                         " at " + furthest->where);
    }
    if (furthest == nullptr || entry->last > furthest->last) furthest = entry;
  }

  DayTable table;
  table.first_day = sys_days{std::chrono::year{files.front().year} / 1 / 1};
  const sys_days end_day = sys_days{std::chrono::year{files.back().year + 1} / 1 / 1};
  table.working.resize(static_cast<size_t>((end_day - table.first_day).count()));
  for (size_t i = 0; i < table.working.size(); ++i) {
    table.working[i] = !isWeekend(table.first_day + days{static_cast<int64_t>(i)});
  }
  // Entries reaching into a neighbouring year that was not loaded are dropped with that year.
  for (const Entry* entry : entries) {
    for (sys_days day = std::max(entry->first, table.first_day);
         day <= entry->last && day < end_day; day += days{1}) {
      table.working[static_cast<size_t>((day - table.first_day).count())] =
          entry->kind == EntryKind::kWorkday;
    }
  }
  return table;
}

}  // namespace

Result<WorkingCalendar> WorkingCalendar::load(const fs::path& file_or_directory,
                                              OfficeHours hours) {
  if (Result<void> valid = checkOfficeHours(hours); !valid) return valid.error();
  std::error_code error;
  const fs::file_status status = fs::status(file_or_directory, error);
  if (!fs::exists(status)) {
    return Error::notFound("calendar data not found: " + file_or_directory.string());
  }
  std::vector<fs::path> paths;
  if (fs::is_directory(status)) {
    for (fs::directory_iterator it(file_or_directory, error), end; !error && it != end;
         it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (name.size() > 7 && name.rfind("cn-", 0) == 0 && it->path().extension() == ".txt" &&
          it->is_regular_file(error)) {
        paths.push_back(it->path());
      }
    }
    if (error) {
      return Error::unavailable("cannot list calendar directory " + file_or_directory.string() +
                                ": " + error.message());
    }
    if (paths.empty()) {
      return Error::notFound("no cn-*.txt calendar files in " + file_or_directory.string());
    }
    std::sort(paths.begin(), paths.end());
  } else {
    paths.push_back(file_or_directory);
  }

  std::vector<YearFile> files;
  for (const fs::path& path : paths) {
    Result<std::string> text = readWholeFile(path);
    if (!text) return text.error();
    Result<YearFile> file = parseYearFile(*text, path.string(), files.size());
    if (!file) return file.error();
    if (Result<void> named = checkNameMatchesYear(path, *file); !named) return named.error();
    files.push_back(std::move(file).value());
  }
  Result<DayTable> table = buildDayTable(std::move(files));
  if (!table) return table.error();
  return WorkingCalendar(hours, table->first_day, std::move(table->working));
}

Result<WorkingCalendar> WorkingCalendar::parse(std::string_view text, std::string_view source_name,
                                               OfficeHours hours) {
  if (Result<void> valid = checkOfficeHours(hours); !valid) return valid.error();
  Result<YearFile> file = parseYearFile(text, source_name, 0);
  if (!file) return file.error();
  std::vector<YearFile> files;
  files.push_back(std::move(file).value());
  Result<DayTable> table = buildDayTable(std::move(files));
  if (!table) return table.error();
  return WorkingCalendar(hours, table->first_day, std::move(table->working));
}

WorkingCalendar::WorkingCalendar(OfficeHours hours, sys_days first_day, std::vector<bool> working)
    : hours_(hours),
      first_day_(first_day),
      working_(std::move(working)),
      official_days_(working_.size()) {
  working_days_before_.reserve(working_.size() + 1);
  int32_t count = 0;
  working_days_before_.push_back(count);
  for (const bool is_working : working_) {
    if (is_working) ++count;
    working_days_before_.push_back(count);
  }
}

year_month_day WorkingCalendar::firstCoveredDate() const { return year_month_day{first_day_}; }

year_month_day WorkingCalendar::lastCoveredDate() const {
  return year_month_day{first_day_ + days{static_cast<int64_t>(official_days_) - 1}};
}

bool WorkingCalendar::coversDate(year_month_day date) const {
  if (!date.ok()) return false;
  const sys_days day{date};
  return day >= first_day_ && day < first_day_ + days{static_cast<int64_t>(official_days_)};
}

bool WorkingCalendar::isProvisional(year_month_day date) const {
  if (!date.ok()) return false;
  const sys_days day{date};
  return day >= first_day_ + days{static_cast<int64_t>(official_days_)} &&
         day < first_day_ + days{static_cast<int64_t>(working_.size())};
}

WorkingCalendar WorkingCalendar::withProvisionalYears(int years) const {
  std::vector<bool> working(working_.begin(), working_.begin() + official_days_);
  const std::chrono::year first_uncovered = lastCoveredDate().year() + std::chrono::years{1};
  const sys_days end{year_month_day{first_uncovered + std::chrono::years{years},
                                    std::chrono::January, std::chrono::day{1}}};
  for (sys_days day = first_day_ + days{static_cast<int64_t>(official_days_)}; day < end;
       day += days{1}) {
    working.push_back(!isWeekend(day));
  }
  WorkingCalendar extended(hours_, first_day_, std::move(working));
  extended.official_days_ = official_days_;
  return extended;
}

bool WorkingCalendar::isWorkingDay(year_month_day date) const {
  if (!date.ok()) return false;
  const sys_days day{date};
  const int64_t index = (day - first_day_).count();
  if (index < 0 || index >= static_cast<int64_t>(working_.size())) return !isWeekend(day);
  return working_[static_cast<size_t>(index)];
}

bool WorkingCalendar::isWorkingTime(SystemTime t) const {
  if (!isWorkingDay(shanghaiDate(t))) return false;
  const Duration time_of_day = shanghaiTimeOfDay(t);
  return time_of_day >= hours_.open && time_of_day < hours_.close;
}

int64_t WorkingCalendar::dayIndex(SystemTime t) const {
  const int64_t index = (sys_days{shanghaiDate(t)} - first_day_).count();
  return index >= 0 && index < static_cast<int64_t>(working_.size()) ? index : -1;
}

Duration WorkingCalendar::workingClock(SystemTime t, int64_t day_index) const {
  const Duration before =
      working_days_before_[static_cast<size_t>(day_index)] * Duration{hours_.length()};
  if (!working_[static_cast<size_t>(day_index)]) return before;
  const Duration into_day = std::clamp<Duration>(shanghaiTimeOfDay(t) - hours_.open, Duration{0},
                                                 Duration{hours_.length()});
  return before + into_day;
}

Error WorkingCalendar::notCovered(year_month_day date) const {
  const std::string year = std::to_string(static_cast<int>(date.year()));
  return Error::unavailable("no holiday data for " + year + ": add data/calendar/cn-" + year +
                            ".txt (the working calendar covers " + formatDate(firstCoveredDate()) +
                            " to " + formatDate(lastCoveredDate()) + ")");
}

Result<SystemTime> WorkingCalendar::addWorkingTime(SystemTime from, minutes amount) const {
  if (amount < minutes{0}) {
    return Error::invalidInput("working time to add must not be negative, got " +
                               std::to_string(amount.count()) + " min");
  }
  const int64_t start_day = dayIndex(from);
  if (start_day < 0) return notCovered(shanghaiDate(from));
  if (amount == minutes{0}) return from;

  const Duration day_length{hours_.length()};
  const Duration start_clock = workingClock(from, start_day);
  const Duration clock_end = working_days_before_.back() * day_length;
  // Compared in whole minutes first, so that an absurd amount cannot overflow the nanoseconds.
  if (amount > std::chrono::floor<minutes>(clock_end - start_clock)) {
    return notCovered(year_month_day{first_day_ + days{static_cast<int64_t>(working_.size())}});
  }
  const Duration target = start_clock + Duration{amount};
  // The target falls on the working day numbered `ordinal` (from 0). A target that is an exact
  // multiple of the day length belongs to the day it closes, which is what makes the result
  // 17:00 rather than 09:00 of the next working day.
  const int64_t ordinal = (target - Duration{1}).count() / day_length.count();
  // That day is the one just before the first table entry that counts more than `ordinal`
  // working days; the check above guarantees there is one.
  const auto after =
      std::upper_bound(working_days_before_.begin(), working_days_before_.end(), ordinal);
  const int64_t day = (after - working_days_before_.begin()) - 1;
  return shanghaiMidnight(year_month_day{first_day_ + days{day}}) + Duration{hours_.open} +
         (target - ordinal * day_length);
}

Result<SystemTime> WorkingCalendar::addWorkingDays(SystemTime from, int days_to_add) const {
  if (days_to_add < 0) {
    return Error::invalidInput("working days to add must not be negative, got " +
                               std::to_string(days_to_add));
  }
  return addWorkingTime(from, days_to_add * hours_.length());
}

Result<minutes> WorkingCalendar::workingTimeBetween(SystemTime a, SystemTime b) const {
  if (b <= a) return minutes{0};
  const int64_t a_day = dayIndex(a);
  if (a_day < 0) return notCovered(shanghaiDate(a));
  const int64_t b_day = dayIndex(b);
  if (b_day < 0) return notCovered(shanghaiDate(b));
  return std::chrono::floor<minutes>(workingClock(b, b_day) - workingClock(a, a_day));
}

}  // namespace kaiban
