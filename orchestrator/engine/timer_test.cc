#include "orchestrator/engine/timer_loop.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "orchestrator/engine/engine_test_support.h"

namespace kaiban::orchestrator {
namespace {

using std::chrono::milliseconds;

std::vector<std::string> flagEvents(Engine& engine, const std::string& id) {
  std::vector<std::string> types;
  for (const EventRecord& event : valueOf(engine.history(id))) {
    if (event.type.ends_with("at_risk") || event.type.ends_with("breached")) {
      types.push_back(event.step_id.empty() ? event.type : event.type + ":" + event.step_id);
    }
  }
  return types;
}

TEST_P(EngineTest, DeadlinesRunInWorkingTimeAcrossSpringFestival) {
  // Friday before the 2026 Spring Festival, 15:00. Saturday the 14th is a make-up working
  // day; the 15th to the 23rd are off.
  clock_.set(at("2026-02-13T15:00:00+08:00"));
  const SubmitResult submitted = submit();
  const std::string id = submitted.application_id;
  EXPECT_EQ(formatIso8601(submitted.deadline), "2026-02-25T15:00:00+08:00");
  drive();
  const StepStatus registration = stepOf(status(id), "registration");
  ASSERT_TRUE(registration.budget_due_at);
  EXPECT_EQ(formatIso8601(*registration.budget_due_at), "2026-02-14T13:00:00+08:00");

  clock_.set(at("2026-02-14T11:47:00+08:00"));
  EXPECT_EQ(fireTimers(), 0);
  clock_.set(at("2026-02-14T11:48:00+08:00"));  // 80 % of the step's 6 working hours
  EXPECT_EQ(fireTimers(), 1);
  ApplicationStatus s = status(id);
  EXPECT_TRUE(stepOf(s, "registration").at_risk);
  EXPECT_FALSE(stepOf(s, "registration").breached);
  EXPECT_FALSE(s.at_risk);

  clock_.set(at("2026-02-14T13:00:00+08:00"));
  EXPECT_EQ(fireTimers(), 1);
  EXPECT_TRUE(stepOf(status(id), "registration").breached);

  // Nine days of holiday consume no working time.
  clock_.set(at("2026-02-23T16:00:00+08:00"));
  EXPECT_EQ(fireTimers(), 0);
  EXPECT_FALSE(status(id).at_risk);

  clock_.set(at("2026-02-25T10:12:00+08:00"));
  EXPECT_EQ(fireTimers(), 1);
  s = status(id);
  EXPECT_TRUE(s.at_risk);
  EXPECT_FALSE(s.breached);

  clock_.set(at("2026-02-25T15:00:00+08:00"));
  EXPECT_EQ(fireTimers(), 1);
  s = status(id);
  EXPECT_TRUE(s.at_risk);
  EXPECT_TRUE(s.breached);
  EXPECT_EQ(flagEvents(engine(), id),
            (std::vector<std::string>{"step.at_risk:registration", "step.breached:registration",
                                      "application.at_risk", "application.breached"}));
  EXPECT_EQ(fireTimers(), 0);  // each fires once
  ListFilter filter;
  EXPECT_TRUE(engine().list(filter)->applications[0].breached);
}

TEST_P(EngineTest, TheGreenChannelHasOneWorkingDay) {
  clock_.set(at("2026-02-13T15:00:00+08:00"));
  Application application = companyApplication();
  application.green_channel = true;
  const SubmitResult submitted = submit(application);
  EXPECT_EQ(formatIso8601(submitted.deadline), "2026-02-14T15:00:00+08:00");
  // Registration's green-channel budget is 2 working hours: due at Friday's closing.
  const StepStatus registration = stepOf(status(submitted.application_id), "registration");
  EXPECT_EQ(formatIso8601(*registration.budget_due_at), "2026-02-13T17:00:00+08:00");
}

TEST_P(EngineTest, FinishedWorkIsNeverFlagged) {
  const std::string id = submit().application_id;
  completeStep(id, "registration");  // long before its at-risk mark
  clock_.set(at("2026-03-13T10:00:00+08:00"));
  fireTimers();
  ApplicationStatus s = status(id);
  EXPECT_FALSE(stepOf(s, "registration").at_risk);
  EXPECT_TRUE(stepOf(s, "seal").breached);  // seal and tax_registration never finished
  EXPECT_TRUE(s.breached);

  completeAll(submit().application_id);
  const std::string done = engine().list({})->applications[0].id;
  clock_.set(at("2026-03-20T10:00:00+08:00"));
  fireTimers();
  EXPECT_EQ(status(done).state, ApplicationState::kCompleted);
  EXPECT_FALSE(status(done).at_risk);
}

TEST_P(EngineTest, AFailedStepKeepsItsBudgetRunning) {
  registry_.failAllDispatches(Error::invalidInput("refused"));
  const std::string id = submit().application_id;
  drive();
  ASSERT_EQ(status(id).state, ApplicationState::kNeedsAttention);
  clock_.set(at("2026-03-10T16:00:00+08:00"));
  fireTimers();
  EXPECT_TRUE(stepOf(status(id), "registration").breached);
}

TEST_P(EngineTest, ATimerFiredTwiceRecordsOnce) {
  const std::string id = submit().application_id;
  clock_.set(at("2026-03-12T14:00:00+08:00"));
  Result<std::vector<TimerRecord>> claimed =
      engine().claimDueTimers(10, "loop-a", std::chrono::seconds{60});
  ASSERT_TRUE(claimed);
  ASSERT_FALSE(claimed->empty());
  for (const TimerRecord& timer : *claimed) {
    ASSERT_TRUE(engine().fireTimer(timer));
    ASSERT_TRUE(engine().fireTimer(timer));  // a twin after an expired lease
  }
  EXPECT_EQ(flagEvents(engine(), id),
            (std::vector<std::string>{"step.at_risk:registration", "step.breached:registration",
                                      "application.at_risk"}));
}

TEST_P(EngineTest, TheTimerLoopThreadFiresAndStops) {
  const std::string id = submit().application_id;
  clock_.set(at("2026-03-10T16:00:00+08:00"));
  TimerLoopOptions options;
  options.interval = milliseconds{10};
  TimerLoop loop(engine(), options);
  loop.start();
  // Waits on the condition (the flag), bounded, rather than sleeping a guessed time.
  bool breached = false;
  for (int i = 0; i < 1000 && !breached; ++i) {
    breached = stepOf(status(id), "registration").breached;
    if (!breached) std::this_thread::sleep_for(milliseconds{5});
  }
  loop.stop();
  loop.stop();
  EXPECT_TRUE(breached);
}

}  // namespace
}  // namespace kaiban::orchestrator
