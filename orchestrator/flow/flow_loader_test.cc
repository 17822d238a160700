#include "orchestrator/flow/flow_loader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/test_env.h"

namespace kaiban::orchestrator {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const std::set<std::string, std::less<>> kAdapters = {"registry", "seal", "bank",
                                                      "tax_registration", "tax_agreement"};

std::filesystem::path xsdPath() { return testing::repoFile("orchestrator/flows/flow.xsd"); }

const xml::Schema& schema() {
  static const std::shared_ptr<const xml::Schema> loaded = [] {
    auto result = xml::Schema::load(xsdPath());
    if (!result) throw std::runtime_error(result.error().toString());
    return *result;
  }();
  return *loaded;
}

// A minimal valid definition with `steps_xml` as its steps.
std::string flowXml(const std::string& steps_xml, int version = 1,
                    const std::string& name = "company-startup") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<flow xmlns=\"urn:kaiban:flow:1\" name=\"" +
         name + "\" version=\"" + std::to_string(version) +
         "\">\n"
         "  <deadline working-days=\"3\" green-channel-working-days=\"1\"/>\n" +
         steps_xml + "</flow>\n";
}

std::string stepXml(const std::string& id, const std::string& adapter,
                    const std::vector<std::string>& depends_on = {}, int budget = 240) {
  std::string xml = "  <step id=\"" + id + "\" adapter=\"" + adapter +
                    "\" budget-working-minutes=\"" + std::to_string(budget) + "\">\n";
  for (const std::string& d : depends_on) xml += "    <depends-on step=\"" + d + "\"/>\n";
  xml +=
      "    <retry max-attempts=\"3\" initial-backoff-seconds=\"10\" multiplier=\"1.5\" "
      "max-backoff-seconds=\"60\"/>\n  </step>\n";
  return xml;
}

Result<FlowDefinition> parse(const std::string& xml) {
  return parseFlowDefinition(xml, "test.xml", schema(), kAdapters);
}

void writeFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

TEST(FlowLoaderTest, LoadsTheDefaultFlow) {
  Result<FlowDefinition> flow = loadFlowDefinition(
      testing::repoFile("orchestrator/flows/default-v1.xml"), schema(), kAdapters);
  ASSERT_TRUE(flow) << flow.error();
  EXPECT_EQ(flow->name, "company-startup");
  EXPECT_EQ(flow->version, 1);
  EXPECT_EQ(flow->deadline_working_days, 3);
  EXPECT_EQ(flow->green_channel_deadline_working_days, 1);
  ASSERT_EQ(flow->steps.size(), 5u);
  EXPECT_EQ(flow->steps.front().id, "registration");
  EXPECT_EQ(flow->steps.back().id, "tax_bank_agreement");

  const StepDefinition* bank = flow->step("bank_account");
  ASSERT_NE(bank, nullptr);
  EXPECT_EQ(bank->adapter, "bank");
  EXPECT_EQ(bank->depends_on, std::vector<std::string>{"seal"});
  ASSERT_TRUE(bank->human_task.has_value());
  EXPECT_EQ(bank->human_task->kind, "kyc_review");
  EXPECT_EQ(bank->human_task->role, "bank_staff");
  EXPECT_EQ(bank->retry.max_attempts, 12);
  EXPECT_EQ(bank->retry.initial_backoff, seconds{60});
  EXPECT_EQ(bank->retry.multiplier, 2.0);
  EXPECT_EQ(bank->retry.max_backoff, seconds{3600});
  EXPECT_EQ(bank->retry.jitter_percent, 20);
  EXPECT_EQ(bank->poll.after, seconds{900});

  const StepDefinition* agreement = flow->step("tax_bank_agreement");
  ASSERT_NE(agreement, nullptr);
  EXPECT_EQ(agreement->depends_on, (std::vector<std::string>{"bank_account", "tax_registration"}));
  EXPECT_FALSE(flow->step("registration")->human_task.has_value());

  // The promise holds on paper: the critical path fits the deadline for both channels.
  EXPECT_LE(flow->criticalPathBudget(false), minutes{3 * 8 * 60});
  EXPECT_LE(flow->criticalPathBudget(true), minutes{1 * 8 * 60});
}

TEST(FlowLoaderTest, ScalesAMissingGreenChannelBudgetToTheShorterDeadline) {
  Result<FlowDefinition> flow = parse(flowXml(stepXml("registration", "registry", {}, 100)));
  ASSERT_TRUE(flow) << flow.error();
  EXPECT_EQ(flow->steps[0].budget, minutes{100});
  EXPECT_EQ(flow->steps[0].green_channel_budget, minutes{34});  // 100 / 3 rounded up
  EXPECT_EQ(flow->steps[0].retry.multiplier, 1.5);
  EXPECT_EQ(flow->steps[0].retry.jitter_percent, 0);
  EXPECT_EQ(flow->steps[0].poll, PollPolicy{});
}

TEST(FlowLoaderTest, RefusesMalformedXmlNamingTheSource) {
  Result<FlowDefinition> flow = parse("<flow xmlns=\"urn:kaiban:flow:1\"><step></flow>");
  ASSERT_FALSE(flow);
  EXPECT_EQ(flow.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(flow.error().message.find("test.xml"), std::string::npos) << flow.error();
}

TEST(FlowLoaderTest, RefusesADoctype) {
  Result<FlowDefinition> flow =
      parse("<?xml version=\"1.0\"?>\n<!DOCTYPE flow [<!ENTITY x \"y\">]>\n" +
            flowXml(stepXml("registration", "registry")).substr(39));
  ASSERT_FALSE(flow);
  EXPECT_EQ(flow.error().code, ErrorCode::kInvalidInput);
}

TEST(FlowLoaderTest, RefusesADefinitionTheSchemaRejectsWithTheLine) {
  // No <retry>: required by the schema.
  std::string xml = flowXml(
      "  <step id=\"registration\" adapter=\"registry\" budget-working-minutes=\"60\">\n"
      "  </step>\n");
  Result<FlowDefinition> flow = parse(xml);
  ASSERT_FALSE(flow);
  EXPECT_NE(flow.error().message.find("line 4"), std::string::npos) << flow.error();
  // A negative budget is refused by the schema too.
  Result<FlowDefinition> negative = parse(flowXml(stepXml("registration", "registry", {}, -5)));
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message.find("budget-working-minutes"), std::string::npos)
      << negative.error();
}

TEST(FlowLoaderTest, RefusesACycleNamingIt) {
  Result<FlowDefinition> flow = parse(flowXml(stepXml("registration", "registry") +
                                              stepXml("seal", "seal", {"bank_account"}) +
                                              stepXml("bank_account", "bank", {"seal"})));
  ASSERT_FALSE(flow);
  EXPECT_NE(flow.error().message.find("test.xml: dependency cycle: seal -> bank_account -> seal"),
            std::string::npos)
      << flow.error();
}

TEST(FlowLoaderTest, RefusesDuplicateStepsUnknownDependenciesAndAdapters) {
  Result<FlowDefinition> duplicate =
      parse(flowXml(stepXml("registration", "registry") + stepXml("registration", "registry")));
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().message.find("defined twice"), std::string::npos);
  Result<FlowDefinition> unknown = parse(flowXml(stepXml("seal", "seal", {"registration"})));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown step 'registration'"), std::string::npos);
  Result<FlowDefinition> adapter = parse(flowXml(stepXml("fax", "fax_machine")));
  ASSERT_FALSE(adapter);
  EXPECT_NE(adapter.error().message.find("adapter 'fax_machine' is not wired"), std::string::npos);
}

TEST(FlowCatalogTest, NewApplicationsUseTheNewestVersionAndOldOnesStayLoaded) {
  testing::TempDir dir;
  writeFile(dir.path() / "default-v1.xml", flowXml(stepXml("registration", "registry"), 1));
  writeFile(
      dir.path() / "default-v2.xml",
      flowXml(stepXml("registration", "registry") + stepXml("seal", "seal", {"registration"}), 2));
  writeFile(dir.path() / "README.txt", "not a flow");
  Result<FlowCatalog> catalog = FlowCatalog::loadDirectory(dir.path(), xsdPath(), kAdapters);
  ASSERT_TRUE(catalog) << catalog.error();
  EXPECT_EQ(catalog->versions(), (std::vector<int>{1, 2}));
  EXPECT_EQ(catalog->newest().version, 2);
  ASSERT_NE(catalog->find(1), nullptr);
  EXPECT_EQ(catalog->find(1)->steps.size(), 1u);
  EXPECT_EQ(catalog->find(3), nullptr);
}

TEST(FlowCatalogTest, LoadsTheShippedDirectory) {
  Result<FlowCatalog> catalog =
      FlowCatalog::loadDirectory(testing::repoFile("orchestrator/flows"), xsdPath(), kAdapters);
  ASSERT_TRUE(catalog) << catalog.error();
  EXPECT_EQ(catalog->newest().name, "company-startup");
}

TEST(FlowCatalogTest, RefusesToStartOnAnyBadFileNamingIt) {
  testing::TempDir dir;
  writeFile(dir.path() / "a-v1.xml", flowXml(stepXml("registration", "registry"), 1));
  writeFile(dir.path() / "b-v2.xml", flowXml(stepXml("seal", "seal", {"seal"}), 2));
  Result<FlowCatalog> catalog = FlowCatalog::loadDirectory(dir.path(), xsdPath(), kAdapters);
  ASSERT_FALSE(catalog);
  EXPECT_NE(catalog.error().message.find("b-v2.xml"), std::string::npos) << catalog.error();
  EXPECT_NE(catalog.error().message.find("depends on itself"), std::string::npos);
}

TEST(FlowCatalogTest, RefusesTwoFilesWithTheSameVersionOrDifferentFlows) {
  testing::TempDir same;
  writeFile(same.path() / "a.xml", flowXml(stepXml("registration", "registry"), 1));
  writeFile(same.path() / "b.xml", flowXml(stepXml("registration", "registry"), 1));
  Result<FlowCatalog> twice = FlowCatalog::loadDirectory(same.path(), xsdPath(), kAdapters);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("both declare version 1"), std::string::npos)
      << twice.error();

  testing::TempDir different;
  writeFile(different.path() / "a.xml", flowXml(stepXml("registration", "registry"), 1));
  writeFile(different.path() / "b.xml",
            flowXml(stepXml("registration", "registry"), 2, "other-flow"));
  Result<FlowCatalog> mixed = FlowCatalog::loadDirectory(different.path(), xsdPath(), kAdapters);
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message.find("different flows"), std::string::npos) << mixed.error();
}

TEST(FlowCatalogTest, ReportsAMissingOrEmptyDirectory) {
  testing::TempDir dir;
  Result<FlowCatalog> empty = FlowCatalog::loadDirectory(dir.path(), xsdPath(), kAdapters);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);
  Result<FlowCatalog> missing =
      FlowCatalog::loadDirectory(dir.path() / "nope", xsdPath(), kAdapters);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kaiban::orchestrator
