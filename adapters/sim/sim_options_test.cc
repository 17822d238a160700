#include "adapters/sim/sim_options.h"

#include <gtest/gtest.h>

namespace kaiban::sim {
namespace {

Result<SimOptions> parse(std::vector<std::string> arguments) {
  return parseSimOptions(arguments, "/src");
}

TEST(SimOptionsTest, DefaultsMatchKaibanUp) {
  Result<SimOptions> options = parse({});
  ASSERT_TRUE(options.ok()) << options.error();
  EXPECT_EQ(options->pki_dir, "var/pki");
  EXPECT_EQ(options->data_dir, "var/sim");
  EXPECT_EQ(options->schema_dir, "/src/adapters/schemas");
  EXPECT_EQ(options->people_file, "/src/adapters/sim/data/people.csv");
  EXPECT_EQ(options->bind_host, "127.0.0.1");
  const std::map<std::string, int, std::less<>> ports = {{"registry", 9001}, {"seal", 9002},
                                                         {"bank", 9003},     {"tax", 9004},
                                                         {"people", 9005},   {"sms", 9006}};
  EXPECT_EQ(options->ports, ports);
  EXPECT_EQ(options->control_port, 9010);
  EXPECT_EQ(options->callback_host, "127.0.0.1");
  EXPECT_EQ(options->callback_port, 8443);
  EXPECT_EQ(options->delays.at("bank"), kDefaultDelay);
  EXPECT_TRUE(options->faults.empty());
  EXPECT_FALSE(options->ports_file.has_value());
  EXPECT_FALSE(options->help);
}

TEST(SimOptionsTest, PortBaseAndPerPartnerPorts) {
  Result<SimOptions> options =
      parse({"--port-base", "9100", "--ports", "registry=0,people-data=9999"});
  ASSERT_TRUE(options.ok()) << options.error();
  EXPECT_EQ(options->ports.at("registry"), 0);
  EXPECT_EQ(options->ports.at("seal"), 9102);
  EXPECT_EQ(options->ports.at("people"), 9999);
  EXPECT_EQ(options->control_port, 9110);
  EXPECT_EQ(parse({"--port-base=9100", "--control-port=0"})->control_port, 0);
}

TEST(SimOptionsTest, DelaysForAllAndPerPartner) {
  Result<SimOptions> options = parse({"--delay-ms", "100,bank=5000"});
  ASSERT_TRUE(options.ok()) << options.error();
  EXPECT_EQ(options->delays.at("registry"), std::chrono::milliseconds(100));
  EXPECT_EQ(options->delays.at("bank"), std::chrono::milliseconds(5000));
  Result<SimOptions> one = parse({"--delay-ms=tax=0"});
  ASSERT_TRUE(one.ok()) << one.error();
  EXPECT_EQ(one->delays.at("tax"), std::chrono::milliseconds(0));
  EXPECT_EQ(one->delays.at("seal"), kDefaultDelay);
}

TEST(SimOptionsTest, CallbackUrlFaultsAndTheRest) {
  Result<SimOptions> options = parse({"--callback-url",
                                      "https://localhost:18443/",
                                      "--faults",
                                      "bank:http500=0.5",
                                      "--faults",
                                      "seal:timeout=1",
                                      "--seed",
                                      "99",
                                      "--ports-file",
                                      "/tmp/p.json",
                                      "--timeout-hold-ms",
                                      "300",
                                      "--callback-retry-ms",
                                      "50",
                                      "--callback-retry-max-ms",
                                      "20",
                                      "--client-cn",
                                      "someone",
                                      "--pki",
                                      "/pki",
                                      "--data",
                                      "/data",
                                      "--help"});
  ASSERT_TRUE(options.ok()) << options.error();
  EXPECT_EQ(options->callback_host, "localhost");
  EXPECT_EQ(options->callback_port, 18443);
  EXPECT_DOUBLE_EQ(options->faults.at("bank").http500, 0.5);
  EXPECT_DOUBLE_EQ(options->faults.at("seal").timeout, 1.0);
  EXPECT_EQ(options->seed, 99u);
  EXPECT_EQ(options->ports_file, std::filesystem::path("/tmp/p.json"));
  EXPECT_EQ(options->timeout_hold, std::chrono::milliseconds(300));
  EXPECT_EQ(options->callback_retry_initial, std::chrono::milliseconds(50));
  EXPECT_EQ(options->callback_retry_max, std::chrono::milliseconds(50));  // raised to initial
  EXPECT_EQ(options->client_cn, "someone");
  EXPECT_EQ(options->pki_dir, "/pki");
  EXPECT_EQ(options->data_dir, "/data");
  EXPECT_TRUE(options->help);
}

TEST(SimOptionsTest, RefusesBadOptionsNamingThem) {
  const std::vector<std::vector<std::string>> bad = {{"--port-base", "x"},
                                                     {"--port-base", "65530"},
                                                     {"--ports", "atm=1"},
                                                     {"--ports", "9001"},
                                                     {"--ports", "bank=70000"},
                                                     {"--callback-url", "http://127.0.0.1:8443"},
                                                     {"--callback-url", "https://127.0.0.1"},
                                                     {"--faults", "bank:explode=1"},
                                                     {"--delay-ms", "-1"},
                                                     {"--unknown", "1"},
                                                     {"--seed"},
                                                     {"positional"},
                                                     {"--callback-threads", "0"},
                                                     {"--generate-people", "1"}};
  for (const std::vector<std::string>& arguments : bad) {
    Result<SimOptions> options = parse(arguments);
    EXPECT_FALSE(options.ok()) << arguments[0];
    if (!options.ok()) {
      EXPECT_EQ(options.error().code, ErrorCode::kInvalidInput);
      if (arguments[0].starts_with("--")) {
        EXPECT_NE(options.error().message.find(arguments[0]), std::string::npos)
            << options.error().message;
      }
    }
  }
}

TEST(SimOptionsTest, UsageNamesEveryOption) {
  const std::string text = usage();
  for (std::string_view option : {"--pki",
                                  "--data",
                                  "--schemas",
                                  "--people",
                                  "--bind",
                                  "--port-base",
                                  "--ports ",
                                  "--control-port",
                                  "--ports-file",
                                  "--client-cn",
                                  "--callback-url",
                                  "--delay-ms",
                                  "--callback-retry-ms",
                                  "--callback-retry-max-ms",
                                  "--callback-timeout-ms",
                                  "--callback-threads",
                                  "--faults",
                                  "--seed",
                                  "--timeout-hold-ms",
                                  "--generate-people",
                                  "--help"}) {
    EXPECT_NE(text.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace kaiban::sim
