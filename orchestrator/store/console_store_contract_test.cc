#include "orchestrator/store/console_store_contract_test.h"

#include <atomic>
#include <thread>

#include "core/timestamp.h"

namespace kaiban::orchestrator {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

SystemTime at(std::string_view iso) { return parseIso8601(iso).value(); }

const SystemTime kT0 = at("2026-03-10T10:00:00+08:00");

AuditInput audit(const std::string& action, SystemTime when = kT0,
                 const std::string& actor = "cli:root") {
  return AuditInput{when, actor, "", action, R"({"user":"wang.fang"})"};
}

UserRecord user(const std::string& name, UserRole role = UserRole::kBankStaff,
                const std::string& scope = "QDBANK") {
  UserRecord record;
  record.name = name;
  record.display_name = "王芳";
  record.role = role;
  record.scope = scope;
  record.password_hash = "$scrypt$ln=4,r=8,p=1$c2FsdA$aGFzaA";
  return record;
}

SessionRecord session(const std::string& id_hash, const std::string& user_name,
                      SystemTime created = kT0) {
  return SessionRecord{id_hash, user_name, "csrf-" + id_hash,
                       created, created,   created + hours{12}};
}

std::vector<std::string> auditActions(Store& store) {
  std::vector<std::string> actions;
  Result<std::vector<AuditRecord>> read = store.auditLog(0, 1000);
  EXPECT_TRUE(read) << read.error();
  const std::vector<AuditRecord> log = read.valueOr({});
  for (const AuditRecord& record : log) actions.push_back(record.action);
  return actions;
}

// An application of `bank` in `district` with the given steps, as the engine would store it.
Change application(const std::string& id, SystemTime submitted_at, const std::string& bank,
                   const std::string& district, ApplicationState state,
                   std::vector<StepRecord> steps, std::vector<HumanTaskRecord> tasks = {}) {
  Change change;
  ApplicationRecord& record = change.application;
  record.id = id;
  record.kiosk_id = "KIOSK-" + bank;
  record.bank_code = bank;
  record.district = district;
  record.flow_version = 1;
  record.state = state;
  record.submitted_at = submitted_at;
  record.deadline_at = submitted_at + hours{72};
  record.updated_at = submitted_at + minutes{5};
  record.flags = kFlagAtRisk;
  record.sealed_application = "sealed";
  record.legal_representative_index = "index-" + id;
  change.steps = std::move(steps);
  change.human_tasks = std::move(tasks);
  change.audit = {AuditInput{submitted_at, "kiosk:K", id, "application.submitted", "{}"}};
  return change;
}

StepRecord stepOf(const std::string& id, StepState state, std::optional<SystemTime> ready = {},
                  std::optional<SystemTime> finished = {}) {
  StepRecord step;
  step.step_id = id;
  step.state = state;
  step.ready_at = ready;
  step.finished_at = finished;
  return step;
}

std::vector<std::string> idsOf(const std::vector<ApplicationTimeline>& timelines) {
  std::vector<std::string> ids;
  for (const ApplicationTimeline& timeline : timelines) ids.push_back(timeline.id);
  return ids;
}

}  // namespace

void ConsoleStoreContractTest::SetUp() {
  harness_ = GetParam().make();
  if (IsSkipped()) return;  // the backend is not available here; make() said why
  ASSERT_NE(harness_, nullptr);
  store_ = harness_->openStore();
  ASSERT_NE(store_, nullptr);
  console_ = harness_->openConsole();
  ASSERT_NE(console_, nullptr);
}

void ConsoleStoreContractTest::TearDown() {
  console_.reset();
  store_.reset();
  harness_.reset();
}

TEST_P(ConsoleStoreContractTest, CreatesFindsAndListsUsers) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  ASSERT_TRUE(console_->createUser(user("li.lei", UserRole::kGovOperator, "3702"),
                                   audit("user.added", kT0 + minutes{1})));
  ASSERT_TRUE(console_->createUser(user("admin", UserRole::kAdmin, ""), audit("user.added")));

  Result<UserRecord> found = console_->findUser("wang.fang");
  ASSERT_TRUE(found) << found.error();
  EXPECT_EQ(found->display_name, "王芳");
  EXPECT_EQ(found->role, UserRole::kBankStaff);
  EXPECT_EQ(found->scope, "QDBANK");
  EXPECT_EQ(found->password_hash, user("x").password_hash);
  EXPECT_FALSE(found->disabled);
  EXPECT_EQ(found->failed_logins, 0);
  EXPECT_EQ(found->locked_until, std::nullopt);
  EXPECT_EQ(found->created_at, kT0);
  EXPECT_EQ(found->updated_at, kT0);

  Result<std::vector<UserRecord>> users = console_->listUsers();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ((*users)[0].name, "admin");
  EXPECT_EQ((*users)[1].name, "li.lei");
  EXPECT_EQ((*users)[1].scope, "3702");
  EXPECT_EQ((*users)[2].name, "wang.fang");

  EXPECT_EQ(console_->findUser("nobody").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(auditActions(*store_),
            (std::vector<std::string>{"user.added", "user.added", "user.added"}));
}

TEST_P(ConsoleStoreContractTest, RefusesADuplicateOrInvalidUserAndAuditsNothing) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  Result<void> duplicate = console_->createUser(user("wang.fang"), audit("user.added"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);

  struct Case {
    UserRecord user;
    std::string field;
  };
  UserRecord no_password = user("no.password");
  no_password.password_hash.clear();
  const std::vector<Case> cases = {
      {user("Upper"), "name"},
      {user("ab"), "name"},
      {user("1abc"), "name"},
      {user("bad name"), "name"},
      {user("staff", UserRole::kBankStaff, "qdbank"), "scope"},
      {user("staff", UserRole::kBankStaff, ""), "scope"},
      {user("operator", UserRole::kGovOperator, "370"), "scope"},
      {user("operator", UserRole::kGovOperator, "QDBANK"), "scope"},
      {user("admin", UserRole::kAdmin, "all"), "scope"},
      {no_password, "password"},
  };
  for (const Case& c : cases) {
    Result<void> created = console_->createUser(c.user, audit("user.added"));
    ASSERT_FALSE(created) << c.user.name << " " << c.user.scope;
    EXPECT_EQ(created.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(created.error().field, c.field) << created.error();
  }
  EXPECT_TRUE(
      console_->createUser(user("op.all", UserRole::kGovOperator, "all"), audit("user.added")));
  EXPECT_EQ(console_->listUsers()->size(), 2u);
  EXPECT_EQ(auditActions(*store_), (std::vector<std::string>{"user.added", "user.added"}));
}

TEST_P(ConsoleStoreContractTest, FailedLoginsLockTheAccountAtTheLimit) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  for (int i = 1; i <= 4; ++i) {
    Result<FailedLogin> failed = console_->recordFailedLogin("wang.fang", kT0 + seconds{i}, 5,
                                                             minutes{15}, audit("login.failed"));
    ASSERT_TRUE(failed) << failed.error();
    EXPECT_FALSE(failed->locked);
    EXPECT_EQ(failed->user.failed_logins, i);
    EXPECT_EQ(failed->user.locked_until, std::nullopt);
  }
  Result<FailedLogin> fifth = console_->recordFailedLogin("wang.fang", kT0 + seconds{5}, 5,
                                                          minutes{15}, audit("login.failed"));
  ASSERT_TRUE(fifth);
  EXPECT_TRUE(fifth->locked);
  EXPECT_EQ(fifth->user.failed_logins, 0);
  EXPECT_EQ(fifth->user.locked_until, kT0 + seconds{5} + minutes{15});
  EXPECT_EQ(console_->findUser("wang.fang")->locked_until, kT0 + seconds{5} + minutes{15});
  EXPECT_EQ(auditActions(*store_).back(), "login.failed.locked");

  Result<FailedLogin> unknown =
      console_->recordFailedLogin("nobody", kT0, 5, minutes{15}, audit("login.failed"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(auditActions(*store_).size(), 6u);  // user.added + 5 failures
}

TEST_P(ConsoleStoreContractTest, ConcurrentFailuresAreAllCounted) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  std::atomic<int> locks{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        Result<FailedLogin> failed =
            console_->recordFailedLogin("wang.fang", kT0, 10, minutes{1}, audit("login.failed"));
        if (failed && failed->locked) ++locks;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(locks.load(), 2);  // 20 failures, a lock at every 10th
  EXPECT_EQ(console_->findUser("wang.fang")->failed_logins, 0);
  EXPECT_TRUE(verifyAuditLog(*store_));
}

TEST_P(ConsoleStoreContractTest, ALoginClearsFailuresStoresTheSessionAndMayRehash) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(console_->recordFailedLogin("wang.fang", kT0, 5, minutes{15}, audit("f")));
  }
  ASSERT_TRUE(console_->recordFailedLogin("wang.fang", kT0, 5, minutes{15}, audit("f")));
  ASSERT_TRUE(console_->recordLogin(session("h1", "wang.fang"), std::nullopt, audit("login")));
  UserRecord after = *console_->findUser("wang.fang");
  EXPECT_EQ(after.failed_logins, 0);
  EXPECT_EQ(after.locked_until, std::nullopt);
  EXPECT_EQ(after.password_hash, user("x").password_hash);
  EXPECT_EQ(*console_->findSession("h1"), session("h1", "wang.fang"));

  ASSERT_TRUE(console_->recordLogin(session("h2", "wang.fang", kT0 + hours{1}),
                                    std::string("$scrypt$new"), audit("login")));
  after = *console_->findUser("wang.fang");
  EXPECT_EQ(after.password_hash, "$scrypt$new");
  EXPECT_EQ(after.updated_at, kT0 + hours{1});
  EXPECT_TRUE(console_->findSession("h1"));  // sessions are independent

  Result<void> duplicate =
      console_->recordLogin(session("h2", "wang.fang"), std::nullopt, audit("login"));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  Result<void> unknown =
      console_->recordLogin(session("h3", "nobody"), std::nullopt, audit("login"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(console_->findSession("h3").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(auditActions(*store_).back(), "login");
  EXPECT_EQ(auditActions(*store_).size(), 9u);  // added, 6 failures, 2 logins
}

TEST_P(ConsoleStoreContractTest, ANewPasswordEndsEverySessionAndLiftsTheLock) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  ASSERT_TRUE(console_->createUser(user("zhao.min"), audit("user.added")));
  ASSERT_TRUE(console_->recordLogin(session("h1", "wang.fang"), std::nullopt, audit("login")));
  ASSERT_TRUE(console_->recordLogin(session("h2", "zhao.min"), std::nullopt, audit("login")));
  ASSERT_TRUE(console_->recordFailedLogin("wang.fang", kT0, 1, minutes{15}, audit("f")));
  ASSERT_TRUE(console_->setPassword("wang.fang", "$scrypt$changed",
                                    audit("user.password_changed", kT0 + hours{2})));
  UserRecord after = *console_->findUser("wang.fang");
  EXPECT_EQ(after.password_hash, "$scrypt$changed");
  EXPECT_EQ(after.locked_until, std::nullopt);
  EXPECT_EQ(after.updated_at, kT0 + hours{2});
  EXPECT_EQ(console_->findSession("h1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(console_->findSession("h2"));
  EXPECT_EQ(console_->setPassword("nobody", "$x", audit("p")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(console_->setPassword("wang.fang", "", audit("p")).error().code,
            ErrorCode::kInvalidInput);
  EXPECT_EQ(auditActions(*store_).back(), "user.password_changed");
}

TEST_P(ConsoleStoreContractTest, DisablingEndsSessionsAndEnablingForgivesFailures) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  ASSERT_TRUE(console_->recordLogin(session("h1", "wang.fang"), std::nullopt, audit("login")));
  ASSERT_TRUE(console_->setDisabled("wang.fang", true, audit("user.disabled")));
  EXPECT_TRUE(console_->findUser("wang.fang")->disabled);
  EXPECT_EQ(console_->findSession("h1").error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(console_->recordFailedLogin("wang.fang", kT0, 1, minutes{15}, audit("f")));
  ASSERT_TRUE(console_->setDisabled("wang.fang", false, audit("user.enabled")));
  UserRecord after = *console_->findUser("wang.fang");
  EXPECT_FALSE(after.disabled);
  EXPECT_EQ(after.locked_until, std::nullopt);
  // Setting the same state again is audited but changes nothing.
  ASSERT_TRUE(console_->setDisabled("wang.fang", false, audit("user.enabled")));
  EXPECT_EQ(console_->setDisabled("nobody", true, audit("d")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(auditActions(*store_),
            (std::vector<std::string>{"user.added", "login", "user.disabled", "f.locked",
                                      "user.enabled", "user.enabled"}));
}

TEST_P(ConsoleStoreContractTest, SessionsAreTouchedDeletedAndPurged) {
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  ASSERT_TRUE(console_->recordLogin(session("h1", "wang.fang"), std::nullopt, audit("login")));
  ASSERT_TRUE(console_->recordLogin(session("h2", "wang.fang"), std::nullopt, audit("login")));
  ASSERT_TRUE(console_->recordLogin(session("h3", "wang.fang", kT0 - hours{13}), std::nullopt,
                                    audit("login")));

  ASSERT_TRUE(console_->touchSession("h1", kT0 + minutes{20}));
  ASSERT_TRUE(console_->touchSession("h1", kT0 + minutes{10}));  // never backwards
  EXPECT_EQ(console_->findSession("h1")->last_seen_at, kT0 + minutes{20});
  EXPECT_EQ(console_->touchSession("nope", kT0).error().code, ErrorCode::kNotFound);

  // At kT0 + 40 min with a 30 min idle timeout: h2 (idle since kT0) goes, h1 (seen at
  // +20 min) stays, h3 (expired an hour ago) goes.
  Result<int> purged = console_->purgeSessions(kT0 + minutes{40}, minutes{30});
  ASSERT_TRUE(purged) << purged.error();
  EXPECT_EQ(*purged, 2);
  EXPECT_TRUE(console_->findSession("h1"));
  EXPECT_FALSE(console_->findSession("h2"));
  EXPECT_FALSE(console_->findSession("h3"));

  ASSERT_TRUE(console_->deleteSession("h1", audit("logout")));
  EXPECT_FALSE(console_->findSession("h1"));
  EXPECT_EQ(console_->deleteSession("h1", audit("logout")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(auditActions(*store_).back(), "logout");
  EXPECT_EQ(auditActions(*store_).size(), 5u);
}

TEST_P(ConsoleStoreContractTest, ConsoleAuditEntriesJoinTheOneChain) {
  ASSERT_TRUE(console_->appendAudit(audit("login.refused")));
  ASSERT_TRUE(store_->commit(
      "A1", 0, application("A1", kT0, "QDBANK", "370202", ApplicationState::kSubmitted, {}), {}));
  ASSERT_TRUE(console_->createUser(user("wang.fang"), audit("user.added")));
  const std::vector<AuditRecord> log = *store_->auditLog(0, 100);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "login.refused");
  EXPECT_EQ(log[0].actor, "cli:root");
  EXPECT_EQ(log[0].application_id, "");
  EXPECT_EQ(log[0].detail, R"({"user":"wang.fang"})");
  EXPECT_EQ(log[1].action, "application.submitted");
  EXPECT_EQ(log[2].action, "user.added");
  EXPECT_EQ(log[2].previous_hash, log[1].hash);
  EXPECT_TRUE(verifyAuditLog(*store_, log[2].hash));
}

TEST_P(ConsoleStoreContractTest, ConcurrentWritersKeepTheChainUnbroken) {
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(console_->appendAudit(audit("login.refused")));
  });
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) {
      const std::string id = "A" + std::to_string(i);
      ASSERT_TRUE(store_->commit(
          id, 0, application(id, kT0, "QDBANK", "370202", ApplicationState::kSubmitted, {}), {}));
    }
  });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store_->auditLog(0, 100)->size(), 40u);
  EXPECT_TRUE(verifyAuditLog(*store_));
}

TEST_P(ConsoleStoreContractTest, TimelinesCarryStepsAndFilterByScopeAndTime) {
  const SystemTime old = kT0 - hours{24 * 60};
  HumanTaskRecord kyc;
  kyc.step_id = "bank_account";
  kyc.kind = "kyc_review";
  kyc.role = "bank_staff";
  kyc.state = HumanTaskState::kOpen;
  kyc.opened_at = kT0 + hours{1};
  StepRecord registration = stepOf("registration", StepState::kDone, kT0, kT0 + hours{2});
  registration.flags = kFlagAtRisk;
  StepRecord seal = stepOf("seal", StepState::kFailed, kT0 + hours{2}, kT0 + hours{3});
  seal.failure = FailureKind::kPartnerRejected;
  ASSERT_TRUE(store_->commit(
      "A1", 0,
      application("A1", kT0, "QDBANK", "370202", ApplicationState::kNeedsAttention,
                  {registration, seal, stepOf("bank_account", StepState::kPending, kT0)}, {kyc}),
      {}));
  ASSERT_TRUE(store_->commit(
      "A2", 0,
      application("A2", kT0 + hours{1}, "ICBC", "370211", ApplicationState::kCompleted,
                  {stepOf("registration", StepState::kDone, kT0, kT0)}),
      {}));
  ASSERT_TRUE(store_->commit(
      "A3", 0,
      application("A3", kT0 + hours{2}, "QDBANK", "110101", ApplicationState::kSubmitted, {}), {}));
  // Old: a completed one drops out of the window, one still in progress stays in.
  ASSERT_TRUE(store_->commit(
      "OLD1", 0, application("OLD1", old, "QDBANK", "370202", ApplicationState::kCompleted, {}),
      {}));
  ASSERT_TRUE(store_->commit(
      "OLD2", 0,
      application("OLD2", old + hours{1}, "QDBANK", "370202", ApplicationState::kInProgress, {}),
      {}));

  TimelineFilter filter;
  filter.submitted_since = kT0 - hours{24};
  Result<std::vector<ApplicationTimeline>> all = console_->timelines(filter);
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(idsOf(*all), (std::vector<std::string>{"A3", "A2", "A1", "OLD2"}));

  const ApplicationTimeline& a1 = (*all)[2];
  EXPECT_EQ(a1.kiosk_id, "KIOSK-QDBANK");
  EXPECT_EQ(a1.bank_code, "QDBANK");
  EXPECT_EQ(a1.district, "370202");
  EXPECT_EQ(a1.state, ApplicationState::kNeedsAttention);
  EXPECT_EQ(a1.submitted_at, kT0);
  EXPECT_EQ(a1.deadline_at, kT0 + hours{72});
  EXPECT_EQ(a1.updated_at, kT0 + minutes{5});
  EXPECT_EQ(a1.flags, kFlagAtRisk);
  ASSERT_EQ(a1.steps.size(), 3u);
  EXPECT_EQ(a1.steps[0].step_id, "bank_account");
  EXPECT_EQ(a1.steps[0].human_task, HumanTaskState::kOpen);
  EXPECT_EQ(a1.steps[0].state, StepState::kPending);
  EXPECT_EQ(a1.steps[1].step_id, "registration");
  EXPECT_EQ(a1.steps[1].ready_at, kT0);
  EXPECT_EQ(a1.steps[1].finished_at, kT0 + hours{2});
  EXPECT_EQ(a1.steps[1].flags, kFlagAtRisk);
  EXPECT_EQ(a1.steps[1].human_task, std::nullopt);
  EXPECT_EQ(a1.steps[2].step_id, "seal");
  EXPECT_EQ(a1.steps[2].failure, FailureKind::kPartnerRejected);
  EXPECT_TRUE((*all)[0].steps.empty());

  filter.district = "3702";
  EXPECT_EQ(idsOf(*console_->timelines(filter)), (std::vector<std::string>{"A2", "A1", "OLD2"}));
  filter.district = "370202";
  EXPECT_EQ(idsOf(*console_->timelines(filter)), (std::vector<std::string>{"A1", "OLD2"}));
  filter.district.clear();
  filter.bank_code = "QDBANK";
  EXPECT_EQ(idsOf(*console_->timelines(filter)), (std::vector<std::string>{"A3", "A1", "OLD2"}));
  filter.bank_code.clear();
  filter.limit = 2;
  EXPECT_EQ(idsOf(*console_->timelines(filter)), (std::vector<std::string>{"A3", "A2"}));
  filter.submitted_since = old - hours{1};
  filter.limit = 100;
  EXPECT_EQ(console_->timelines(filter)->size(), 5u);

  filter.district = "37x";
  EXPECT_EQ(console_->timelines(filter).error().code, ErrorCode::kInvalidInput);
  filter.district.clear();
  filter.limit = 0;
  EXPECT_EQ(console_->timelines(filter).error().code, ErrorCode::kInvalidInput);
}

TEST_P(ConsoleStoreContractTest, CountsWhatTheMetricsReport) {
  Result<StoreCounts> empty = console_->counts(kT0);
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(empty->applications.size(), 6u);
  EXPECT_EQ(empty->applications.at(ApplicationState::kSubmitted), 0);
  EXPECT_TRUE(empty->done_steps.empty());

  HumanTaskRecord kyc;
  kyc.step_id = "bank_account";
  kyc.kind = "kyc_review";
  kyc.role = "bank_staff";
  kyc.state = HumanTaskState::kOpen;
  kyc.opened_at = kT0;
  StepRecord flagged = stepOf("seal", StepState::kAcknowledged, kT0);
  flagged.flags = kFlagBreached;
  // A1: flagged at risk on the application, a breached step: breached.
  Change a1 = application("A1", kT0, "QDBANK", "370202", ApplicationState::kInProgress,
                          {stepOf("registration", StepState::kDone, kT0, kT0 + hours{2}), flagged,
                           stepOf("bank_account", StepState::kPending)},
                          {kyc});
  ASSERT_TRUE(store_->commit("A1", 0, a1, {}));
  // A2: at risk (the helper sets kFlagAtRisk on every application).
  ASSERT_TRUE(store_->commit(
      "A2", 0, application("A2", kT0, "QDBANK", "370202", ApplicationState::kNeedsAttention, {}),
      {}));
  // A3: completed, its flag no longer counts; a done step whose flag no longer counts either.
  StepRecord done_flagged = stepOf("registration", StepState::kDone, kT0, kT0 + minutes{30});
  done_flagged.flags = kFlagBreached;
  ASSERT_TRUE(store_->commit(
      "A3", 0,
      application("A3", kT0, "ICBC", "370202", ApplicationState::kCompleted, {done_flagged}), {}));
  // A4: in progress, nothing flagged; two outbox rows, one due later.
  Change a4 = application("A4", kT0, "ICBC", "370202", ApplicationState::kInProgress,
                          {stepOf("registration", StepState::kDispatched, kT0)});
  a4.application.flags = 0;
  OutboxMessage due;
  due.message_id = "A4-m1";
  due.application_id = "A4";
  due.step_id = "registration";
  due.next_attempt_at = kT0;
  OutboxMessage later = due;
  later.message_id = "A4-m2";
  later.next_attempt_at = kT0 + hours{1};
  const std::vector<OutboxMessage> outgoing = {due, later};
  ASSERT_TRUE(store_->commit("A4", 0, a4, outgoing));

  Result<StoreCounts> counts = console_->counts(kT0);
  ASSERT_TRUE(counts) << counts.error();
  EXPECT_EQ(counts->applications.at(ApplicationState::kInProgress), 2);
  EXPECT_EQ(counts->applications.at(ApplicationState::kNeedsAttention), 1);
  EXPECT_EQ(counts->applications.at(ApplicationState::kCompleted), 1);
  EXPECT_EQ(counts->applications.at(ApplicationState::kRejected), 0);
  EXPECT_EQ(counts->breached, 1);
  EXPECT_EQ(counts->at_risk, 1);
  EXPECT_EQ(counts->outbox_messages, 2);
  EXPECT_EQ(counts->outbox_due, 1);
  EXPECT_EQ(counts->open_human_tasks, 1);
  ASSERT_EQ(counts->done_steps.size(), 2u);
  int64_t total_minutes = 0;
  for (const StepRun& run : counts->done_steps) {
    EXPECT_EQ(run.step_id, "registration");
    total_minutes += std::chrono::duration_cast<minutes>(run.finished_at - run.ready_at).count();
  }
  EXPECT_EQ(total_minutes, 150);
}

}  // namespace kaiban::orchestrator
