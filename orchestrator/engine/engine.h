#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/adapter.h"
#include "core/application.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/crypto/blind_index.h"
#include "core/crypto/pii_cipher.h"
#include "core/result.h"
#include "orchestrator/flow/flow_loader.h"
#include "orchestrator/store/store.h"

// The flow engine: the C++ API that the kiosk, partner-callback and console handlers call,
// and the operations the Dispatcher and TimerLoop drive. docs/flow.md describes the state
// machines, the events and the JSON shapes (engine_json.h) of everything returned here.
namespace kaiban::orchestrator {

// The outcome of Engine::submit.
struct SubmitResult {
  // Non-empty: the application breaks these rules and NOTHING was stored (the idempotency
  // key is not used up either). Every other field is then empty.
  std::vector<Problem> problems;

  std::string application_id;
  bool created = false;  // false: this key+body was submitted before; this is the first result
  ApplicationState state = ApplicationState::kSubmitted;  // the application's state now
  SystemTime deadline{};
  int flow_version = 0;

  bool accepted() const { return problems.empty(); }
};

struct HumanTaskStatus {
  std::string kind;
  std::string role;
  HumanTaskState state = HumanTaskState::kOpen;
  std::string decided_by;
  std::string reason;
  SystemTime opened_at{};
  std::optional<SystemTime> decided_at;
};

struct StepStatus {
  std::string id;
  std::string adapter;
  std::vector<std::string> depends_on;
  StepState state = StepState::kPending;
  int attempts = 0;
  int revision = 1;
  std::string message_id;
  std::optional<SystemTime> ready_at;
  std::optional<SystemTime> dispatched_at;
  std::optional<SystemTime> budget_due_at;
  std::optional<SystemTime> finished_at;
  bool at_risk = false;
  bool breached = false;
  FailureKind failure = FailureKind::kNone;
  std::string reason_code;
  std::string reason;
  std::string partner_reference;
  adapters::Outputs outputs;  // what the step produced (done steps only)
  std::optional<HumanTaskStatus> human_task;
};

// Everything a kiosk, the applicant or staff may see about one application.
struct ApplicationStatus {
  std::string id;
  std::string kiosk_id;
  std::string bank_code;
  std::string district;
  int flow_version = 0;
  ApplicationState state = ApplicationState::kSubmitted;
  bool green_channel = false;
  SystemTime submitted_at{};
  SystemTime deadline{};
  SystemTime updated_at{};
  bool at_risk = false;
  bool breached = false;
  int64_t version = 0;
  std::vector<StepStatus> steps;  // in the flow's order
  adapters::Outputs outputs;      // every done step's outputs together (USCC, account, ...)
  // Why the application needs attention, one sentence per cause (a failed step, a human task
  // asking for more information); empty otherwise.
  std::vector<std::string> attention;
};

// One row of Engine::list: the application without its steps or personal data.
struct ApplicationSummary {
  std::string id;
  std::string kiosk_id;
  std::string bank_code;
  std::string district;
  int flow_version = 0;
  ApplicationState state = ApplicationState::kSubmitted;
  bool green_channel = false;
  SystemTime submitted_at{};
  SystemTime deadline{};
  SystemTime updated_at{};
  bool at_risk = false;
  bool breached = false;
};

struct ApplicationList {
  std::vector<ApplicationSummary> applications;
  std::string next_cursor;  // "" on the last page
};

// What applyOutcome did with a partner's result.
enum class OutcomeDisposition {
  kApplied,    // the step moved
  kDuplicate,  // the step already reflects this outcome (a resent callback): nothing changed
  kStale,      // for a superseded message or a finished step: ignored, nothing changed
};
std::string_view toString(OutcomeDisposition disposition);

// Where a partner message belongs, so a callback handler can check that the partner whose
// certificate signed the callback is the one the step talks to.
struct MessageRoute {
  std::string application_id;
  std::string step_id;
  std::string adapter;  // the step's adapter name in the flow definition
};

// The applicant's answer to an application in needs_attention.
struct ApplicantAnswer {
  // A new enterprise name after the registry refused the old one. Allowed only while no step
  // is done; the application is validated again with it.
  std::optional<std::string> enterprise_name;
};

// A message the Dispatcher is to send now, built from the application as it is.
struct PreparedSend {
  OutboxKind kind = OutboxKind::kDispatch;
  std::string adapter;            // kDispatch, kPoll: the StepAdapter to use
  adapters::StepRequest request;  // kDispatch: the full request; kPoll: message_id only
  std::string phone;              // kNotify
  std::string text;               // kNotify
  // The application as prepareSend read it. Recording the result starts from it instead of
  // reading it again (the commit's version check catches a change made meanwhile, and the
  // result is then decided again on a fresh read).
  std::shared_ptr<const ApplicationSnapshot> snapshot;
};

struct EngineOptions {
  // How often a commit that lost an optimistic race is re-read, re-decided and retried.
  int max_conflict_retries = 16;
  // Queue milestone SMS to the applicant (submitted, needs attention, completed, rejected,
  // cancelled). Only when a Notifier is wired into the Dispatcher.
  bool notifications = false;
  RetryPolicy notification_retry{5, std::chrono::seconds{60}, 2.0, std::chrono::seconds{1800}, 20};
};

// Thread-safe: every method may be called from any thread at any time. The engine keeps no
// state of its own between calls; the Store is the truth, and every change is one Store
// commit (new state + events + audit entries + outbox rows + timers), retried from a fresh
// read when another commit on the same application came first. So the process may be killed
// between any two statements: what was committed stands, what was not never happened, and
// every partner message goes out (again) under the same message id until it is settled.
//
// Errors common to every method: kNotFound for an unknown application id (or step id);
// kUnavailable when the store is (and kUnavailable "changing too fast" after
// max_conflict_retries lost races); kInternal when an application needs a flow version that
// is not loaded; kCorrupt when sealed data fails to open (wrong key file?).
class Engine {
 public:
  // All references must outlive the engine.
  Engine(Store& store, const FlowCatalog& flows, const WorkingCalendar& calendar,
         const Clock& clock, const crypto::PiiCipher& cipher, const crypto::BlindIndex& index,
         EngineOptions options = {});

  // Called (from the committing thread) after each commit that queued an outbox message due
  // now, e.g. Dispatcher::wake. Set before other threads use the engine.
  void setOutboxListener(std::function<void()> listener);

  // --- Kiosk --------------------------------------------------------------------------------

  // Accepts an application from kiosk `kiosk_id` (the authenticated kiosk; it must equal
  // application.kiosk_id, else kForbidden). Validates it with the core rules (every problem
  // returned, nothing stored); otherwise stores it on the newest flow version with its
  // deadline (3 working days, 1 for the green channel) and dispatches the first steps, in one
  // commit. `idempotency_key` + `request_hash` (of the request body): the same key with the
  // same hash returns the first result (created = false) without storing anything; the same
  // key with another hash is kConflict. kUnavailable if the calendar lacks the deadline's year.
  Result<SubmitResult> submit(const Application& application, std::string_view kiosk_id,
                              std::string_view idempotency_key, std::string_view request_hash);

  // The applicant answers what needs_attention asked for (see ApplicantAnswer): failed steps
  // the partner refused for the applicant's data are sent again under a NEW message id, and
  // human tasks waiting for more information reopen. kConflict if the application is not in
  // needs_attention or nothing waits for the applicant; kInvalidInput if the new data breaks
  // a rule (the message lists every problem's key, `field` names the first).
  Result<ApplicationStatus> answerNeedsAttention(std::string_view id, const ApplicantAnswer& answer,
                                                 std::string_view actor);

  // --- Queries ------------------------------------------------------------------------------

  Result<ApplicationStatus> status(std::string_view id);

  // The application as submitted (or amended), decrypted: for staff who review it.
  Result<Application> application(std::string_view id);

  // Applications by kiosk, bank, state and district (see ListFilter), newest first.
  Result<ApplicationList> list(const ListFilter& filter);

  // Ids of applications whose legal representative has this resident ID number.
  Result<std::vector<std::string>> findByLegalRepresentative(std::string_view id_number);

  // The application's history, oldest first.
  Result<std::vector<EventRecord>> history(std::string_view id);

  // The event stream for dashboards: up to `limit` events after `since_seq`.
  Result<std::vector<EventRecord>> events(int64_t since_seq, int limit);

  Result<std::vector<HumanTaskView>> humanTasks(const HumanTaskFilter& filter);

  // The step a message id belongs to. kNotFound for an unknown or superseded message id.
  Result<MessageRoute> routeMessage(std::string_view message_id);

  // --- Partners -----------------------------------------------------------------------------

  // A partner's result for a message, from a callback (or a poll). Idempotent: the same
  // outcome again, an outcome for a finished step or for a superseded message changes
  // nothing (kDuplicate / kStale). kDone stores the outputs and starts the steps that were
  // waiting; kRejected fails the step (needs_attention, with the partner's reason); kFailed
  // sends a new message after the step's retry backoff, or fails the step when its attempts
  // are used up. kNotFound if the message id belongs to no application.
  Result<OutcomeDisposition> applyOutcome(const adapters::StepOutcome& outcome,
                                          std::string_view actor);

  // --- Staff (actor: "staff:<user>"; the API checks roles and bank scope) -------------------

  // Approves the open human task gating `step`; the step is dispatched if it is ready.
  // kConflict unless the task is open.
  Result<ApplicationStatus> approveHumanTask(std::string_view id, std::string_view step,
                                             std::string_view actor);
  // Rejects it: the step fails and the application is rejected (terminal). `reason` is
  // required (kInvalidInput) and shown to the applicant. kConflict unless open or more_info.
  Result<ApplicationStatus> rejectHumanTask(std::string_view id, std::string_view step,
                                            std::string_view actor, std::string_view reason);
  // Asks the applicant for more: the task waits and the application needs attention until
  // answerNeedsAttention. kConflict unless the task is open.
  Result<ApplicationStatus> requestMoreInfo(std::string_view id, std::string_view step,
                                            std::string_view actor, std::string_view reason);
  // Starts a failed step again with fresh attempts: under the SAME message id when the fate
  // of the last message is unknown (the partner deduplicates), under a new one when the
  // partner settled it. kConflict unless the step is failed and the application is open.
  Result<ApplicationStatus> retryStep(std::string_view id, std::string_view step,
                                      std::string_view actor);
  // Stops a step that is not done or failed: it fails as cancelled and the application needs
  // attention (staff then retry it or cancel the application). kConflict otherwise.
  Result<ApplicationStatus> cancelStep(std::string_view id, std::string_view step,
                                       std::string_view actor, std::string_view reason);
  // Cancels the application (terminal): nothing more is sent. Effects partners already
  // produced are not undone. kConflict if it is already completed, rejected or cancelled.
  Result<ApplicationStatus> cancelApplication(std::string_view id, std::string_view actor,
                                              std::string_view reason);

  // Verifies the audit log's hash chain (see verifyAuditLog in store.h).
  Result<void> verifyAuditLog(std::string_view expected_head_hash = {});

  // --- Start-up ------------------------------------------------------------------------------

  // OK when every flow version that unfinished applications run on is loaded; otherwise
  // kInternal naming the missing versions (the binary refuses to start: those applications
  // could not move).
  Result<void> checkFlowVersionsInUse();

  // Frees the claims a previous run of this process left behind (Store::releaseLeases), so
  // its work resumes at once instead of when the leases expire. `owner` is the stable lease
  // owner name the Dispatcher or TimerLoop uses. REQUIRES: no live process uses that name.
  Result<int> releaseLeases(std::string_view owner);

  // --- Dispatcher and TimerLoop -------------------------------------------------------------

  // Leases due outbox rows / timers to `owner` for `lease` (see Store::claimDueOutbox).
  Result<std::vector<OutboxMessage>> claimDueOutbox(int limit, std::string_view owner,
                                                    std::chrono::seconds lease);
  Result<std::vector<TimerRecord>> claimDueTimers(int limit, std::string_view owner,
                                                  std::chrono::seconds lease);

  // What to send for a claimed row, or nullopt when the row is obsolete (its step moved on,
  // or the application ended); the row is then removed.
  Result<std::optional<PreparedSend>> prepareSend(const OutboxMessage& row);

  // Records what sending a claimed row gave. Ack -> acknowledged (and a poll is scheduled for
  // a late callback); kUnavailable/kTimeout/kCorrupt/kInternal -> resent after the step's
  // backoff, or the step fails ("unreachable") when its attempts are used up; any other
  // error -> the step fails with the error's message as the reason. Either failure makes the
  // application need attention. A result for a row that is obsolete meanwhile changes only
  // the row.
  // `read_before` (PreparedSend::snapshot) saves a read; nullptr reads the application.
  Result<void> recordDispatchResult(const OutboxMessage& row, const Result<adapters::Ack>& result,
                                    const ApplicationSnapshot* read_before = nullptr);
  // A poll's answer: kPending -> polled again later (interval doubling to the step's maximum);
  // an outcome -> applyOutcome; kNotFound -> the request is sent again (same message id);
  // another error -> polled again later.
  Result<void> recordPollResult(const OutboxMessage& row,
                                const Result<adapters::StepOutcome>& result,
                                const ApplicationSnapshot* read_before = nullptr);
  // A notification's result: sent, retried with notification_retry, or given up (an event).
  Result<void> recordNotifyResult(const OutboxMessage& row, const Result<void>& result,
                                  const ApplicationSnapshot* read_before = nullptr);

  // Fires a claimed timer: sets the at-risk or breached flag of the application or step and
  // records the event, unless the work it watches is finished.
  Result<void> fireTimer(const TimerRecord& timer);

 private:
  class Draft;
  friend class Draft;

  // Loads the application (or starts from `read_before`, a snapshot read earlier), lets
  // `decide` change a Draft of it, and commits the draft; on a lost race, starts again from
  // a fresh read. `decide` returns an error to abort.
  Result<ApplicationSnapshot> mutate(std::string_view id,
                                     const std::function<Result<void>(Draft&)>& decide,
                                     const ApplicationSnapshot* read_before = nullptr);
  Result<ApplicationStatus> mutateAndStatus(std::string_view id,
                                            const std::function<Result<void>(Draft&)>& decide);

  Result<const FlowDefinition*> flowOf(const ApplicationRecord& application) const;
  Result<Application> openApplication(const ApplicationRecord& record) const;
  Result<adapters::Outputs> openOutputs(std::string_view application_id,
                                        const StepRecord& step) const;
  std::string sealOutputs(std::string_view application_id, std::string_view step_id,
                          const adapters::Outputs& outputs) const;
  Result<ApplicationStatus> statusOf(const ApplicationSnapshot& snapshot) const;
  Result<SubmitResult> existingSubmission(const IdempotencyRecord& record,
                                          std::string_view request_hash);

  Store& store_;
  const FlowCatalog& flows_;
  const WorkingCalendar& calendar_;
  const Clock& clock_;
  const crypto::PiiCipher& cipher_;
  const crypto::BlindIndex& index_;
  const EngineOptions options_;
  std::function<void()> outbox_listener_;
};

}  // namespace kaiban::orchestrator
