#include "orchestrator/store/sqlite/sqlite_console_store.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "orchestrator/store/console_store_contract_test.h"
#include "orchestrator/store/sqlite/sqlite_store.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator {
namespace {

const SystemTime kNow = parseIso8601("2026-03-10T10:00:00+08:00").value();

class SqliteConsoleHarness : public ConsoleStoreHarness {
 public:
  std::unique_ptr<ConsoleStore> openConsole() override {
    Result<std::unique_ptr<SqliteConsoleStore>> store = SqliteConsoleStore::open(path(), clock_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
  std::unique_ptr<Store> openStore() override {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path(), clock_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
  std::filesystem::path path() const { return dir_.path() / "kaiban.db"; }

 private:
  testing::TempDir dir_;
  ManualClock clock_{kNow};
};

INSTANTIATE_TEST_SUITE_P(Sqlite, ConsoleStoreContractTest,
                         ::testing::Values(ConsoleStoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteConsoleHarness>(); }}),
                         [](const auto& param_info) { return param_info.param.name; });

// The console store may be the first to open a new database: it migrates it itself.
TEST(SqliteConsoleStoreTest, OpensAndMigratesAFreshDatabase) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  Result<std::unique_ptr<SqliteConsoleStore>> console =
      SqliteConsoleStore::open(dir.path() / "fresh.db", clock);
  ASSERT_TRUE(console) << console.error();
  EXPECT_TRUE((*console)->listUsers()->empty());
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir.path() / "fresh.db", clock);
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ((*store)->schemaVersion(), 3);
}

}  // namespace
}  // namespace kaiban::orchestrator
