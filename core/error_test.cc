#include "core/error.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/result.h"

namespace kaiban {
namespace {

Result<int> parsePositive(int value) {
  if (value <= 0) return Error::invalidInput("must be positive", "amount");
  return value;
}

TEST(ResultTest, CarriesValueOrError) {
  auto good = parsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().field, "amount");
  EXPECT_EQ(bad.error().toString(), "invalid_input: amount: must be positive");
  EXPECT_EQ(bad.valueOr(7), 7);
}

TEST(ResultTest, VoidResult) {
  Result<void> fine = ok();
  EXPECT_TRUE(fine.ok());
  Result<void> failed = Error::timeout("partner did not answer in 5 s");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kTimeout);
}

TEST(ErrorTest, EachCodeMapsToOneStatusAndRetryDecision) {
  EXPECT_EQ(httpStatus(ErrorCode::kInvalidInput), 400);
  EXPECT_EQ(httpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(httpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(httpStatus(ErrorCode::kRejected), 422);
  EXPECT_EQ(httpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(httpStatus(ErrorCode::kTimeout), 504);
  EXPECT_EQ(httpStatus(ErrorCode::kForbidden), 403);
  EXPECT_TRUE(isRetryable(ErrorCode::kUnavailable));
  EXPECT_TRUE(isRetryable(ErrorCode::kTimeout));
  EXPECT_FALSE(isRetryable(ErrorCode::kRejected));
  EXPECT_FALSE(isRetryable(ErrorCode::kInvalidInput));
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock{SystemTime{} + std::chrono::hours(1000)};
  auto wall = clock.now();
  auto steady = clock.steadyNow();
  clock.advance(std::chrono::seconds(90));
  EXPECT_EQ(clock.now() - wall, std::chrono::seconds(90));
  EXPECT_EQ(clock.steadyNow() - steady, std::chrono::seconds(90));
  clock.set(wall);  // wall time back; steady time never goes back
  EXPECT_EQ(clock.now(), wall);
  EXPECT_EQ(clock.steadyNow() - steady, std::chrono::seconds(90));
}

}  // namespace
}  // namespace kaiban
