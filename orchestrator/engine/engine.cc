#include "orchestrator/engine/engine.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "core/application_json.h"
#include "core/timestamp.h"
#include "orchestrator/engine/message_id.h"
#include "orchestrator/engine/notifications.h"
#include "orchestrator/flow/deadline.h"
#include "orchestrator/flow/retry.h"

namespace kaiban::orchestrator {

namespace {

constexpr std::string_view kSystem = "system";
constexpr std::string_view kLegalRepresentativeDomain = "legal_representative.id_number";

// A JSON object for event and audit details, built in insertion order.
class Detail {
 public:
  Detail() : object_(new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER)) {}
  template <class T>
  Detail& set(const std::string& key, const T& value) {
    object_->set(key, value);
    return *this;
  }
  Detail& set(const std::string& key, std::string_view value) {
    object_->set(key, std::string(value));
    return *this;
  }
  Detail& set(const std::string& key, const char* value) {
    object_->set(key, std::string(value));
    return *this;
  }
  Detail& time(const std::string& key, SystemTime value) {
    object_->set(key, formatIso8601(value));
    return *this;
  }
  Detail& array(const std::string& key, const std::vector<std::string>& values) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const std::string& value : values) list->add(value);
    object_->set(key, list);
    return *this;
  }
  std::string str() const {
    std::ostringstream out;
    object_->stringify(out);
    return out.str();
  }

 private:
  Poco::JSON::Object::Ptr object_;
};

std::string sealedApplicationContext(std::string_view id) {
  return "application/" + std::string(id);
}

std::string sealedOutputsContext(std::string_view id, std::string_view step) {
  return "outputs/" + std::string(id) + "/" + std::string(step);
}

std::string normalizedIdNumber(std::string_view id_number) {
  std::string normalized(id_number);
  for (char& c : normalized) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return normalized;
}

// Errors a resend may cure (adapter.h): the partner is down, slow, or answered garbage; and
// kInternal, an unexpected failure of our own stack that the bounded retries may outlast.
bool isTransient(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout ||
         code == ErrorCode::kCorrupt || code == ErrorCode::kInternal;
}

std::string ordinalAttempts(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

ApplicationSummary summaryOf(const ApplicationRecord& record) {
  ApplicationSummary summary;
  summary.id = record.id;
  summary.kiosk_id = record.kiosk_id;
  summary.bank_code = record.bank_code;
  summary.district = record.district;
  summary.flow_version = record.flow_version;
  summary.state = record.state;
  summary.green_channel = record.green_channel;
  summary.submitted_at = record.submitted_at;
  summary.deadline = record.deadline_at;
  summary.updated_at = record.updated_at;
  summary.at_risk = (record.flags & kFlagAtRisk) != 0;
  summary.breached = (record.flags & kFlagBreached) != 0;
  return summary;
}

}  // namespace

std::string_view toString(OutcomeDisposition disposition) {
  switch (disposition) {
    case OutcomeDisposition::kApplied:
      return "applied";
    case OutcomeDisposition::kDuplicate:
      return "duplicate";
    case OutcomeDisposition::kStale:
      return "stale";
  }
  return "unknown";
}

// A working copy of one application and the Change that turns the stored state into it.
// Every mutation goes through here so that each one also writes its event and audit entry,
// checks its transition, and lands in the same commit as everything else it causes.
class Engine::Draft {
 public:
  Draft(const Engine& engine, ApplicationSnapshot snapshot, const FlowDefinition& flow,
        SystemTime now)
      : engine_(engine), flow_(flow), now_(now), current_(std::move(snapshot)) {}

  SystemTime now() const { return now_; }
  const FlowDefinition& flow() const { return flow_; }
  ApplicationRecord& application() { return current_.application; }
  const ApplicationSnapshot& snapshot() const { return current_; }
  bool touched() const { return touched_; }
  Change& change() {
    touched_ = true;
    return change_;
  }
  const std::vector<OutboxMessage>& outgoing() const { return outgoing_; }
  bool terminal() const { return isTerminal(current_.application.state); }

  StepRecord* findStep(std::string_view id) {
    for (StepRecord& step : current_.steps) {
      if (step.step_id == id) return &step;
    }
    return nullptr;
  }

  HumanTaskRecord* findTask(std::string_view step_id) {
    for (HumanTaskRecord& task : current_.human_tasks) {
      if (task.step_id == step_id) return &task;
    }
    return nullptr;
  }

  // REQUIRES: `step` belongs to this draft's flow (the store only holds steps of the flow).
  const StepDefinition& definition(const StepRecord& step) const {
    return *flow_.step(step.step_id);
  }

  void markStep(const StepRecord& step) {
    touched_ = true;
    dirty_steps_.insert(step.step_id);
  }

  void markTask(const HumanTaskRecord& task) {
    touched_ = true;
    dirty_tasks_.insert(task.step_id);
  }

  // One entry in the application's history and the same in the audit chain.
  void record(std::string_view type, std::string_view step_id, std::string_view actor,
              const Detail& detail) {
    touched_ = true;
    const std::string text = detail.str();
    EventRecord event;
    event.application_id = current_.application.id;
    event.step_id = std::string(step_id);
    event.type = std::string(type);
    event.actor = std::string(actor);
    event.at = now_;
    event.detail = text;
    change_.events.push_back(std::move(event));
    change_.audit.push_back(AuditInput{
        now_, std::string(actor), current_.application.id, std::string(type),
        step_id.empty() ? text
                        : "{\"step\":\"" + std::string(step_id) + "\",\"detail\":" + text + "}"});
  }

  Result<void> moveStep(StepRecord& step, StepState to) {
    if (step.state != to && !isAllowedTransition(step.state, to)) {
      return Error::internal("step " + step.step_id + " of " + current_.application.id +
                             " cannot go from " + std::string(toString(step.state)) + " to " +
                             std::string(toString(to)));
    }
    step.state = to;
    markStep(step);
    return ok();
  }

  void settleRow(const OutboxMessage& row, bool remove, SystemTime next_attempt_at = {},
                 int attempts = 0) {
    touched_ = true;
    change_.settle_outbox.push_back(
        OutboxSettlement{row.id, row.lease_owner, remove, next_attempt_at, attempts});
  }

  void queue(OutboxMessage message) {
    touched_ = true;
    message.application_id = current_.application.id;
    // A message due now counts as due since its application was submitted. The outbox is
    // served in order of due time, so the next step of an application under way goes before
    // the first step of applications submitted after it: a burst of new submissions cannot
    // hold back the applications already in flight, which finish first (and within their
    // three days). Retries and polls keep their later times.
    if (message.next_attempt_at <= now_) {
      message.next_attempt_at =
          std::min(message.next_attempt_at, current_.application.submitted_at);
    }
    outgoing_.push_back(std::move(message));
  }

  void dropOutboxOf(const StepRecord& step) {
    touched_ = true;
    change_.drop_outbox_of.push_back(step.step_id);
  }

  void notify(std::string_view milestone) {
    if (!engine_.options_.notifications) return;
    OutboxMessage message;
    message.message_id =
        notificationIdFor(current_.application.id, milestone, current_.application.version + 1);
    message.kind = OutboxKind::kNotify;
    message.next_attempt_at = now_;
    message.payload = std::string(milestone);
    queue(std::move(message));
  }

  // Starts the step's working-time budget when it first becomes ready.
  void startBudget(StepRecord& step) {
    if (step.ready_at) return;
    step.ready_at = now_;
    markStep(step);
    const std::chrono::minutes budget =
        flow_.stepBudget(definition(step), current_.application.green_channel);
    Result<BudgetMarks> marks = budgetMarks(engine_.calendar_, now_, budget);
    if (!marks) {
      // The step still runs; only its at-risk and breach flags are lost, and the event says
      // why (typically next year's holiday file is missing).
      record("step.budget_unavailable", step.step_id, kSystem,
             Detail().set("message", marks.error().message));
      return;
    }
    step.budget_due_at = marks->due_at;
    TimerRecord at_risk;
    at_risk.step_id = step.step_id;
    at_risk.kind = TimerKind::kAtRisk;
    at_risk.due_at = marks->at_risk_at;
    TimerRecord breach = at_risk;
    breach.kind = TimerKind::kBreach;
    breach.due_at = marks->due_at;
    change().new_timers.push_back(at_risk);
    change().new_timers.push_back(breach);
  }

  Result<void> dispatchStep(StepRecord& step, SystemTime when, std::string_view actor) {
    if (Result<void> moved = moveStep(step, StepState::kDispatched); !moved) return moved;
    step.message_id = messageIdFor(current_.application.id, step.step_id, step.revision);
    step.dispatched_at = now_;
    OutboxMessage message;
    message.message_id = step.message_id;
    message.step_id = step.step_id;
    message.kind = OutboxKind::kDispatch;
    message.attempts = step.attempts;
    message.next_attempt_at = when;
    queue(std::move(message));
    record("step.dispatched", step.step_id, actor,
           Detail()
               .set("message_id", step.message_id)
               .set("revision", step.revision)
               .time("send_at", when));
    return ok();
  }

  // Opens the human tasks and dispatches the steps that became ready.
  Result<void> advance() {
    if (terminal()) return ok();
    std::map<std::string, StepState, std::less<>> states;
    for (const StepRecord& step : current_.steps) states[step.step_id] = step.state;
    for (const std::string& id : readySteps(flow_, states)) {
      StepRecord* step = findStep(id);
      if (step == nullptr) return Error::internal("application has no step " + id);
      const StepDefinition& def = definition(*step);
      if (def.human_task) {
        HumanTaskRecord* task = findTask(id);
        if (task == nullptr) {
          HumanTaskRecord opened;
          opened.step_id = id;
          opened.kind = def.human_task->kind;
          opened.role = def.human_task->role;
          opened.state = HumanTaskState::kOpen;
          opened.opened_at = now_;
          current_.human_tasks.push_back(opened);
          markTask(opened);
          startBudget(*step);
          record("human_task.opened", id, kSystem,
                 Detail().set("kind", opened.kind).set("role", opened.role));
          continue;
        }
        if (task->state != HumanTaskState::kApproved) continue;
      }
      startBudget(*step);
      if (Result<void> sent = dispatchStep(*step, now_, kSystem); !sent) return sent;
    }
    return ok();
  }

  Result<void> acknowledge(StepRecord& step, std::string_view partner_reference,
                           std::string_view actor) {
    if (Result<void> moved = moveStep(step, StepState::kAcknowledged); !moved) return moved;
    step.polls = 0;
    if (!partner_reference.empty()) step.partner_reference = std::string(partner_reference);
    dropOutboxOf(step);
    OutboxMessage poll;
    poll.message_id = step.message_id;
    poll.step_id = step.step_id;
    poll.kind = OutboxKind::kPoll;
    poll.next_attempt_at = now_ + std::chrono::duration_cast<SystemTime::duration>(
                                      pollDelay(definition(step).poll, 0));
    queue(std::move(poll));
    record("step.acknowledged", step.step_id, actor,
           Detail()
               .set("message_id", step.message_id)
               .set("partner_reference", step.partner_reference)
               .time("poll_at", poll_at(step)));
    return ok();
  }

  Result<void> failStep(StepRecord& step, FailureKind failure, std::string_view reason_code,
                        std::string_view reason, std::string_view actor) {
    if (Result<void> moved = moveStep(step, StepState::kFailed); !moved) return moved;
    step.failure = failure;
    step.reason_code = std::string(reason_code);
    step.reason = std::string(reason);
    step.finished_at = now_;
    dropOutboxOf(step);
    record("step.failed", step.step_id, actor,
           Detail()
               .set("failure", toString(failure))
               .set("reason_code", reason_code)
               .set("reason", reason)
               .set("message_id", step.message_id));
    return ok();
  }

  Result<void> completeStep(StepRecord& step, const adapters::Outputs& outputs,
                            std::string_view actor) {
    const bool late = step.state == StepState::kFailed;
    if (Result<void> moved = moveStep(step, StepState::kDone); !moved) return moved;
    step.failure = FailureKind::kNone;
    step.reason_code.clear();
    step.reason.clear();
    step.finished_at = now_;
    step.sealed_outputs = outputs.empty()
                              ? std::string()
                              : engine_.sealOutputs(current_.application.id, step.step_id, outputs);
    dropOutboxOf(step);
    change().cancel_timers_of.push_back(step.step_id);
    std::vector<std::string> keys;
    for (const auto& [key, value] : outputs) keys.push_back(key);
    record("step.done", step.step_id, actor,
           Detail().set("message_id", step.message_id).set("late", late).array("outputs", keys));
    return advance();
  }

  // A partner's outcome for the step's current message.
  Result<OutcomeDisposition> applyOutcome(StepRecord& step, const adapters::StepOutcome& outcome,
                                          std::string_view actor) {
    using adapters::OutcomeKind;
    switch (step.state) {
      case StepState::kDone:
        return OutcomeDisposition::kDuplicate;
      case StepState::kPending:
        return OutcomeDisposition::kStale;
      case StepState::kFailed:
        // A result for a message we gave up on while its fate was unknown: if the partner
        // did the work after all, that is the truth and the step is done.
        if (outcome.kind == OutcomeKind::kDone && fateUnknown(step.failure)) {
          if (Result<void> done = completeStep(step, outcome.outputs, actor); !done) {
            return done.error();
          }
          return OutcomeDisposition::kApplied;
        }
        return OutcomeDisposition::kStale;
      case StepState::kDispatched:
      case StepState::kAcknowledged:
        break;
    }
    // An application that ended still records work a partner finished (an account opened
    // after a cancellation is something staff must know), but nothing else moves.
    if (terminal() && outcome.kind != OutcomeKind::kDone) return OutcomeDisposition::kStale;
    switch (outcome.kind) {
      case OutcomeKind::kPending:
        if (step.state == StepState::kAcknowledged) return OutcomeDisposition::kDuplicate;
        if (Result<void> acked = acknowledge(step, "", actor); !acked) return acked.error();
        return OutcomeDisposition::kApplied;
      case OutcomeKind::kDone:
        if (Result<void> done = completeStep(step, outcome.outputs, actor); !done) {
          return done.error();
        }
        return OutcomeDisposition::kApplied;
      case OutcomeKind::kRejected: {
        const std::string reason = outcome.reason.empty()
                                       ? "the partner refused the request without a reason"
                                       : outcome.reason;
        if (Result<void> failed = failStep(
                step, FailureKind::kPartnerRejected,
                outcome.reason_code.empty() ? "REJECTED" : outcome.reason_code, reason, actor);
            !failed) {
          return failed.error();
        }
        return OutcomeDisposition::kApplied;
      }
      case OutcomeKind::kFailed: {
        const StepDefinition& def = definition(step);
        if (mayRetry(def.retry, std::max(step.attempts, 1))) {
          // The partner settled the message without effect, so the next try is a new
          // message: a resend of the old id would only fetch the same failure.
          const int failed_attempts = std::max(step.attempts, 1);
          const SystemTime when =
              now_ + std::chrono::duration_cast<SystemTime::duration>(
                         retryDelay(def.retry, failed_attempts, jitterSeed(step.message_id)));
          record("step.partner_failed", step.step_id, actor,
                 Detail()
                     .set("message_id", step.message_id)
                     .set("reason_code", outcome.reason_code)
                     .set("reason", outcome.reason)
                     .set("attempt", failed_attempts));
          dropOutboxOf(step);
          step.revision += 1;
          if (Result<void> sent = dispatchStep(step, when, actor); !sent) return sent.error();
          return OutcomeDisposition::kApplied;
        }
        std::string reason = "The partner could not process the request after " +
                             ordinalAttempts(step.attempts) +
                             (outcome.reason.empty() ? std::string(".")
                                                     : " (last answer: " + outcome.reason + ").") +
                             " Retry the step when the partner has fixed its problem.";
        if (Result<void> failed =
                failStep(step, FailureKind::kPartnerFailed,
                         outcome.reason_code.empty() ? "PARTNER_FAILED" : outcome.reason_code,
                         reason, actor);
            !failed) {
          return failed.error();
        }
        return OutcomeDisposition::kApplied;
      }
    }
    return Error::internal("unknown outcome kind");
  }

  // Ends the application in `to` (rejected or cancelled): nothing more is sent.
  Result<void> endApplication(ApplicationState to, std::string_view actor,
                              std::string_view reason) {
    ApplicationRecord& app = current_.application;
    if (!isAllowedTransition(app.state, to)) {
      return Error::conflict("application " + app.id + " is " + std::string(toString(app.state)) +
                             " and cannot become " + std::string(toString(to)));
    }
    const ApplicationState from = app.state;
    app.state = to;
    change().drop_all_step_outbox = true;
    change().cancel_all_timers = true;
    record("application.state_changed", "", actor,
           Detail().set("from", toString(from)).set("to", toString(to)).set("reason", reason));
    notify(toString(to));
    return ok();
  }

  // Moves the application to the state its steps imply, with what each state change causes.
  Result<void> settle() {
    ApplicationRecord& app = current_.application;
    if (isTerminal(app.state)) return ok();
    std::vector<StepState> states;
    for (const StepDefinition& def : flow_.steps) {
      const StepRecord* step = findStep(def.id);
      states.push_back(step != nullptr ? step->state : StepState::kPending);
    }
    const bool waiting_for_applicant =
        std::any_of(current_.human_tasks.begin(), current_.human_tasks.end(),
                    [](const HumanTaskRecord& t) { return t.state == HumanTaskState::kMoreInfo; });
    const ApplicationState next = deriveApplicationState(app.state, states, waiting_for_applicant);
    if (next == app.state) return ok();
    if (!isAllowedTransition(app.state, next)) {
      return Error::internal("application " + app.id + " cannot go from " +
                             std::string(toString(app.state)) + " to " +
                             std::string(toString(next)));
    }
    const ApplicationState from = app.state;
    app.state = next;
    record("application.state_changed", "", kSystem,
           Detail().set("from", toString(from)).set("to", toString(next)));
    if (next == ApplicationState::kCompleted) {
      change().cancel_all_timers = true;
      notify(toString(next));
    } else if (next == ApplicationState::kNeedsAttention) {
      notify(toString(next));
    }
    return ok();
  }

  // The Change to commit: the application row, and every step and task that changed.
  Change build() {
    change_.application = current_.application;
    change_.application.updated_at = now_;
    for (const StepRecord& step : current_.steps) {
      if (dirty_steps_.contains(step.step_id)) change_.steps.push_back(step);
    }
    for (const HumanTaskRecord& task : current_.human_tasks) {
      if (dirty_tasks_.contains(task.step_id)) change_.human_tasks.push_back(task);
    }
    return change_;
  }

  // The snapshot as it is after a successful commit of build().
  ApplicationSnapshot committed() const {
    ApplicationSnapshot result = current_;
    result.application.version += 1;
    result.application.updated_at = now_;
    return result;
  }

 private:
  SystemTime poll_at(const StepRecord& step) const {
    return now_ +
           std::chrono::duration_cast<SystemTime::duration>(pollDelay(definition(step).poll, 0));
  }

  const Engine& engine_;
  const FlowDefinition& flow_;
  const SystemTime now_;
  ApplicationSnapshot current_;
  Change change_;
  std::vector<OutboxMessage> outgoing_;
  std::set<std::string, std::less<>> dirty_steps_;
  std::set<std::string, std::less<>> dirty_tasks_;
  bool touched_ = false;
};

Engine::Engine(Store& store, const FlowCatalog& flows, const WorkingCalendar& calendar,
               const Clock& clock, const crypto::PiiCipher& cipher, const crypto::BlindIndex& index,
               EngineOptions options)
    : store_(store),
      flows_(flows),
      calendar_(calendar),
      clock_(clock),
      cipher_(cipher),
      index_(index),
      options_(std::move(options)) {}

void Engine::setOutboxListener(std::function<void()> listener) {
  outbox_listener_ = std::move(listener);
}

Result<const FlowDefinition*> Engine::flowOf(const ApplicationRecord& application) const {
  const FlowDefinition* flow = flows_.find(application.flow_version);
  if (flow == nullptr) {
    return Error::internal("application " + application.id + " runs on flow version " +
                           std::to_string(application.flow_version) +
                           ", which is not loaded: put its definition back in the flow "
                           "directory and restart");
  }
  return flow;
}

Result<Application> Engine::openApplication(const ApplicationRecord& record) const {
  Result<std::string> json =
      cipher_.open(record.sealed_application, sealedApplicationContext(record.id));
  if (!json) {
    return Error::corrupt("application " + record.id + ": " + json.error().message);
  }
  Result<Application> application = applicationFromJsonText(*json);
  if (!application) {
    return Error::corrupt("application " + record.id +
                          " holds unreadable data: " + application.error().message);
  }
  return application;
}

Result<adapters::Outputs> Engine::openOutputs(std::string_view application_id,
                                              const StepRecord& step) const {
  adapters::Outputs outputs;
  if (step.sealed_outputs.empty()) return outputs;
  Result<std::string> json =
      cipher_.open(step.sealed_outputs, sealedOutputsContext(application_id, step.step_id));
  if (!json) {
    return Error::corrupt("outputs of step " + step.step_id + " of " + std::string(application_id) +
                          ": " + json.error().message);
  }
  try {
    Poco::JSON::Parser parser;
    Poco::JSON::Object::Ptr object = parser.parse(*json).extract<Poco::JSON::Object::Ptr>();
    for (const std::string& key : object->getNames()) {
      outputs[key] = object->getValue<std::string>(key);
    }
  } catch (const Poco::Exception& e) {
    return Error::corrupt("outputs of step " + step.step_id + " of " + std::string(application_id) +
                          " are not a JSON object: " + e.displayText());
  }
  return outputs;
}

std::string Engine::sealOutputs(std::string_view application_id, std::string_view step_id,
                                const adapters::Outputs& outputs) const {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [key, value] : outputs) object.set(key, value);
  std::ostringstream json;
  object.stringify(json);
  return cipher_.seal(json.str(), sealedOutputsContext(application_id, step_id));
}

Result<ApplicationSnapshot> Engine::mutate(std::string_view id,
                                           const std::function<Result<void>(Draft&)>& decide,
                                           const ApplicationSnapshot* read_before) {
  for (int attempt = 0; attempt <= options_.max_conflict_retries; ++attempt) {
    Result<ApplicationSnapshot> snapshot = attempt == 0 && read_before != nullptr
                                               ? Result<ApplicationSnapshot>(*read_before)
                                               : store_.load(id);
    if (!snapshot) return snapshot.error();
    Result<const FlowDefinition*> flow = flowOf(snapshot->application);
    if (!flow) return flow.error();
    const int64_t version = snapshot->application.version;
    Draft draft(*this, std::move(snapshot).value(), **flow, clock_.now());
    if (Result<void> decided = decide(draft); !decided) return decided.error();
    if (!draft.touched()) return draft.snapshot();
    if (Result<void> settled = draft.settle(); !settled) return settled.error();
    const Change change = draft.build();
    Result<void> committed = store_.commit(id, version, change, draft.outgoing());
    if (committed) {
      const bool due_now =
          std::any_of(draft.outgoing().begin(), draft.outgoing().end(),
                      [&](const OutboxMessage& m) { return m.next_attempt_at <= draft.now(); });
      if (due_now && outbox_listener_) outbox_listener_();
      return draft.committed();
    }
    if (committed.error().code != ErrorCode::kConflict) return committed.error();
  }
  return Error::unavailable("application " + std::string(id) +
                            " is changing too fast to update; try again");
}

Result<ApplicationStatus> Engine::mutateAndStatus(
    std::string_view id, const std::function<Result<void>(Draft&)>& decide) {
  Result<ApplicationSnapshot> snapshot = mutate(id, decide);
  if (!snapshot) return snapshot.error();
  return statusOf(*snapshot);
}

// --- Kiosk -----------------------------------------------------------------------------------

Result<SubmitResult> Engine::existingSubmission(const IdempotencyRecord& record,
                                                std::string_view request_hash) {
  if (record.request_hash != request_hash) {
    return Error::conflict("Idempotency-Key '" + record.key +
                           "' was already used for a different request; use a new key for a "
                           "new application");
  }
  Result<ApplicationSnapshot> snapshot = store_.load(record.application_id);
  if (!snapshot) return snapshot.error();
  SubmitResult result;
  result.application_id = snapshot->application.id;
  result.created = false;
  result.state = snapshot->application.state;
  result.deadline = snapshot->application.deadline_at;
  result.flow_version = snapshot->application.flow_version;
  return result;
}

Result<SubmitResult> Engine::submit(const Application& application, std::string_view kiosk_id,
                                    std::string_view idempotency_key,
                                    std::string_view request_hash) {
  if (application.kiosk_id != kiosk_id) {
    return Error::forbidden("kiosk " + std::string(kiosk_id) +
                            " may not submit an application for kiosk " + application.kiosk_id);
  }
  if (idempotency_key.empty() || idempotency_key.size() > 200) {
    return Error::invalidInput("an idempotency key of 1-200 characters is required",
                               "Idempotency-Key");
  }
  Result<std::optional<IdempotencyRecord>> seen =
      store_.findIdempotencyKey(kiosk_id, idempotency_key);
  if (!seen) return seen.error();
  if (seen->has_value()) return existingSubmission(**seen, request_hash);

  const SystemTime now = clock_.now();
  const std::chrono::year_month_day today = shanghaiDate(now);
  SubmitResult result;
  result.problems = validateApplication(
      application, CivilDate{static_cast<int>(today.year()),
                             static_cast<int>(static_cast<unsigned>(today.month())),
                             static_cast<int>(static_cast<unsigned>(today.day()))});
  if (!result.problems.empty()) return result;

  const FlowDefinition& flow = flows_.newest();
  Result<BudgetMarks> marks = applicationMarks(calendar_, flow, now, application.green_channel);
  if (!marks) return marks.error();

  std::ostringstream json;
  toJson(application)->stringify(json);
  const std::string legal_representative_index = index_.compute(
      kLegalRepresentativeDomain, normalizedIdNumber(application.legal_representative.id_number));

  // Two ids clash only within one millisecond and 30 random bits: unlikely, and it costs only
  // another try.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string id = newApplicationId(now);
    ApplicationSnapshot fresh;
    ApplicationRecord& record = fresh.application;
    record.id = id;
    record.kiosk_id = application.kiosk_id;
    record.bank_code = application.bank_code;
    record.district = application.enterprise.registered_address.division_code;
    record.flow_version = flow.version;
    record.state = ApplicationState::kSubmitted;
    record.green_channel = application.green_channel;
    record.submitted_at = now;
    record.deadline_at = marks->due_at;
    record.updated_at = now;
    record.sealed_application = cipher_.seal(json.str(), sealedApplicationContext(id));
    record.legal_representative_index = legal_representative_index;
    for (const StepDefinition& def : flow.steps) {
      StepRecord step;
      step.step_id = def.id;
      fresh.steps.push_back(step);
    }

    Draft draft(*this, fresh, flow, now);
    for (const StepRecord& step : fresh.steps) draft.markStep(step);
    const std::string actor = "kiosk:" + std::string(kiosk_id);
    draft.record("application.submitted", "", actor,
                 Detail()
                     .set("flow_version", flow.version)
                     .set("green_channel", application.green_channel)
                     .time("deadline", marks->due_at));
    TimerRecord at_risk;
    at_risk.kind = TimerKind::kAtRisk;
    at_risk.due_at = marks->at_risk_at;
    TimerRecord breach;
    breach.kind = TimerKind::kBreach;
    breach.due_at = marks->due_at;
    draft.change().new_timers = {at_risk, breach};
    draft.change().idempotency = IdempotencyRecord{
        std::string(kiosk_id), std::string(idempotency_key), std::string(request_hash), id, now};
    draft.notify("submitted");
    if (Result<void> advanced = draft.advance(); !advanced) return advanced.error();
    if (Result<void> settled = draft.settle(); !settled) return settled.error();
    Change change = draft.build();
    change.rewrite_sealed_application = true;
    Result<void> committed = store_.commit(id, 0, change, draft.outgoing());
    if (committed) {
      if (outbox_listener_) outbox_listener_();
      result.application_id = id;
      result.created = true;
      result.state = draft.application().state;
      result.deadline = marks->due_at;
      result.flow_version = flow.version;
      return result;
    }
    if (committed.error().code != ErrorCode::kConflict) return committed.error();
    // Another request with the same key won the race (or the id clashed): look again.
    Result<std::optional<IdempotencyRecord>> again =
        store_.findIdempotencyKey(kiosk_id, idempotency_key);
    if (!again) return again.error();
    if (again->has_value()) return existingSubmission(**again, request_hash);
  }
  return Error::unavailable("could not store the application; try again");
}

Result<ApplicationStatus> Engine::answerNeedsAttention(std::string_view id,
                                                       const ApplicantAnswer& answer,
                                                       std::string_view actor) {
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    ApplicationRecord& app = draft.application();
    if (app.state != ApplicationState::kNeedsAttention) {
      return Error::conflict("application " + app.id + " is " + std::string(toString(app.state)) +
                             "; it is not waiting for an answer");
    }
    std::vector<StepRecord*> refused;
    bool any_done = false;
    for (const StepDefinition& def : draft.flow().steps) {
      StepRecord* step = draft.findStep(def.id);
      if (step == nullptr) continue;
      any_done = any_done || step->state == StepState::kDone;
      if (step->state == StepState::kFailed && (step->failure == FailureKind::kPartnerRejected ||
                                                step->failure == FailureKind::kInvalidRequest)) {
        refused.push_back(step);
      }
    }
    std::vector<HumanTaskRecord*> waiting;
    for (const StepDefinition& def : draft.flow().steps) {
      HumanTaskRecord* task = draft.findTask(def.id);
      if (task != nullptr && task->state == HumanTaskState::kMoreInfo) waiting.push_back(task);
    }
    if (refused.empty() && waiting.empty()) {
      return Error::conflict("application " + app.id +
                             " waits for staff, not for the applicant: nothing to answer");
    }

    if (answer.enterprise_name) {
      if (any_done) {
        return Error::conflict(
            "the enterprise name can no longer change: steps done under it cannot be redone");
      }
      Result<Application> current = openApplication(app);
      if (!current) return current.error();
      Application amended = std::move(current).value();
      amended.enterprise.name = *answer.enterprise_name;
      const std::chrono::year_month_day today = shanghaiDate(draft.now());
      std::vector<Problem> problems = validateApplication(
          amended, CivilDate{static_cast<int>(today.year()),
                             static_cast<int>(static_cast<unsigned>(today.month())),
                             static_cast<int>(static_cast<unsigned>(today.day()))});
      if (!problems.empty()) {
        std::string keys;
        for (const Problem& problem : problems) {
          keys += (keys.empty() ? "" : ", ") + problem.field + ": " + problem.message_key;
        }
        return Error::invalidInput("the amended application breaks rules: " + keys,
                                   problems.front().field);
      }
      std::ostringstream json;
      toJson(amended)->stringify(json);
      app.sealed_application = cipher_.seal(json.str(), sealedApplicationContext(app.id));
      draft.change().rewrite_sealed_application = true;
    }
    draft.record("application.answered", "", actor,
                 Detail().set("enterprise_name_changed", answer.enterprise_name.has_value()));

    // The partner settled each refused message: the next one is a new revision.
    for (StepRecord* step : refused) {
      step->revision += 1;
      step->attempts = 0;
      step->polls = 0;
      step->failure = FailureKind::kNone;
      step->reason_code.clear();
      step->reason.clear();
      step->finished_at.reset();
      if (Result<void> sent = draft.dispatchStep(*step, draft.now(), actor); !sent) return sent;
    }
    for (HumanTaskRecord* task : waiting) {
      task->state = HumanTaskState::kOpen;
      draft.markTask(*task);
      draft.record("human_task.reopened", task->step_id, actor, Detail().set("kind", task->kind));
    }
    return draft.advance();
  });
}

// --- Queries ---------------------------------------------------------------------------------

Result<ApplicationStatus> Engine::statusOf(const ApplicationSnapshot& snapshot) const {
  const ApplicationRecord& app = snapshot.application;
  Result<const FlowDefinition*> flow = flowOf(app);
  if (!flow) return flow.error();
  ApplicationStatus status;
  status.id = app.id;
  status.kiosk_id = app.kiosk_id;
  status.bank_code = app.bank_code;
  status.district = app.district;
  status.flow_version = app.flow_version;
  status.state = app.state;
  status.green_channel = app.green_channel;
  status.submitted_at = app.submitted_at;
  status.deadline = app.deadline_at;
  status.updated_at = app.updated_at;
  status.at_risk = (app.flags & kFlagAtRisk) != 0;
  status.breached = (app.flags & kFlagBreached) != 0;
  status.version = app.version;
  for (const StepDefinition& def : (*flow)->steps) {
    StepStatus step;
    step.id = def.id;
    step.adapter = def.adapter;
    step.depends_on = def.depends_on;
    if (const StepRecord* record = snapshot.step(def.id)) {
      step.state = record->state;
      step.attempts = record->attempts;
      step.revision = record->revision;
      step.message_id = record->message_id;
      step.ready_at = record->ready_at;
      step.dispatched_at = record->dispatched_at;
      step.budget_due_at = record->budget_due_at;
      step.finished_at = record->finished_at;
      step.at_risk = (record->flags & kFlagAtRisk) != 0;
      step.breached = (record->flags & kFlagBreached) != 0;
      step.failure = record->failure;
      step.reason_code = record->reason_code;
      step.reason = record->reason;
      step.partner_reference = record->partner_reference;
      if (record->state == StepState::kDone) {
        Result<adapters::Outputs> outputs = openOutputs(app.id, *record);
        if (!outputs) return outputs.error();
        step.outputs = std::move(outputs).value();
        for (const auto& [key, value] : step.outputs) status.outputs[key] = value;
      }
      if (record->state == StepState::kFailed && !isTerminal(app.state)) {
        status.attention.push_back(def.id + ": " + record->reason);
      }
    }
    if (const HumanTaskRecord* task = snapshot.humanTask(def.id)) {
      step.human_task =
          HumanTaskStatus{task->kind,   task->role,      task->state,     task->decided_by,
                          task->reason, task->opened_at, task->decided_at};
      if (task->state == HumanTaskState::kMoreInfo && !isTerminal(app.state)) {
        status.attention.push_back(def.id + " (" + task->kind + "): " + task->reason);
      }
    }
    status.steps.push_back(std::move(step));
  }
  return status;
}

Result<ApplicationStatus> Engine::status(std::string_view id) {
  Result<ApplicationSnapshot> snapshot = store_.load(id);
  if (!snapshot) return snapshot.error();
  return statusOf(*snapshot);
}

Result<Application> Engine::application(std::string_view id) {
  Result<ApplicationSnapshot> snapshot = store_.load(id);
  if (!snapshot) return snapshot.error();
  return openApplication(snapshot->application);
}

Result<ApplicationList> Engine::list(const ListFilter& filter) {
  Result<ApplicationPage> page = store_.listApplications(filter);
  if (!page) return page.error();
  ApplicationList list;
  for (const ApplicationRecord& record : page->applications) {
    list.applications.push_back(summaryOf(record));
  }
  list.next_cursor = page->next_cursor;
  return list;
}

Result<std::vector<std::string>> Engine::findByLegalRepresentative(std::string_view id_number) {
  // Every mac key of the ring: indexes written before a mac-key rotation still match.
  std::vector<std::string> ids;
  for (const std::string& index :
       index_.computeAll(kLegalRepresentativeDomain, normalizedIdNumber(id_number))) {
    Result<std::vector<std::string>> found = store_.findByLegalRepresentative(index);
    if (!found) return found.error();
    for (std::string& id : *found) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
    }
  }
  return ids;
}

Result<std::vector<EventRecord>> Engine::history(std::string_view id) {
  Result<ApplicationSnapshot> snapshot = store_.load(id);
  if (!snapshot) return snapshot.error();
  return store_.history(id);
}

Result<std::vector<EventRecord>> Engine::events(int64_t since_seq, int limit) {
  return store_.eventsSince(since_seq, std::clamp(limit, 1, 1000));
}

Result<std::vector<HumanTaskView>> Engine::humanTasks(const HumanTaskFilter& filter) {
  return store_.listHumanTasks(filter);
}

Result<MessageRoute> Engine::routeMessage(std::string_view message_id) {
  Result<std::optional<MessageOwner>> owner = store_.findMessage(message_id);
  if (!owner) return owner.error();
  if (!owner->has_value()) {
    return Error::notFound("no current message " + std::string(message_id));
  }
  Result<ApplicationSnapshot> snapshot = store_.load((*owner)->application_id);
  if (!snapshot) return snapshot.error();
  Result<const FlowDefinition*> flow = flowOf(snapshot->application);
  if (!flow) return flow.error();
  const StepDefinition* step = (*flow)->step((*owner)->step_id);
  if (step == nullptr) return Error::notFound("no step " + (*owner)->step_id);
  return MessageRoute{(*owner)->application_id, (*owner)->step_id, step->adapter};
}

// --- Partners --------------------------------------------------------------------------------

Result<OutcomeDisposition> Engine::applyOutcome(const adapters::StepOutcome& outcome,
                                                std::string_view actor) {
  Result<std::optional<MessageOwner>> owner = store_.findMessage(outcome.message_id);
  if (!owner) return owner.error();
  if (!owner->has_value()) {
    // Not a current message: a superseded revision of a known application is stale; anything
    // else is not ours.
    const std::string_view id = applicationIdOf(outcome.message_id);
    if (id.empty()) return Error::notFound("no message " + outcome.message_id);
    Result<ApplicationSnapshot> snapshot = store_.load(id);
    if (!snapshot) {
      if (snapshot.error().code == ErrorCode::kNotFound) {
        return Error::notFound("no message " + outcome.message_id);
      }
      return snapshot.error();
    }
    return OutcomeDisposition::kStale;
  }
  OutcomeDisposition disposition = OutcomeDisposition::kStale;
  Result<ApplicationSnapshot> done =
      mutate((*owner)->application_id, [&](Draft& draft) -> Result<void> {
        StepRecord* step = draft.findStep((*owner)->step_id);
        if (step == nullptr || step->message_id != outcome.message_id) {
          disposition = OutcomeDisposition::kStale;
          return ok();
        }
        Result<OutcomeDisposition> applied = draft.applyOutcome(*step, outcome, actor);
        if (!applied) return applied.error();
        disposition = *applied;
        return ok();
      });
  if (!done) return done.error();
  return disposition;
}

// --- Staff -----------------------------------------------------------------------------------

namespace {

Result<void> requireReason(std::string_view reason) {
  if (reason.empty() || reason.size() > 2000) {
    return Error::invalidInput("a reason of 1-2000 characters is required", "reason");
  }
  return ok();
}

}  // namespace

Result<ApplicationStatus> Engine::approveHumanTask(std::string_view id, std::string_view step,
                                                   std::string_view actor) {
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    HumanTaskRecord* task = draft.findTask(step);
    if (task == nullptr) return Error::notFound("no human task for step " + std::string(step));
    if (draft.terminal() || task->state != HumanTaskState::kOpen) {
      return Error::conflict("the " + task->kind + " task of step " + std::string(step) + " is " +
                             std::string(toString(task->state)) + " and cannot be approved");
    }
    task->state = HumanTaskState::kApproved;
    task->decided_by = std::string(actor);
    task->reason.clear();
    task->decided_at = draft.now();
    draft.markTask(*task);
    draft.record("human_task.approved", step, actor, Detail().set("kind", task->kind));
    return draft.advance();
  });
}

Result<ApplicationStatus> Engine::rejectHumanTask(std::string_view id, std::string_view step,
                                                  std::string_view actor, std::string_view reason) {
  if (Result<void> valid = requireReason(reason); !valid) return valid.error();
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    HumanTaskRecord* task = draft.findTask(step);
    StepRecord* record = draft.findStep(step);
    if (task == nullptr || record == nullptr) {
      return Error::notFound("no human task for step " + std::string(step));
    }
    if (draft.terminal() ||
        (task->state != HumanTaskState::kOpen && task->state != HumanTaskState::kMoreInfo)) {
      return Error::conflict("the " + task->kind + " task of step " + std::string(step) + " is " +
                             std::string(toString(task->state)) + " and cannot be rejected");
    }
    task->state = HumanTaskState::kRejected;
    task->decided_by = std::string(actor);
    task->reason = std::string(reason);
    task->decided_at = draft.now();
    draft.markTask(*task);
    draft.record("human_task.rejected", step, actor,
                 Detail().set("kind", task->kind).set("reason", reason));
    if (Result<void> failed =
            draft.failStep(*record, FailureKind::kHumanRejected, "HUMAN_REJECTED", reason, actor);
        !failed) {
      return failed;
    }
    return draft.endApplication(ApplicationState::kRejected, actor, reason);
  });
}

Result<ApplicationStatus> Engine::requestMoreInfo(std::string_view id, std::string_view step,
                                                  std::string_view actor, std::string_view reason) {
  if (Result<void> valid = requireReason(reason); !valid) return valid.error();
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    HumanTaskRecord* task = draft.findTask(step);
    if (task == nullptr) return Error::notFound("no human task for step " + std::string(step));
    if (draft.terminal() || task->state != HumanTaskState::kOpen) {
      return Error::conflict("the " + task->kind + " task of step " + std::string(step) + " is " +
                             std::string(toString(task->state)) +
                             "; only an open task can ask for more information");
    }
    task->state = HumanTaskState::kMoreInfo;
    task->decided_by = std::string(actor);
    task->reason = std::string(reason);
    task->decided_at = draft.now();
    draft.markTask(*task);
    draft.record("human_task.more_info", step, actor,
                 Detail().set("kind", task->kind).set("reason", reason));
    return ok();
  });
}

Result<ApplicationStatus> Engine::retryStep(std::string_view id, std::string_view step,
                                            std::string_view actor) {
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    StepRecord* record = draft.findStep(step);
    if (record == nullptr) return Error::notFound("no step " + std::string(step));
    if (draft.terminal() || record->state != StepState::kFailed) {
      return Error::conflict("step " + std::string(step) + " is " +
                             std::string(toString(record->state)) + " in a " +
                             std::string(toString(draft.application().state)) +
                             " application; only a failed step of an open application can be "
                             "retried");
    }
    const bool same_message = fateUnknown(record->failure);
    if (!same_message) record->revision += 1;
    record->attempts = 0;
    record->polls = 0;
    record->failure = FailureKind::kNone;
    record->reason_code.clear();
    record->reason.clear();
    record->finished_at.reset();
    if (Result<void> moved = draft.moveStep(*record, StepState::kPending); !moved) return moved;
    draft.record("step.retried", step, actor,
                 Detail().set("revision", record->revision).set("same_message", same_message));
    return draft.advance();
  });
}

Result<ApplicationStatus> Engine::cancelStep(std::string_view id, std::string_view step,
                                             std::string_view actor, std::string_view reason) {
  if (Result<void> valid = requireReason(reason); !valid) return valid.error();
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    StepRecord* record = draft.findStep(step);
    if (record == nullptr) return Error::notFound("no step " + std::string(step));
    if (draft.terminal() || record->state == StepState::kDone ||
        record->state == StepState::kFailed) {
      return Error::conflict("step " + std::string(step) + " is " +
                             std::string(toString(record->state)) + " and cannot be cancelled");
    }
    return draft.failStep(*record, FailureKind::kCancelled, "CANCELLED",
                          "Cancelled by " + std::string(actor) + ": " + std::string(reason), actor);
  });
}

Result<ApplicationStatus> Engine::cancelApplication(std::string_view id, std::string_view actor,
                                                    std::string_view reason) {
  if (Result<void> valid = requireReason(reason); !valid) return valid.error();
  return mutateAndStatus(id, [&](Draft& draft) -> Result<void> {
    return draft.endApplication(ApplicationState::kCancelled, actor, reason);
  });
}

Result<void> Engine::verifyAuditLog(std::string_view expected_head_hash) {
  return orchestrator::verifyAuditLog(store_, expected_head_hash);
}

// --- Start-up --------------------------------------------------------------------------------

Result<void> Engine::checkFlowVersionsInUse() {
  Result<std::vector<int>> in_use = store_.flowVersionsInUse();
  if (!in_use) return in_use.error();
  std::string missing;
  for (int version : *in_use) {
    if (flows_.find(version) == nullptr) {
      missing += (missing.empty() ? "" : ", ") + std::to_string(version);
    }
  }
  if (missing.empty()) return ok();
  return Error::internal("unfinished applications run on flow version(s) " + missing +
                         ", which are not in the flow directory; put those definitions back");
}

Result<int> Engine::releaseLeases(std::string_view owner) { return store_.releaseLeases(owner); }

// --- Dispatcher and TimerLoop ----------------------------------------------------------------

Result<std::vector<OutboxMessage>> Engine::claimDueOutbox(int limit, std::string_view owner,
                                                          std::chrono::seconds lease) {
  const SystemTime now = clock_.now();
  return store_.claimDueOutbox(now, limit, owner, now + lease);
}

Result<std::vector<TimerRecord>> Engine::claimDueTimers(int limit, std::string_view owner,
                                                        std::chrono::seconds lease) {
  const SystemTime now = clock_.now();
  return store_.claimDueTimers(now, limit, owner, now + lease);
}

Result<std::optional<PreparedSend>> Engine::prepareSend(const OutboxMessage& row) {
  using Prepared = std::optional<PreparedSend>;
  Result<ApplicationSnapshot> loaded = store_.load(row.application_id);
  if (!loaded) return loaded.error();
  const auto snapshot = std::make_shared<const ApplicationSnapshot>(std::move(loaded).value());
  const ApplicationRecord& app = snapshot->application;
  Result<const FlowDefinition*> flow = flowOf(app);
  if (!flow) return flow.error();

  if (row.kind == OutboxKind::kNotify) {
    Result<Application> application = openApplication(app);
    if (!application) return application.error();
    PreparedSend send;
    send.snapshot = snapshot;
    send.kind = OutboxKind::kNotify;
    send.phone = application->contact_phone;
    send.text = notificationText(row.payload, app.id);
    return Prepared{std::move(send)};
  }

  const StepRecord* step = snapshot->step(row.step_id);
  const StepState wanted =
      row.kind == OutboxKind::kDispatch ? StepState::kDispatched : StepState::kAcknowledged;
  if (isTerminal(app.state) || step == nullptr || step->state != wanted ||
      step->message_id != row.message_id) {
    Result<ApplicationSnapshot> settled = mutate(
        row.application_id,
        [&](Draft& draft) {
          draft.settleRow(row, true);
          return ok();
        },
        snapshot.get());
    if (!settled) return settled.error();
    return Prepared{};
  }
  const StepDefinition* def = (*flow)->step(row.step_id);
  PreparedSend send;
  send.snapshot = snapshot;
  send.kind = row.kind;
  send.adapter = def->adapter;
  send.request.message_id = row.message_id;
  send.request.application_id = app.id;
  send.request.step = row.step_id;
  if (row.kind == OutboxKind::kDispatch) {
    Result<Application> application = openApplication(app);
    if (!application) return application.error();
    send.request.application = std::move(application).value();
    // Every step upstream, not only the direct ones: the bank needs the registry's USCC even
    // though it waits for the seal step.
    std::set<std::string, std::less<>> upstream;
    std::vector<std::string> pending = def->depends_on;
    while (!pending.empty()) {
      std::string next = std::move(pending.back());
      pending.pop_back();
      if (!upstream.insert(next).second) continue;
      for (const std::string& d : (*flow)->step(next)->depends_on) pending.push_back(d);
    }
    for (const std::string& id : upstream) {
      const StepRecord* dependency = snapshot->step(id);
      if (dependency == nullptr) continue;
      Result<adapters::Outputs> outputs = openOutputs(app.id, *dependency);
      if (!outputs) return outputs.error();
      for (auto& [key, value] : *outputs) send.request.inputs[key] = value;
    }
  }
  return Prepared{std::move(send)};
}

Result<void> Engine::recordDispatchResult(const OutboxMessage& row,
                                          const Result<adapters::Ack>& result,
                                          const ApplicationSnapshot* read_before) {
  Result<ApplicationSnapshot> done = mutate(
      row.application_id,
      [&](Draft& draft) -> Result<void> {
        StepRecord* step = draft.findStep(row.step_id);
        if (draft.terminal() || step == nullptr || step->state != StepState::kDispatched ||
            step->message_id != row.message_id) {
          draft.settleRow(row, true);
          return ok();
        }
        const StepDefinition& def = draft.definition(*step);
        const std::string actor = "partner:" + def.adapter;
        step->attempts += 1;
        draft.markStep(*step);
        if (result) {
          draft.settleRow(row, true);
          return draft.acknowledge(*step, result->partner_reference, actor);
        }
        const Error& error = result.error();
        if (isTransient(error.code)) {
          if (mayRetry(def.retry, step->attempts)) {
            const SystemTime next =
                draft.now() + std::chrono::duration_cast<SystemTime::duration>(retryDelay(
                                  def.retry, step->attempts, jitterSeed(step->message_id)));
            draft.settleRow(row, false, next, step->attempts);
            draft.record("step.send_failed", step->step_id, kSystem,
                         Detail()
                             .set("message_id", step->message_id)
                             .set("attempt", step->attempts)
                             .set("error", errorCodeName(error.code))
                             .set("message", error.message)
                             .time("next_attempt_at", next));
            return ok();
          }
          return draft.failStep(
              *step, FailureKind::kUnreachable, "UNREACHABLE",
              "The " + def.adapter + " partner did not take the request after " +
                  ordinalAttempts(step->attempts) + " (last error: " + error.toString() +
                  "). Retry the step once the partner is reachable; the same message is resent, so "
                  "nothing happens twice.",
              kSystem);
        }
        const bool refused = error.code == ErrorCode::kRejected;
        return draft.failStep(
            *step, refused ? FailureKind::kPartnerRejected : FailureKind::kInvalidRequest,
            refused ? "REQUEST_REFUSED" : "INVALID_REQUEST",
            "The " + def.adapter + " partner refused the request: " + error.message, actor);
      },
      read_before);
  if (!done) return done.error();
  return ok();
}

Result<void> Engine::recordPollResult(const OutboxMessage& row,
                                      const Result<adapters::StepOutcome>& result,
                                      const ApplicationSnapshot* read_before) {
  Result<ApplicationSnapshot> done = mutate(
      row.application_id,
      [&](Draft& draft) -> Result<void> {
        StepRecord* step = draft.findStep(row.step_id);
        if (draft.terminal() || step == nullptr || step->state != StepState::kAcknowledged ||
            step->message_id != row.message_id) {
          draft.settleRow(row, true);
          return ok();
        }
        const StepDefinition& def = draft.definition(*step);
        const std::string actor = "partner:" + def.adapter;
        auto pollAgain = [&] {
          step->polls += 1;
          draft.markStep(*step);
          draft.settleRow(row, false,
                          draft.now() + std::chrono::duration_cast<SystemTime::duration>(
                                            pollDelay(def.poll, step->polls)),
                          row.attempts);
        };
        if (result) {
          if (result->kind == adapters::OutcomeKind::kPending) {
            pollAgain();
            return ok();
          }
          draft.settleRow(row, true);
          adapters::StepOutcome outcome = *result;
          outcome.message_id = row.message_id;
          Result<OutcomeDisposition> applied = draft.applyOutcome(*step, outcome, actor);
          if (!applied) return applied.error();
          return ok();
        }
        if (result.error().code == ErrorCode::kNotFound) {
          // The partner acknowledged the request and then lost it: send it again, same id.
          if (!mayRetry(def.retry, step->attempts)) {
            return draft.failStep(
                *step, FailureKind::kUnreachable, "LOST_BY_PARTNER",
                "The " + def.adapter +
                    " partner acknowledged the request but no longer knows it, and "
                    "the attempts are used up. Ask the partner, then retry.",
                kSystem);
          }
          draft.settleRow(row, true);
          draft.record("step.resent", step->step_id, kSystem,
                       Detail()
                           .set("message_id", step->message_id)
                           .set("reason", "the partner no longer knows the request"));
          return draft.dispatchStep(*step, draft.now(), kSystem);
        }
        pollAgain();
        draft.record("step.poll_failed", step->step_id, kSystem,
                     Detail()
                         .set("message_id", step->message_id)
                         .set("error", errorCodeName(result.error().code))
                         .set("message", result.error().message));
        return ok();
      },
      read_before);
  if (!done) return done.error();
  return ok();
}

Result<void> Engine::recordNotifyResult(const OutboxMessage& row, const Result<void>& result,
                                        const ApplicationSnapshot* read_before) {
  Result<ApplicationSnapshot> done = mutate(
      row.application_id,
      [&](Draft& draft) -> Result<void> {
        if (result) {
          draft.settleRow(row, true);
          draft.record("notification.sent", "", kSystem,
                       Detail().set("milestone", row.payload).set("message_id", row.message_id));
          return ok();
        }
        const int attempts = row.attempts + 1;
        if (isTransient(result.error().code) && mayRetry(options_.notification_retry, attempts)) {
          draft.settleRow(
              row, false,
              draft.now() + std::chrono::duration_cast<SystemTime::duration>(retryDelay(
                                options_.notification_retry, attempts, jitterSeed(row.message_id))),
              attempts);
          return ok();
        }
        draft.settleRow(row, true);
        draft.record("notification.failed", "", kSystem,
                     Detail()
                         .set("milestone", row.payload)
                         .set("attempts", attempts)
                         .set("error", result.error().toString()));
        return ok();
      },
      read_before);
  if (!done) return done.error();
  return ok();
}

Result<void> Engine::fireTimer(const TimerRecord& timer) {
  Result<ApplicationSnapshot> done =
      mutate(timer.application_id, [&](Draft& draft) -> Result<void> {
        draft.change().fired_timers.push_back(timer.id);
        if (draft.terminal()) return ok();
        const uint32_t flags =
            timer.kind == TimerKind::kBreach ? (kFlagAtRisk | kFlagBreached) : kFlagAtRisk;
        const std::string what = timer.kind == TimerKind::kBreach ? "breached" : "at_risk";
        // A flag that is already set means this timer (or a twin claimed after a lease
        // expired) fired before: mark it fired and record nothing twice.
        if (timer.step_id.empty()) {
          if ((draft.application().flags & flags) == flags) return ok();
          draft.application().flags |= flags;
          draft.record("application." + what, "", kSystem,
                       Detail().time("deadline", draft.application().deadline_at));
          return ok();
        }
        StepRecord* step = draft.findStep(timer.step_id);
        if (step == nullptr || step->state == StepState::kDone) return ok();
        if ((step->flags & flags) == flags) return ok();
        step->flags |= flags;
        draft.markStep(*step);
        Detail detail;
        if (step->budget_due_at) detail.time("budget_due_at", *step->budget_due_at);
        draft.record("step." + what, step->step_id, kSystem, detail);
        return ok();
      });
  if (!done) return done.error();
  return ok();
}

}  // namespace kaiban::orchestrator
