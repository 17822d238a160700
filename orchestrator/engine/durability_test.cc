// Durability, crash safety, encryption at rest, the audit chain and flow versioning: what the
// engine promises about data, proved through the real stores.

#include <gtest/gtest.h>

#include <fstream>

#include "core/crypto/blind_index.h"
#include "core/id_number.h"
#include "core/timestamp.h"
#include "orchestrator/engine/engine_test_support.h"
#include "orchestrator/engine/message_id.h"

namespace kaiban::orchestrator {
namespace {

using adapters::OutcomeKind;
using fakes::FaultInjectingStore;
using std::chrono::minutes;
using std::chrono::seconds;

// Messages of application `id` that `partner` carried out.
int effectsFor(const fakes::FakeStepAdapter& partner, const std::string& id) {
  int count = 0;
  for (const std::string& message : partner.effects()) {
    if (applicationIdOf(message) == id) ++count;
  }
  return count;
}

TEST_P(EngineTest, PersonalDataIsNeverStoredInClear) {
  const std::string id = submit().application_id;
  completeAll(id);
  ASSERT_EQ(status(id).state, ApplicationState::kCompleted);
  close();  // everything stored, including what is left in a write-ahead log
  const std::string bytes = storedBytes();
  ASSERT_GT(bytes.size(), 10000u);
  for (const std::string& secret :
       {std::string(kZhangWeiId), std::string(kLiNaId), std::string(kWangQiangId),
        std::string("张伟"), std::string("李娜"), std::string("13800138000"),
        std::string("13912345678"), std::string("香港中路"), std::string("青岛海蓝科技有限公司"),
        std::string("6222020200112233445")}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "found in clear: " << secret;
  }
  // ...while the plain columns that lists filter on are there.
  EXPECT_NE(bytes.find(id), std::string::npos);
  EXPECT_NE(bytes.find("QDBANK"), std::string::npos);
  open();
  EXPECT_EQ(engine().application(id)->legal_representative.name, "张伟");
  EXPECT_EQ(status(id).outputs.at("account_number"), "6222020200112233445");
}

TEST_P(EngineTest, PeopleAreFoundThroughTheBlindIndex) {
  // An ID number whose check character is X, to look it up with a lower-case x.
  std::string with_x;
  for (int sequence = 100; sequence < 1000 && with_x.empty(); ++sequence) {
    const std::string first17 = "37020219870412" + std::to_string(sequence);
    if (IdNumber::checkCharacterFor(first17).value() == 'X') with_x = first17 + "X";
  }
  ASSERT_FALSE(with_x.empty());
  Application application = companyApplication();
  application.legal_representative.id_number = with_x;
  application.shareholders[0].person.id_number = with_x;
  const std::string a = submit(application).application_id;
  const std::string b = submit().application_id;

  std::string lower = with_x;
  lower.back() = 'x';
  EXPECT_EQ(*engine().findByLegalRepresentative(with_x), std::vector<std::string>{a});
  EXPECT_EQ(*engine().findByLegalRepresentative(lower), std::vector<std::string>{a});
  EXPECT_EQ(*engine().findByLegalRepresentative(kZhangWeiId), std::vector<std::string>{b});
  EXPECT_TRUE(engine().findByLegalRepresentative(kLiNaId)->empty());
  // The stored index is keyed: it is not a plain hash anyone could recompute.
  const std::string stored = store().load(a)->application.legal_representative_index;
  EXPECT_EQ(stored.size(), 64u);
  EXPECT_EQ(stored, crypto::BlindIndex(crypto::KeyRing::forTesting())
                        .compute("legal_representative.id_number", with_x));
  EXPECT_NE(stored, crypto::BlindIndex(crypto::KeyRing::forTesting(2))
                        .compute("legal_representative.id_number", with_x));
}

TEST_P(EngineTest, SealedDataCopiedToAnotherRowDoesNotOpen) {
  const std::string a = submit().application_id;
  const std::string b = submit().application_id;
  close();
  executeRaw(
      "UPDATE applications SET sealed_application = (SELECT sealed_application "
      "FROM applications WHERE id = '" +
      a + "') WHERE id = '" + b + "'");
  open();
  EXPECT_TRUE(engine().application(a));
  Result<Application> swapped = engine().application(b);
  ASSERT_FALSE(swapped);
  EXPECT_EQ(swapped.error().code, ErrorCode::kCorrupt);
}

TEST_P(EngineTest, EditingTheAuditLogIsDetected) {
  const std::string id = submit().application_id;
  completeAll(id);
  ASSERT_TRUE(engine().verifyAuditLog());
  const std::vector<AuditRecord> log = *store().auditLog(0, 1000);
  ASSERT_GT(log.size(), 20u);
  // Staff approvals are in the log with their actor.
  bool approval = false;
  for (const AuditRecord& entry : log) {
    approval |= entry.action == "human_task.approved" && entry.actor == "staff:li";
  }
  EXPECT_TRUE(approval);
  // Someone with database access rewrites who approved the account.
  executeRaw("UPDATE audit_log SET actor = 'staff:mallory' WHERE action = 'human_task.approved'");
  Result<void> verified = engine().verifyAuditLog();
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(verified.error().message.find("audit log broken at entry"), std::string::npos);
}

TEST_P(EngineTest, StateSurvivesARestart) {
  const std::string id = submit().application_id;
  completeStep(id, "registration");
  drive();
  close();
  open();
  ApplicationStatus s = status(id);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kDone);
  EXPECT_EQ(stepOf(s, "seal").state, StepState::kAcknowledged);
  completeStep(id, "seal");
  completeStep(id, "tax_registration");
  ASSERT_TRUE(engine().approveHumanTask(id, "bank_account", "staff:li"));
  close();
  open();
  completeStep(id, "bank_account");
  completeStep(id, "tax_bank_agreement");
  drive();
  EXPECT_EQ(status(id).state, ApplicationState::kCompleted);
  EXPECT_TRUE(engine().verifyAuditLog());
}

TEST_P(EngineTest, WorkClaimedByAProcessThatDiedIsResumedAfterItsLease) {
  const std::string id = submit().application_id;
  // The old process claimed the registration message, sent it, and was killed before it
  // recorded the acknowledgement.
  Result<std::vector<OutboxMessage>> claimed = engine().claimDueOutbox(10, "old", seconds{120});
  ASSERT_TRUE(claimed);
  for (const OutboxMessage& row : *claimed) {
    if (row.kind != OutboxKind::kDispatch) continue;
    Result<std::optional<PreparedSend>> send = engine().prepareSend(row);
    ASSERT_TRUE(send && send->has_value());
    ASSERT_TRUE(registry_.dispatch((*send)->request));
  }
  close();
  open();
  EXPECT_EQ(drive(), 0);  // still leased to the dead process
  clock_.advance(seconds{121});
  drive();
  EXPECT_TRUE(engine().checkFlowVersionsInUse());
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
  EXPECT_EQ(registry_.receipts().at(messageOf(id, "registration")), 2);
  EXPECT_EQ(effectsFor(registry_, id), 1);
}

TEST_P(EngineTest, ARestartedProcessTakesBackItsClaimsAtOnce) {
  const std::string id = submit().application_id;
  ASSERT_TRUE(engine().claimDueOutbox(10, "orchestrator-1#0", seconds{120}));
  close();
  open();
  EXPECT_EQ(drive(), 0);
  Result<int> released = engine().releaseLeases("orchestrator-1");
  ASSERT_TRUE(released) << released.error();
  EXPECT_EQ(*released, 2);  // the registration request and the SMS
  EXPECT_EQ(drive(), 2);
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
}

TEST_P(EngineTest, AFailedSubmitCommitLeavesNothingBehind) {
  faults().failCommit(1, FaultInjectingStore::Fault::kBeforeWrite);
  Result<SubmitResult> failed = engine().submit(companyApplication(), "QD-SN-0001", "k", "h");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(engine().list({})->applications.empty());
  EXPECT_TRUE(engine().events(0, 10)->empty());
  EXPECT_TRUE(store().auditLog(0, 10)->empty());
  EXPECT_EQ(drive(), 0);
  // The kiosk tries again with the same key: it goes through.
  Result<SubmitResult> again = engine().submit(companyApplication(), "QD-SN-0001", "k", "h");
  ASSERT_TRUE(again) << again.error();
  EXPECT_TRUE(again->created);
}

TEST_P(EngineTest, ASubmitWhoseAnswerWasLostIsFoundByItsKey) {
  faults().failCommit(1, FaultInjectingStore::Fault::kAfterWrite);
  Result<SubmitResult> lost = engine().submit(companyApplication(), "QD-SN-0001", "k", "h");
  ASSERT_FALSE(lost);
  Result<SubmitResult> again = engine().submit(companyApplication(), "QD-SN-0001", "k", "h");
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(engine().list({})->applications.size(), 1u);
  EXPECT_EQ(again->application_id, engine().list({})->applications[0].id);
}

// Runs one application to completion the way the real components would around failures:
// clients repeat failed calls, and the dispatcher's rows come back when their lease expires.
// Returns the application id.
std::string runThroughFaults(Engine& engine, Dispatcher& dispatcher, ManualClock& clock, int& key) {
  auto settle = [&] {
    for (int round = 0; round < 100; ++round) {
      Result<int> processed = dispatcher.runOnce();
      if (!processed) {
        clock.advance(seconds{121});  // the failed row's lease runs out
        continue;
      }
      if (*processed == 0) return;
    }
    ADD_FAILURE() << "dispatcher did not settle";
  };
  const std::string idempotency_key = "fault-" + std::to_string(++key);
  std::string id;
  for (int attempt = 0; attempt < 3 && id.empty(); ++attempt) {
    Result<SubmitResult> submitted =
        engine.submit(companyApplication(), "QD-SN-0001", idempotency_key, "h");
    if (submitted) id = submitted->application_id;
  }
  EXPECT_FALSE(id.empty());
  if (id.empty()) return id;
  static const std::map<std::string, adapters::Outputs> kOutputs = {
      {"registration", {{"uscc", "U"}}},
      {"seal", {{"seal_codes", "S"}}},
      {"tax_registration", {{"taxpayer_id", "T"}}},
      {"bank_account", {{"account_number", "A"}}},
      {"tax_bank_agreement", {{"agreement_ref", "R"}}},
  };
  auto complete = [&](const std::string& step) {
    settle();
    for (int attempt = 0; attempt < 3; ++attempt) {
      adapters::StepOutcome outcome;
      Result<ApplicationStatus> current = engine.status(id);
      if (!current) continue;
      for (const StepStatus& candidate : current->steps) {
        if (candidate.id == step) outcome.message_id = candidate.message_id;
      }
      outcome.kind = OutcomeKind::kDone;
      outcome.outputs = kOutputs.at(step);
      if (engine.applyOutcome(outcome, "partner:test")) return;
    }
    ADD_FAILURE() << "callback for " << step << " kept failing";
  };
  complete("registration");
  complete("seal");
  complete("tax_registration");
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<ApplicationStatus> approved = engine.approveHumanTask(id, "bank_account", "staff:li");
    // A repeat after a lost answer finds the task already approved.
    if (approved || approved.error().code == ErrorCode::kConflict) break;
  }
  complete("bank_account");
  complete("tax_bank_agreement");
  settle();
  return id;
}

TEST_P(EngineTest, AFailureAtAnyCommitLeavesNoPartialStateAndNoDoubleEffect) {
  // How many commits one undisturbed run takes.
  int key = 0;
  const int before = faults().commits();
  const std::string clean = runThroughFaults(engine(), dispatcher(), clock_, key);
  ASSERT_EQ(status(clean).state, ApplicationState::kCompleted);
  const int commits = faults().commits() - before;
  ASSERT_GE(commits, 14);  // submit, 5 acks, 5 results, the approval, 2 notifications

  for (FaultInjectingStore::Fault fault :
       {FaultInjectingStore::Fault::kBeforeWrite, FaultInjectingStore::Fault::kAfterWrite}) {
    for (int n = 1; n <= commits; ++n) {
      SCOPED_TRACE(
          std::string(fault == FaultInjectingStore::Fault::kBeforeWrite ? "before" : "after") +
          " write, commit " + std::to_string(n));
      faults().failCommit(n, fault);
      const std::string id = runThroughFaults(engine(), dispatcher(), clock_, key);
      EXPECT_TRUE(faults().faultFired());
      ASSERT_FALSE(id.empty());
      ApplicationStatus s = status(id);
      EXPECT_EQ(s.state, ApplicationState::kCompleted);
      for (const StepStatus& step : s.steps) EXPECT_EQ(step.state, StepState::kDone) << step.id;
      EXPECT_TRUE(store().outboxOf(id)->empty());
      for (auto* partner : {&registry_, &seal_, &bank_, &tax_registration_, &tax_agreement_}) {
        EXPECT_EQ(effectsFor(*partner, id), 1) << partner->partner();
      }
    }
  }
  EXPECT_EQ(engine().list({})->applications.size(), static_cast<size_t>(2 * commits + 1));
  EXPECT_TRUE(engine().verifyAuditLog());
}

TEST_P(EngineTest, AnApplicationKeepsTheFlowVersionItStartedWith) {
  const std::filesystem::path flows = tempDir() / "flows";
  std::filesystem::create_directories(flows);
  std::filesystem::copy_file(testing::repoFile("orchestrator/flows/default-v1.xml"),
                             flows / "default-v1.xml");
  open(flows);
  const std::string old_id = submit().application_id;
  completeStep(old_id, "registration");

  // Version 2: registration and seal only. The orchestrator restarts with both versions.
  std::ofstream(flows / "default-v2.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<flow xmlns="urn:kaiban:flow:1" name="company-startup" version="2">
  <deadline working-days="3" green-channel-working-days="1"/>
  <step id="registration" adapter="registry" budget-working-minutes="240">
    <retry max-attempts="3" initial-backoff-seconds="10" multiplier="2" max-backoff-seconds="60"/>
  </step>
  <step id="seal" adapter="seal" budget-working-minutes="240">
    <depends-on step="registration"/>
    <retry max-attempts="3" initial-backoff-seconds="10" multiplier="2" max-backoff-seconds="60"/>
  </step>
</flow>
)";
  close();
  open(flows);
  const SubmitResult fresh = submit();
  EXPECT_EQ(fresh.flow_version, 2);
  EXPECT_EQ(status(fresh.application_id).steps.size(), 2u);
  EXPECT_EQ(formatIso8601(*stepOf(status(fresh.application_id), "registration").budget_due_at),
            "2026-03-10T14:00:00+08:00");
  EXPECT_EQ(*store().flowVersionsInUse(), (std::vector<int>{1, 2}));

  ApplicationStatus old_status = status(old_id);
  EXPECT_EQ(old_status.flow_version, 1);
  EXPECT_EQ(old_status.steps.size(), 5u);
  completeStep(old_id, "seal");
  completeStep(old_id, "tax_registration");
  ASSERT_TRUE(engine().approveHumanTask(old_id, "bank_account", "staff:li"));
  completeStep(old_id, "bank_account");
  completeStep(old_id, "tax_bank_agreement");
  EXPECT_EQ(status(old_id).state, ApplicationState::kCompleted);

  completeStep(fresh.application_id, "registration");
  completeStep(fresh.application_id, "seal");
  EXPECT_EQ(status(fresh.application_id).state, ApplicationState::kCompleted);
}

TEST_P(EngineTest, AnApplicationWhoseFlowVersionIsGoneIsReportedNotGuessed) {
  const std::string id = submit().application_id;
  const std::filesystem::path flows = tempDir() / "v7-only";
  std::filesystem::create_directories(flows);
  std::string v1 = testing::readFile(testing::repoFile("orchestrator/flows/default-v1.xml"));
  v1.replace(v1.find("version=\"1\""), 11, "version=\"7\"");
  std::ofstream(flows / "default-v7.xml") << v1;
  close();
  open(flows);
  Result<void> check = engine().checkFlowVersionsInUse();
  ASSERT_FALSE(check);
  EXPECT_NE(check.error().message.find("flow version(s) 1,"), std::string::npos) << check.error();
  Result<ApplicationStatus> lost = engine().status(id);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kInternal);
  EXPECT_NE(lost.error().message.find("flow version 1"), std::string::npos) << lost.error();
  EXPECT_EQ(submit().flow_version, 7);
}

}  // namespace
}  // namespace kaiban::orchestrator
