#include "bench/bench_options.h"

#include <gtest/gtest.h>

namespace kaiban::bench {
namespace {

TEST(BenchOptionsTest, DefaultsAreTheFullRun) {
  Result<BenchOptions> options = parseBenchOptions({});
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->quick);
  EXPECT_EQ(options->kiosks, 200);
  EXPECT_EQ(options->sim_delay_ms, 0);
  EXPECT_EQ(options->sustain, std::chrono::seconds(60));
  EXPECT_EQ(options->in_flight, 10'000);
  EXPECT_EQ(options->query_levels, (std::vector<long long>{1'000, 100'000, 1'000'000}));
}

TEST(BenchOptionsTest, QuickShrinksEverythingAndLaterOptionsStillWin) {
  Result<BenchOptions> options =
      parseBenchOptions({"--quick", "--kiosks", "3", "--query-levels", "5000,100"});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_TRUE(options->quick);
  EXPECT_EQ(options->kiosks, 3);
  EXPECT_LT(options->in_flight, 10'000);
  EXPECT_EQ(options->query_levels, (std::vector<long long>{100, 5000}));
}

TEST(BenchOptionsTest, BadValuesNameTheOption) {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--kiosks", "0"},
                                              {"--kiosks", "many"},
                                              {"--rate"},
                                              {"--latency-load", "2"},
                                              {"--set", "novalue"},
                                              {"--colour", "blue"}}) {
    Result<BenchOptions> options = parseBenchOptions(bad);
    ASSERT_FALSE(options.ok()) << bad[0];
    EXPECT_EQ(options.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(options.error().message.find(bad[0]), std::string::npos) << options.error().message;
  }
}

TEST(BenchOptionsTest, SettingsAndRateAreKept) {
  Result<BenchOptions> options =
      parseBenchOptions({"--set", "dispatcher.threads=8", "--rate", "450.5", "--seed", "9"});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->orchestrator_settings, std::vector<std::string>{"dispatcher.threads=8"});
  EXPECT_EQ(options->rate, 450.5);
  EXPECT_EQ(options->seed, 9u);
}

TEST(BenchOptionsTest, PostgresNamesTheServer) {
  EXPECT_EQ(parseBenchOptions({})->postgres_url, "");
  Result<BenchOptions> options =
      parseBenchOptions({"--quick", "--postgres", "postgresql://kaiban@127.0.0.1:55432/postgres"});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->postgres_url, "postgresql://kaiban@127.0.0.1:55432/postgres");
  Result<BenchOptions> empty = parseBenchOptions({"--postgres", ""});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "--postgres");
}

}  // namespace
}  // namespace kaiban::bench
