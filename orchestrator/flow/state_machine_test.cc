#include "orchestrator/flow/state_machine.h"

#include <gtest/gtest.h>

namespace kaiban::orchestrator {
namespace {

using A = ApplicationState;
using S = StepState;

constexpr S kAllSteps[] = {S::kPending, S::kDispatched, S::kAcknowledged, S::kDone, S::kFailed};
constexpr A kAllApplications[] = {A::kSubmitted,      A::kInProgress, A::kCompleted,
                                  A::kNeedsAttention, A::kRejected,   A::kCancelled};

TEST(StateMachineTest, StepTransitionsAreExactlyTheDocumentedOnes) {
  const std::set<std::pair<S, S>> allowed = {
      {S::kPending, S::kDispatched},
      {S::kPending, S::kFailed},
      {S::kDispatched, S::kAcknowledged},
      {S::kDispatched, S::kDone},
      {S::kDispatched, S::kFailed},
      {S::kAcknowledged, S::kDone},
      {S::kAcknowledged, S::kFailed},
      {S::kAcknowledged, S::kDispatched},
      {S::kFailed, S::kDispatched},
      {S::kFailed, S::kPending},
      {S::kFailed, S::kDone},
  };
  for (S from : kAllSteps) {
    for (S to : kAllSteps) {
      EXPECT_EQ(isAllowedTransition(from, to), allowed.contains({from, to}))
          << toString(from) << " -> " << toString(to);
    }
  }
}

TEST(StateMachineTest, ApplicationTransitionsAreExactlyTheDocumentedOnes) {
  const std::set<std::pair<A, A>> allowed = {
      {A::kSubmitted, A::kInProgress},     {A::kSubmitted, A::kNeedsAttention},
      {A::kSubmitted, A::kCompleted},      {A::kSubmitted, A::kRejected},
      {A::kSubmitted, A::kCancelled},      {A::kInProgress, A::kNeedsAttention},
      {A::kInProgress, A::kCompleted},     {A::kInProgress, A::kRejected},
      {A::kInProgress, A::kCancelled},     {A::kNeedsAttention, A::kInProgress},
      {A::kNeedsAttention, A::kCompleted}, {A::kNeedsAttention, A::kRejected},
      {A::kNeedsAttention, A::kCancelled},
  };
  for (A from : kAllApplications) {
    for (A to : kAllApplications) {
      EXPECT_EQ(isAllowedTransition(from, to), allowed.contains({from, to}))
          << toString(from) << " -> " << toString(to);
    }
  }
  EXPECT_TRUE(isTerminal(A::kCompleted));
  EXPECT_TRUE(isTerminal(A::kRejected));
  EXPECT_TRUE(isTerminal(A::kCancelled));
  EXPECT_FALSE(isTerminal(A::kNeedsAttention));
}

FlowDefinition defaultShape() {
  FlowDefinition flow;
  flow.name = "company-startup";
  flow.version = 1;
  auto add = [&](std::string id, std::vector<std::string> deps) {
    StepDefinition s;
    s.id = std::move(id);
    s.adapter = "x";
    s.depends_on = std::move(deps);
    flow.steps.push_back(s);
  };
  add("registration", {});
  add("seal", {"registration"});
  add("tax_registration", {"registration"});
  add("bank_account", {"seal"});
  add("tax_bank_agreement", {"bank_account", "tax_registration"});
  return flow;
}

TEST(StateMachineTest, ReadyStepsFollowTheGraph) {
  const FlowDefinition flow = defaultShape();
  std::map<std::string, S, std::less<>> states;
  EXPECT_EQ(readySteps(flow, states), std::vector<std::string>{"registration"});
  states["registration"] = S::kAcknowledged;
  EXPECT_TRUE(readySteps(flow, states).empty());
  states["registration"] = S::kDone;
  EXPECT_EQ(readySteps(flow, states), (std::vector<std::string>{"seal", "tax_registration"}));
  states["seal"] = S::kDone;
  states["tax_registration"] = S::kDispatched;
  EXPECT_EQ(readySteps(flow, states), std::vector<std::string>{"bank_account"});
  states["bank_account"] = S::kDone;
  EXPECT_TRUE(readySteps(flow, states).empty());  // still waiting for tax_registration
  states["tax_registration"] = S::kDone;
  EXPECT_EQ(readySteps(flow, states), std::vector<std::string>{"tax_bank_agreement"});
  states["tax_bank_agreement"] = S::kFailed;
  EXPECT_TRUE(readySteps(flow, states).empty());
}

TEST(StateMachineTest, DerivesTheApplicationStateFromItsSteps) {
  const std::vector<S> fresh = {S::kDispatched, S::kPending};
  EXPECT_EQ(deriveApplicationState(A::kSubmitted, fresh, false), A::kSubmitted);
  const std::vector<S> acked = {S::kAcknowledged, S::kPending};
  EXPECT_EQ(deriveApplicationState(A::kSubmitted, acked, false), A::kInProgress);
  const std::vector<S> failed = {S::kDone, S::kFailed, S::kAcknowledged};
  EXPECT_EQ(deriveApplicationState(A::kInProgress, failed, false), A::kNeedsAttention);
  EXPECT_EQ(deriveApplicationState(A::kSubmitted, fresh, true), A::kNeedsAttention);
  // Resolved: back to in progress, never back to submitted.
  EXPECT_EQ(deriveApplicationState(A::kNeedsAttention, fresh, false), A::kInProgress);
  const std::vector<S> done = {S::kDone, S::kDone};
  EXPECT_EQ(deriveApplicationState(A::kNeedsAttention, done, false), A::kCompleted);
  EXPECT_EQ(deriveApplicationState(A::kSubmitted, done, false), A::kCompleted);
  // Terminal states stay.
  EXPECT_EQ(deriveApplicationState(A::kCancelled, done, false), A::kCancelled);
  EXPECT_EQ(deriveApplicationState(A::kRejected, fresh, false), A::kRejected);
}

TEST(StateMachineTest, FailureKindsDecideWhetherARetryReusesTheMessage) {
  EXPECT_TRUE(fateUnknown(FailureKind::kUnreachable));
  EXPECT_TRUE(fateUnknown(FailureKind::kCancelled));
  EXPECT_FALSE(fateUnknown(FailureKind::kPartnerRejected));
  EXPECT_FALSE(fateUnknown(FailureKind::kPartnerFailed));
  EXPECT_FALSE(fateUnknown(FailureKind::kInvalidRequest));
  EXPECT_FALSE(fateUnknown(FailureKind::kHumanRejected));
}

TEST(StateMachineTest, NamesRoundTrip) {
  for (FailureKind kind :
       {FailureKind::kNone, FailureKind::kUnreachable, FailureKind::kPartnerFailed,
        FailureKind::kPartnerRejected, FailureKind::kInvalidRequest, FailureKind::kHumanRejected,
        FailureKind::kCancelled}) {
    EXPECT_EQ(parseFailureKind(toString(kind)).value(), kind);
  }
  for (HumanTaskState state : {HumanTaskState::kOpen, HumanTaskState::kApproved,
                               HumanTaskState::kRejected, HumanTaskState::kMoreInfo}) {
    EXPECT_EQ(parseHumanTaskState(toString(state)).value(), state);
  }
  EXPECT_EQ(toString(HumanTaskState::kMoreInfo), "more_info");
  EXPECT_FALSE(parseFailureKind("exploded"));
  EXPECT_FALSE(parseHumanTaskState("Open"));
}

}  // namespace
}  // namespace kaiban::orchestrator
