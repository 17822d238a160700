#include <string>

#include <gtest/gtest.h>

#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "tests/integration/child_process.h"
#include "tests/testing/test_env.h"

// `kaiban-bench --quick` end to end: it runs, produces its numbers and loses nothing. No
// timing is asserted: the suite runs it under sanitizers beside other tests.
namespace kaiban::testing {
namespace {

TEST(BenchSmokeTest, QuickRunProducesFiguresAndLosesNothing) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "quick.json";
  ProcessResult result = runProcess(buildDir() / "bench" / "kaiban-bench",
                                    {"--quick", "--out", out.string()}, std::chrono::minutes(14));
  ASSERT_EQ(result.exit_code, 0) << result.out << "\n" << result.err;
  EXPECT_NE(result.out.find("Machine limits"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Targets"), std::string::npos) << result.out;

  Poco::JSON::Object::Ptr json =
      Poco::JSON::Parser().parse(readFile(out)).extract<Poco::JSON::Object::Ptr>();
  Poco::JSON::Object::Ptr facts = json->getObject("facts");
  EXPECT_GT(facts->getValue<long long>("applications"), 0);
  EXPECT_EQ(facts->getValue<long long>("applications_lost"), 0);
  EXPECT_EQ(facts->getValue<long long>("submissions_refused"), 0);
  EXPECT_EQ(json->getArray("problems")->size(), 0u);

  Poco::JSON::Object::Ptr limits = json->getObject("limits");
  for (const char* limit : {"sqlite_durable_commits_per_s", "tls_full_handshakes_per_s",
                            "tls_resumed_handshakes_per_s", "xml_parse_validate_per_s"}) {
    ASSERT_TRUE(limits->has(limit)) << limit;
    EXPECT_GT(limits->getObject(limit)->getValue<double>("value"), 0) << limit;
  }
  Poco::JSON::Object::Ptr figures = json->getObject("figures");
  for (const char* figure :
       {"saturated_submissions_per_s", "completed_per_s", "transitions_per_s", "submit_p99_ms",
        "codec_decode_acmt007_per_s", "status_full_handshake_per_s", "status_resumed_per_s",
        "rss_in_flight_mb", "restart_to_ready_s", "db_bytes_per_application",
        "status_p99_ms_at_1000", "status_p99_ms_at_10000", "agent_peak_rss_mb"}) {
    ASSERT_TRUE(figures->has(figure)) << figure;
    EXPECT_GT(figures->getObject(figure)->getValue<double>("value"), 0) << figure;
  }
  EXPECT_TRUE(figures->getObject("transitions_per_s")->has("ratio"));
  EXPECT_GE(json->getArray("targets")->size(), 8u);
}

}  // namespace
}  // namespace kaiban::testing
