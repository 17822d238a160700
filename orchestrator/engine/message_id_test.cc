#include "orchestrator/engine/message_id.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace kaiban::orchestrator {
namespace {

using std::chrono::seconds;

SystemTime at(int64_t unix_seconds) { return SystemTime{seconds{unix_seconds}}; }

TEST(ApplicationIdTest, IsKbSevenTimeCharactersAndSevenRandomOnes) {
  const std::string id = newApplicationId(at(1735689600 + 1));  // 2025-01-01T00:00:01Z
  ASSERT_EQ(id.size(), 16u);
  EXPECT_EQ(id.substr(0, 9), "KB0000001");
  for (char c : id.substr(2)) {
    EXPECT_NE(std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(c), std::string::npos)
        << id;
  }
  EXPECT_EQ(id.find('-'), std::string::npos);
}

TEST(ApplicationIdTest, SortsBySubmissionSecond) {
  // 2026-11-27T12:00:00Z and one second, one day and one year later.
  const int64_t t = 1795780800;
  const std::string a = newApplicationId(at(t));
  const std::string b = newApplicationId(at(t + 1));
  const std::string c = newApplicationId(at(t + 86400));
  const std::string d = newApplicationId(at(t + 366 * 86400));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  // 32 seconds carry into the next character, still in order.
  EXPECT_LT(newApplicationId(at(t + 31)), newApplicationId(at(t + 32)));
}

TEST(ApplicationIdTest, IdsOfOneSecondDiffer) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(newApplicationId(at(1795780800)));
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(ApplicationIdTest, AClockBeforeTheEpochCountsAsItsFirstSecond) {
  EXPECT_EQ(newApplicationId(at(0)).substr(0, 9), "KB0000000");
}

TEST(MessageIdTest, StartsWithTheApplicationIdAndIsStable) {
  const std::string id = "KB00Z4K1M7Q2X9HC";
  EXPECT_EQ(messageIdFor(id, "registration", 1), messageIdFor(id, "registration", 1));
  EXPECT_NE(messageIdFor(id, "registration", 1), messageIdFor(id, "registration", 2));
  EXPECT_EQ(applicationIdOf(messageIdFor(id, "seal", 3)), id);
  EXPECT_LE(messageIdFor(id, "seal", 3).size(), 35u);
}

}  // namespace
}  // namespace kaiban::orchestrator
