#include "orchestrator/engine/engine.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/timestamp.h"
#include "orchestrator/engine/engine_json.h"
#include "orchestrator/engine/engine_test_support.h"
#include "orchestrator/engine/message_id.h"

namespace kaiban::orchestrator {
namespace {

using adapters::OutcomeKind;
using std::chrono::hours;
using std::chrono::minutes;

std::vector<std::string> eventTypes(Engine& engine, const std::string& id) {
  std::vector<std::string> types;
  for (const EventRecord& event : valueOf(engine.history(id))) {
    types.push_back(event.step_id.empty() ? event.type : event.type + ":" + event.step_id);
  }
  return types;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST_P(EngineTest, SubmissionStoresTheApplicationWithItsDeadlineAndQueuesRegistration) {
  SubmitResult result = submit();
  EXPECT_EQ(result.application_id.size(), 16u);
  EXPECT_EQ(result.application_id.substr(0, 2), "KB");
  EXPECT_EQ(result.state, ApplicationState::kSubmitted);
  EXPECT_EQ(result.flow_version, 1);
  EXPECT_EQ(formatIso8601(result.deadline), "2026-03-13T10:00:00+08:00");

  ApplicationStatus s = status(result.application_id);
  EXPECT_EQ(s.state, ApplicationState::kSubmitted);
  EXPECT_EQ(s.kiosk_id, "QD-SN-0001");
  EXPECT_EQ(s.bank_code, "QDBANK");
  EXPECT_EQ(s.district, "370202");
  ASSERT_EQ(s.steps.size(), 5u);
  const StepStatus& registration = stepOf(s, "registration");
  EXPECT_EQ(registration.state, StepState::kDispatched);
  EXPECT_EQ(registration.message_id, messageIdFor(result.application_id, "registration", 1));
  EXPECT_LE(registration.message_id.size(), 35u);
  EXPECT_EQ(registration.ready_at, clock_.now());
  ASSERT_TRUE(registration.budget_due_at.has_value());
  EXPECT_EQ(formatIso8601(*registration.budget_due_at), "2026-03-10T16:00:00+08:00");
  for (const char* later : {"seal", "tax_registration", "bank_account", "tax_bank_agreement"}) {
    EXPECT_EQ(stepOf(s, later).state, StepState::kPending) << later;
    EXPECT_EQ(stepOf(s, later).message_id, "") << later;
  }
  // One commit wrote the history, the outbox and the timers.
  EXPECT_EQ(eventTypes(engine(), result.application_id),
            (std::vector<std::string>{"application.submitted", "step.dispatched:registration"}));
  Result<std::vector<OutboxMessage>> outbox = store().outboxOf(result.application_id);
  ASSERT_EQ(outbox->size(), 2u);  // the registration request and the "submitted" SMS
  Result<std::vector<TimerRecord>> timers = store().timersOf(result.application_id);
  EXPECT_EQ(timers->size(), 4u);  // application and registration: at risk and breach each
  EXPECT_TRUE(engine().verifyAuditLog());
}

TEST_P(EngineTest, TheDispatcherSendsTheWholeApplicationAndRecordsTheAck) {
  SubmitResult result = submit();
  EXPECT_EQ(drive(), 2);
  ASSERT_EQ(registry_.dispatchCalls(), 1);
  const adapters::StepRequest request = *registry_.lastRequest();
  EXPECT_EQ(request.message_id, messageOf(result.application_id, "registration"));
  EXPECT_EQ(request.application_id, result.application_id);
  EXPECT_EQ(request.step, "registration");
  EXPECT_EQ(request.application, companyApplication());
  EXPECT_TRUE(request.inputs.empty());

  ApplicationStatus s = status(result.application_id);
  EXPECT_EQ(s.state, ApplicationState::kInProgress);
  const StepStatus& registration = stepOf(s, "registration");
  EXPECT_EQ(registration.state, StepState::kAcknowledged);
  EXPECT_EQ(registration.attempts, 1);
  EXPECT_EQ(registration.partner_reference, "registry-1");
  ASSERT_EQ(notifier_.sent().size(), 1u);
  EXPECT_EQ(notifier_.sent()[0].phone, "13800138000");
  EXPECT_NE(notifier_.sent()[0].text.find(result.application_id), std::string::npos);
  // Only the late-callback poll is left, due in 15 minutes.
  Result<std::vector<OutboxMessage>> outbox = store().outboxOf(result.application_id);
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ(outbox->front().kind, OutboxKind::kPoll);
  EXPECT_EQ(outbox->front().next_attempt_at, clock_.now() + minutes{15});
}

TEST_P(EngineTest, TheNextStepOfAnOlderApplicationIsServedBeforeNewerSubmissions) {
  const SystemTime first_submitted = clock_.now();
  const std::string older = submit().application_id;
  drive();
  clock_.advance(minutes{10});
  const std::string newer = submit().application_id;  // its registration is not sent yet
  clock_.advance(minutes{1});
  ASSERT_EQ(callback(older, "registration", adapters::OutcomeKind::kDone,
                     {{"uscc", "91370202MA3C4XYZ1K"}, {"licence_ref", "LIC-2026-0001"}}),
            OutcomeDisposition::kApplied);

  // The older application's seal request counts as due since it was submitted, so the
  // outbox serves it before the newer application's registration request.
  Result<std::vector<OutboxMessage>> outbox = store().outboxOf(older);
  ASSERT_TRUE(outbox);
  int dispatches = 0;
  for (const OutboxMessage& row : *outbox) {
    if (row.kind != OutboxKind::kDispatch) continue;
    ++dispatches;
    EXPECT_EQ(row.next_attempt_at, first_submitted) << row.step_id;
  }
  EXPECT_EQ(dispatches, 2);  // seal and tax registration
  Result<std::vector<OutboxMessage>> claimed =
      engine().claimDueOutbox(1, "worker", std::chrono::seconds{30});
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().application_id, older);
  EXPECT_NE(claimed->front().application_id, newer);
}

TEST_P(EngineTest, ACompleteRunPassesOutputsDownstreamAndCompletes) {
  const std::string id = submit().application_id;
  completeStep(id, "registration");
  drive();
  // Registration's outputs reach both next steps.
  ASSERT_EQ(seal_.dispatchCalls(), 1);
  EXPECT_EQ(seal_.lastRequest()->inputs.at("uscc"), "91370202MA3C4XYZ1K");
  ASSERT_EQ(tax_registration_.dispatchCalls(), 1);
  EXPECT_EQ(tax_registration_.lastRequest()->inputs.at("licence_ref"), "LIC-2026-0001");

  completeStep(id, "seal");
  ApplicationStatus s = status(id);
  // The bank account waits for the officer's KYC review; its budget runs from now.
  const StepStatus& bank = stepOf(s, "bank_account");
  EXPECT_EQ(bank.state, StepState::kPending);
  ASSERT_TRUE(bank.human_task.has_value());
  EXPECT_EQ(bank.human_task->kind, "kyc_review");
  EXPECT_EQ(bank.human_task->role, "bank_staff");
  EXPECT_EQ(bank.human_task->state, HumanTaskState::kOpen);
  EXPECT_EQ(bank.ready_at, clock_.now());
  HumanTaskFilter open_tasks;
  open_tasks.bank_code = "QDBANK";
  open_tasks.state = HumanTaskState::kOpen;
  EXPECT_EQ(engine().humanTasks(open_tasks)->size(), 1u);
  drive();
  EXPECT_EQ(bank_.dispatchCalls(), 0);

  Result<ApplicationStatus> approved = engine().approveHumanTask(id, "bank_account", "staff:li");
  ASSERT_TRUE(approved) << approved.error();
  EXPECT_EQ(stepOf(*approved, "bank_account").state, StepState::kDispatched);
  EXPECT_EQ(stepOf(*approved, "bank_account").human_task->decided_by, "staff:li");
  drive();
  ASSERT_EQ(bank_.dispatchCalls(), 1);
  // Every upstream output, not only the direct dependency's.
  EXPECT_EQ(bank_.lastRequest()->inputs.at("uscc"), "91370202MA3C4XYZ1K");
  EXPECT_EQ(bank_.lastRequest()->inputs.at("seal_codes"), "3702020012345,3702020012346");

  completeStep(id, "bank_account");
  drive();
  EXPECT_EQ(tax_agreement_.dispatchCalls(), 0);  // still waits for tax registration
  completeStep(id, "tax_registration");
  drive();
  ASSERT_EQ(tax_agreement_.dispatchCalls(), 1);
  EXPECT_EQ(tax_agreement_.lastRequest()->inputs.at("account_number"), "6222020200112233445");
  EXPECT_EQ(tax_agreement_.lastRequest()->inputs.at("taxpayer_id"), "91370202MA3C4XYZ1K");
  completeStep(id, "tax_bank_agreement");
  drive();

  s = status(id);
  EXPECT_EQ(s.state, ApplicationState::kCompleted);
  EXPECT_TRUE(s.attention.empty());
  EXPECT_EQ(s.outputs.at("uscc"), "91370202MA3C4XYZ1K");
  EXPECT_EQ(s.outputs.at("account_number"), "6222020200112233445");
  EXPECT_EQ(s.outputs.at("agreement_ref"), "TBA-2026-77");
  for (const StepStatus& step : s.steps) EXPECT_EQ(step.state, StepState::kDone) << step.id;
  EXPECT_TRUE(store().outboxOf(id)->empty());
  EXPECT_TRUE(store().timersOf(id)->empty());  // none fired in time; all cancelled
  ASSERT_EQ(notifier_.sent().size(), 2u);
  EXPECT_NE(notifier_.sent()[1].text.find("办结"), std::string::npos);
  // Every partner saw exactly one message per step.
  for (auto* partner : {&registry_, &seal_, &bank_, &tax_registration_, &tax_agreement_}) {
    EXPECT_EQ(partner->effects().size(), 1u) << partner->partner();
  }
  std::vector<std::string> types = eventTypes(engine(), id);
  EXPECT_TRUE(contains(types, "human_task.opened:bank_account"));
  EXPECT_TRUE(contains(types, "human_task.approved:bank_account"));
  EXPECT_TRUE(contains(types, "step.done:tax_bank_agreement"));
  EXPECT_EQ(types.back(), "notification.sent");
  EXPECT_TRUE(engine().verifyAuditLog());
}

TEST_P(EngineTest, TheSameKeyAndBodyReturnTheFirstResult) {
  const Application application = companyApplication();
  Result<SubmitResult> first = engine().submit(application, "QD-SN-0001", "k-1", "body-hash");
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(first->created);
  drive();
  Result<SubmitResult> again = engine().submit(application, "QD-SN-0001", "k-1", "body-hash");
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->application_id, first->application_id);
  EXPECT_EQ(again->deadline, first->deadline);
  EXPECT_EQ(again->state, ApplicationState::kInProgress);  // the state now
  EXPECT_EQ(engine().list({})->applications.size(), 1u);
  EXPECT_EQ(registry_.dispatchCalls(), 1);

  Result<SubmitResult> other = engine().submit(application, "QD-SN-0001", "k-1", "other-hash");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_NE(other.error().message.find("k-1"), std::string::npos);
  // Keys belong to one kiosk: another kiosk may use the same key.
  Application elsewhere = companyApplication();
  elsewhere.kiosk_id = "QD-SN-0002";
  Result<SubmitResult> second = engine().submit(elsewhere, "QD-SN-0002", "k-1", "body-hash");
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->created);
  EXPECT_NE(second->application_id, first->application_id);
}

TEST_P(EngineTest, AnInvalidApplicationGetsEveryProblemAndStoresNothing) {
  Application broken = companyApplication();
  broken.enterprise.name = "";
  broken.contact_phone = "12345";
  broken.seal.shop = "";
  Result<SubmitResult> result = engine().submit(broken, "QD-SN-0001", "k-1", "h-1");
  ASSERT_TRUE(result) << result.error();
  EXPECT_FALSE(result->accepted());
  std::vector<std::string> fields;
  for (const Problem& problem : result->problems) fields.push_back(problem.field);
  EXPECT_TRUE(contains(fields, "enterprise.name"));
  EXPECT_TRUE(contains(fields, "contact_phone"));
  EXPECT_TRUE(contains(fields, "seal.shop"));
  EXPECT_TRUE(result->application_id.empty());
  EXPECT_TRUE(engine().list({})->applications.empty());
  EXPECT_TRUE(engine().events(0, 100)->empty());
  // The key was not used up: the corrected application goes through with it.
  Result<SubmitResult> fixed = engine().submit(companyApplication(), "QD-SN-0001", "k-1", "h-2");
  ASSERT_TRUE(fixed);
  EXPECT_TRUE(fixed->created);

  Poco::JSON::Object::Ptr json = toJson(*result);
  EXPECT_EQ(json->getArray("problems")->size(), result->problems.size());
}

TEST_P(EngineTest, AKioskSubmitsOnlyForItself) {
  Result<SubmitResult> result = engine().submit(companyApplication(), "QD-SN-0009", "k-1", "h-1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kForbidden);
}

TEST_P(EngineTest, DuplicateAndLateCallbacksChangeNothing) {
  const std::string id = submit().application_id;
  drive();
  adapters::StepOutcome done;
  done.message_id = messageOf(id, "registration");
  done.kind = OutcomeKind::kDone;
  done.outputs = {{"uscc", "91370202MA3C4XYZ1K"}};
  EXPECT_EQ(engine().applyOutcome(done, "partner:registry").value(), OutcomeDisposition::kApplied);
  const ApplicationStatus before = status(id);
  const size_t events_before = engine().history(id)->size();

  EXPECT_EQ(engine().applyOutcome(done, "partner:registry").value(),
            OutcomeDisposition::kDuplicate);
  adapters::StepOutcome late = done;
  late.kind = OutcomeKind::kRejected;
  late.reason = "too late";
  EXPECT_EQ(engine().applyOutcome(late, "partner:registry").value(),
            OutcomeDisposition::kDuplicate);
  adapters::StepOutcome pending = done;
  pending.kind = OutcomeKind::kPending;
  EXPECT_EQ(engine().applyOutcome(pending, "partner:registry").value(),
            OutcomeDisposition::kDuplicate);

  const ApplicationStatus after = status(id);
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(engine().history(id)->size(), events_before);
  EXPECT_EQ(stepOf(after, "registration").outputs.at("uscc"), "91370202MA3C4XYZ1K");

  adapters::StepOutcome unknown = done;
  unknown.message_id = "KBNOSUCHAPP0000-0123456789ab";
  EXPECT_EQ(engine().applyOutcome(unknown, "partner:registry").error().code, ErrorCode::kNotFound);
}

// Claims what is due, as a dispatcher worker would, and returns the partner request among it.
OutboxMessage claimFirstDispatch(Engine& engine) {
  std::vector<OutboxMessage> claimed =
      valueOf(engine.claimDueOutbox(10, "w", std::chrono::seconds{60}));
  auto dispatch = std::find_if(claimed.begin(), claimed.end(),
                               [](const auto& m) { return m.kind == OutboxKind::kDispatch; });
  EXPECT_NE(dispatch, claimed.end());
  return dispatch != claimed.end() ? *dispatch : OutboxMessage{};
}

TEST_P(EngineTest, ACallbackBeforeTheAckIsRecordedAndTheAckIgnored) {
  const std::string id = submit().application_id;
  // The partner answers before the dispatcher has recorded its ack.
  const OutboxMessage row = claimFirstDispatch(engine());
  EXPECT_EQ(callback(id, "registration", OutcomeKind::kDone, {{"uscc", "X"}}),
            OutcomeDisposition::kApplied);
  ASSERT_TRUE(engine().recordDispatchResult(row, adapters::Ack{"late-ack"}));
  ApplicationStatus s = status(id);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kDone);
  EXPECT_EQ(stepOf(s, "seal").state, StepState::kDispatched);
  for (const OutboxMessage& m : valueOf(store().outboxOf(id))) {
    EXPECT_NE(m.message_id, row.message_id) << "no poll for a finished step";
  }
}

TEST_P(EngineTest, AnAckRecordedFromTheSnapshotReadBeforeTheCallbackIsDecidedAgain) {
  const std::string id = submit().application_id;
  const OutboxMessage row = claimFirstDispatch(engine());
  // The dispatcher reads the application to send it; the callback lands while it sends.
  Result<std::optional<PreparedSend>> prepared = engine().prepareSend(row);
  ASSERT_TRUE(prepared);
  ASSERT_TRUE(prepared->has_value());
  ASSERT_NE((*prepared)->snapshot, nullptr);
  EXPECT_EQ(callback(id, "registration", OutcomeKind::kDone, {{"uscc", "X"}}),
            OutcomeDisposition::kApplied);
  // Recording the ack from the stale snapshot loses the version race and decides again.
  ASSERT_TRUE(
      engine().recordDispatchResult(row, adapters::Ack{"late-ack"}, (*prepared)->snapshot.get()));
  ApplicationStatus s = status(id);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kDone);
  EXPECT_EQ(stepOf(s, "registration").partner_reference, "");
  EXPECT_EQ(stepOf(s, "seal").state, StepState::kDispatched);
  for (const OutboxMessage& m : valueOf(store().outboxOf(id))) {
    EXPECT_NE(m.message_id, row.message_id) << "no poll for a finished step";
  }
}

TEST_P(EngineTest, ABusinessRejectionNeedsTheApplicantAndANewNameGoesOutUnderANewId) {
  const std::string id = submit().application_id;
  drive();
  const std::string first_message = messageOf(id, "registration");
  EXPECT_EQ(callback(id, "registration", OutcomeKind::kRejected, {}, "NAME_TAKEN",
                     "企业名称已被占用 / the name is already registered"),
            OutcomeDisposition::kApplied);
  ApplicationStatus s = status(id);
  EXPECT_EQ(s.state, ApplicationState::kNeedsAttention);
  const StepStatus& failed = stepOf(s, "registration");
  EXPECT_EQ(failed.state, StepState::kFailed);
  EXPECT_EQ(failed.failure, FailureKind::kPartnerRejected);
  EXPECT_EQ(failed.reason_code, "NAME_TAKEN");
  ASSERT_EQ(s.attention.size(), 1u);
  EXPECT_NE(s.attention[0].find("name is already registered"), std::string::npos);
  EXPECT_TRUE(store().outboxOf(id)->size() <= 1u);  // at most the needs-attention SMS

  // A name that breaks the rules is refused and changes nothing.
  ApplicantAnswer bad;
  bad.enterprise_name = "海蓝";
  Result<ApplicationStatus> refused = engine().answerNeedsAttention(id, bad, "kiosk:QD-SN-0001");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(refused.error().field, "enterprise.name");

  ApplicantAnswer answer;
  answer.enterprise_name = "青岛蓝海星科技有限公司";
  Result<ApplicationStatus> answered =
      engine().answerNeedsAttention(id, answer, "kiosk:QD-SN-0001");
  ASSERT_TRUE(answered) << answered.error();
  EXPECT_EQ(answered->state, ApplicationState::kInProgress);
  const StepStatus& again = stepOf(*answered, "registration");
  EXPECT_EQ(again.state, StepState::kDispatched);
  EXPECT_EQ(again.revision, 2);
  EXPECT_NE(again.message_id, first_message);
  EXPECT_EQ(again.message_id, messageIdFor(id, "registration", 2));
  drive();
  EXPECT_EQ(registry_.lastRequest()->application.enterprise.name, "青岛蓝海星科技有限公司");
  EXPECT_EQ(registry_.lastRequest()->message_id, again.message_id);
  EXPECT_EQ(engine().application(id)->enterprise.name, "青岛蓝海星科技有限公司");

  // A late callback for the first message is recognised as stale.
  adapters::StepOutcome stale;
  stale.message_id = first_message;
  stale.kind = OutcomeKind::kDone;
  EXPECT_EQ(engine().applyOutcome(stale, "partner:registry").value(), OutcomeDisposition::kStale);
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);

  // Nothing waits for the applicant any more.
  Result<ApplicationStatus> twice = engine().answerNeedsAttention(id, answer, "kiosk:QD-SN-0001");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
}

TEST_P(EngineTest, APartnerFailureIsRetriedUnderANewMessageThenGivesUp) {
  const std::string id = submit().application_id;
  drive();
  const std::string first = messageOf(id, "registration");
  EXPECT_EQ(callback(id, "registration", OutcomeKind::kFailed, {}, "DB_DOWN", "database down"),
            OutcomeDisposition::kApplied);
  ApplicationStatus s = status(id);
  const StepStatus& retried = stepOf(s, "registration");
  EXPECT_EQ(retried.state, StepState::kDispatched);
  EXPECT_EQ(retried.revision, 2);
  EXPECT_NE(retried.message_id, first);
  EXPECT_EQ(s.state, ApplicationState::kInProgress);
  // Sent after the backoff, not at once.
  EXPECT_EQ(drive(), 0);
  clock_.advance(minutes{1});
  drive();
  EXPECT_EQ(registry_.lastRequest()->message_id, retried.message_id);

  // Keeps failing: each failure costs an attempt; after ten the step fails for good.
  for (int i = 0; i < 20 && status(id).state != ApplicationState::kNeedsAttention; ++i) {
    callback(id, "registration", OutcomeKind::kFailed, {}, "DB_DOWN", "database down");
    clock_.advance(hours{1});
    drive();
  }
  s = status(id);
  EXPECT_EQ(s.state, ApplicationState::kNeedsAttention);
  const StepStatus& failed = stepOf(s, "registration");
  EXPECT_EQ(failed.state, StepState::kFailed);
  EXPECT_EQ(failed.failure, FailureKind::kPartnerFailed);
  EXPECT_EQ(failed.attempts, 10);
  EXPECT_NE(failed.reason.find("database down"), std::string::npos) << failed.reason;
  EXPECT_EQ(registry_.effects().size(), 10u);  // ten distinct messages, each once
}

TEST_P(EngineTest, AKycRejectionRejectsTheApplication) {
  const std::string id = submit().application_id;
  completeStep(id, "registration");
  completeStep(id, "seal");
  Result<ApplicationStatus> rejected =
      engine().rejectHumanTask(id, "bank_account", "staff:li", "身份核验未通过 / KYC failed");
  ASSERT_TRUE(rejected) << rejected.error();
  EXPECT_EQ(rejected->state, ApplicationState::kRejected);
  const StepStatus& bank = stepOf(*rejected, "bank_account");
  EXPECT_EQ(bank.state, StepState::kFailed);
  EXPECT_EQ(bank.failure, FailureKind::kHumanRejected);
  EXPECT_EQ(bank.human_task->state, HumanTaskState::kRejected);
  EXPECT_EQ(bank.human_task->reason, "身份核验未通过 / KYC failed");
  // Terminal: nothing more is sent and staff actions are refused.
  for (const OutboxMessage& m : valueOf(store().outboxOf(id)))
    EXPECT_EQ(m.kind, OutboxKind::kNotify);
  EXPECT_EQ(engine().approveHumanTask(id, "bank_account", "staff:li").error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(engine().retryStep(id, "bank_account", "staff:li").error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine().cancelApplication(id, "staff:li", "x").error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine().rejectHumanTask(id, "bank_account", "staff:li", "").error().code,
            ErrorCode::kInvalidInput);
}

TEST_P(EngineTest, MoreInformationWaitsForTheApplicantThenTheOfficerDecides) {
  const std::string id = submit().application_id;
  completeStep(id, "registration");
  completeStep(id, "seal");
  Result<ApplicationStatus> asked = engine().requestMoreInfo(
      id, "bank_account", "staff:li", "请提供经营场所租赁合同 / bring the lease contract");
  ASSERT_TRUE(asked) << asked.error();
  EXPECT_EQ(asked->state, ApplicationState::kNeedsAttention);
  ASSERT_EQ(asked->attention.size(), 1u);
  EXPECT_NE(asked->attention[0].find("lease contract"), std::string::npos);
  EXPECT_EQ(engine().approveHumanTask(id, "bank_account", "staff:li").error().code,
            ErrorCode::kConflict);

  Result<ApplicationStatus> answered =
      engine().answerNeedsAttention(id, ApplicantAnswer{}, "kiosk:QD-SN-0001");
  ASSERT_TRUE(answered) << answered.error();
  EXPECT_EQ(answered->state, ApplicationState::kInProgress);
  EXPECT_EQ(stepOf(*answered, "bank_account").human_task->state, HumanTaskState::kOpen);
  Result<ApplicationStatus> approved = engine().approveHumanTask(id, "bank_account", "staff:li");
  ASSERT_TRUE(approved) << approved.error();
  EXPECT_EQ(stepOf(*approved, "bank_account").state, StepState::kDispatched);
}

TEST_P(EngineTest, StaffCancelAStuckStepAndRetryItUnderTheSameMessage) {
  const std::string id = submit().application_id;
  drive();
  const std::string message = messageOf(id, "registration");
  EXPECT_EQ(engine().cancelStep(id, "registration", "staff:li", "").error().code,
            ErrorCode::kInvalidInput);
  Result<ApplicationStatus> cancelled =
      engine().cancelStep(id, "registration", "staff:li", "registry silent for two days");
  ASSERT_TRUE(cancelled) << cancelled.error();
  EXPECT_EQ(cancelled->state, ApplicationState::kNeedsAttention);
  const StepStatus& step = stepOf(*cancelled, "registration");
  EXPECT_EQ(step.state, StepState::kFailed);
  EXPECT_EQ(step.failure, FailureKind::kCancelled);
  EXPECT_NE(step.reason.find("registry silent"), std::string::npos);
  EXPECT_EQ(engine().cancelStep(id, "registration", "staff:li", "again").error().code,
            ErrorCode::kConflict);
  drive();  // the poll row went with the cancellation
  EXPECT_EQ(registry_.pollCalls(), 0);

  // The registry may have done it: a retry resends the same message, which it deduplicates.
  Result<ApplicationStatus> retried = engine().retryStep(id, "registration", "staff:li");
  ASSERT_TRUE(retried) << retried.error();
  EXPECT_EQ(retried->state, ApplicationState::kInProgress);
  EXPECT_EQ(stepOf(*retried, "registration").message_id, message);
  EXPECT_EQ(stepOf(*retried, "registration").attempts, 0);
  drive();
  EXPECT_EQ(registry_.receipts().at(message), 2);
  EXPECT_EQ(registry_.effects().size(), 1u);
  EXPECT_EQ(engine().retryStep(id, "registration", "staff:li").error().code, ErrorCode::kConflict);
}

TEST_P(EngineTest, ALateResultForACancelledStepIsTheTruth) {
  const std::string id = submit().application_id;
  drive();
  const std::string message = messageOf(id, "registration");
  ASSERT_TRUE(engine().cancelStep(id, "registration", "staff:li", "waited too long"));
  adapters::StepOutcome done;
  done.message_id = message;
  done.kind = OutcomeKind::kDone;
  done.outputs = {{"uscc", "91370202MA3C4XYZ1K"}};
  EXPECT_EQ(engine().applyOutcome(done, "partner:registry").value(), OutcomeDisposition::kApplied);
  ApplicationStatus s = status(id);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kDone);
  EXPECT_EQ(s.state, ApplicationState::kInProgress);
  EXPECT_EQ(stepOf(s, "seal").state, StepState::kDispatched);
}

TEST_P(EngineTest, RetryAfterARefusalSendsANewMessage) {
  const std::string id = submit().application_id;
  drive();
  const std::string message = messageOf(id, "registration");
  callback(id, "registration", OutcomeKind::kRejected, {}, "REGISTRY_CLOSED", "closed today");
  Result<ApplicationStatus> retried = engine().retryStep(id, "registration", "staff:li");
  ASSERT_TRUE(retried) << retried.error();
  EXPECT_EQ(stepOf(*retried, "registration").revision, 2);
  EXPECT_NE(stepOf(*retried, "registration").message_id, message);
}

TEST_P(EngineTest, CancellingTheApplicationStopsEverything) {
  const std::string id = submit().application_id;
  drive();
  Result<ApplicationStatus> cancelled =
      engine().cancelApplication(id, "staff:li", "applicant withdrew");
  ASSERT_TRUE(cancelled) << cancelled.error();
  EXPECT_EQ(cancelled->state, ApplicationState::kCancelled);
  for (const OutboxMessage& m : valueOf(store().outboxOf(id)))
    EXPECT_EQ(m.kind, OutboxKind::kNotify);
  for (const TimerRecord& t : valueOf(store().timersOf(id))) EXPECT_TRUE(t.fired);
  drive();
  EXPECT_EQ(registry_.pollCalls(), 0);
  EXPECT_EQ(notifier_.sent().back().text.find("撤销") != std::string::npos, true);
  // Work the registry finished anyway is still recorded; nothing starts after it.
  EXPECT_EQ(callback(id, "registration", OutcomeKind::kDone, {{"uscc", "U"}}),
            OutcomeDisposition::kApplied);
  ApplicationStatus s = status(id);
  EXPECT_EQ(s.state, ApplicationState::kCancelled);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kDone);
  EXPECT_EQ(stepOf(s, "seal").state, StepState::kPending);
  EXPECT_EQ(callback(id, "registration", OutcomeKind::kRejected), OutcomeDisposition::kDuplicate);
}

TEST_P(EngineTest, ListsAndEventStreams) {
  const std::string a = submit().application_id;
  clock_.advance(minutes{1});
  Application other = companyApplication();
  other.kiosk_id = "QD-SN-0002";
  other.bank_code = "ICBC";
  const std::string b = submit(other).application_id;
  drive();

  EXPECT_EQ(engine().list({})->applications.size(), 2u);
  ListFilter by_kiosk;
  by_kiosk.kiosk_id = "QD-SN-0002";
  Result<ApplicationList> listed = engine().list(by_kiosk);
  ASSERT_EQ(listed->applications.size(), 1u);
  EXPECT_EQ(listed->applications[0].id, b);
  EXPECT_EQ(listed->applications[0].bank_code, "ICBC");
  EXPECT_EQ(listed->applications[0].state, ApplicationState::kInProgress);

  std::vector<std::string> seen;
  int64_t since = 0;
  for (int page = 0; page < 20; ++page) {
    Result<std::vector<EventRecord>> events = engine().events(since, 3);
    ASSERT_TRUE(events);
    if (events->empty()) break;
    for (const EventRecord& event : *events) {
      seen.push_back(event.application_id + ":" + event.type);
      since = event.seq;
    }
  }
  EXPECT_EQ(seen.front(), a + ":application.submitted");
  EXPECT_TRUE(contains(seen, b + ":step.acknowledged"));

  Poco::JSON::Object::Ptr json = eventsToJson(*engine().events(0, 2), 0);
  EXPECT_EQ(json->getArray("events")->size(), 2u);
  EXPECT_EQ(json->getValue<int64_t>("next_since"), 2);
}

TEST_P(EngineTest, StatusJsonHasTheDocumentedShape) {
  const std::string id = submit().application_id;
  completeStep(id, "registration");
  Poco::JSON::Object::Ptr json = toJson(status(id));
  for (const char* key : {"id", "kiosk_id", "bank_code", "district", "flow_version", "state",
                          "green_channel", "submitted_at", "deadline", "updated_at", "at_risk",
                          "breached", "version", "attention", "outputs", "steps"}) {
    EXPECT_TRUE(json->has(key)) << key;
  }
  EXPECT_EQ(json->getValue<std::string>("deadline"), "2026-03-13T10:00:00+08:00");
  Poco::JSON::Array::Ptr steps = json->getArray("steps");
  ASSERT_EQ(steps->size(), 5u);
  Poco::JSON::Object::Ptr registration = steps->getObject(0);
  EXPECT_EQ(registration->getValue<std::string>("id"), "registration");
  EXPECT_EQ(registration->getValue<std::string>("state"), "done");
  EXPECT_EQ(registration->getObject("outputs")->getValue<std::string>("uscc"),
            "91370202MA3C4XYZ1K");
  EXPECT_TRUE(registration->isNull("human_task"));
  Poco::JSON::Object::Ptr bank = steps->getObject(3);
  EXPECT_EQ(bank->getValue<std::string>("id"), "bank_account");
  EXPECT_TRUE(bank->isNull("dispatched_at"));
}

TEST_P(EngineTest, RoutesMessagesToTheirStepAndAdapter) {
  const std::string id = submit().application_id;
  Result<MessageRoute> route = engine().routeMessage(messageOf(id, "registration"));
  ASSERT_TRUE(route) << route.error();
  EXPECT_EQ(route->application_id, id);
  EXPECT_EQ(route->step_id, "registration");
  EXPECT_EQ(route->adapter, "registry");
  EXPECT_EQ(engine().routeMessage("nope").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kaiban::orchestrator

namespace kaiban::orchestrator {
namespace {

using adapters::OutcomeKind;

// The transitions the scenarios above do not pass through.
TEST_P(EngineTest, RemainingStepAndApplicationTransitions) {
  // submitted -> cancelled, before anything was sent.
  const std::string early = submit().application_id;
  ASSERT_EQ(engine().cancelApplication(early, "staff:li", "duplicate")->state,
            ApplicationState::kCancelled);

  // pending -> failed (a gated step cancelled while its review is open), failed -> pending
  // (retried: it waits for the review again), then needs_attention -> in_progress.
  const std::string gated = submit().application_id;
  completeStep(gated, "registration");
  completeStep(gated, "seal");
  Result<ApplicationStatus> cancelled =
      engine().cancelStep(gated, "bank_account", "staff:li", "branch closed");
  ASSERT_TRUE(cancelled) << cancelled.error();
  EXPECT_EQ(stepOf(*cancelled, "bank_account").state, StepState::kFailed);
  EXPECT_EQ(cancelled->state, ApplicationState::kNeedsAttention);
  Result<ApplicationStatus> retried = engine().retryStep(gated, "bank_account", "staff:li");
  ASSERT_TRUE(retried) << retried.error();
  EXPECT_EQ(stepOf(*retried, "bank_account").state, StepState::kPending);
  EXPECT_EQ(stepOf(*retried, "bank_account").human_task->state, HumanTaskState::kOpen);
  EXPECT_EQ(retried->state, ApplicationState::kInProgress);

  // needs_attention -> rejected: rejected while the applicant was asked for more.
  ASSERT_TRUE(engine().requestMoreInfo(gated, "bank_account", "staff:li", "bring the lease"));
  Result<ApplicationStatus> rejected =
      engine().rejectHumanTask(gated, "bank_account", "staff:li", "no lease after a week");
  ASSERT_TRUE(rejected) << rejected.error();
  EXPECT_EQ(rejected->state, ApplicationState::kRejected);

  // needs_attention -> cancelled.
  const std::string stuck = submit().application_id;
  drive();
  ASSERT_TRUE(engine().cancelStep(stuck, "registration", "staff:li", "silent"));
  EXPECT_EQ(engine().cancelApplication(stuck, "staff:li", "gave up")->state,
            ApplicationState::kCancelled);
}

TEST_P(EngineTest, OneStepFlowsReachTheEndsDirectly) {
  const std::filesystem::path flows = tempDir() / "one-step";
  std::filesystem::create_directories(flows);
  std::ofstream(flows / "one-v1.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<flow xmlns="urn:kaiban:flow:1" name="registration-only" version="1">
  <deadline working-days="3" green-channel-working-days="1"/>
  <step id="registration" adapter="registry" budget-working-minutes="480">
    <retry max-attempts="2" initial-backoff-seconds="10" multiplier="2" max-backoff-seconds="60"/>
  </step>
</flow>
)";
  open(flows);
  // submitted -> completed: the result arrives before the acknowledgement is recorded.
  const std::string quick = submit().application_id;
  EXPECT_EQ(callback(quick, "registration", OutcomeKind::kDone, {{"uscc", "U"}}),
            OutcomeDisposition::kApplied);
  EXPECT_EQ(status(quick).state, ApplicationState::kCompleted);

  // needs_attention -> completed: the step was given up on, then the registry reports done.
  const std::string slow = submit().application_id;
  drive();
  ASSERT_TRUE(engine().cancelStep(slow, "registration", "staff:li", "no answer"));
  EXPECT_EQ(status(slow).state, ApplicationState::kNeedsAttention);
  adapters::StepOutcome done;
  done.message_id = messageIdFor(slow, "registration", 1);
  done.kind = OutcomeKind::kDone;
  EXPECT_EQ(engine().applyOutcome(done, "partner:registry").value(), OutcomeDisposition::kApplied);
  EXPECT_EQ(status(slow).state, ApplicationState::kCompleted);
}

}  // namespace
}  // namespace kaiban::orchestrator
