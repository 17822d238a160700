#include "orchestrator/flow/flow_definition.h"

#include <algorithm>
#include <map>

namespace kaiban::orchestrator {

namespace {

bool isIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  if (text[0] < 'a' || text[0] > 'z') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string describe(const FlowDefinition& definition) {
  if (!definition.source.empty()) return definition.source.string();
  return "flow " + (definition.name.empty() ? std::string("(unnamed)") : definition.name) + " v" +
         std::to_string(definition.version);
}

Error invalid(const FlowDefinition& definition, const std::string& what) {
  return Error::invalidInput("flow definition " + describe(definition) + ": " + what,
                             definition.source.string());
}

Error invalidStep(const FlowDefinition& definition, const StepDefinition& step,
                  const std::string& what) {
  return invalid(definition, "step '" + step.id + "': " + what);
}

Result<void> checkStep(const FlowDefinition& definition, const StepDefinition& step,
                       const std::set<std::string, std::less<>>& known_adapters) {
  if (!isIdentifier(step.adapter)) {
    return invalidStep(definition, step,
                       "adapter '" + step.adapter + "' must match [a-z][a-z0-9_]{0,31}");
  }
  if (!known_adapters.contains(step.adapter)) {
    std::string known;
    for (const std::string& name : known_adapters) known += (known.empty() ? "" : ", ") + name;
    return invalidStep(definition, step,
                       "adapter '" + step.adapter + "' is not wired in this orchestrator (known: " +
                           (known.empty() ? "none" : known) + ")");
  }
  if (step.budget.count() <= 0 || step.green_channel_budget.count() <= 0) {
    return invalidStep(definition, step, "the working-time budget must be at least one minute");
  }
  const RetryPolicy& retry = step.retry;
  if (retry.max_attempts < 1 || retry.max_attempts > 100) {
    return invalidStep(definition, step, "retry max-attempts must be 1..100");
  }
  if (retry.initial_backoff.count() < 1 || retry.initial_backoff > retry.max_backoff) {
    return invalidStep(definition, step,
                       "retry initial backoff must be at least 1 s and no more than the maximum "
                       "backoff");
  }
  if (!(retry.multiplier >= 1.0 && retry.multiplier <= 10.0)) {
    return invalidStep(definition, step, "retry multiplier must be 1..10");
  }
  if (retry.jitter_percent < 0 || retry.jitter_percent > 50) {
    return invalidStep(definition, step, "retry jitter must be 0..50 percent");
  }
  if (step.poll.after.count() < 1 || step.poll.after > step.poll.max_interval) {
    return invalidStep(definition, step,
                       "poll after must be at least 1 s and no more than the maximum interval");
  }
  if (step.human_task && (step.human_task->kind.empty() || step.human_task->role.empty())) {
    return invalidStep(definition, step, "a human task needs a kind and a role");
  }
  return ok();
}

// Depth-first search for a dependency cycle. Returns the cycle as "a -> b -> a" (a waits for
// b, which waits for a), or "" when there is none.
std::string findCycle(const FlowDefinition& definition) {
  enum class Mark { kUnvisited, kOnPath, kFinished };
  std::map<std::string, Mark, std::less<>> marks;
  for (const StepDefinition& step : definition.steps) marks[step.id] = Mark::kUnvisited;
  std::vector<std::string> path;

  // Recursion depth is bounded by the number of steps, which the XSD caps.
  auto visit = [&](auto&& self, const StepDefinition& step) -> std::string {
    marks[step.id] = Mark::kOnPath;
    path.push_back(step.id);
    for (const std::string& dependency : step.depends_on) {
      Mark mark = marks[dependency];
      if (mark == Mark::kOnPath) {
        auto start = std::find(path.begin(), path.end(), dependency);
        std::string cycle;
        for (auto it = start; it != path.end(); ++it) cycle += *it + " -> ";
        return cycle + dependency;
      }
      if (mark == Mark::kUnvisited) {
        std::string cycle = self(self, *definition.step(dependency));
        if (!cycle.empty()) return cycle;
      }
    }
    path.pop_back();
    marks[step.id] = Mark::kFinished;
    return "";
  };
  for (const StepDefinition& step : definition.steps) {
    if (marks[step.id] != Mark::kUnvisited) continue;
    std::string cycle = visit(visit, step);
    if (!cycle.empty()) return cycle;
  }
  return "";
}

// Kahn's algorithm that always takes the earliest declared step whose dependencies are
// placed, so the order is deterministic and follows the author's order where it can.
// REQUIRES: no cycle, every dependency exists.
std::vector<StepDefinition> topologicalOrder(const std::vector<StepDefinition>& steps) {
  std::vector<StepDefinition> ordered;
  std::set<std::string, std::less<>> placed;
  std::vector<bool> taken(steps.size(), false);
  while (ordered.size() < steps.size()) {
    for (size_t i = 0; i < steps.size(); ++i) {
      if (taken[i]) continue;
      const bool ready = std::all_of(steps[i].depends_on.begin(), steps[i].depends_on.end(),
                                     [&](const std::string& d) { return placed.contains(d); });
      if (!ready) continue;
      taken[i] = true;
      placed.insert(steps[i].id);
      ordered.push_back(steps[i]);
      break;
    }
  }
  return ordered;
}

}  // namespace

const StepDefinition* FlowDefinition::step(std::string_view id) const {
  for (const StepDefinition& candidate : steps) {
    if (candidate.id == id) return &candidate;
  }
  return nullptr;
}

std::chrono::minutes FlowDefinition::criticalPathBudget(bool green_channel) const {
  std::map<std::string, std::chrono::minutes, std::less<>> finish;
  std::chrono::minutes longest{0};
  for (const StepDefinition& s : steps) {
    std::chrono::minutes start{0};
    for (const std::string& dependency : s.depends_on) start = std::max(start, finish[dependency]);
    finish[s.id] = start + stepBudget(s, green_channel);
    longest = std::max(longest, finish[s.id]);
  }
  return longest;
}

Result<void> validateFlowDefinition(FlowDefinition& definition,
                                    const std::set<std::string, std::less<>>& known_adapters) {
  if (definition.name.empty()) return invalid(definition, "the flow has no name");
  if (definition.version < 1) return invalid(definition, "the version must be 1 or more");
  if (definition.deadline_working_days < 1 || definition.green_channel_deadline_working_days < 1 ||
      definition.green_channel_deadline_working_days > definition.deadline_working_days) {
    return invalid(definition,
                   "deadlines must be at least one working day, and the green channel's no "
                   "longer than the normal one");
  }
  if (definition.steps.empty()) return invalid(definition, "the flow has no steps");

  std::set<std::string, std::less<>> ids;
  for (const StepDefinition& step : definition.steps) {
    if (!isIdentifier(step.id)) {
      return invalid(definition, "step id '" + step.id + "' must match [a-z][a-z0-9_]{0,31}");
    }
    if (!ids.insert(step.id).second) {
      return invalid(definition, "step id '" + step.id + "' is defined twice");
    }
  }
  for (const StepDefinition& step : definition.steps) {
    std::set<std::string, std::less<>> seen;
    for (const std::string& dependency : step.depends_on) {
      if (dependency == step.id) return invalidStep(definition, step, "depends on itself");
      if (!ids.contains(dependency)) {
        return invalidStep(definition, step, "depends on unknown step '" + dependency + "'");
      }
      if (!seen.insert(dependency).second) {
        return invalidStep(definition, step, "depends on '" + dependency + "' twice");
      }
    }
    if (Result<void> checked = checkStep(definition, step, known_adapters); !checked) {
      return checked;
    }
  }
  if (std::string cycle = findCycle(definition); !cycle.empty()) {
    return invalid(definition, "dependency cycle: " + cycle +
                                   " (each step waits for the next, so none can start)");
  }
  definition.steps = topologicalOrder(definition.steps);
  return ok();
}

}  // namespace kaiban::orchestrator
