#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// A flow definition as data: the steps of an application, what each waits for, the partner
// adapter it calls, its working-time budget, its retry and poll policies and the human task
// that gates it. docs/flow.md describes the XML form (flow_loader.h reads it); this header is
// the in-memory form and the semantic rules every definition must pass, however it was built.
// Plain value types; nothing here does I/O.
namespace kaiban::orchestrator {

// How often and how soon a step's partner request is sent again after a retryable failure
// (retry.h computes the schedule).
struct RetryPolicy {
  int max_attempts = 5;  // sends in all, the first included; >= 1
  std::chrono::seconds initial_backoff{30};
  double multiplier = 2.0;                    // growth of the wait per failed attempt; 1..10
  std::chrono::seconds max_backoff{30 * 60};  // ceiling of one wait; >= initial_backoff
  int jitter_percent = 0;                     // each wait is shortened by up to this share; 0..50

  friend bool operator==(const RetryPolicy&, const RetryPolicy&) = default;
};

// When to ask the partner for an outcome whose callback has not arrived: first `after` the
// acknowledgement, then at doubling intervals capped at `max_interval`, for as long as the
// step stays acknowledged.
struct PollPolicy {
  std::chrono::seconds after{15 * 60};
  std::chrono::seconds max_interval{60 * 60};  // >= after

  friend bool operator==(const PollPolicy&, const PollPolicy&) = default;
};

// A person's decision that must come before the step is sent, e.g. a bank officer's KYC
// review before the account is opened.
struct HumanTaskDefinition {
  std::string kind;  // "kyc_review"
  std::string role;  // who decides: "bank_staff"

  friend bool operator==(const HumanTaskDefinition&, const HumanTaskDefinition&) = default;
};

struct StepDefinition {
  std::string id;       // [a-z][a-z0-9_]*, e.g. "bank_account"
  std::string adapter;  // the StepAdapter the wiring registered under this name, e.g. "bank"
  std::vector<std::string> depends_on;  // step ids; the step is ready when all are done
  std::chrono::minutes budget{8 * 60};  // working time from ready to done
  std::chrono::minutes green_channel_budget{8 * 60};  // the same for green-channel applications
  RetryPolicy retry;
  PollPolicy poll;
  std::optional<HumanTaskDefinition> human_task;

  friend bool operator==(const StepDefinition&, const StepDefinition&) = default;
};

// One version of a flow. After validateFlowDefinition succeeds, `steps` is in a topological
// order (every step after the steps it depends on, otherwise in declaration order) and
// every invariant listed there holds.
struct FlowDefinition {
  std::string name;               // "company-startup"; every version in a catalog has the same name
  int version = 0;                // >= 1
  int deadline_working_days = 3;  // the promise to the applicant
  int green_channel_deadline_working_days = 1;  // the same for the green channel
  std::vector<StepDefinition> steps;
  std::filesystem::path source;  // the file it was loaded from, for messages; may be empty

  // The step with `id`, or nullptr.
  const StepDefinition* step(std::string_view id) const;

  int deadlineWorkingDays(bool green_channel) const {
    return green_channel ? green_channel_deadline_working_days : deadline_working_days;
  }
  std::chrono::minutes stepBudget(const StepDefinition& step, bool green_channel) const {
    return green_channel ? step.green_channel_budget : step.budget;
  }

  // The longest chain of step budgets through the dependency graph (the critical path).
  // REQUIRES: the definition passed validateFlowDefinition.
  std::chrono::minutes criticalPathBudget(bool green_channel) const;
};

// Checks the rules a definition must satisfy and puts its steps in topological order.
// `known_adapters` are the adapter names the wiring can call. kInvalidInput with a message
// naming the definition (its source file, or "flow <name> v<version>") and the offending
// step, for the first rule broken:
//   - at least one step; name non-empty; version >= 1; deadlines >= 1 working day and the
//     green channel's no longer than the normal one;
//   - step ids and adapter names match [a-z][a-z0-9_]{0,31}; no step id twice;
//   - every dependency names another step of the flow, at most once;
//   - no dependency cycle (the message names the cycle, e.g. "a -> b -> a");
//   - every adapter is in `known_adapters`;
//   - budgets > 0; retry: 1..100 attempts, initial backoff >= 1s and <= max backoff,
//     multiplier 1..10, jitter 0..50 %; poll: after >= 1s and <= max interval;
//   - a human task has a non-empty kind and role.
Result<void> validateFlowDefinition(FlowDefinition& definition,
                                    const std::set<std::string, std::less<>>& known_adapters);

}  // namespace kaiban::orchestrator
