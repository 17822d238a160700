#include "orchestrator/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

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

// Group commit (sqlite_store.h): writers that arrive together share one transaction, each in
// its own savepoint. Many writers at once must all land, a refused write must be rolled back
// alone, and the audit chain must stay whole across the shared transactions.
TEST(SqliteStoreTest, GroupCommitKeepsEveryWriteAndRollsBackOnlyTheRefusedOnes) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(dir.path() / "k.db", clock);
  ASSERT_TRUE(opened) << opened.error();
  SqliteStore& store = **opened;
  auto creation = [](const std::string& id, const std::string& key) {
    Change change;
    change.application.id = id;
    change.application.kiosk_id = "QD-SN-0001";
    change.application.bank_code = "QDBANK";
    change.application.district = "370202";
    change.application.flow_version = 1;
    change.application.submitted_at = kNow;
    change.application.deadline_at = kNow;
    change.application.updated_at = kNow;
    change.application.sealed_application = "sealed";
    change.application.legal_representative_index = "index";
    StepRecord step;
    step.step_id = "registration";
    change.steps = {step};
    change.events = {EventRecord{0, id, "", "application.submitted", "system", kNow, "{}"}};
    change.audit = {AuditInput{kNow, "system", id, "application.submitted", "{}"}};
    change.idempotency = IdempotencyRecord{"QD-SN-0001", key, "hash", id, kNow};
    return change;
  };
  constexpr int kThreads = 16;
  constexpr int kEach = 25;
  std::atomic<int> committed{0};
  std::atomic<int> refused{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "G" + std::to_string(t) + "-" + std::to_string(i);
        if (store.commit(id, 0, creation(id, "key-" + id), {})) {
          ++committed;
        } else {
          ++unexpected;
        }
        // Refused while other writers' changes share its transaction: a reused key and a stale
        // version. Neither may leave a trace nor take a neighbour down with it.
        Result<void> reused = store.commit(id + "x", 0, creation(id + "x", "key-" + id), {});
        Result<void> stale = store.commit(id, 7, creation(id, "other-" + id), {});
        for (const Result<void>* result : {&reused, &stale}) {
          if (!*result && result->error().code == ErrorCode::kConflict) {
            ++refused;
          } else {
            ++unexpected;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(committed.load(), kThreads * kEach);
  EXPECT_EQ(refused.load(), 2 * kThreads * kEach);
  EXPECT_EQ(unexpected.load(), 0);

  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      const std::string id = "G" + std::to_string(t) + "-" + std::to_string(i);
      Result<ApplicationSnapshot> snapshot = store.load(id);
      ASSERT_TRUE(snapshot) << id;
      EXPECT_EQ(snapshot->application.version, 1) << id;
      EXPECT_EQ(store.history(id)->size(), 1u) << id;
      EXPECT_EQ(store.load(id + "x").error().code, ErrorCode::kNotFound) << id;
    }
  }
  EXPECT_TRUE(verifyAuditLog(store));
  EXPECT_EQ(store.auditLog(0, 1000)->size(), static_cast<size_t>(kThreads * kEach));
}

// The writer never checkpoints inside a COMMIT (sqlite_store.h); a thread of the store does,
// so the database file itself grows while the store is open and the WAL stays bounded.
TEST(SqliteStoreTest, CheckpointsInTheBackgroundWhileOpen) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  const std::filesystem::path file = dir.path() / "k.db";
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(file, clock);
  ASSERT_TRUE(store) << store.error();
  const auto initial = std::filesystem::file_size(file);
  // About 2000 pages of 4 KiB: twice the WAL length that makes a checkpoint due.
  for (int i = 0; i < 400; ++i) {
    Change change;
    change.application.id = "C" + std::to_string(i);
    change.application.kiosk_id = "QD-SN-0001";
    change.application.bank_code = "QDBANK";
    change.application.district = "370202";
    change.application.flow_version = 1;
    change.application.submitted_at = kNow;
    change.application.deadline_at = kNow;
    change.application.updated_at = kNow;
    change.application.sealed_application = std::string(20000, static_cast<char>('a' + i % 26));
    change.application.legal_representative_index = "index";
    ASSERT_TRUE((*store)->commit(change.application.id, 0, change, {}));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::filesystem::file_size(file) <= initial + 4'000'000 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(std::filesystem::file_size(file), initial + 4'000'000)
      << "no checkpoint copied the WAL into the database file";
  EXPECT_EQ((*store)->load("C399")->application.sealed_application,
            std::string(20000, 'a' + 399 % 26));
}

}  // namespace
}  // namespace kaiban::orchestrator
