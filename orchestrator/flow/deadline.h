#pragma once

#include <chrono>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/flow/flow_definition.h"

// Deadlines and budgets in working time: pure functions of an instant, a budget and the
// working calendar (core/calendar.h), so they are the same on every orchestrator and after
// every restart.
namespace kaiban::orchestrator {

// A budget is at risk once this share of its working time has elapsed.
inline constexpr int kAtRiskPercent = 80;

// The instants that matter for one budget of working time started at `start`.
struct BudgetMarks {
  SystemTime start;
  SystemTime at_risk_at;  // kAtRiskPercent of the budget elapsed (rounded down to a minute)
  SystemTime due_at;      // the whole budget elapsed

  friend bool operator==(const BudgetMarks&, const BudgetMarks&) = default;
};

// The marks of `budget` working time from `start` (calendar semantics: counting starts at
// the next opening when `start` is outside office hours). Errors as
// WorkingCalendar::addWorkingTime: kUnavailable when the calendar lacks a year it needs.
Result<BudgetMarks> budgetMarks(const WorkingCalendar& calendar, SystemTime start,
                                std::chrono::minutes budget);

// The application's promise: due at calendar.addWorkingDays(submitted_at, N) with N the
// flow's deadline in working days (the green channel's when `green_channel`), at risk at
// kAtRiskPercent of that. Errors as budgetMarks.
Result<BudgetMarks> applicationMarks(const WorkingCalendar& calendar, const FlowDefinition& flow,
                                     SystemTime submitted_at, bool green_channel);

enum class Risk {
  kOnTrack,
  kAtRisk,    // at_risk_at <= now < due_at
  kBreached,  // now >= due_at: the budget is used up and the work is not done
};

Risk assessRisk(const BudgetMarks& marks, SystemTime now);

}  // namespace kaiban::orchestrator
