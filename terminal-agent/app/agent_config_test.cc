#include "terminal-agent/app/agent_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "terminal-agent/app/agent_logging.h"
#include "tests/testing/test_env.h"

namespace kaiban::agent {
namespace {

Result<AgentConfig> parse(std::vector<std::string> arguments) {
  return parseAgentConfig(arguments, "/src");
}

TEST(AgentConfigTest, DefaultsFollowTheDevPkiLayout) {
  Result<AgentConfig> config = parse({});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->kiosk_id, "QD-SN-0001");
  EXPECT_EQ(config->orchestrator_host, "127.0.0.1");
  EXPECT_EQ(config->orchestrator_port, 8443);
  EXPECT_EQ(config->ui_port, 8080);
  EXPECT_EQ(config->certificate_file, "var/pki/kiosks/QD-SN-0001/client.crt");
  EXPECT_EQ(config->data_key_file, "var/pki/keys/agent.key");
  EXPECT_EQ(config->queueFile(), "var/agent/queue.db");
  EXPECT_EQ(config->portsFile(), "var/run/agent.ports.json");
  EXPECT_EQ(config->idle_timeout, std::chrono::seconds(120));
  EXPECT_EQ(config->assets_dir, "/src/terminal-agent/ui/assets");
  EXPECT_EQ(config->sim_cards, std::filesystem::path("/src/terminal-agent/devices/sim_cards.json"));
  EXPECT_TRUE(config->staff_code.empty());
}

TEST(AgentConfigTest, ShorthandsAndSetOverrideInOrder) {
  Result<AgentConfig> config =
      parse({"--pki", "/p", "--kiosk-id", "QD-LS-0001", "--orchestrator", "https://orch:9443",
             "--ui-port", "0", "--var", "/v", "--idle-timeout", "2m", "--heartbeat", "500ms",
             "--set", "ui.port=8081", "--set", "staff.code=2468"});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->certificate_file, "/p/kiosks/QD-LS-0001/client.crt");
  EXPECT_EQ(config->orchestrator_host, "orch");
  EXPECT_EQ(config->orchestrator_port, 9443);
  EXPECT_EQ(config->ui_port, 8081);
  EXPECT_EQ(config->queueFile(), "/v/agent/queue.db");
  EXPECT_EQ(config->idle_timeout, std::chrono::seconds(120));
  EXPECT_EQ(config->heartbeat_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(config->staff_code, "2468");
}

TEST(AgentConfigTest, AFileIsReadAndOptionsWinOverIt) {
  kaiban::testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "agent.properties";
  std::ofstream(file) << "# a kiosk\nagent.kiosk_id = QD-SN-0002\nui.port = 9090\n"
                         "session.idle_timeout = 90s\n";
  Result<AgentConfig> config = parse({"--ui-port", "7070", "--config", file.string()});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->kiosk_id, "QD-SN-0002");
  EXPECT_EQ(config->ui_port, 7070);
  EXPECT_EQ(config->idle_timeout, std::chrono::seconds(90));
}

TEST(AgentConfigTest, MistakesNameTheOptionOrKey) {
  struct Case {
    std::vector<std::string> arguments;
    std::string field;
  };
  const Case cases[] = {
      {{"--bogus", "1"}, "--bogus"},
      {{"--ui-port"}, "--ui-port"},
      {{"--set", "ui.prot=1"}, "ui.prot"},
      {{"--set", "novalue"}, "--set"},
      {{"--ui-port", "70000"}, "ui.port"},
      {{"--kiosk-id", "qd 1"}, "agent.kiosk_id"},
      {{"--orchestrator", "http://x:1"}, "agent.orchestrator"},
      {{"--idle-timeout", "5s"}, "session.idle_timeout"},
      {{"--idle-timeout", "soon"}, "session.idle_timeout"},
      {{"--set", "session.idle_warning=3m", "--idle-timeout", "2m"}, "session.idle_warning"},
      {{"--staff-code", "12ab"}, "staff.code"},
      {{"--set", "receipt.status_url=https://x/"}, "receipt.status_url"},
      {{"--set", "devices.kind=usb"}, "devices.kind"},
      {{"--set", "devices.face_threshold=1.5"}, "devices.face_threshold"},
      {{"--log-level", "loud"}, "log.level"},
      {{"--config", "/nonexistent/agent.properties"}, "--config"},
  };
  for (const Case& c : cases) {
    Result<AgentConfig> config = parse(c.arguments);
    ASSERT_FALSE(config.ok()) << c.arguments[0];
    EXPECT_EQ(config.error().field, c.field) << config.error();
  }
}

TEST(AgentConfigTest, HelpIsAvailableAndNamesEveryShorthand) {
  Result<AgentConfig> config = parse({"--help"});
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->help);
  for (const char* option : {"--pki", "--kiosk-id", "--orchestrator", "--ui-port", "--var",
                             "--sim-cards", "--idle-timeout", "--heartbeat", "--set"}) {
    EXPECT_NE(agentUsage().find(option), std::string::npos) << option;
  }
}

TEST(AgentConfigTest, Durations) {
  EXPECT_EQ(parseDuration("500ms").value(), std::chrono::milliseconds(500));
  EXPECT_EQ(parseDuration("30").value(), std::chrono::seconds(30));
  EXPECT_EQ(parseDuration("2m").value(), std::chrono::minutes(2));
  EXPECT_EQ(parseDuration("1h").value(), std::chrono::hours(1));
  EXPECT_FALSE(parseDuration("").ok());
  EXPECT_FALSE(parseDuration("-1s").ok());
  EXPECT_FALSE(parseDuration("1d").ok());
}

TEST(AgentLoggingTest, MasksIdNumbersPhonesAndAccountsButNotMessageIds) {
  EXPECT_EQ(maskIdentifiers("card 370202198805123010 ok"), "card 370***********3010 ok");
  EXPECT_EQ(maskIdentifiers("id 11010519750203007X."), "id 110***********007X.");
  EXPECT_EQ(maskIdentifiers("phone 13800138000"), "phone 138****8000");
  EXPECT_EQ(maskIdentifiers("seq 1234567890"), "seq 1234567890");
  EXPECT_EQ(maskIdentifiers("KB-20261127123456789"), "KB-20261127123456789");
}

TEST(AgentLoggingTest, EveryLineIsJsonWithTheKioskId) {
  AgentLogFormatter formatter("QD-SN-0001");
  Poco::Message message("agent.ui", "read \"card\" 370202198805123010",
                        Poco::Message::PRIO_WARNING);
  std::string line;
  formatter.format(message, line);
  EXPECT_NE(line.find("\"kiosk_id\":\"QD-SN-0001\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"level\":\"warning\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"logger\":\"agent.ui\""), std::string::npos) << line;
  EXPECT_NE(line.find("read \\\"card\\\" 370***********3010"), std::string::npos) << line;
  EXPECT_EQ(line.front(), '{');
  EXPECT_EQ(line.back(), '}');
}

}  // namespace
}  // namespace kaiban::agent
