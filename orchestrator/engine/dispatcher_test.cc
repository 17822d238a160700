#include "orchestrator/engine/dispatcher.h"

#include <gtest/gtest.h>

#include "orchestrator/engine/engine_test_support.h"
#include "orchestrator/flow/retry.h"

namespace kaiban::orchestrator {
namespace {

using adapters::OutcomeKind;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

OutboxMessage dispatchRowOf(Store& store, const std::string& id) {
  for (const OutboxMessage& row : valueOf(store.outboxOf(id))) {
    if (row.kind == OutboxKind::kDispatch) return row;
  }
  ADD_FAILURE() << "no dispatch row";
  return {};
}

TEST_P(EngineTest, TransientFailuresAreRetriedOnTheStepsSchedule) {
  registry_.failNextDispatches(3, Error::unavailable("registry: connection refused"));
  const std::string id = submit().application_id;
  const std::string message = messageOf(id, "registration");
  RetryPolicy policy;  // registration's, from default-v1.xml
  policy.max_attempts = 10;
  policy.initial_backoff = seconds{30};
  policy.multiplier = 2;
  policy.max_backoff = seconds{1800};
  policy.jitter_percent = 20;

  for (int failed = 1; failed <= 3; ++failed) {
    drive();
    EXPECT_EQ(registry_.dispatchCalls(), failed);
    const OutboxMessage row = dispatchRowOf(store(), id);
    EXPECT_EQ(row.attempts, failed);
    EXPECT_EQ(row.message_id, message);
    const SystemTime expected = clock_.now() + std::chrono::duration_cast<SystemTime::duration>(
                                                   retryDelay(policy, failed, jitterSeed(message)));
    EXPECT_EQ(row.next_attempt_at, expected) << "after failure " << failed;
    EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kDispatched);
    // Nothing goes out before the backoff has passed.
    EXPECT_EQ(drive(), 0);
    clock_.set(row.next_attempt_at);
  }
  drive();
  ApplicationStatus s = status(id);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kAcknowledged);
  EXPECT_EQ(stepOf(s, "registration").attempts, 4);
  EXPECT_EQ(registry_.receipts().at(message), 4);
  EXPECT_EQ(registry_.effects().size(), 1u);
  int send_failures = 0;
  for (const EventRecord& event : valueOf(engine().history(id))) {
    if (event.type == "step.send_failed") ++send_failures;
  }
  EXPECT_EQ(send_failures, 3);
}

TEST_P(EngineTest, APartnerThatNeverAnswersEndsInNeedsAttentionNotInALoop) {
  registry_.failAllDispatches(Error::timeout("registry: no answer within 10 s"));
  const std::string id = submit().application_id;
  // Far more rounds and time than ten attempts need.
  for (int round = 0; round < 40; ++round) {
    drive();
    clock_.advance(hours{1});
  }
  EXPECT_EQ(registry_.dispatchCalls(), 10);
  ApplicationStatus s = status(id);
  EXPECT_EQ(s.state, ApplicationState::kNeedsAttention);
  const StepStatus& step = stepOf(s, "registration");
  EXPECT_EQ(step.state, StepState::kFailed);
  EXPECT_EQ(step.failure, FailureKind::kUnreachable);
  EXPECT_EQ(step.reason_code, "UNREACHABLE");
  EXPECT_EQ(step.attempts, 10);
  EXPECT_NE(step.reason.find("after 10 attempts"), std::string::npos) << step.reason;
  EXPECT_NE(step.reason.find("no answer within 10 s"), std::string::npos) << step.reason;
  ASSERT_EQ(s.attention.size(), 1u);
  for (const OutboxMessage& row : valueOf(store().outboxOf(id))) {
    EXPECT_EQ(row.kind, OutboxKind::kNotify);
  }

  // Once the registry is back, staff retry: same message, fresh attempts.
  registry_.failAllDispatches(std::nullopt);
  ASSERT_TRUE(engine().retryStep(id, "registration", "staff:li"));
  drive();
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
  EXPECT_EQ(registry_.effects().size(), 1u);
}

TEST_P(EngineTest, ARequestThePartnerCannotTakeFailsAtOnce) {
  registry_.failNextDispatches(1, Error::invalidInput("business_scope: exceeds 400 bytes"));
  const std::string id = submit().application_id;
  drive();
  EXPECT_EQ(registry_.dispatchCalls(), 1);
  const StepStatus step = stepOf(status(id), "registration");
  EXPECT_EQ(step.state, StepState::kFailed);
  EXPECT_EQ(step.failure, FailureKind::kInvalidRequest);
  EXPECT_NE(step.reason.find("exceeds 400 bytes"), std::string::npos);
  EXPECT_EQ(status(id).state, ApplicationState::kNeedsAttention);
}

TEST_P(EngineTest, ALostAcknowledgementIsResentWithoutASecondEffect) {
  registry_.loseNextAcks(1, Error::timeout("registry: read timed out"));
  const std::string id = submit().application_id;
  drive();
  EXPECT_EQ(registry_.effects().size(), 1u);  // the registry did it...
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kDispatched);  // ...we don't know
  clock_.advance(minutes{1});
  drive();
  const std::string message = messageOf(id, "registration");
  EXPECT_EQ(registry_.receipts().at(message), 2);
  EXPECT_EQ(registry_.effects().size(), 1u);
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
}

TEST_P(EngineTest, ALateCallbackIsFetchedByPollingWithGrowingIntervals) {
  const std::string id = submit().application_id;
  drive();
  const std::string message = messageOf(id, "registration");
  EXPECT_EQ(registry_.pollCalls(), 0);
  clock_.advance(minutes{15});
  drive();
  EXPECT_EQ(registry_.pollCalls(), 1);  // pending: next in 30 minutes
  clock_.advance(minutes{29});
  drive();
  EXPECT_EQ(registry_.pollCalls(), 1);
  clock_.advance(minutes{1});
  drive();
  EXPECT_EQ(registry_.pollCalls(), 2);  // next in 60 minutes, the ceiling
  adapters::StepOutcome done;
  done.message_id = message;
  done.kind = OutcomeKind::kDone;
  done.outputs = {{"uscc", "91370202MA3C4XYZ1K"}};
  registry_.setPollAnswer(message, done);
  clock_.advance(minutes{60});
  drive();
  EXPECT_EQ(registry_.pollCalls(), 3);
  ApplicationStatus s = status(id);
  EXPECT_EQ(stepOf(s, "registration").state, StepState::kDone);
  EXPECT_EQ(stepOf(s, "registration").outputs.at("uscc"), "91370202MA3C4XYZ1K");
  EXPECT_EQ(stepOf(s, "seal").state, StepState::kAcknowledged);
  // No further polls of a finished step.
  clock_.advance(hours{5});
  drive();
  EXPECT_EQ(registry_.pollCalls(), 3);
}

TEST_P(EngineTest, APartnerThatLostAnAcknowledgedRequestGetsItAgain) {
  const std::string id = submit().application_id;
  drive();
  const std::string message = messageOf(id, "registration");
  registry_.forget(message);
  clock_.advance(minutes{15});
  drive();  // poll: not found -> resend the same message -> acknowledged again
  EXPECT_EQ(registry_.receipts().at(message), 2);
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
  bool resent = false;
  for (const EventRecord& event : valueOf(engine().history(id)))
    resent |= event.type == "step.resent";
  EXPECT_TRUE(resent);
}

TEST_P(EngineTest, PollFailuresKeepPollingAtTheCeiling) {
  const std::string id = submit().application_id;
  drive();
  const std::string message = messageOf(id, "registration");
  registry_.setPollAnswer(message, Error::unavailable("registry: down for maintenance"));
  for (int i = 0; i < 10; ++i) {
    clock_.advance(hours{1});
    drive();
  }
  EXPECT_EQ(registry_.pollCalls(), 10);  // one per hour: bounded, not spinning
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
}

TEST_P(EngineTest, AnExceptionFromAnAdapterIsABoundedFailure) {
  class ThrowingAdapter final : public adapters::StepAdapter {
   public:
    std::string_view partner() const override { return "registry"; }
    Result<adapters::Ack> dispatch(const adapters::StepRequest&) override {
      ++calls;
      throw std::runtime_error("bug in codec");
    }
    Result<adapters::StepOutcome> poll(const adapters::MessageId&) override {
      return Error::notFound("x");
    }
    Result<adapters::StepOutcome> decodeCallback(std::string_view) const override {
      return Error::invalidInput("x");
    }
    int calls = 0;
  } thrower;
  const std::string id = submit().application_id;
  Dispatcher dispatcher(engine(), {{"registry", &thrower}}, &notifier_, {});
  for (int round = 0; round < 30; ++round) {
    EXPECT_TRUE(dispatcher.runOnce());
    clock_.advance(hours{1});
  }
  EXPECT_EQ(thrower.calls, 10);
  const StepStatus step = stepOf(status(id), "registration");
  EXPECT_EQ(step.state, StepState::kFailed);
  EXPECT_NE(step.reason.find("bug in codec"), std::string::npos) << step.reason;
}

TEST_P(EngineTest, NotificationsAreRetriedThenGivenUp) {
  notifier_.setFailing(true);
  const std::string id = submit().application_id;
  for (int round = 0; round < 20; ++round) {
    drive();
    clock_.advance(hours{1});
  }
  EXPECT_EQ(notifier_.calls(), 5);
  bool gave_up = false;
  for (const EventRecord& event : valueOf(engine().history(id))) {
    gave_up |= event.type == "notification.failed";
  }
  EXPECT_TRUE(gave_up);
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
}

TEST_P(EngineTest, WorkerThreadsSendWhatIsCommittedAndStopCleanly) {
  engine().setOutboxListener([this] { dispatcher().wake(); });
  dispatcher().start();
  const std::string a = submit().application_id;
  const std::string b = submit().application_id;
  ASSERT_TRUE(registry_.waitForDispatchCalls(2, milliseconds{10'000}));
  dispatcher().stop();
  dispatcher().stop();  // twice is harmless
  EXPECT_EQ(registry_.effects().size(), 2u);
  // The acks are recorded before the worker picks its next row; after stop() nothing runs.
  for (const std::string& id : {a, b}) {
    const StepState state = stepOf(status(id), "registration").state;
    EXPECT_TRUE(state == StepState::kAcknowledged || state == StepState::kDispatched);
  }
  drive();
  for (const std::string& id : {a, b}) {
    EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
  }
  EXPECT_EQ(registry_.effects().size(), 2u);
}

TEST_P(EngineTest, AnExpiredLeaseLetsAnotherWorkerResendTheSameMessage) {
  const std::string id = submit().application_id;
  // A worker claims the row and dies before sending.
  Result<std::vector<OutboxMessage>> claimed =
      engine().claimDueOutbox(10, "dead-worker", seconds{120});
  ASSERT_TRUE(claimed);
  EXPECT_EQ(drive(), 0);  // leased: nobody else takes it
  clock_.advance(seconds{121});
  drive();
  EXPECT_EQ(registry_.dispatchCalls(), 1);
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
  // The dead worker's late result for its old claim changes nothing.
  const OutboxMessage stale = *std::find_if(claimed->begin(), claimed->end(), [](const auto& m) {
    return m.kind == OutboxKind::kDispatch;
  });
  ASSERT_TRUE(engine().recordDispatchResult(stale, Error::timeout("late")));
  EXPECT_EQ(stepOf(status(id), "registration").state, StepState::kAcknowledged);
  EXPECT_EQ(stepOf(status(id), "registration").attempts, 1);
}

}  // namespace
}  // namespace kaiban::orchestrator
