#include "orchestrator/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/timestamp.h"
#include "orchestrator/store/sqlite/migrations.h"
#include "orchestrator/store/store_contract_test.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator {
namespace {

const SystemTime kNow = parseIso8601("2026-03-10T10:00:00+08:00").value();

// Runs `sql` through a plain connection of its own, as a person with the file would.
void executeWithSqlite(const std::filesystem::path& path, std::string_view sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int code = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(code, SQLITE_OK) << (message != nullptr ? message : "") << " in: " << sql;
  sqlite3_free(message);
  sqlite3_close(db);
}

class SqliteHarness : public StoreHarness {
 public:
  std::unique_ptr<Store> open() override {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path(), clock_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
  void executeRaw(std::string_view sql) override { executeWithSqlite(path(), sql); }
  std::filesystem::path path() const { return dir_.path() / "kaiban.db"; }

 private:
  testing::TempDir dir_;
  ManualClock clock_{kNow};
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
                         ::testing::Values(StoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         [](const auto& param_info) { return param_info.param.name; });

int64_t pragma(sqlite::Connection& db, std::string_view name) {
  Result<sqlite::Statement> query = db.prepare("PRAGMA " + std::string(name));
  EXPECT_TRUE(query);
  EXPECT_TRUE(query->step().valueOr(false));
  return query->int64(0);
}

TEST(SqliteStoreTest, ConnectionsAreDurableAndEnforceForeignKeys) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  ASSERT_TRUE(SqliteStore::open(dir.path() / "k.db", clock));
  Result<std::unique_ptr<sqlite::Connection>> db =
      sqlite::Connection::open(dir.path() / "k.db", std::chrono::milliseconds{100});
  ASSERT_TRUE(db) << db.error();
  EXPECT_EQ(pragma(**db, "synchronous"), 2);  // FULL
  EXPECT_EQ(pragma(**db, "foreign_keys"), 1);
  EXPECT_EQ(pragma(**db, "busy_timeout"), 100);
  Result<sqlite::Statement> mode = (*db)->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode->step().valueOr(false));
  EXPECT_EQ(mode->text(0), "wal");

  // A step of an application that does not exist is refused.
  Result<void> orphan = (*db)->execute(
      "INSERT INTO steps (application_id, step_id, state, attempts, revision, polls, flags, "
      "failure, reason_code, reason, partner_reference) "
      "VALUES ('nope', 'seal', 'pending', 0, 1, 0, 0, 'none', '', '', '')");
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::kConflict);
}

TEST(SqliteStoreTest, RecordsItsSchemaVersion) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir.path() / "k.db", clock);
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ((*store)->schemaVersion(), sqlite::migrations().back().version);
  store->reset();
  // Opening again applies nothing twice.
  Result<std::unique_ptr<SqliteStore>> again = SqliteStore::open(dir.path() / "k.db", clock);
  ASSERT_TRUE(again) << again.error();
  Result<std::unique_ptr<sqlite::Connection>> db =
      sqlite::Connection::open(dir.path() / "k.db", std::chrono::milliseconds{100});
  Result<sqlite::Statement> rows =
      (*db)->prepare("SELECT count(*), max(version), min(applied_at) FROM schema_version");
  ASSERT_TRUE(rows->step().valueOr(false));
  EXPECT_EQ(rows->int64(0), static_cast<int64_t>(sqlite::migrations().size()));
  EXPECT_EQ(rows->int64(1), sqlite::migrations().back().version);
  EXPECT_EQ(rows->time(2), kNow);
}

TEST(SqliteStoreTest, RefusesADatabaseWithANewerSchema) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  ASSERT_TRUE(SqliteStore::open(dir.path() / "k.db", clock));
  executeWithSqlite(dir.path() / "k.db",
                    "INSERT INTO schema_version VALUES (" +
                        std::to_string(sqlite::migrations().back().version + 1) +
                        ", 'from the future', 0)");
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir.path() / "k.db", clock);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error();
}

TEST(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  testing::TempDir dir;
  {
    std::ofstream out(dir.path() / "k.db", std::ios::binary);
    out << std::string(8192, 'x');
  }
  ManualClock clock(kNow);
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir.path() / "k.db", clock);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kCorrupt) << store.error();
}

TEST(SqliteStoreTest, ReportsAnUnopenableLocation) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  Result<std::unique_ptr<SqliteStore>> store =
      SqliteStore::open(dir.path() / "missing-dir" / "k.db", clock);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable) << store.error();
}

}  // namespace
}  // namespace kaiban::orchestrator
