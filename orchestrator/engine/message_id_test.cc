#include "orchestrator/engine/message_id.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace kaiban::orchestrator {
namespace {

using std::chrono::seconds;

SystemTime at(int64_t unix_seconds) { return SystemTime{seconds{unix_seconds}}; }

SystemTime atMillis(int64_t unix_millis) {
  return SystemTime{std::chrono::milliseconds{unix_millis}};
}

TEST(ApplicationIdTest, IsKbEightTimeCharactersAndSixRandomOnes) {
  const std::string id = newApplicationId(at(1735689600 + 1));  // 2025-01-01T00:00:01Z
  ASSERT_EQ(id.size(), 16u);
  EXPECT_EQ(id.substr(0, 10), "KB000000Z8");  // 1000 ms = 31 * 32 + 8
  for (char c : id.substr(2)) {
    EXPECT_NE(std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(c), std::string::npos)
        << id;
  }
  EXPECT_EQ(id.find('-'), std::string::npos);
}

TEST(ApplicationIdTest, SortsBySubmissionTime) {
  // 2026-11-27T12:00:00Z and one second, one day and one year later.
  const int64_t t = 1795780800;
  const std::string a = newApplicationId(at(t));
  const std::string b = newApplicationId(at(t + 1));
  const std::string c = newApplicationId(at(t + 86400));
  const std::string d = newApplicationId(at(t + 366 * 86400));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  // Milliseconds count, and carry into the next character in order.
  EXPECT_LT(newApplicationId(atMillis(t * 1000 + 1)), newApplicationId(atMillis(t * 1000 + 2)));
  EXPECT_LT(newApplicationId(atMillis(t * 1000 + 31)), newApplicationId(atMillis(t * 1000 + 32)));
}

TEST(ApplicationIdTest, IdsOfOneMillisecondDiffer) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(newApplicationId(at(1795780800)));
  EXPECT_EQ(ids.size(), 100u);
}

TEST(ApplicationIdTest, AClockBeforeTheEpochCountsAsItsFirstSecond) {
  EXPECT_EQ(newApplicationId(at(0)).substr(0, 10), "KB00000000");
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
