#include "orchestrator/flow/flow_definition.h"

#include <gtest/gtest.h>

namespace kaiban::orchestrator {
namespace {

using std::chrono::minutes;

const std::set<std::string, std::less<>> kAdapters = {"registry", "seal", "bank",
                                                      "tax_registration", "tax_agreement"};

StepDefinition step(std::string id, std::string adapter, std::vector<std::string> depends_on,
                    int budget_minutes = 60) {
  StepDefinition s;
  s.id = std::move(id);
  s.adapter = std::move(adapter);
  s.depends_on = std::move(depends_on);
  s.budget = minutes{budget_minutes};
  s.green_channel_budget = minutes{budget_minutes / 3 + 1};
  return s;
}

FlowDefinition flow(std::vector<StepDefinition> steps) {
  FlowDefinition f;
  f.name = "company-startup";
  f.version = 1;
  f.steps = std::move(steps);
  return f;
}

std::vector<std::string> ids(const FlowDefinition& f) {
  std::vector<std::string> result;
  for (const StepDefinition& s : f.steps) result.push_back(s.id);
  return result;
}

std::string errorOf(FlowDefinition f) {
  Result<void> result = validateFlowDefinition(f, kAdapters);
  return result ? "ok" : result.error().message;
}

TEST(FlowDefinitionTest, OrdersStepsTopologicallyKeepingDeclarationOrderOtherwise) {
  FlowDefinition f = flow(
      {step("tax_bank_agreement", "tax_agreement", {"bank_account", "tax"}),
       step("bank_account", "bank", {"seal"}), step("registration", "registry", {}),
       step("tax", "tax_registration", {"registration"}), step("seal", "seal", {"registration"})});
  ASSERT_TRUE(validateFlowDefinition(f, kAdapters));
  EXPECT_EQ(ids(f), (std::vector<std::string>{"registration", "tax", "seal", "bank_account",
                                              "tax_bank_agreement"}));
}

TEST(FlowDefinitionTest, CriticalPathIsTheLongestChainOfBudgets) {
  FlowDefinition f =
      flow({step("a", "registry", {}, 100), step("b", "seal", {"a"}, 50),
            step("c", "bank", {"a"}, 200), step("d", "tax_agreement", {"b", "c"}, 10)});
  ASSERT_TRUE(validateFlowDefinition(f, kAdapters));
  EXPECT_EQ(f.criticalPathBudget(false), minutes{310});
}

TEST(FlowDefinitionTest, RefusesAFlowWithoutSteps) {
  EXPECT_NE(errorOf(flow({})).find("has no steps"), std::string::npos) << errorOf(flow({}));
}

TEST(FlowDefinitionTest, RefusesDuplicateStepIds) {
  std::string error = errorOf(flow({step("seal", "seal", {}), step("seal", "seal", {})}));
  EXPECT_NE(error.find("step id 'seal' is defined twice"), std::string::npos) << error;
}

TEST(FlowDefinitionTest, RefusesUnknownDependencyNamingIt) {
  std::string error =
      errorOf(flow({step("registration", "registry", {}), step("seal", "seal", {"registraton"})}));
  EXPECT_NE(error.find("step 'seal': depends on unknown step 'registraton'"), std::string::npos)
      << error;
}

TEST(FlowDefinitionTest, RefusesSelfAndRepeatedDependencies) {
  EXPECT_NE(errorOf(flow({step("seal", "seal", {"seal"})})).find("depends on itself"),
            std::string::npos);
  EXPECT_NE(errorOf(flow({step("a", "registry", {}), step("b", "seal", {"a", "a"})}))
                .find("depends on 'a' twice"),
            std::string::npos);
}

TEST(FlowDefinitionTest, RefusesACycleAndNamesIt) {
  std::string error = errorOf(flow({step("registration", "registry", {}),
                                    step("seal", "seal", {"registration", "bank_account"}),
                                    step("bank_account", "bank", {"seal"})}));
  EXPECT_NE(error.find("dependency cycle: seal -> bank_account -> seal"), std::string::npos)
      << error;
}

TEST(FlowDefinitionTest, RefusesALongCycleAndNamesEveryStepOnIt) {
  std::string error = errorOf(
      flow({step("a", "registry", {"c"}), step("b", "seal", {"a"}), step("c", "bank", {"b"})}));
  EXPECT_NE(error.find("dependency cycle: a -> c -> b -> a"), std::string::npos) << error;
}

TEST(FlowDefinitionTest, RefusesAnAdapterTheWiringDoesNotKnow) {
  std::string error = errorOf(flow({step("registration", "registy", {})}));
  EXPECT_NE(error.find("adapter 'registy' is not wired"), std::string::npos) << error;
  EXPECT_NE(error.find("known: bank, registry, seal"), std::string::npos) << error;
}

TEST(FlowDefinitionTest, RefusesBadIdentifiersAndPolicies) {
  EXPECT_NE(errorOf(flow({step("Seal", "seal", {})})).find("must match"), std::string::npos);
  StepDefinition no_budget = step("a", "registry", {});
  no_budget.budget = minutes{0};
  EXPECT_NE(errorOf(flow({no_budget})).find("budget"), std::string::npos);
  StepDefinition bad_retry = step("a", "registry", {});
  bad_retry.retry.max_attempts = 0;
  EXPECT_NE(errorOf(flow({bad_retry})).find("max-attempts"), std::string::npos);
  StepDefinition inverted = step("a", "registry", {});
  inverted.retry.initial_backoff = std::chrono::seconds{100};
  inverted.retry.max_backoff = std::chrono::seconds{10};
  EXPECT_NE(errorOf(flow({inverted})).find("initial backoff"), std::string::npos);
  StepDefinition shrinking = step("a", "registry", {});
  shrinking.retry.multiplier = 0.5;
  EXPECT_NE(errorOf(flow({shrinking})).find("multiplier"), std::string::npos);
  StepDefinition task = step("a", "registry", {});
  task.human_task = HumanTaskDefinition{"kyc_review", ""};
  EXPECT_NE(errorOf(flow({task})).find("human task"), std::string::npos);
}

TEST(FlowDefinitionTest, RefusesAGreenChannelDeadlineLongerThanTheNormalOne) {
  FlowDefinition f = flow({step("a", "registry", {})});
  f.green_channel_deadline_working_days = 5;
  EXPECT_NE(errorOf(f).find("deadlines"), std::string::npos);
}

TEST(FlowDefinitionTest, MessagesNameTheSourceFile) {
  FlowDefinition f = flow({});
  f.source = "flows/broken-v2.xml";
  EXPECT_NE(errorOf(f).find("flows/broken-v2.xml"), std::string::npos);
}

}  // namespace
}  // namespace kaiban::orchestrator
