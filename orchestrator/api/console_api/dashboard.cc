#include "orchestrator/api/console_api/dashboard.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "core/timestamp.h"

namespace kaiban::orchestrator::api {

namespace {

using std::chrono::sys_days;

bool isTerminal(ApplicationState state) {
  return state == ApplicationState::kCompleted || state == ApplicationState::kRejected ||
         state == ApplicationState::kCancelled;
}

// When a completed application completed: its last step's finish (updated_at if no step
// says, which only hand-made data does).
std::optional<SystemTime> completedAt(const ApplicationTimeline& timeline) {
  if (timeline.state != ApplicationState::kCompleted) return std::nullopt;
  std::optional<SystemTime> last;
  for (const StepTiming& step : timeline.steps) {
    if (step.finished_at && (!last || *step.finished_at > *last)) last = step.finished_at;
  }
  return last ? last : std::optional<SystemTime>(timeline.updated_at);
}

bool stepFlagged(const StepTiming& step, uint32_t flag) {
  return step.state != StepState::kDone && (step.flags & flag) != 0;
}

bool isBreached(const ApplicationTimeline& timeline) {
  if ((timeline.flags & kFlagBreached) != 0) return true;
  return std::any_of(timeline.steps.begin(), timeline.steps.end(),
                     [](const StepTiming& step) { return stepFlagged(step, kFlagBreached); });
}

bool isAtRisk(const ApplicationTimeline& timeline) {
  if ((timeline.flags & kFlagAtRisk) != 0) return true;
  return std::any_of(timeline.steps.begin(), timeline.steps.end(),
                     [](const StepTiming& step) { return stepFlagged(step, kFlagAtRisk); });
}

std::optional<int> workingMinutes(const WorkingCalendar& calendar, SystemTime from, SystemTime to) {
  Result<std::chrono::minutes> elapsed = calendar.workingTimeBetween(from, to);
  if (!elapsed) return std::nullopt;
  return static_cast<int>(elapsed->count());
}

// Accumulates Counts and the completion durations behind their median.
struct Tally {
  Counts counts;
  std::vector<int> durations;

  void add(const ApplicationTimeline& timeline, SystemTime window_start,
           const WorkingCalendar& calendar) {
    if (timeline.submitted_at >= window_start) ++counts.started;
    const std::optional<SystemTime> completed = completedAt(timeline);
    if (completed && *completed >= window_start) {
      ++counts.completed;
      if (*completed <= timeline.deadline_at) ++counts.on_time;
      if (std::optional<int> minutes =
              workingMinutes(calendar, timeline.submitted_at, *completed)) {
        durations.push_back(*minutes);
      }
    }
    if (!isTerminal(timeline.state)) {
      ++counts.in_progress;
      if (timeline.state == ApplicationState::kNeedsAttention) ++counts.needs_attention;
      if (isBreached(timeline)) {
        ++counts.breached;
      } else if (isAtRisk(timeline)) {
        ++counts.at_risk;
      }
    } else if (timeline.updated_at >= window_start) {
      if (timeline.state == ApplicationState::kRejected) ++counts.rejected;
      if (timeline.state == ApplicationState::kCancelled) ++counts.cancelled;
    }
  }

  Counts finish() {
    if (!durations.empty()) counts.median_working_minutes = nearestRank(durations, 0.5);
    return counts;
  }
};

std::vector<GroupRow> finishGroups(std::map<std::string, Tally>& groups) {
  std::vector<GroupRow> rows;
  for (auto& [key, tally] : groups) rows.push_back(GroupRow{key, tally.finish()});
  return rows;
}

// The default flow's steps first, in flow order, then any other step by name.
int stepRank(std::string_view step) {
  for (size_t i = 0; i < kDefaultStepIds.size(); ++i) {
    if (kDefaultStepIds[i] == step) return static_cast<int>(i);
  }
  return static_cast<int>(kDefaultStepIds.size());
}

bool stepBefore(std::string_view a, std::string_view b) {
  const int rank_a = stepRank(a);
  const int rank_b = stepRank(b);
  return rank_a != rank_b ? rank_a < rank_b : a < b;
}

KioskHealth kioskHealth(const KioskRecord& kiosk, SystemTime now,
                        std::chrono::seconds heartbeat_stale) {
  KioskHealth health;
  health.kiosk_id = kiosk.kiosk_id;
  health.bank_code = kiosk.bank_code;
  health.district = kiosk.district;
  health.name = kiosk.name;
  health.last_heartbeat_at = kiosk.last_heartbeat_at;
  bool devices_ok = true;
  if (!kiosk.last_heartbeat.empty()) {
    // The kiosk API stored exactly the members it validated; read them leniently anyway, so
    // one odd row cannot take the whole dashboard down.
    try {
      Poco::JSON::Parser parser;
      Poco::JSON::Object::Ptr heartbeat =
          parser.parse(kiosk.last_heartbeat).extract<Poco::JSON::Object::Ptr>();
      health.agent_version = heartbeat->optValue<std::string>("agent_version", "");
      health.queue_depth = heartbeat->optValue<Poco::Int64>("queue_depth", 0);
      health.oldest_pending_seconds = heartbeat->optValue<Poco::Int64>("oldest_pending_seconds", 0);
      if (Poco::JSON::Array::Ptr devices = heartbeat->getArray("devices")) {
        for (size_t i = 0; i < devices->size(); ++i) {
          Poco::JSON::Object::Ptr device = devices->getObject(static_cast<unsigned>(i));
          if (!device) continue;
          DeviceHealth entry{device->optValue<std::string>("device", ""),
                             device->optValue<std::string>("status", ""),
                             device->optValue<std::string>("detail", "")};
          if (entry.status != "ok") devices_ok = false;
          health.devices.push_back(std::move(entry));
        }
      }
    } catch (const Poco::Exception&) {
      devices_ok = false;
      health.devices.push_back(DeviceHealth{"heartbeat", "degraded", "unreadable heartbeat"});
    }
  }
  if (!kiosk.enabled) {
    health.status = "disabled";
  } else if (!kiosk.last_heartbeat_at) {
    health.status = "never";
  } else if (now - *kiosk.last_heartbeat_at > heartbeat_stale) {
    health.status = "offline";
  } else if (!devices_ok || health.oldest_pending_seconds > 600) {
    health.status = "degraded";
  } else {
    health.status = "online";
  }
  return health;
}

std::string optionalTime(const std::optional<SystemTime>& t) {
  return t ? formatIso8601(*t) : std::string();
}

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::JSON::Object::Ptr countsJson(const Counts& counts) {
  Poco::JSON::Object::Ptr json = object();
  json->set("started", counts.started);
  json->set("completed", counts.completed);
  json->set("on_time", counts.on_time);
  json->set("on_time_share", counts.completed == 0 ? Poco::Dynamic::Var()
                                                   : Poco::Dynamic::Var(counts.onTimeShare()));
  json->set("in_progress", counts.in_progress);
  json->set("needs_attention", counts.needs_attention);
  json->set("at_risk", counts.at_risk);
  json->set("breached", counts.breached);
  json->set("rejected", counts.rejected);
  json->set("cancelled", counts.cancelled);
  json->set("median_working_minutes", counts.median_working_minutes < 0
                                          ? Poco::Dynamic::Var()
                                          : Poco::Dynamic::Var(counts.median_working_minutes));
  return json;
}

Poco::JSON::Array::Ptr rowsJson(const std::vector<DayRow>& rows) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const DayRow& row : rows) {
    Poco::JSON::Object::Ptr json = object();
    json->set("date", formatDate(row.date));
    json->set("started", row.started);
    json->set("completed", row.completed);
    json->set("completed_on_time", row.completed_on_time);
    array->add(json);
  }
  return array;
}

Poco::JSON::Array::Ptr groupsJson(const std::vector<GroupRow>& rows) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const GroupRow& row : rows) {
    Poco::JSON::Object::Ptr json = countsJson(row.counts);
    json->set("key", row.key);
    array->add(json);
  }
  return array;
}

// One CSV field, quoted when it must be (RFC 4180).
std::string csvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

class CsvWriter {
 public:
  CsvWriter() { out_ << "\xEF\xBB\xBF"; }
  CsvWriter& row(std::initializer_list<std::string> fields) {
    bool first = true;
    for (const std::string& field : fields) {
      if (!first) out_ << ',';
      out_ << csvField(field);
      first = false;
    }
    out_ << "\r\n";
    return *this;
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string share(const Counts& counts) {
  if (counts.completed == 0) return "";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(3);
  out << counts.onTimeShare();
  return out.str();
}

std::string optionalInt(int value) { return value < 0 ? "" : std::to_string(value); }

void groupsCsv(CsvWriter& csv, std::string_view key_name, const std::vector<GroupRow>& rows) {
  csv.row({std::string(key_name), "started", "completed", "on_time", "on_time_share", "in_progress",
           "needs_attention", "at_risk", "breached", "rejected", "cancelled",
           "median_working_minutes"});
  for (const GroupRow& row : rows) {
    const Counts& c = row.counts;
    csv.row({row.key, std::to_string(c.started), std::to_string(c.completed),
             std::to_string(c.on_time), share(c), std::to_string(c.in_progress),
             std::to_string(c.needs_attention), std::to_string(c.at_risk),
             std::to_string(c.breached), std::to_string(c.rejected), std::to_string(c.cancelled),
             optionalInt(c.median_working_minutes)});
  }
}

}  // namespace

int nearestRank(std::vector<int> values, double fraction) {
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(fraction * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

Dashboard computeDashboard(const std::vector<ApplicationTimeline>& timelines,
                           const std::vector<KioskRecord>& kiosks, const WorkingCalendar& calendar,
                           SystemTime now, const DashboardOptions& options) {
  Dashboard dashboard;
  const int days = std::max(options.days, 1);
  const sys_days today{shanghaiDate(now)};
  const sys_days first_day = today - std::chrono::days{days - 1};
  const SystemTime window_start = shanghaiMidnight(std::chrono::year_month_day{first_day});
  dashboard.generated_at = now;
  dashboard.window_start = window_start;
  dashboard.days = days;

  for (sys_days day = first_day; day <= today; day += std::chrono::days{1}) {
    dashboard.daily.push_back(DayRow{std::chrono::year_month_day{day}});
  }
  // ISO weeks start on Monday.
  const auto mondayOf = [](sys_days day) {
    return day - (std::chrono::weekday{day} - std::chrono::Monday);
  };
  const sys_days first_monday = mondayOf(first_day);
  for (sys_days monday = first_monday; monday <= today; monday += std::chrono::weeks{1}) {
    dashboard.weekly.push_back(DayRow{std::chrono::year_month_day{monday}});
  }
  const auto dayIndex = [&](SystemTime t) -> std::optional<size_t> {
    const sys_days day{shanghaiDate(t)};
    if (day < first_day || day > today) return std::nullopt;
    return static_cast<size_t>((day - first_day).count());
  };
  const auto weekIndex = [&](SystemTime t) -> std::optional<size_t> {
    const sys_days day{shanghaiDate(t)};
    if (day < first_day || day > today) return std::nullopt;
    return static_cast<size_t>((mondayOf(day) - first_monday).count() / 7);
  };

  Tally totals;
  std::map<std::string, Tally> districts;
  std::map<std::string, Tally> banks;
  std::map<std::string, Tally> kiosk_tallies;
  std::map<std::string, StepLoad> loads;
  std::map<std::string, std::vector<int>> step_minutes;

  for (const ApplicationTimeline& timeline : timelines) {
    totals.add(timeline, window_start, calendar);
    districts[timeline.district].add(timeline, window_start, calendar);
    banks[timeline.bank_code].add(timeline, window_start, calendar);
    kiosk_tallies[timeline.kiosk_id].add(timeline, window_start, calendar);

    if (std::optional<size_t> day = dayIndex(timeline.submitted_at)) {
      ++dashboard.daily[*day].started;
      ++dashboard.weekly[*weekIndex(timeline.submitted_at)].started;
    }
    if (std::optional<SystemTime> completed = completedAt(timeline)) {
      if (std::optional<size_t> day = dayIndex(*completed)) {
        const bool on_time = *completed <= timeline.deadline_at;
        DayRow& daily = dashboard.daily[*day];
        DayRow& weekly = dashboard.weekly[*weekIndex(*completed)];
        ++daily.completed;
        ++weekly.completed;
        if (on_time) {
          ++daily.completed_on_time;
          ++weekly.completed_on_time;
        }
      }
    }

    const bool open = !isTerminal(timeline.state);
    for (const StepTiming& step : timeline.steps) {
      if (step.state == StepState::kDone && step.ready_at && step.finished_at &&
          *step.finished_at >= window_start) {
        if (std::optional<int> minutes =
                workingMinutes(calendar, *step.ready_at, *step.finished_at)) {
          step_minutes[step.step_id].push_back(*minutes);
        }
      }
      if (!open) continue;
      StepLoad& load = loads[step.step_id];
      load.step = step.step_id;
      switch (step.state) {
        case StepState::kDone:
          continue;
        case StepState::kFailed:
          ++load.failed;
          break;
        case StepState::kDispatched:
        case StepState::kAcknowledged:
          ++load.with_partner;
          break;
        case StepState::kPending:
          if (step.human_task == HumanTaskState::kOpen ||
              step.human_task == HumanTaskState::kMoreInfo) {
            ++load.waiting_staff;
          } else {
            ++load.waiting;
          }
          break;
      }
      if (stepFlagged(step, kFlagBreached)) {
        ++load.breached;
      } else if (stepFlagged(step, kFlagAtRisk)) {
        ++load.at_risk;
      }
    }

    if (open && (isBreached(timeline) || isAtRisk(timeline))) {
      AtRiskRow row;
      row.id = timeline.id;
      row.bank_code = timeline.bank_code;
      row.district = timeline.district;
      row.kiosk_id = timeline.kiosk_id;
      row.state = timeline.state;
      row.breached = isBreached(timeline);
      row.submitted_at = timeline.submitted_at;
      row.deadline_at = timeline.deadline_at;
      for (const StepTiming& step : timeline.steps) {
        if (stepFlagged(step, kFlagAtRisk) || stepFlagged(step, kFlagBreached)) {
          row.flagged_steps.push_back(step.step_id);
        }
      }
      std::sort(row.flagged_steps.begin(), row.flagged_steps.end(), stepBefore);
      if (now <= timeline.deadline_at) {
        row.working_minutes_left = workingMinutes(calendar, now, timeline.deadline_at);
      } else if (std::optional<int> over = workingMinutes(calendar, timeline.deadline_at, now)) {
        row.working_minutes_left = -*over;
      }
      dashboard.at_risk.push_back(std::move(row));
    }
  }

  dashboard.totals = totals.finish();
  dashboard.by_district = finishGroups(districts);
  dashboard.by_bank = finishGroups(banks);
  dashboard.by_kiosk = finishGroups(kiosk_tallies);
  for (auto& [step, load] : loads) dashboard.step_load.push_back(load);
  std::sort(dashboard.step_load.begin(), dashboard.step_load.end(),
            [](const StepLoad& a, const StepLoad& b) { return stepBefore(a.step, b.step); });
  for (auto& [step, minutes] : step_minutes) {
    StepTime time;
    time.step = step;
    time.samples = static_cast<int>(minutes.size());
    time.median_minutes = nearestRank(minutes, 0.5);
    time.p90_minutes = nearestRank(minutes, 0.9);
    time.max_minutes = *std::max_element(minutes.begin(), minutes.end());
    dashboard.step_times.push_back(time);
  }
  std::sort(dashboard.step_times.begin(), dashboard.step_times.end(),
            [](const StepTime& a, const StepTime& b) { return stepBefore(a.step, b.step); });
  std::sort(dashboard.at_risk.begin(), dashboard.at_risk.end(),
            [](const AtRiskRow& a, const AtRiskRow& b) {
              if (a.breached != b.breached) return a.breached;
              if (a.deadline_at != b.deadline_at) return a.deadline_at < b.deadline_at;
              return a.id < b.id;
            });
  if (dashboard.at_risk.size() > options.max_at_risk_rows) {
    dashboard.at_risk.resize(options.max_at_risk_rows);
  }

  for (const KioskRecord& kiosk : kiosks) {
    KioskHealth health = kioskHealth(kiosk, now, options.heartbeat_stale);
    auto tally = kiosk_tallies.find(kiosk.kiosk_id);
    if (tally != kiosk_tallies.end()) health.started = tally->second.counts.started;
    dashboard.kiosks.push_back(std::move(health));
  }
  std::sort(dashboard.kiosks.begin(), dashboard.kiosks.end(),
            [](const KioskHealth& a, const KioskHealth& b) { return a.kiosk_id < b.kiosk_id; });
  return dashboard;
}

Poco::JSON::Object::Ptr toJson(const Dashboard& dashboard) {
  Poco::JSON::Object::Ptr json = object();
  json->set("generated_at", formatIso8601(dashboard.generated_at));
  json->set("window_start", formatIso8601(dashboard.window_start));
  json->set("days", dashboard.days);
  json->set("totals", countsJson(dashboard.totals));
  json->set("daily", rowsJson(dashboard.daily));
  json->set("weekly", rowsJson(dashboard.weekly));

  Poco::JSON::Array::Ptr loads = new Poco::JSON::Array;
  for (const StepLoad& load : dashboard.step_load) {
    Poco::JSON::Object::Ptr row = object();
    row->set("step", load.step);
    row->set("waiting", load.waiting);
    row->set("waiting_staff", load.waiting_staff);
    row->set("with_partner", load.with_partner);
    row->set("failed", load.failed);
    row->set("at_risk", load.at_risk);
    row->set("breached", load.breached);
    loads->add(row);
  }
  json->set("step_load", loads);

  Poco::JSON::Array::Ptr times = new Poco::JSON::Array;
  for (const StepTime& time : dashboard.step_times) {
    Poco::JSON::Object::Ptr row = object();
    row->set("step", time.step);
    row->set("samples", time.samples);
    row->set("median_minutes", time.median_minutes);
    row->set("p90_minutes", time.p90_minutes);
    row->set("max_minutes", time.max_minutes);
    times->add(row);
  }
  json->set("step_times", times);
  json->set("by_district", groupsJson(dashboard.by_district));
  json->set("by_bank", groupsJson(dashboard.by_bank));
  json->set("by_kiosk", groupsJson(dashboard.by_kiosk));

  Poco::JSON::Array::Ptr at_risk = new Poco::JSON::Array;
  for (const AtRiskRow& risk : dashboard.at_risk) {
    Poco::JSON::Object::Ptr row = object();
    row->set("id", risk.id);
    row->set("bank_code", risk.bank_code);
    row->set("district", risk.district);
    row->set("kiosk_id", risk.kiosk_id);
    row->set("state", std::string(toString(risk.state)));
    row->set("level", std::string(risk.breached ? "breached" : "at_risk"));
    row->set("submitted_at", formatIso8601(risk.submitted_at));
    row->set("deadline", formatIso8601(risk.deadline_at));
    Poco::JSON::Array::Ptr steps = new Poco::JSON::Array;
    for (const std::string& step : risk.flagged_steps) steps->add(step);
    row->set("flagged_steps", steps);
    row->set("working_minutes_left", risk.working_minutes_left
                                         ? Poco::Dynamic::Var(*risk.working_minutes_left)
                                         : Poco::Dynamic::Var());
    at_risk->add(row);
  }
  json->set("at_risk", at_risk);

  Poco::JSON::Array::Ptr kiosks = new Poco::JSON::Array;
  for (const KioskHealth& kiosk : dashboard.kiosks) {
    Poco::JSON::Object::Ptr row = object();
    row->set("kiosk_id", kiosk.kiosk_id);
    row->set("bank_code", kiosk.bank_code);
    row->set("district", kiosk.district);
    row->set("name", kiosk.name);
    row->set("status", kiosk.status);
    row->set("last_heartbeat_at", kiosk.last_heartbeat_at
                                      ? Poco::Dynamic::Var(formatIso8601(*kiosk.last_heartbeat_at))
                                      : Poco::Dynamic::Var());
    row->set("agent_version", kiosk.agent_version);
    row->set("queue_depth", kiosk.queue_depth);
    row->set("oldest_pending_seconds", kiosk.oldest_pending_seconds);
    Poco::JSON::Array::Ptr devices = new Poco::JSON::Array;
    for (const DeviceHealth& device : kiosk.devices) {
      Poco::JSON::Object::Ptr entry = object();
      entry->set("device", device.device);
      entry->set("status", device.status);
      entry->set("detail", device.detail);
      devices->add(entry);
    }
    row->set("devices", devices);
    row->set("started", kiosk.started);
    kiosks->add(row);
  }
  json->set("kiosks", kiosks);
  return json;
}

Result<std::string> toCsv(const Dashboard& dashboard, std::string_view table) {
  CsvWriter csv;
  if (table == "summary") {
    const Counts& c = dashboard.totals;
    csv.row({"window_start", "days", "started", "completed", "on_time", "on_time_share",
             "in_progress", "needs_attention", "at_risk", "breached", "rejected", "cancelled",
             "median_working_minutes"});
    csv.row({formatIso8601(dashboard.window_start), std::to_string(dashboard.days),
             std::to_string(c.started), std::to_string(c.completed), std::to_string(c.on_time),
             share(c), std::to_string(c.in_progress), std::to_string(c.needs_attention),
             std::to_string(c.at_risk), std::to_string(c.breached), std::to_string(c.rejected),
             std::to_string(c.cancelled), optionalInt(c.median_working_minutes)});
  } else if (table == "daily" || table == "weekly") {
    csv.row({table == "daily" ? "date" : "week_of", "started", "completed", "completed_on_time"});
    for (const DayRow& row : table == "daily" ? dashboard.daily : dashboard.weekly) {
      csv.row({formatDate(row.date), std::to_string(row.started), std::to_string(row.completed),
               std::to_string(row.completed_on_time)});
    }
  } else if (table == "steps") {
    csv.row({"step", "waiting", "waiting_staff", "with_partner", "failed", "at_risk", "breached",
             "samples", "median_working_minutes", "p90_working_minutes", "max_working_minutes"});
    std::vector<std::string> steps;
    for (const StepLoad& load : dashboard.step_load) steps.push_back(load.step);
    for (const StepTime& time : dashboard.step_times) steps.push_back(time.step);
    std::sort(steps.begin(), steps.end(), stepBefore);
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    for (const std::string& step : steps) {
      StepLoad load;
      for (const StepLoad& l : dashboard.step_load) {
        if (l.step == step) load = l;
      }
      StepTime time;
      for (const StepTime& t : dashboard.step_times) {
        if (t.step == step) time = t;
      }
      csv.row({step, std::to_string(load.waiting), std::to_string(load.waiting_staff),
               std::to_string(load.with_partner), std::to_string(load.failed),
               std::to_string(load.at_risk), std::to_string(load.breached),
               std::to_string(time.samples),
               time.samples ? std::to_string(time.median_minutes) : "",
               time.samples ? std::to_string(time.p90_minutes) : "",
               time.samples ? std::to_string(time.max_minutes) : ""});
    }
  } else if (table == "districts") {
    groupsCsv(csv, "district", dashboard.by_district);
  } else if (table == "banks") {
    groupsCsv(csv, "bank_code", dashboard.by_bank);
  } else if (table == "kiosks") {
    groupsCsv(csv, "kiosk_id", dashboard.by_kiosk);
  } else if (table == "at_risk") {
    csv.row({"application_id", "level", "state", "bank_code", "district", "kiosk_id",
             "submitted_at", "deadline", "flagged_steps", "working_minutes_left"});
    for (const AtRiskRow& row : dashboard.at_risk) {
      std::string steps;
      for (const std::string& step : row.flagged_steps) steps += (steps.empty() ? "" : " ") + step;
      csv.row({row.id, row.breached ? "breached" : "at_risk", std::string(toString(row.state)),
               row.bank_code, row.district, row.kiosk_id, formatIso8601(row.submitted_at),
               formatIso8601(row.deadline_at), steps,
               row.working_minutes_left ? std::to_string(*row.working_minutes_left) : ""});
    }
  } else if (table == "fleet") {
    csv.row({"kiosk_id", "name", "bank_code", "district", "status", "last_heartbeat_at",
             "agent_version", "queue_depth", "oldest_pending_seconds", "devices", "started"});
    for (const KioskHealth& kiosk : dashboard.kiosks) {
      std::string devices;
      for (const DeviceHealth& device : kiosk.devices) {
        devices += (devices.empty() ? "" : "; ") + device.device + "=" + device.status;
        if (!device.detail.empty()) devices += " (" + device.detail + ")";
      }
      csv.row({kiosk.kiosk_id, kiosk.name, kiosk.bank_code, kiosk.district, kiosk.status,
               optionalTime(kiosk.last_heartbeat_at), kiosk.agent_version,
               std::to_string(kiosk.queue_depth), std::to_string(kiosk.oldest_pending_seconds),
               devices, std::to_string(kiosk.started)});
    }
  } else {
    return Error::invalidInput("no dashboard table \"" + std::string(table) +
                                   "\"; the tables are summary, daily, weekly, steps, "
                                   "districts, banks, kiosks, at_risk and fleet",
                               "table");
  }
  return csv.text();
}

}  // namespace kaiban::orchestrator::api
