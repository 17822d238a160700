#include "adapters/sim/faults.h"

#include <gtest/gtest.h>

namespace kaiban::sim {
namespace {

TEST(FaultsTest, ParsesEveryKindForOnePartner) {
  Result<FaultTable> table = parseFaults(
      "bank:latency=200ms,http500=0.1,timeout=0.05,malformed=0.02,schema_invalid=0.03,"
      "drop_callback=0.1");
  ASSERT_TRUE(table.ok()) << table.error();
  ASSERT_EQ(table->size(), 1u);
  const FaultSpec& bank = table->at("bank");
  EXPECT_EQ(bank.latency, std::chrono::milliseconds(200));
  EXPECT_DOUBLE_EQ(bank.http500, 0.1);
  EXPECT_DOUBLE_EQ(bank.timeout, 0.05);
  EXPECT_DOUBLE_EQ(bank.malformed, 0.02);
  EXPECT_DOUBLE_EQ(bank.schema_invalid, 0.03);
  EXPECT_DOUBLE_EQ(bank.drop_callback, 0.1);
  EXPECT_EQ(bank.toString(),
            "latency=200ms,http500=0.1,timeout=0.05,malformed=0.02,schema_invalid=0.03,"
            "drop_callback=0.1");
}

TEST(FaultsTest, ParsesGroupsPartnerListsStarAndNone) {
  Result<FaultTable> table =
      parseFaults(" registry+seal : timeout=1 ; people-data:latency=2s; sms:none");
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_DOUBLE_EQ(table->at("registry").timeout, 1.0);
  EXPECT_DOUBLE_EQ(table->at("seal").timeout, 1.0);
  EXPECT_EQ(table->at("people").latency, std::chrono::milliseconds(2000));
  EXPECT_TRUE(table->at("sms").isEmpty());
  EXPECT_EQ(table->at("sms").toString(), "none");

  Result<FaultTable> all = parseFaults("*:http500=0.5");
  ASSERT_TRUE(all.ok()) << all.error();
  EXPECT_EQ(all->size(), 6u);
  EXPECT_DOUBLE_EQ(all->at("tax").http500, 0.5);
}

TEST(FaultsTest, RefusesWhatItCannotRead) {
  for (std::string_view bad :
       {"", "bank", "atm:http500=0.1", "bank:explode=0.1", "bank:http500=1.5", "bank:http500=-1",
        "bank:http500=abc", "bank:latency=fast", "bank:latency=-5ms", "bank:http500"}) {
    Result<FaultTable> table = parseFaults(bad);
    EXPECT_FALSE(table.ok()) << "accepted '" << bad << "'";
    if (!table.ok()) {
      EXPECT_EQ(table.error().code, ErrorCode::kInvalidInput);
    }
  }
}

TEST(FaultsTest, ApplyReplacesOnlyTheNamedPartners) {
  FaultInjector injector(7, parseFaults("bank:http500=0.5;seal:timeout=0.5").value());
  injector.apply(parseFaults("bank:malformed=1").value());
  EXPECT_DOUBLE_EQ(injector.spec("bank").http500, 0.0);
  EXPECT_DOUBLE_EQ(injector.spec("bank").malformed, 1.0);
  EXPECT_DOUBLE_EQ(injector.spec("seal").timeout, 0.5);
  injector.apply(parseFaults("seal:none").value());
  EXPECT_EQ(injector.table().size(), 1u);
  EXPECT_TRUE(injector.spec("tax").isEmpty());
}

TEST(FaultsTest, RatesZeroAndOneAreNeverAndAlways) {
  FaultInjector injector(1, parseFaults("bank:http500=1,timeout=0").value());
  for (int attempt = 1; attempt <= 100; ++attempt) {
    EXPECT_TRUE(injector.strikes("bank", FaultKind::kHttp500, "k", attempt));
    EXPECT_FALSE(injector.strikes("bank", FaultKind::kTimeout, "k", attempt));
    EXPECT_FALSE(injector.strikes("seal", FaultKind::kHttp500, "k", attempt));
  }
}

TEST(FaultsTest, DecisionsAreReproducibleForASeedAndFollowTheRate) {
  const FaultTable table = parseFaults("bank:http500=0.1").value();
  FaultInjector first(42, table);
  FaultInjector second(42, table);
  FaultInjector other_seed(43, table);
  int strikes = 0;
  int differences = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string key = "bank/account-opening/MSG-" + std::to_string(i);
    const bool struck = first.strikes("bank", FaultKind::kHttp500, key, 1);
    EXPECT_EQ(struck, second.strikes("bank", FaultKind::kHttp500, key, 1));
    differences += struck != other_seed.strikes("bank", FaultKind::kHttp500, key, 1);
    strikes += struck;
  }
  EXPECT_GT(strikes, 850);
  EXPECT_LT(strikes, 1150);
  EXPECT_GT(differences, 100);  // another seed, other faults
}

TEST(FaultsTest, AResendIsDecidedAfresh) {
  FaultInjector injector(5, parseFaults("bank:http500=0.5").value());
  EXPECT_EQ(injector.nextAttempt("bank/x/M1"), 1);
  EXPECT_EQ(injector.nextAttempt("bank/x/M1"), 2);
  EXPECT_EQ(injector.nextAttempt("bank/x/M2"), 1);
  // With rate 0.5, some attempt among the first 40 of one message must escape the fault.
  bool escaped = false;
  for (int attempt = 1; attempt <= 40 && !escaped; ++attempt) {
    escaped = !injector.strikes("bank", FaultKind::kHttp500, "bank/x/M1", attempt);
  }
  EXPECT_TRUE(escaped);
}

TEST(FaultsTest, UniformDrawStaysInTheUnitInterval) {
  for (int n = 0; n < 1000; ++n) {
    const double draw = uniformDraw(static_cast<std::uint64_t>(n) * 7919, "a", "b", n);
    EXPECT_GE(draw, 0.0);
    EXPECT_LT(draw, 1.0);
  }
}

}  // namespace
}  // namespace kaiban::sim
