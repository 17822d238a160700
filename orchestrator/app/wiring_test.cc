#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "orchestrator/app/wiring.h"
#include "tests/testing/test_env.h"

// OrchestratorCore over the real calendar and flow files, a temporary database and a key file
// written here: what start-up loads, and how it explains what is missing.
namespace kaiban::orchestrator::app {
namespace {

class WiringTest : public ::testing::Test {
 protected:
  WiringTest() {
    ConfigSources sources;
    sources.var_dir = dir_.path() / "var";
    sources.pki_dir = dir_.path() / "pki";
    sources.resource_dir = kaiban::testing::sourceDir();
    config_ = loadConfig(sources).value();
  }

  void writeKeyFile() {
    std::filesystem::create_directories(config_.key_file.parent_path());
    std::ofstream(config_.key_file)
        << "key_id=1\nenc=" << std::string(64, 'a') << "\nmac=" << std::string(64, 'b') << "\n";
    std::filesystem::permissions(
        config_.key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  std::string startupError() {
    try {
      OrchestratorCore core(config_);
    } catch (const StartupError& error) {
      return error.what();
    }
    ADD_FAILURE() << "started";
    return {};
  }

  kaiban::testing::TempDir dir_;
  OrchestratorConfig config_;
};

TEST_F(WiringTest, OpensTheStoreWithTheShippedFlowsAndCalendar) {
  writeKeyFile();
  OrchestratorCore core(config_);
  EXPECT_TRUE(std::filesystem::exists(config_.database));
  ASSERT_NE(core.flows().find(1), nullptr);
  const StepDefinition* registration = core.flows().find(1)->step("registration");
  ASSERT_NE(registration, nullptr);
  EXPECT_EQ(registration->poll.after, std::chrono::seconds(900));  // as the file says
  EXPECT_TRUE(core.engine().verifyAuditLog());
}

TEST_F(WiringTest, CapsPollDelaysWhenConfigured) {
  writeKeyFile();
  config_.poll_after_cap = std::chrono::seconds(20);
  OrchestratorCore core(config_);
  for (const StepDefinition& step : core.flows().newest().steps) {
    EXPECT_EQ(step.poll.after, std::chrono::seconds(20)) << step.id;
    EXPECT_EQ(step.poll.max_interval, std::chrono::seconds(20)) << step.id;
  }
}

TEST_F(WiringTest, NamesTheKeyOfWhatIsMissing) {
  std::string error = startupError();
  EXPECT_NE(error.find("keys.file"), std::string::npos) << error;
  EXPECT_NE(error.find("./kaiban pki"), std::string::npos) << error;

  writeKeyFile();
  config_.calendar_dir = dir_.path() / "no-calendar";
  error = startupError();
  EXPECT_NE(error.find("calendar.dir"), std::string::npos) << error;

  config_.calendar_dir = kaiban::testing::repoFile("data/calendar");
  config_.flows_dir = dir_.path();  // no flow definitions here
  config_.flow_schema = kaiban::testing::repoFile("orchestrator/flows/flow.xsd");
  error = startupError();
  EXPECT_NE(error.find("flows.dir"), std::string::npos) << error;
}

TEST_F(WiringTest, RefusesAKeyFileOthersCanRead) {
  writeKeyFile();
  std::filesystem::permissions(config_.key_file, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  const std::string error = startupError();
  EXPECT_NE(error.find("keys.file"), std::string::npos) << error;
  EXPECT_NE(error.find("chmod"), std::string::npos) << error;
}

}  // namespace
}  // namespace kaiban::orchestrator::app
