#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "Poco/JSON/Object.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/store/console_store.h"
#include "orchestrator/store/store.h"

// The government operators' dashboard, computed from application timelines and the kiosk
// registry: a pure function of its inputs (no I/O, no hidden clock), so tests pin every
// number. docs/api/console-api.md shows the JSON and the CSV tables.
namespace kaiban::orchestrator::api {

struct DashboardOptions {
  int days = 30;  // the window: applications started or completed in the last `days` days
  // A kiosk whose last heartbeat is older than this is offline.
  std::chrono::seconds heartbeat_stale{300};
  size_t max_at_risk_rows = 200;
};

// Counts over a set of applications.
struct Counts {
  int started = 0;      // submitted within the window
  int completed = 0;    // completed within the window
  int on_time = 0;      // of `completed`: by their deadline (3 working days, green channel 1)
  int in_progress = 0;  // not in a terminal state now (submitted, in_progress, needs_attention)
  int needs_attention = 0;
  int at_risk = 0;   // of in_progress: flagged at risk and not breached
  int breached = 0;  // of in_progress: past the deadline or a step's budget
  int rejected = 0;  // within the window
  int cancelled = 0;
  // Working minutes from submission to completion, median over `completed` (-1 if none).
  int median_working_minutes = -1;

  // on_time / completed, or -1 when nothing completed.
  double onTimeShare() const { return completed == 0 ? -1.0 : double(on_time) / completed; }
};

struct DayRow {
  std::chrono::year_month_day date;  // Shanghai calendar day (for a week: its Monday)
  int started = 0;
  int completed = 0;
  int completed_on_time = 0;
};

// Where open applications stand, per step of the flow.
struct StepLoad {
  std::string step;
  int waiting = 0;        // pending: dependencies not done yet
  int waiting_staff = 0;  // its human task is open, or waits for the applicant
  int with_partner = 0;   // dispatched or acknowledged
  int failed = 0;         // needs staff: retry or cancel
  int at_risk = 0;        // of the above: flagged at risk (not breached)
  int breached = 0;
};

// Working time (office hours, holidays off) of finished step runs in the window.
struct StepTime {
  std::string step;
  int samples = 0;
  int median_minutes = 0;
  int p90_minutes = 0;
  int max_minutes = 0;
};

struct GroupRow {
  std::string key;  // a district code, a bank code or a kiosk id
  Counts counts;
};

struct AtRiskRow {
  std::string id;
  std::string bank_code;
  std::string district;
  std::string kiosk_id;
  ApplicationState state = ApplicationState::kInProgress;
  bool breached = false;  // else at risk
  SystemTime submitted_at{};
  SystemTime deadline_at{};
  std::vector<std::string> flagged_steps;  // steps at risk or breached
  // Working minutes left before the deadline (negative: past it), or nullopt when the
  // calendar cannot say (a year without holiday data).
  std::optional<int> working_minutes_left;
};

struct DeviceHealth {
  std::string device;
  std::string status;  // "ok" | "degraded" | "offline"
  std::string detail;
};

struct KioskHealth {
  std::string kiosk_id;
  std::string bank_code;
  std::string district;
  std::string name;
  // "online" (recent heartbeat, every device ok), "degraded" (recent heartbeat, some device
  // not ok or submissions queued for more than 10 minutes), "offline" (heartbeat too old),
  // "never" (no heartbeat yet), "disabled" (revoked).
  std::string status;
  std::optional<SystemTime> last_heartbeat_at;
  std::string agent_version;
  int64_t queue_depth = 0;
  int64_t oldest_pending_seconds = 0;
  std::vector<DeviceHealth> devices;
  int started = 0;  // applications from this kiosk in the window
};

struct Dashboard {
  SystemTime generated_at{};
  SystemTime window_start{};
  int days = 0;
  Counts totals;
  std::vector<DayRow> daily;        // every day of the window, oldest first
  std::vector<DayRow> weekly;       // every ISO week (Monday) touching the window, oldest first
  std::vector<StepLoad> step_load;  // by step id, in the order steps first appear
  std::vector<StepTime> step_times;
  std::vector<GroupRow> by_district;  // ordered by key
  std::vector<GroupRow> by_bank;
  std::vector<GroupRow> by_kiosk;
  std::vector<AtRiskRow> at_risk;   // breached first, then by deadline
  std::vector<KioskHealth> kiosks;  // ordered by id
};

// The dashboard over `timelines` (ConsoleStore::timelines for the window and scope) and
// `kiosks` (the registry, same scope) at `now`. Step times use `calendar`'s working time; a
// run the calendar cannot measure (no data for its year) is left out of the statistics.
Dashboard computeDashboard(const std::vector<ApplicationTimeline>& timelines,
                           const std::vector<KioskRecord>& kiosks, const WorkingCalendar& calendar,
                           SystemTime now, const DashboardOptions& options);

// The JSON of docs/api/console-api.md ("Dashboard").
Poco::JSON::Object::Ptr toJson(const Dashboard& dashboard);

// The CSV tables the dashboard offers for export (RFC 4180, UTF-8 with a byte-order mark so
// spreadsheet programs read the Chinese text right, CRLF line ends).
inline constexpr std::string_view kCsvTables[] = {
    "summary", "daily", "weekly", "steps", "districts", "banks", "kiosks", "at_risk", "fleet"};
// One table as CSV; kInvalidInput (field "table") for a name not in kCsvTables.
Result<std::string> toCsv(const Dashboard& dashboard, std::string_view table);

// The value at `fraction` (0..1) of `values` by the nearest-rank method (the smallest value
// with at least that fraction of values at or below it). REQUIRES: values not empty.
int nearestRank(std::vector<int> values, double fraction);

}  // namespace kaiban::orchestrator::api
