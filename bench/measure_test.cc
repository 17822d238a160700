#include "bench/measure.h"

#include <unistd.h>

#include <vector>

#include <gtest/gtest.h>

#include "bench/report.h"

namespace kaiban::bench {
namespace {

TEST(LatencySamplesTest, PercentilesUseTheNearestRank) {
  LatencySamples samples;
  EXPECT_EQ(samples.percentileMs(0.99), 0);
  for (int ms = 100; ms >= 1; --ms) samples.add(std::chrono::milliseconds(ms));
  EXPECT_EQ(samples.count(), 100u);
  EXPECT_DOUBLE_EQ(samples.percentileMs(0.5), 50);
  EXPECT_DOUBLE_EQ(samples.percentileMs(0.99), 99);
  EXPECT_DOUBLE_EQ(samples.percentileMs(0.999), 100);
  EXPECT_DOUBLE_EQ(samples.percentileMs(0), 1);
  EXPECT_DOUBLE_EQ(samples.meanMs(), 50.5);
}

TEST(LatencySamplesTest, MergeKeepsEverySample) {
  LatencySamples first;
  LatencySamples second;
  first.add(std::chrono::microseconds(1500));
  second.add(std::chrono::microseconds(500));
  second.add(std::chrono::microseconds(2500));
  first.merge(second);
  EXPECT_EQ(first.count(), 3u);
  EXPECT_DOUBLE_EQ(first.percentileMs(0.5), 1.5);
  EXPECT_DOUBLE_EQ(first.percentileMs(1), 2.5);
}

TEST(ProcessSampleTest, ReadsThisProcessAndNothingForAMissingOne) {
  // Touch some memory and burn some CPU so both figures are visibly above zero.
  std::vector<char> memory(32 << 20, 1);
  volatile double sink = 0;
  const Clock::time_point start = Clock::now();
  while (secondsSince(start) < 0.05) sink = sink + 1;
  std::optional<ProcessSample> self = sampleProcess(getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_GT(self->cpu_seconds, 0);
  EXPECT_GT(self->rss_mb, 32);
  EXPECT_GE(self->peak_rss_mb, self->rss_mb);
  EXPECT_EQ(memory[12345], 1);
  EXPECT_FALSE(sampleProcess(-5).has_value());
}

TEST(ReportTest, FiguresCarryTheirRatioToTheLimit) {
  Report report;
  report.limit("raw", "raw thing", 200, "/s");
  report.figure("Section", "mine", "my thing", 150, "/s", "raw");
  report.figure("Section", "other", "no limit", 3, "ms");
  report.target("t", ">= 1x", "0.75x", false, "why");
  Poco::JSON::Object::Ptr json = report.json();
  Poco::JSON::Object::Ptr mine = json->getObject("figures")->getObject("mine");
  EXPECT_DOUBLE_EQ(mine->getValue<double>("ratio"), 0.75);
  EXPECT_FALSE(json->getObject("figures")->getObject("other")->has("ratio"));
  EXPECT_EQ(report.value("mine"), 150);
  EXPECT_EQ(report.value("raw"), 200);
  EXPECT_FALSE(report.value("absent").has_value());
  std::ostringstream table;
  report.printTable(table);
  EXPECT_NE(table.str().find("0.75x"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("MISSED"), std::string::npos) << table.str();
}

TEST(ReportTest, NumbersAreShortButKeepSmallValues) {
  EXPECT_EQ(formatNumber(8123.4), "8123");
  EXPECT_EQ(formatNumber(12.34), "12.3");
  EXPECT_EQ(formatNumber(1.234), "1.23");
  EXPECT_EQ(formatNumber(0.01234), "0.0123");
  EXPECT_EQ(formatNumber(0), "0");
}

}  // namespace
}  // namespace kaiban::bench
