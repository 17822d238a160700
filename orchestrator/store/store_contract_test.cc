#include "orchestrator/store/store_contract_test.h"

#include <atomic>
#include <set>
#include <thread>

#include "core/timestamp.h"

namespace kaiban::orchestrator {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

SystemTime at(std::string_view iso) { return parseIso8601(iso).value(); }

const SystemTime kT0 = at("2026-03-10T10:00:00+08:00");

ApplicationRecord application(const std::string& id, SystemTime submitted_at = kT0,
                              const std::string& kiosk = "QD-SN-0001",
                              const std::string& bank = "QDBANK",
                              const std::string& district = "370202") {
  ApplicationRecord record;
  record.id = id;
  record.kiosk_id = kiosk;
  record.bank_code = bank;
  record.district = district;
  record.flow_version = 1;
  record.state = ApplicationState::kSubmitted;
  record.submitted_at = submitted_at;
  record.deadline_at = submitted_at + hours{72};
  record.updated_at = submitted_at;
  record.sealed_application = std::string("\x01\x01sealed-bytes\x00\xff", 16);
  record.legal_representative_index = "index-of-" + id;
  return record;
}

StepRecord step(const std::string& id, StepState state = StepState::kPending) {
  StepRecord record;
  record.step_id = id;
  record.state = state;
  return record;
}

EventRecord event(const std::string& type, const std::string& step_id = "") {
  EventRecord record;
  record.type = type;
  record.step_id = step_id;
  record.actor = "system";
  record.at = kT0;
  record.detail = R"({"k":"v"})";
  return record;
}

AuditInput audit(const std::string& application_id, const std::string& action) {
  return AuditInput{kT0, "system", application_id, action, R"({"why":"test"})"};
}

OutboxMessage outbox(const std::string& application_id, const std::string& step_id,
                     const std::string& message_id, SystemTime due,
                     OutboxKind kind = OutboxKind::kDispatch) {
  OutboxMessage message;
  message.message_id = message_id;
  message.application_id = application_id;
  message.step_id = step_id;
  message.kind = kind;
  message.next_attempt_at = due;
  return message;
}

TimerRecord timer(const std::string& step_id, TimerKind kind, SystemTime due) {
  TimerRecord record;
  record.step_id = step_id;
  record.kind = kind;
  record.due_at = due;
  return record;
}

Change creation(const std::string& id, SystemTime submitted_at = kT0) {
  Change change;
  change.application = application(id, submitted_at);
  change.steps = {step("registration"), step("seal")};
  change.events = {event("application.submitted")};
  change.audit = {audit(id, "application.submitted")};
  return change;
}

// A change that keeps the stored row as it is apart from what the test sets.
Change updateOf(const ApplicationSnapshot& snapshot) {
  Change change;
  change.application = snapshot.application;
  return change;
}

std::vector<std::string> ids(const ApplicationPage& page) {
  std::vector<std::string> result;
  for (const ApplicationRecord& record : page.applications) result.push_back(record.id);
  return result;
}

}  // namespace

void StoreContractTest::SetUp() {
  harness_ = GetParam().make();
  if (IsSkipped()) return;  // the backend is not available here; make() said why
  ASSERT_NE(harness_, nullptr);
  store_ = harness_->open();
  ASSERT_NE(store_, nullptr);
}

void StoreContractTest::TearDown() {
  store_.reset();
  harness_.reset();
}

void StoreContractTest::reopen() {
  store_.reset();
  store_ = harness_->open();
  ASSERT_NE(store_, nullptr);
}

TEST_P(StoreContractTest, CreatesAndLoadsAnApplication) {
  Change change = creation("A1");
  change.human_tasks = {HumanTaskRecord{"seal", "kyc_review", "bank_staff", HumanTaskState::kOpen,
                                        "", "", kT0, std::nullopt}};
  ASSERT_TRUE(store_->commit("A1", 0, change, {}));
  Result<ApplicationSnapshot> loaded = store_->load("A1");
  ASSERT_TRUE(loaded) << loaded.error();
  ApplicationRecord expected = change.application;
  expected.version = 1;
  EXPECT_EQ(loaded->application, expected);
  ASSERT_EQ(loaded->steps.size(), 2u);
  EXPECT_EQ(loaded->steps[0], step("registration"));
  EXPECT_EQ(loaded->steps[1], step("seal"));
  ASSERT_EQ(loaded->human_tasks.size(), 1u);
  EXPECT_EQ(loaded->human_tasks[0], change.human_tasks[0]);
  EXPECT_NE(loaded->step("seal"), nullptr);
  EXPECT_EQ(loaded->step("nope"), nullptr);

  Result<ApplicationSnapshot> missing = store_->load("NOPE");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, KeepsEveryStepFieldExactly) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  StepRecord full = step("registration", StepState::kFailed);
  full.attempts = 7;
  full.revision = 3;
  full.polls = 2;
  full.message_id = "A1-abcdef012345";
  full.ready_at = kT0;
  full.dispatched_at = kT0 + seconds{5};
  full.budget_due_at = kT0 + hours{6};
  full.finished_at = kT0 + hours{1};
  full.flags = kFlagAtRisk | kFlagBreached;
  full.failure = FailureKind::kPartnerRejected;
  full.reason_code = "NAME_TAKEN";
  full.reason = "名称已被占用 / the name is taken";
  full.partner_reference = "REG-2026-0001";
  full.sealed_outputs = std::string("\x00\x01\x02outputs", 10);
  Change change = updateOf(*store_->load("A1"));
  change.steps = {full};
  ASSERT_TRUE(store_->commit("A1", 1, change, {}));
  Result<ApplicationSnapshot> loaded = store_->load("A1");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded->step("registration"), full);
  EXPECT_EQ(*loaded->step("seal"), step("seal"));  // untouched
  EXPECT_EQ(loaded->application.version, 2);
}

TEST_P(StoreContractTest, RefusesToCreateAnExistingApplication) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  Result<void> again = store_->commit("A1", 0, creation("A1"), {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_P(StoreContractTest, AStaleVersionIsAConflictAndChangesNothing) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  Change first = updateOf(*store_->load("A1"));
  first.application.state = ApplicationState::kInProgress;
  ASSERT_TRUE(store_->commit("A1", 1, first, {}));

  Change stale = updateOf(*store_->load("A1"));
  stale.application.state = ApplicationState::kCancelled;
  stale.steps = {step("registration", StepState::kFailed)};
  stale.events = {event("stale.event")};
  stale.audit = {audit("A1", "stale.audit")};
  stale.new_timers = {timer("", TimerKind::kBreach, kT0)};
  std::vector<OutboxMessage> outgoing = {outbox("A1", "seal", "A1-stale", kT0)};
  Result<void> result = store_->commit("A1", 1, stale, outgoing);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);

  Result<ApplicationSnapshot> loaded = store_->load("A1");
  EXPECT_EQ(loaded->application.state, ApplicationState::kInProgress);
  EXPECT_EQ(loaded->application.version, 2);
  EXPECT_EQ(loaded->step("registration")->state, StepState::kPending);
  EXPECT_EQ(store_->history("A1")->size(), 1u);
  EXPECT_TRUE(store_->outboxOf("A1")->empty());
  EXPECT_TRUE(store_->timersOf("A1")->empty());
  EXPECT_EQ(store_->auditLog(0, 100)->size(), 1u);
}

TEST_P(StoreContractTest, UpdatingAMissingApplicationIsNotFound) {
  Change change;
  change.application = application("GHOST");
  Result<void> result = store_->commit("GHOST", 3, change, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, SealedDataIsRewrittenOnlyWhenAsked) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  Change change = updateOf(*store_->load("A1"));
  change.application.sealed_application = "other bytes";
  change.application.legal_representative_index = "other index";
  ASSERT_TRUE(store_->commit("A1", 1, change, {}));
  EXPECT_EQ(store_->load("A1")->application.sealed_application,
            application("A1").sealed_application);

  change = updateOf(*store_->load("A1"));
  change.application.sealed_application = "new sealed bytes";
  change.application.legal_representative_index = "new index";
  change.rewrite_sealed_application = true;
  ASSERT_TRUE(store_->commit("A1", 2, change, {}));
  EXPECT_EQ(store_->load("A1")->application.sealed_application, "new sealed bytes");
  EXPECT_EQ(*store_->findByLegalRepresentative("new index"), std::vector<std::string>{"A1"});
}

TEST_P(StoreContractTest, EveryPartOfAFailedCommitIsRolledBack) {
  // The idempotency key is the last thing a commit writes; a clash there must undo the
  // application, steps, tasks, events, audit entries, timers and outbox rows written before.
  Change first = creation("A1");
  first.idempotency = IdempotencyRecord{"QD-SN-0001", "key-1", "hash-1", "A1", kT0};
  ASSERT_TRUE(store_->commit("A1", 0, first, {}));

  Change second = creation("A2");
  second.human_tasks = {HumanTaskRecord{"seal", "kyc_review", "bank_staff", HumanTaskState::kOpen,
                                        "", "", kT0, std::nullopt}};
  second.new_timers = {timer("", TimerKind::kAtRisk, kT0)};
  second.idempotency = IdempotencyRecord{"QD-SN-0001", "key-1", "hash-2", "A2", kT0};
  std::vector<OutboxMessage> outgoing = {outbox("A2", "registration", "A2-m1", kT0)};
  Result<void> result = store_->commit("A2", 0, second, outgoing);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);

  EXPECT_EQ(store_->load("A2").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->history("A2")->empty());
  EXPECT_TRUE(store_->outboxOf("A2")->empty());
  EXPECT_TRUE(store_->timersOf("A2")->empty());
  EXPECT_EQ(store_->auditLog(0, 100)->size(), 1u);
  EXPECT_TRUE(store_->listHumanTasks({})->empty());
  EXPECT_EQ(store_->findIdempotencyKey("QD-SN-0001", "key-1")->value().application_id, "A1");
  EXPECT_TRUE(verifyAuditLog(*store_));
  // The store is still usable afterwards.
  second.idempotency->key = "key-2";
  EXPECT_TRUE(store_->commit("A2", 0, second, outgoing));
}

TEST_P(StoreContractTest, IdempotencyKeysAreScopedPerKiosk) {
  Change first = creation("A1");
  first.idempotency = IdempotencyRecord{"QD-SN-0001", "k", "h1", "A1", kT0};
  ASSERT_TRUE(store_->commit("A1", 0, first, {}));
  Change other = creation("A2");
  other.idempotency = IdempotencyRecord{"QD-SN-0002", "k", "h2", "A2", kT0};
  ASSERT_TRUE(store_->commit("A2", 0, other, {}));
  EXPECT_EQ(*store_->findIdempotencyKey("QD-SN-0001", "k"), first.idempotency);
  EXPECT_EQ(*store_->findIdempotencyKey("QD-SN-0002", "k"), other.idempotency);
  EXPECT_EQ(*store_->findIdempotencyKey("QD-SN-0003", "k"), std::nullopt);
}

TEST_P(StoreContractTest, HistoryAndTheEventStream) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  ASSERT_TRUE(store_->commit("A2", 0, creation("A2"), {}));
  Change change = updateOf(*store_->load("A1"));
  change.events = {event("step.dispatched", "registration"),
                   event("step.acknowledged", "registration")};
  ASSERT_TRUE(store_->commit("A1", 1, change, {}));

  Result<std::vector<EventRecord>> history = store_->history("A1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].type, "application.submitted");
  EXPECT_EQ((*history)[1].type, "step.dispatched");
  EXPECT_EQ((*history)[1].step_id, "registration");
  EXPECT_EQ((*history)[1].application_id, "A1");
  EXPECT_EQ((*history)[1].detail, R"({"k":"v"})");
  EXPECT_EQ((*history)[1].at, kT0);
  EXPECT_LT((*history)[0].seq, (*history)[1].seq);
  EXPECT_LT((*history)[1].seq, (*history)[2].seq);

  std::vector<std::string> seen;
  int64_t after = 0;
  while (true) {
    Result<std::vector<EventRecord>> page = store_->eventsSince(after, 2);
    ASSERT_TRUE(page);
    if (page->empty()) break;
    for (const EventRecord& e : *page) {
      EXPECT_GT(e.seq, after);
      after = e.seq;
      seen.push_back(e.application_id + ":" + e.type);
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"A1:application.submitted", "A2:application.submitted",
                                            "A1:step.dispatched", "A1:step.acknowledged"}));
}

TEST_P(StoreContractTest, TheAuditLogIsAHashChain) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  Change change = updateOf(*store_->load("A1"));
  change.audit = {audit("A1", "step.dispatched"), audit("A1", "step.acknowledged")};
  ASSERT_TRUE(store_->commit("A1", 1, change, {}));
  Result<std::vector<AuditRecord>> log = store_->auditLog(0, 100);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].seq, 1);
  EXPECT_EQ((*log)[0].previous_hash, kAuditGenesisHash);
  EXPECT_EQ((*log)[1].previous_hash, (*log)[0].hash);
  EXPECT_EQ((*log)[2].action, "step.acknowledged");
  EXPECT_EQ((*log)[2].application_id, "A1");
  EXPECT_TRUE(verifyAuditLog(*store_));
  EXPECT_TRUE(verifyAuditLog(*store_, (*log)[2].hash));
  EXPECT_EQ(store_->auditLog(1, 1)->front().seq, 2);
}

TEST_P(StoreContractTest, AnEditedAuditEntryIsDetected) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  Change change = updateOf(*store_->load("A1"));
  change.audit = {audit("A1", "human_task.approved"), audit("A1", "step.dispatched")};
  ASSERT_TRUE(store_->commit("A1", 1, change, {}));
  ASSERT_TRUE(verifyAuditLog(*store_));
  harness_->executeRaw("UPDATE audit_log SET actor = 'staff:mallory' WHERE seq = 2");
  Result<void> verified = verifyAuditLog(*store_);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(verified.error().message.find("entry 2"), std::string::npos) << verified.error();
}

TEST_P(StoreContractTest, DeletedAuditEntriesAreDetected) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  Change change = updateOf(*store_->load("A1"));
  change.audit = {audit("A1", "a"), audit("A1", "b"), audit("A1", "c")};
  ASSERT_TRUE(store_->commit("A1", 1, change, {}));
  const std::string head = store_->auditLog(0, 100)->back().hash;

  harness_->executeRaw("DELETE FROM audit_log WHERE seq = 2");
  Result<void> middle = verifyAuditLog(*store_);
  ASSERT_FALSE(middle);
  EXPECT_NE(middle.error().message.find("entry 2"), std::string::npos) << middle.error();

  harness_->executeRaw("DELETE FROM audit_log WHERE seq >= 2");
  EXPECT_TRUE(verifyAuditLog(*store_));         // a shorter chain is still a chain...
  EXPECT_FALSE(verifyAuditLog(*store_, head));  // ...unless its head is known elsewhere

  // Two more entries chain onto entry 1; then the first entry goes.
  Change more = updateOf(*store_->load("A1"));
  more.audit = {audit("A1", "d"), audit("A1", "e")};
  ASSERT_TRUE(store_->commit("A1", 2, more, {}));
  ASSERT_TRUE(verifyAuditLog(*store_));
  harness_->executeRaw("DELETE FROM audit_log WHERE seq = 1");
  Result<void> first = verifyAuditLog(*store_);
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().message.find("entry 1"), std::string::npos) << first.error();
}

TEST_P(StoreContractTest, OutboxClaimsAreLeases) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  std::vector<OutboxMessage> outgoing = {
      outbox("A1", "registration", "A1-m1", kT0),
      outbox("A1", "seal", "A1-m2", kT0 + minutes{10}),
  };
  Change change = updateOf(*store_->load("A1"));
  ASSERT_TRUE(store_->commit("A1", 1, change, outgoing));

  Result<std::vector<OutboxMessage>> claimed =
      store_->claimDueOutbox(kT0, 10, "worker-a", kT0 + minutes{1});
  ASSERT_TRUE(claimed) << claimed.error();
  ASSERT_EQ(claimed->size(), 1u);  // the second is not due yet
  const OutboxMessage& first = claimed->front();
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.message_id, "A1-m1");
  EXPECT_EQ(first.application_id, "A1");
  EXPECT_EQ(first.step_id, "registration");
  EXPECT_EQ(first.kind, OutboxKind::kDispatch);
  EXPECT_EQ(first.lease_owner, "worker-a");
  EXPECT_EQ(first.lease_until, kT0 + minutes{1});

  // Leased: nobody else gets it while the lease runs.
  EXPECT_TRUE(store_->claimDueOutbox(kT0 + seconds{30}, 10, "worker-b", kT0 + minutes{2})->empty());
  // Lease expired (worker-a died): the row and the second, now due, go to worker-b.
  Result<std::vector<OutboxMessage>> taken =
      store_->claimDueOutbox(kT0 + minutes{10}, 10, "worker-b", kT0 + minutes{11});
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_EQ((*taken)[0].message_id, "A1-m1");
  EXPECT_EQ((*taken)[0].lease_owner, "worker-b");

  // worker-a comes back and settles the row it lost: nothing happens.
  Change late = updateOf(*store_->load("A1"));
  late.settle_outbox = {OutboxSettlement{first.id, "worker-a", true, {}, 0}};
  ASSERT_TRUE(store_->commit("A1", 2, late, {}));
  EXPECT_EQ(store_->outboxOf("A1")->size(), 2u);

  // worker-b reschedules one and removes the other.
  Change settle = updateOf(*store_->load("A1"));
  settle.settle_outbox = {
      OutboxSettlement{(*taken)[0].id, "worker-b", false, kT0 + hours{1}, 3},
      OutboxSettlement{(*taken)[1].id, "worker-b", true, {}, 0},
  };
  ASSERT_TRUE(store_->commit("A1", 3, settle, {}));
  Result<std::vector<OutboxMessage>> rows = store_->outboxOf("A1");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().attempts, 3);
  EXPECT_EQ(rows->front().next_attempt_at, kT0 + hours{1});
  EXPECT_EQ(rows->front().lease_owner, "");
  EXPECT_EQ(rows->front().lease_until, std::nullopt);
  EXPECT_TRUE(store_->claimDueOutbox(kT0 + minutes{59}, 10, "w", kT0 + hours{2})->empty());
  EXPECT_EQ(store_->claimDueOutbox(kT0 + hours{1}, 10, "w", kT0 + hours{2})->size(), 1u);
}

TEST_P(StoreContractTest, ARestartedProcessReleasesItsOwnLeases) {
  Change change = creation("A1");
  change.new_timers = {timer("", TimerKind::kAtRisk, kT0)};
  const std::vector<OutboxMessage> outgoing = {outbox("A1", "registration", "A1-m1", kT0),
                                               outbox("A1", "seal", "A1-m2", kT0),
                                               outbox("A1", "", "A1-n1", kT0, OutboxKind::kNotify)};
  ASSERT_TRUE(store_->commit("A1", 0, change, outgoing));
  ASSERT_EQ(store_->claimDueOutbox(kT0, 1, "host-1:42#0", kT0 + hours{1})->size(), 1u);
  ASSERT_EQ(store_->claimDueOutbox(kT0, 1, "host-10:7#0", kT0 + hours{1})->size(), 1u);
  ASSERT_EQ(store_->claimDueOutbox(kT0, 1, "host-1", kT0 + hours{1})->size(), 1u);
  ASSERT_EQ(store_->claimDueTimers(kT0, 5, "host-1#timers", kT0 + hours{1})->size(), 1u);
  EXPECT_TRUE(store_->claimDueOutbox(kT0, 10, "other", kT0 + hours{1})->empty());

  Result<int> released = store_->releaseLeases("host-1");
  ASSERT_TRUE(released) << released.error();
  EXPECT_EQ(*released, 2);  // "host-1" and "host-1#timers"; "host-1:42#0" and "host-10:7#0" are
                            // other names
  EXPECT_EQ(store_->claimDueOutbox(kT0, 10, "other", kT0 + hours{1})->size(), 1u);
  EXPECT_EQ(store_->claimDueTimers(kT0, 10, "other", kT0 + hours{1})->size(), 1u);
}

TEST_P(StoreContractTest, OutboxRowsAreReplacedAndDroppedPerStep) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  std::vector<OutboxMessage> outgoing = {
      outbox("A1", "registration", "A1-m1", kT0),
      outbox("A1", "registration", "A1-m1", kT0 + hours{1}, OutboxKind::kPoll),
      outbox("A1", "seal", "A1-m2", kT0),
      outbox("A1", "", "A1-n1", kT0, OutboxKind::kNotify),
  };
  outgoing[3].payload = "notify.submitted";
  ASSERT_TRUE(store_->commit("A1", 1, updateOf(*store_->load("A1")), outgoing));
  EXPECT_EQ(store_->outboxOf("A1")->size(), 4u);

  // The same (message id, kind) again replaces the row instead of doubling it.
  std::vector<OutboxMessage> again = {outbox("A1", "seal", "A1-m2", kT0 + hours{2})};
  again[0].attempts = 4;
  ASSERT_TRUE(store_->commit("A1", 2, updateOf(*store_->load("A1")), again));
  Result<std::vector<OutboxMessage>> rows = store_->outboxOf("A1");
  ASSERT_EQ(rows->size(), 4u);
  for (const OutboxMessage& row : *rows) {
    if (row.message_id == "A1-m2") {
      EXPECT_EQ(row.attempts, 4);
      EXPECT_EQ(row.next_attempt_at, kT0 + hours{2});
    }
    if (row.kind == OutboxKind::kNotify) {
      EXPECT_EQ(row.payload, "notify.submitted");
    }
  }

  Change drop = updateOf(*store_->load("A1"));
  drop.drop_outbox_of = {"registration"};
  ASSERT_TRUE(store_->commit("A1", 3, drop, {}));
  EXPECT_EQ(store_->outboxOf("A1")->size(), 2u);

  Change drop_all = updateOf(*store_->load("A1"));
  drop_all.drop_all_step_outbox = true;
  ASSERT_TRUE(store_->commit("A1", 4, drop_all, {}));
  rows = store_->outboxOf("A1");
  ASSERT_EQ(rows->size(), 1u);  // notifications survive
  EXPECT_EQ(rows->front().kind, OutboxKind::kNotify);
}

TEST_P(StoreContractTest, TimersFireOnceAndCanBeCancelled) {
  Change change = creation("A1");
  change.new_timers = {timer("", TimerKind::kAtRisk, kT0 + hours{1}),
                       timer("", TimerKind::kBreach, kT0 + hours{2}),
                       timer("seal", TimerKind::kAtRisk, kT0 + hours{1}),
                       timer("seal", TimerKind::kBreach, kT0 + hours{2})};
  ASSERT_TRUE(store_->commit("A1", 0, change, {}));
  EXPECT_TRUE(store_->claimDueTimers(kT0, 10, "t", kT0 + minutes{1})->empty());

  Result<std::vector<TimerRecord>> due =
      store_->claimDueTimers(kT0 + hours{1}, 10, "t", kT0 + hours{1} + minutes{1});
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].kind, TimerKind::kAtRisk);
  EXPECT_EQ((*due)[0].application_id, "A1");
  EXPECT_EQ((*due)[0].step_id, "");
  EXPECT_EQ((*due)[1].step_id, "seal");
  EXPECT_TRUE(store_->claimDueTimers(kT0 + hours{1}, 10, "u", kT0 + hours{2})->empty());

  Change fire = updateOf(*store_->load("A1"));
  fire.fired_timers = {(*due)[0].id, (*due)[1].id};
  fire.cancel_timers_of = {"seal"};  // the seal step finished: its breach timer goes
  ASSERT_TRUE(store_->commit("A1", 1, fire, {}));
  Result<std::vector<TimerRecord>> left =
      store_->claimDueTimers(kT0 + hours{3}, 10, "t", kT0 + hours{4});
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().kind, TimerKind::kBreach);
  EXPECT_EQ(left->front().step_id, "");

  Change cancel = updateOf(*store_->load("A1"));
  cancel.cancel_all_timers = true;
  ASSERT_TRUE(store_->commit("A1", 2, cancel, {}));
  Result<std::vector<TimerRecord>> all = store_->timersOf("A1");
  ASSERT_EQ(all->size(), 2u);  // only the fired ones remain, as history
  for (const TimerRecord& t : *all) EXPECT_TRUE(t.fired);
}

TEST_P(StoreContractTest, FindsTheStepOfACurrentMessageId) {
  Change change = creation("A1");
  change.steps[0].message_id = "A1-rev1";
  change.steps[0].revision = 1;
  ASSERT_TRUE(store_->commit("A1", 0, change, {}));
  Result<std::optional<MessageOwner>> owner = store_->findMessage("A1-rev1");
  ASSERT_TRUE(owner && owner->has_value());
  EXPECT_EQ((*owner)->application_id, "A1");
  EXPECT_EQ((*owner)->step_id, "registration");
  EXPECT_EQ((*owner)->revision, 1);

  Change next = updateOf(*store_->load("A1"));
  next.steps = {*store_->load("A1")->step("registration")};
  next.steps[0].message_id = "A1-rev2";
  next.steps[0].revision = 2;
  ASSERT_TRUE(store_->commit("A1", 1, next, {}));
  EXPECT_EQ(*store_->findMessage("A1-rev1"), std::nullopt);
  EXPECT_EQ((*store_->findMessage("A1-rev2"))->revision, 2);
}

TEST_P(StoreContractTest, ListsApplicationsByFilterNewestFirstInPages) {
  auto create = [&](const std::string& id, int minute, const std::string& kiosk,
                    const std::string& bank, const std::string& district) {
    Change change = creation(id, kT0 + minutes{minute});
    change.application = application(id, kT0 + minutes{minute}, kiosk, bank, district);
    ASSERT_TRUE(store_->commit(id, 0, change, {}));
  };
  create("A1", 1, "K1", "QDBANK", "370202");
  create("A2", 2, "K2", "QDBANK", "370203");
  create("A3", 3, "K1", "ICBC", "110101");
  create("A4", 3, "K1", "QDBANK", "370202");  // same instant as A3: id breaks the tie
  create("A5", 5, "K2", "ICBC", "370211");
  Change progress = updateOf(*store_->load("A2"));
  progress.application.state = ApplicationState::kInProgress;
  ASSERT_TRUE(store_->commit("A2", 1, progress, {}));

  EXPECT_EQ(ids(*store_->listApplications({})),
            (std::vector<std::string>{"A5", "A4", "A3", "A2", "A1"}));
  ListFilter by_kiosk;
  by_kiosk.kiosk_id = "K1";
  EXPECT_EQ(ids(*store_->listApplications(by_kiosk)), (std::vector<std::string>{"A4", "A3", "A1"}));
  ListFilter by_bank;
  by_bank.bank_code = "ICBC";
  EXPECT_EQ(ids(*store_->listApplications(by_bank)), (std::vector<std::string>{"A5", "A3"}));
  ListFilter by_state;
  by_state.state = ApplicationState::kInProgress;
  EXPECT_EQ(ids(*store_->listApplications(by_state)), std::vector<std::string>{"A2"});
  ListFilter by_city;
  by_city.district = "3702";
  EXPECT_EQ(ids(*store_->listApplications(by_city)),
            (std::vector<std::string>{"A5", "A4", "A2", "A1"}));
  ListFilter by_district;
  by_district.district = "370202";
  by_district.bank_code = "QDBANK";
  EXPECT_EQ(ids(*store_->listApplications(by_district)), (std::vector<std::string>{"A4", "A1"}));

  ListFilter paged;
  paged.limit = 2;
  std::vector<std::string> all;
  for (int page_count = 0; page_count < 10; ++page_count) {
    Result<ApplicationPage> page = store_->listApplications(paged);
    ASSERT_TRUE(page) << page.error();
    EXPECT_LE(page->applications.size(), 2u);
    for (const ApplicationRecord& record : page->applications) {
      EXPECT_TRUE(record.sealed_application.empty());
      all.push_back(record.id);
    }
    if (page->next_cursor.empty()) break;
    paged.cursor = page->next_cursor;
  }
  EXPECT_EQ(all, (std::vector<std::string>{"A5", "A4", "A3", "A2", "A1"}));

  ListFilter bad;
  bad.cursor = "garbage";
  EXPECT_EQ(store_->listApplications(bad).error().code, ErrorCode::kInvalidInput);
  bad.cursor.clear();
  bad.limit = 0;
  EXPECT_EQ(store_->listApplications(bad).error().code, ErrorCode::kInvalidInput);
  bad.limit = 10;
  bad.district = "37%";
  EXPECT_EQ(store_->listApplications(bad).error().code, ErrorCode::kInvalidInput);
}

TEST_P(StoreContractTest, ListsHumanTasksForABank) {
  Change a1 = creation("A1");
  a1.human_tasks = {HumanTaskRecord{"bank_account", "kyc_review", "bank_staff",
                                    HumanTaskState::kOpen, "", "", kT0, std::nullopt}};
  ASSERT_TRUE(store_->commit("A1", 0, a1, {}));
  Change a2 = creation("A2");
  a2.application.bank_code = "ICBC";
  a2.human_tasks = {HumanTaskRecord{"bank_account", "kyc_review", "bank_staff",
                                    HumanTaskState::kApproved, "staff:li", "", kT0, kT0}};
  ASSERT_TRUE(store_->commit("A2", 0, a2, {}));

  Result<std::vector<HumanTaskView>> all = store_->listHumanTasks({});
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(all->size(), 2u);
  HumanTaskFilter open_qdbank;
  open_qdbank.bank_code = "QDBANK";
  open_qdbank.state = HumanTaskState::kOpen;
  Result<std::vector<HumanTaskView>> open = store_->listHumanTasks(open_qdbank);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().application_id, "A1");
  EXPECT_EQ(open->front().kiosk_id, "QD-SN-0001");
  EXPECT_EQ(open->front().application_state, ApplicationState::kSubmitted);
  EXPECT_EQ(open->front().task, a1.human_tasks[0]);
  HumanTaskFilter icbc_open;
  icbc_open.bank_code = "ICBC";
  icbc_open.state = HumanTaskState::kOpen;
  EXPECT_TRUE(store_->listHumanTasks(icbc_open)->empty());
}

TEST_P(StoreContractTest, ReportsFlowVersionsOfUnfinishedApplications) {
  Change v1 = creation("A1");
  ASSERT_TRUE(store_->commit("A1", 0, v1, {}));
  Change v2 = creation("A2");
  v2.application.flow_version = 2;
  ASSERT_TRUE(store_->commit("A2", 0, v2, {}));
  Change v3 = creation("A3");
  v3.application.flow_version = 3;
  v3.application.state = ApplicationState::kCompleted;
  ASSERT_TRUE(store_->commit("A3", 0, v3, {}));
  EXPECT_EQ(*store_->flowVersionsInUse(), (std::vector<int>{1, 2}));
}

TEST_P(StoreContractTest, StateSurvivesClosingAndReopening) {
  Change change = creation("A1");
  change.idempotency = IdempotencyRecord{"QD-SN-0001", "key", "hash", "A1", kT0};
  change.new_timers = {timer("", TimerKind::kBreach, kT0 + hours{72})};
  const std::vector<OutboxMessage> outgoing = {outbox("A1", "registration", "A1-m1", kT0)};
  ASSERT_TRUE(store_->commit("A1", 0, change, outgoing));
  Change update = updateOf(*store_->load("A1"));
  update.application.state = ApplicationState::kInProgress;
  update.steps = {step("registration", StepState::kAcknowledged)};
  ASSERT_TRUE(store_->commit("A1", 1, update, {}));

  reopen();

  Result<ApplicationSnapshot> loaded = store_->load("A1");
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->application.state, ApplicationState::kInProgress);
  EXPECT_EQ(loaded->application.version, 2);
  EXPECT_EQ(loaded->application.sealed_application, change.application.sealed_application);
  EXPECT_EQ(loaded->step("registration")->state, StepState::kAcknowledged);
  EXPECT_EQ(store_->history("A1")->size(), 1u);
  EXPECT_EQ(store_->outboxOf("A1")->size(), 1u);
  EXPECT_EQ(store_->timersOf("A1")->size(), 1u);
  EXPECT_TRUE(store_->findIdempotencyKey("QD-SN-0001", "key")->has_value());
  EXPECT_TRUE(verifyAuditLog(*store_));
  // And it keeps working: versions continue where they were.
  Change more = updateOf(*loaded);
  EXPECT_TRUE(store_->commit("A1", 2, more, {}));
}

TEST_P(StoreContractTest, ConcurrentCommitsOnOneVersionLetExactlyOneWin) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  const ApplicationSnapshot snapshot = *store_->load("A1");
  constexpr int kThreads = 6;
  std::atomic<int> won{0};
  std::atomic<int> conflicted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Change change = updateOf(snapshot);
      change.events = {event("racer." + std::to_string(i))};
      Result<void> result = store_->commit("A1", 1, change, {});
      if (result) {
        ++won;
      } else if (result.error().code == ErrorCode::kConflict) {
        ++conflicted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), kThreads - 1);
  EXPECT_EQ(store_->history("A1")->size(), 2u);
}

TEST_P(StoreContractTest, ConcurrentClaimersNeverShareARow) {
  ASSERT_TRUE(store_->commit("A1", 0, creation("A1"), {}));
  std::vector<OutboxMessage> outgoing;
  for (int i = 0; i < 40; ++i) {
    outgoing.push_back(outbox("A1", "registration", "A1-m" + std::to_string(i), kT0));
  }
  ASSERT_TRUE(store_->commit("A1", 1, updateOf(*store_->load("A1")), outgoing));
  std::mutex mutex;
  std::multiset<int64_t> claimed;
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      while (true) {
        Result<std::vector<OutboxMessage>> batch =
            store_->claimDueOutbox(kT0, 3, "w" + std::to_string(w), kT0 + hours{1});
        if (!batch || batch->empty()) return;
        std::lock_guard lock(mutex);
        for (const OutboxMessage& m : *batch) claimed.insert(m.id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(claimed.size(), 40u);
  EXPECT_EQ(std::set<int64_t>(claimed.begin(), claimed.end()).size(), 40u);
}

}  // namespace kaiban::orchestrator
