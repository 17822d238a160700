#include "orchestrator/flow/deadline.h"

namespace kaiban::orchestrator {

Result<BudgetMarks> budgetMarks(const WorkingCalendar& calendar, SystemTime start,
                                std::chrono::minutes budget) {
  Result<SystemTime> at_risk = calendar.addWorkingTime(start, budget * kAtRiskPercent / 100);
  if (!at_risk) return at_risk.error();
  Result<SystemTime> due = calendar.addWorkingTime(start, budget);
  if (!due) return due.error();
  return BudgetMarks{start, *at_risk, *due};
}

Result<BudgetMarks> applicationMarks(const WorkingCalendar& calendar, const FlowDefinition& flow,
                                     SystemTime submitted_at, bool green_channel) {
  const int days = flow.deadlineWorkingDays(green_channel);
  Result<SystemTime> due = calendar.addWorkingDays(submitted_at, days);
  if (!due) return due.error();
  Result<SystemTime> at_risk = calendar.addWorkingTime(
      submitted_at, calendar.workingDayLength() * days * kAtRiskPercent / 100);
  if (!at_risk) return at_risk.error();
  return BudgetMarks{submitted_at, *at_risk, *due};
}

Risk assessRisk(const BudgetMarks& marks, SystemTime now) {
  if (now >= marks.due_at) return Risk::kBreached;
  if (now >= marks.at_risk_at) return Risk::kAtRisk;
  return Risk::kOnTrack;
}

}  // namespace kaiban::orchestrator
