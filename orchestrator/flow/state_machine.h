#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/application.h"
#include "core/result.h"
#include "orchestrator/flow/flow_definition.h"

// The state machines of an application and its steps (docs/flow.md draws them), as pure
// functions: which transitions exist, which steps are ready, and what state an application
// is in given its steps. The engine calls these and refuses (as a bug) any transition they
// do not allow.
namespace kaiban::orchestrator {

// Why a step is failed. Decides what a retry may do: a message the partner settled (refused
// or failed to process) had no effect, so a retry sends a NEW message (next revision); a
// message whose fate is unknown (never acknowledged, or abandoned while the partner worked on
// it) may have had its effect, so a retry resends the SAME message id and the partner's
// deduplication keeps it to one effect. Stable snake_case names, stored.
enum class FailureKind {
  kNone,             // "none": the step has not failed
  kUnreachable,      // "unreachable": every send failed (timeouts, outages); fate unknown
  kPartnerFailed,    // "partner_failed": the partner answered kFailed after every retry
  kPartnerRejected,  // "partner_rejected": a business refusal (name taken, KYC failed)
  kInvalidRequest,   // "invalid_request": the request could not be expressed or was refused
                     // as malformed; nothing reached the partner's business logic
  kHumanRejected,    // "human_rejected": staff rejected the human task gating the step
  kCancelled,        // "cancelled": staff stopped the step; fate unknown if it was sent
};
std::string_view toString(FailureKind kind);
Result<FailureKind> parseFailureKind(std::string_view name);

// True when the failed message may still have had its effect at the partner, so a retry
// must reuse its message id, and a late "done" for it is accepted.
bool fateUnknown(FailureKind kind);

// The state of a human task. Stable snake_case names, stored.
enum class HumanTaskState {
  kOpen,      // "open": waiting for staff
  kApproved,  // "approved": the step may be sent
  kRejected,  // "rejected": the step fails and the application is rejected
  kMoreInfo,  // "more_info": staff asked the applicant for more; reopens when answered
};
std::string_view toString(HumanTaskState state);
Result<HumanTaskState> parseHumanTaskState(std::string_view name);

// completed, rejected and cancelled: nothing changes an application in these states.
bool isTerminal(ApplicationState state);

// The step transitions that exist (a state to itself is not a transition):
//   pending      -> dispatched (ready, and its human task, if any, approved)
//   pending      -> failed     (human task rejected, or cancelled by staff)
//   dispatched   -> acknowledged | done | failed
//   acknowledged -> done | failed
//   acknowledged -> dispatched (a poll found the partner never had it: resend)
//   failed       -> dispatched (retry, or the applicant's answer)
//   failed       -> pending    (retry of a step whose human task must be decided again)
//   failed       -> done       (a late result for a message whose fate was unknown)
bool isAllowedTransition(StepState from, StepState to);

// The application transitions that exist:
//   submitted        -> in_progress | needs_attention | completed | rejected | cancelled
//   in_progress      -> needs_attention | completed | rejected | cancelled
//   needs_attention  -> in_progress | completed | rejected | cancelled
// and none out of a terminal state.
bool isAllowedTransition(ApplicationState from, ApplicationState to);

// The ids of the steps that are pending and whose dependencies are all done, in the flow's
// (topological) order. A step missing from `states` counts as pending.
std::vector<std::string> readySteps(const FlowDefinition& flow,
                                    const std::map<std::string, StepState, std::less<>>& states);

// The state an application moves to after its steps changed:
//   terminal `current`                          -> `current`;
//   every step done                              -> completed;
//   a step failed, or `waiting_for_applicant`    -> needs_attention;
//   still submitted and no step acknowledged/done -> submitted;
//   otherwise                                    -> in_progress.
// `waiting_for_applicant` is true while a human task asks for more information.
ApplicationState deriveApplicationState(ApplicationState current, std::span<const StepState> steps,
                                        bool waiting_for_applicant);

}  // namespace kaiban::orchestrator
