#include "orchestrator/flow/state_machine.h"

#include <algorithm>
#include <array>
#include <utility>

namespace kaiban::orchestrator {

namespace {

constexpr std::array<std::pair<FailureKind, std::string_view>, 7> kFailureKindNames = {{
    {FailureKind::kNone, "none"},
    {FailureKind::kUnreachable, "unreachable"},
    {FailureKind::kPartnerFailed, "partner_failed"},
    {FailureKind::kPartnerRejected, "partner_rejected"},
    {FailureKind::kInvalidRequest, "invalid_request"},
    {FailureKind::kHumanRejected, "human_rejected"},
    {FailureKind::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<HumanTaskState, std::string_view>, 4> kHumanTaskStateNames = {{
    {HumanTaskState::kOpen, "open"},
    {HumanTaskState::kApproved, "approved"},
    {HumanTaskState::kRejected, "rejected"},
    {HumanTaskState::kMoreInfo, "more_info"},
}};

template <class Enum, size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <class Enum, size_t N>
Result<Enum> parseName(const std::array<std::pair<Enum, std::string_view>, N>& names,
                       std::string_view text, std::string_view what) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return Error::invalidInput("unknown " + std::string(what) + " '" + std::string(text) + "'");
}

}  // namespace

std::string_view toString(FailureKind kind) { return nameOf(kFailureKindNames, kind); }

Result<FailureKind> parseFailureKind(std::string_view name) {
  return parseName(kFailureKindNames, name, "failure kind");
}

bool fateUnknown(FailureKind kind) {
  return kind == FailureKind::kUnreachable || kind == FailureKind::kCancelled;
}

std::string_view toString(HumanTaskState state) { return nameOf(kHumanTaskStateNames, state); }

Result<HumanTaskState> parseHumanTaskState(std::string_view name) {
  return parseName(kHumanTaskStateNames, name, "human task state");
}

bool isTerminal(ApplicationState state) {
  return state == ApplicationState::kCompleted || state == ApplicationState::kRejected ||
         state == ApplicationState::kCancelled;
}

bool isAllowedTransition(StepState from, StepState to) {
  using S = StepState;
  switch (from) {
    case S::kPending:
      return to == S::kDispatched || to == S::kFailed;
    case S::kDispatched:
      return to == S::kAcknowledged || to == S::kDone || to == S::kFailed;
    case S::kAcknowledged:
      return to == S::kDone || to == S::kFailed || to == S::kDispatched;
    case S::kFailed:
      return to == S::kDispatched || to == S::kPending || to == S::kDone;
    case S::kDone:
      return false;
  }
  return false;
}

bool isAllowedTransition(ApplicationState from, ApplicationState to) {
  using A = ApplicationState;
  if (from == to || isTerminal(from)) return false;
  switch (to) {
    case A::kSubmitted:
      return false;
    case A::kInProgress:
      return from == A::kSubmitted || from == A::kNeedsAttention;
    case A::kNeedsAttention:
      return from == A::kSubmitted || from == A::kInProgress;
    case A::kCompleted:
    case A::kRejected:
    case A::kCancelled:
      return true;
  }
  return false;
}

std::vector<std::string> readySteps(const FlowDefinition& flow,
                                    const std::map<std::string, StepState, std::less<>>& states) {
  auto stateOf = [&](std::string_view id) {
    auto it = states.find(id);
    return it == states.end() ? StepState::kPending : it->second;
  };
  std::vector<std::string> ready;
  for (const StepDefinition& step : flow.steps) {
    if (stateOf(step.id) != StepState::kPending) continue;
    const bool dependencies_done =
        std::all_of(step.depends_on.begin(), step.depends_on.end(),
                    [&](const std::string& d) { return stateOf(d) == StepState::kDone; });
    if (dependencies_done) ready.push_back(step.id);
  }
  return ready;
}

ApplicationState deriveApplicationState(ApplicationState current, std::span<const StepState> steps,
                                        bool waiting_for_applicant) {
  if (isTerminal(current)) return current;
  auto any = [&](auto predicate) { return std::any_of(steps.begin(), steps.end(), predicate); };
  if (!steps.empty() &&
      std::all_of(steps.begin(), steps.end(), [](StepState s) { return s == StepState::kDone; })) {
    return ApplicationState::kCompleted;
  }
  if (waiting_for_applicant || any([](StepState s) { return s == StepState::kFailed; })) {
    return ApplicationState::kNeedsAttention;
  }
  const bool progressed =
      any([](StepState s) { return s == StepState::kAcknowledged || s == StepState::kDone; });
  if (current == ApplicationState::kSubmitted && !progressed) return ApplicationState::kSubmitted;
  return ApplicationState::kInProgress;
}

}  // namespace kaiban::orchestrator
