#include "adapters/partner_codec/partner_codec.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "adapters/partner_codec/partner_exchange.h"

namespace kaiban::adapters {
namespace {

TEST(WireTest, AmountsAreDecimalsWithTwoFractionDigitsAndRoundTrip) {
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(1)), "0.01");
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(100'000'000)), "1000000.00");
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(60'000'050)), "600000.50");
  EXPECT_EQ(wire::amount(Money::fromMinorUnits(-150)), "-1.50");
  for (int64_t fen : {int64_t{1}, int64_t{99}, int64_t{100}, int64_t{123'456'789'012'345'678}}) {
    EXPECT_EQ(wire::parseAmount(wire::amount(Money::fromMinorUnits(fen))).minorUnits(), fen);
  }
}

TEST(WireTest, IdNumbersGetACapitalCheckCharacterAndNothingElseChanges) {
  EXPECT_EQ(wire::idNumber("11010519491231002x"), "11010519491231002X");
  EXPECT_EQ(wire::idNumber("11010519491231002X"), "11010519491231002X");
  EXPECT_EQ(wire::idNumber("x"), "x");  // not an ID number: left for the schema to refuse
  EXPECT_EQ(wire::idNumber(" 11010519491231002x"), " 11010519491231002x");
}

TEST(WireTest, RandomMessageIdsAreMessageIdsAndDistinctAcrossThreads) {
  std::vector<std::vector<MessageId>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 500; ++i) ids.push_back(wire::randomMessageId("NC"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<MessageId> distinct;
  for (const auto& ids : per_thread) {
    for (const MessageId& id : ids) {
      EXPECT_EQ(id.size(), 27u) << id;
      EXPECT_EQ(id.rfind("NC-", 0), 0u) << id;
      EXPECT_EQ(id.find_first_not_of("NC-0123456789abcdef"), std::string::npos) << id;
      distinct.insert(id);
    }
  }
  EXPECT_EQ(distinct.size(), 2000u);
}

TEST(RefusalOfTest, SplitsTheCodeFromTheReason) {
  EXPECT_EQ(refusalOf(Error::rejected("NAME_TAKEN: 名称已被登记: 请更换")),
            (Refusal{"NAME_TAKEN", "名称已被登记: 请更换"}));
  EXPECT_EQ(refusalOf(Error::rejected("no code here")), (Refusal{"", "no code here"}));
  EXPECT_EQ(refusalOf(Error::unavailable("X: down")), (Refusal{"", "X: down"}));
}

}  // namespace
}  // namespace kaiban::adapters
