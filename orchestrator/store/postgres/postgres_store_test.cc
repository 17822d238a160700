#include "orchestrator/store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/timestamp.h"
#include "orchestrator/store/postgres/migrations.h"
#include "orchestrator/store/postgres/testing/test_schema.h"
#include "orchestrator/store/store_contract_test.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator {
namespace {

using pg::testing::TestSchema;
using std::chrono::hours;
using std::chrono::minutes;

const SystemTime kNow = parseIso8601("2026-03-10T10:00:00+08:00").value();

class PostgresHarness : public StoreHarness {
 public:
  std::unique_ptr<Store> open() override {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::open(schema_.url(), clock_);
    if (!store) {
      ADD_FAILURE() << store.error();
      return nullptr;
    }
    return std::move(store).value();
  }
  void executeRaw(std::string_view sql) override { schema_.execute(sql); }

 private:
  TestSchema schema_;
  ManualClock clock_{kNow};
};

void skipWithoutServer() { GTEST_SKIP() << pg::testing::skipReason(); }

std::unique_ptr<StoreHarness> makeHarness() {
  if (!pg::testing::available()) {
    skipWithoutServer();
    return nullptr;
  }
  return std::make_unique<PostgresHarness>();
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest,
                         ::testing::Values(StoreBackend{"postgres", makeHarness}),
                         [](const auto& param_info) { return param_info.param.name; });

// What only PostgreSQL has: several processes (here: several stores, each with its own pool,
// as several orchestrators would have) on one database.
class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pg::testing::available()) GTEST_SKIP() << pg::testing::skipReason();
    schema_ = std::make_unique<TestSchema>();
  }

  std::unique_ptr<PostgresStore> openStore(PostgresStore::Options options = {}) {
    Result<std::unique_ptr<PostgresStore>> store =
        PostgresStore::open(schema_->url(), clock_, options);
    EXPECT_TRUE(store) << store.error();
    return store ? std::move(store).value() : nullptr;
  }

  std::unique_ptr<TestSchema> schema_;
  ManualClock clock_{kNow};
};

Change creation(const std::string& id) {
  Change change;
  ApplicationRecord& app = change.application;
  app.id = id;
  app.kiosk_id = "QD-SN-0001";
  app.bank_code = "QDBANK";
  app.district = "370202";
  app.flow_version = 1;
  app.submitted_at = kNow;
  app.deadline_at = kNow + hours{72};
  app.updated_at = kNow;
  app.sealed_application = "sealed";
  app.legal_representative_index = "index";
  change.events = {EventRecord{0, "", "", "application.submitted", "system", kNow, "{}"}};
  change.audit = {AuditInput{kNow, "system", id, "application.submitted", "{}"}};
  return change;
}

TEST_F(PostgresStoreTest, RecordsItsSchemaVersionOnce) {
  std::unique_ptr<PostgresStore> store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schemaVersion(), pg::migrations().back().version);
  store.reset();
  clock_.advance(hours{1});
  store = openStore();  // opening again applies nothing twice
  ASSERT_NE(store, nullptr);
  std::unique_ptr<pg::Connection> db =
      pg::Connection::open(schema_->url(), std::chrono::milliseconds{0}).value();
  Result<pg::Rows> rows = db->execute(
      "SELECT count(*), max(version), min(applied_at), max(applied_at) "
      "FROM schema_version");
  ASSERT_TRUE(rows) << rows.error();
  EXPECT_EQ(rows->int64(0, 0), static_cast<int64_t>(pg::migrations().size()));
  EXPECT_EQ(rows->int64(0, 1), pg::migrations().back().version);
  EXPECT_EQ(rows->time(0, 2), kNow);
  EXPECT_EQ(rows->time(0, 3), kNow);
}

TEST_F(PostgresStoreTest, NodesStartingAtOnceMigrateExactlyOnce) {
  constexpr int kNodes = 6;
  std::vector<std::thread> nodes;
  std::atomic<int> opened{0};
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&] {
      Result<std::unique_ptr<PostgresStore>> store = PostgresStore::open(schema_->url(), clock_);
      EXPECT_TRUE(store) << store.error();
      if (store && (*store)->schemaVersion() == pg::migrations().back().version) ++opened;
    });
  }
  for (std::thread& node : nodes) node.join();
  EXPECT_EQ(opened.load(), kNodes);
  std::unique_ptr<pg::Connection> db =
      pg::Connection::open(schema_->url(), std::chrono::milliseconds{0}).value();
  EXPECT_EQ(db->execute("SELECT count(*) FROM schema_version")->int64(0, 0),
            static_cast<int64_t>(pg::migrations().size()));
}

TEST_F(PostgresStoreTest, RefusesASchemaNewerThanItKnows) {
  ASSERT_NE(openStore(), nullptr);
  schema_->execute("INSERT INTO schema_version VALUES (" +
                   std::to_string(pg::migrations().back().version + 1) + ", 'from the future', 0)");
  Result<std::unique_ptr<PostgresStore>> store = PostgresStore::open(schema_->url(), clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error();
}

TEST_F(PostgresStoreTest, ReportsAnUnreachableServerAndABadUrl) {
  const std::string nobody =
      "postgresql://kaiban:secret@127.0.0.1:" + std::to_string(testing::freeLoopbackPort()) +
      "/kaiban?connect_timeout=2";
  Result<std::unique_ptr<PostgresStore>> unreachable = PostgresStore::open(nobody, clock_);
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(unreachable.error().message.find("secret"), std::string::npos)
      << "the password leaked into: " << unreachable.error();

  Result<std::unique_ptr<PostgresStore>> malformed =
      PostgresStore::open("postgresql://[broken", clock_);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidInput) << malformed.error();
}

// A dashboard reading the event stream while several nodes commit must miss nothing: a seq it
// has passed is never filled in afterwards.
TEST_F(PostgresStoreTest, TheEventStreamNeverFillsInBehindAReader) {
  constexpr int kNodes = 3;
  constexpr int kWritersPerNode = 3;
  constexpr int kApplicationsPerWriter = 15;
  std::vector<std::unique_ptr<PostgresStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(openStore());
  for (const auto& node : nodes) ASSERT_NE(node, nullptr);

  std::atomic<bool> done{false};
  std::vector<EventRecord> seen;
  std::thread reader([&] {
    int64_t after = 0;
    while (true) {
      const bool last_round = done.load();
      Result<std::vector<EventRecord>> page = nodes[0]->eventsSince(after, 50);
      ASSERT_TRUE(page) << page.error();
      for (const EventRecord& event : *page) {
        EXPECT_GT(event.seq, after);
        after = event.seq;
        seen.push_back(event);
      }
      if (page->empty() && last_round) return;
    }
  });
  std::vector<std::thread> writers;
  for (int node = 0; node < kNodes; ++node) {
    for (int w = 0; w < kWritersPerNode; ++w) {
      writers.emplace_back([&, node, w] {
        for (int i = 0; i < kApplicationsPerWriter; ++i) {
          const std::string id =
              "A-" + std::to_string(node) + "-" + std::to_string(w) + "-" + std::to_string(i);
          Change change = creation(id);
          // Several events per commit widen the window between drawing a seq and committing.
          change.events.resize(4, change.events.front());
          ASSERT_TRUE(nodes[node]->commit(id, 0, change, {}));
        }
      });
    }
  }
  for (std::thread& writer : writers) writer.join();
  done = true;
  reader.join();

  const size_t expected = kNodes * kWritersPerNode * kApplicationsPerWriter * 4;
  EXPECT_EQ(seen.size(), expected) << "the reader missed events committed behind it";
  std::set<int64_t> distinct;
  for (const EventRecord& event : seen) distinct.insert(event.seq);
  EXPECT_EQ(distinct.size(), expected);
  // And the audit chain, appended by all nodes at once, has no gap and no fork.
  EXPECT_TRUE(verifyAuditLog(*nodes[1]));
  EXPECT_EQ(nodes[2]->auditLog(0, 1000)->size(),
            static_cast<size_t>(kNodes * kWritersPerNode * kApplicationsPerWriter));
}

// Three nodes draining one outbox: every row is claimed exactly once, and the rows a node
// held when it died go to the others once its lease has run out.
TEST_F(PostgresStoreTest, NodesShareTheOutboxAndTakeOverADeadNodesClaims) {
  std::vector<std::unique_ptr<PostgresStore>> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(openStore());
  for (const auto& node : nodes) ASSERT_NE(node, nullptr);
  ASSERT_TRUE(nodes[0]->commit("A1", 0, creation("A1"), {}));
  std::vector<OutboxMessage> outgoing;
  for (int i = 0; i < 120; ++i) {
    OutboxMessage message;
    message.message_id = "A1-m" + std::to_string(i);
    message.application_id = "A1";
    message.step_id = "registration";
    message.next_attempt_at = kNow;
    outgoing.push_back(message);
  }
  Change update = creation("A1");
  update.events.clear();
  update.audit.clear();
  ASSERT_TRUE(nodes[1]->commit("A1", 1, update, outgoing));

  // Node 2 claims a batch and dies with it.
  Result<std::vector<OutboxMessage>> lost =
      nodes[2]->claimDueOutbox(kNow, 20, "node-2", kNow + minutes{2});
  ASSERT_TRUE(lost) << lost.error();
  ASSERT_EQ(lost->size(), 20u);
  nodes[2].reset();

  std::mutex mutex;
  std::multiset<int64_t> claimed;
  auto drain = [&](SystemTime now, int node, int worker) {
    const std::string owner = "node-" + std::to_string(node) + "#" + std::to_string(worker);
    while (true) {
      Result<std::vector<OutboxMessage>> batch =
          nodes[node]->claimDueOutbox(now, 3, owner, now + hours{1});
      ASSERT_TRUE(batch) << batch.error();
      if (batch->empty()) return;
      std::lock_guard lock(mutex);
      for (const OutboxMessage& message : *batch) claimed.insert(message.id);
    }
  };
  std::vector<std::thread> workers;
  for (int node = 0; node < 2; ++node) {
    for (int worker = 0; worker < 3; ++worker) workers.emplace_back(drain, kNow, node, worker);
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(claimed.size(), 100u);  // everything but the dead node's rows
  EXPECT_EQ(std::set<int64_t>(claimed.begin(), claimed.end()).size(), 100u);

  // Its lease runs out (the survivors' own leases run an hour): they take its rows, once.
  claimed.clear();
  workers.clear();
  for (int node = 0; node < 2; ++node) {
    for (int worker = 0; worker < 3; ++worker) {
      workers.emplace_back(drain, kNow + minutes{2}, node, worker);
    }
  }
  for (std::thread& worker : workers) worker.join();
  std::set<int64_t> lost_ids;
  for (const OutboxMessage& message : *lost) lost_ids.insert(message.id);
  EXPECT_EQ(std::set<int64_t>(claimed.begin(), claimed.end()), lost_ids);
  EXPECT_EQ(claimed.size(), lost_ids.size());
}

// A node that died after committing but before publishing left its events and audit entries
// pending: the next reader (or any commit) publishes them, in order, chained.
TEST_F(PostgresStoreTest, WhatADeadNodeLeftPendingIsPublishedByTheNext) {
  std::unique_ptr<PostgresStore> store = openStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commit("A1", 0, creation("A1"), {}));
  schema_->execute(
      "INSERT INTO pending_events (application_id, step_id, type, actor, at, detail) VALUES "
      "('A1', 'seal', 'step.dispatched', 'system', 0, '{}'), "
      "('A1', 'seal', 'step.acknowledged', 'system', 0, '{}');"
      "INSERT INTO pending_audit (at, actor, application_id, action, detail) VALUES "
      "(0, 'system', 'A1', 'step.dispatched', '{}'), (0, 'system', 'A1', 'step.acknowledged', "
      "'{}')");
  Result<std::vector<EventRecord>> events = store->eventsSince(0, 10);
  ASSERT_TRUE(events) << events.error();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].type, "step.dispatched");
  EXPECT_EQ((*events)[2].type, "step.acknowledged");
  Result<std::vector<AuditRecord>> log = store->auditLog(0, 10);
  ASSERT_TRUE(log) << log.error();
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[2].action, "step.acknowledged");
  EXPECT_EQ((*log)[2].previous_hash, (*log)[1].hash);
  EXPECT_TRUE(verifyAuditLog(*store));
  std::unique_ptr<pg::Connection> db =
      pg::Connection::open(schema_->url(), std::chrono::milliseconds{0}).value();
  EXPECT_EQ(db->execute("SELECT (SELECT count(*) FROM pending_events) + (SELECT count(*) FROM "
                        "pending_audit)")
                ->int64(0, 0),
            0);
}

TEST_F(PostgresStoreTest, ReconnectsAfterTheServerDroppedItsConnections) {
  std::unique_ptr<PostgresStore> store = openStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commit("A1", 0, creation("A1"), {}));
  // An administrator (or a server restart) ends every connection of this schema's clients.
  std::unique_ptr<pg::Connection> admin =
      pg::Connection::open(pg::testing::serverUrl(), std::chrono::milliseconds{0}).value();
  Result<pg::Rows> terminated = admin->execute(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE application_name = $1",
      pg::Params().add(schema_->name()));
  ASSERT_TRUE(terminated) << terminated.error();
  EXPECT_GE(terminated->int64(0, 0), 1);
  // Reads and transactions find new connections by themselves.
  Result<ApplicationSnapshot> loaded = store->load("A1");
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->application.version, 1);
  Result<std::vector<EventRecord>> events = store->eventsSince(0, 10);
  ASSERT_TRUE(events) << events.error();
  Change update = creation("A1");
  EXPECT_TRUE(store->commit("A1", 1, update, {}));
  EXPECT_TRUE(verifyAuditLog(*store));
}

TEST_F(PostgresStoreTest, TheUrlsPasswordStaysOutOfMessages) {
  EXPECT_EQ(pg::redactUrl("postgresql://kaiban:s3cret@db.example:5432/kaiban"),
            "postgresql://kaiban:***@db.example:5432/kaiban");
  EXPECT_EQ(pg::redactUrl("postgresql://kaiban@db.example/kaiban"),
            "postgresql://kaiban@db.example/kaiban");
  EXPECT_EQ(pg::redactUrl("host=db user=kaiban password=s3cret dbname=kaiban"),
            "host=db user=kaiban password=*** dbname=kaiban");
}

}  // namespace
}  // namespace kaiban::orchestrator
