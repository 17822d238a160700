#include "orchestrator/store/postgres/postgres_console_store.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "orchestrator/store/console_store_contract_test.h"
#include "orchestrator/store/postgres/postgres_store.h"
#include "orchestrator/store/postgres/testing/test_schema.h"

namespace kaiban::orchestrator {
namespace {

const SystemTime kNow = parseIso8601("2026-03-10T10:00:00+08:00").value();

class PostgresConsoleHarness : public ConsoleStoreHarness {
 public:
  std::unique_ptr<ConsoleStore> openConsole() override {
    Result<std::unique_ptr<PostgresConsoleStore>> store =
        PostgresConsoleStore::open(schema_.url(), clock_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
  std::unique_ptr<Store> openStore() override {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::open(schema_.url(), clock_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
  const pg::testing::TestSchema& schema() const { return schema_; }

 private:
  pg::testing::TestSchema schema_;
  ManualClock clock_{kNow};
};

void skipWithoutServer() { GTEST_SKIP() << pg::testing::skipReason(); }

std::unique_ptr<ConsoleStoreHarness> makeHarness() {
  if (!pg::testing::available()) {
    skipWithoutServer();
    return nullptr;
  }
  return std::make_unique<PostgresConsoleHarness>();
}

INSTANTIATE_TEST_SUITE_P(Postgres, ConsoleStoreContractTest,
                         ::testing::Values(ConsoleStoreBackend{"postgres", makeHarness}),
                         [](const auto& param_info) { return param_info.param.name; });

// The console store may be the first to open a new database: it migrates it itself.
TEST(PostgresConsoleStoreTest, OpensAndMigratesAFreshSchema) {
  if (!pg::testing::available()) GTEST_SKIP() << pg::testing::skipReason();
  PostgresConsoleHarness harness;
  std::unique_ptr<ConsoleStore> console = harness.openConsole();
  ASSERT_NE(console, nullptr);
  EXPECT_TRUE(console->listUsers()->empty());
  Result<std::unique_ptr<PostgresStore>> store =
      PostgresStore::open(harness.schema().url(), ManualClock(kNow));
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ((*store)->schemaVersion(), 3);
}

}  // namespace
}  // namespace kaiban::orchestrator
