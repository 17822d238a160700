#include "adapters/sim/sim_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "adapters/sim/identifiers.h"
#include "core/timestamp.h"
#include "tests/testing/test_env.h"

namespace kaiban::sim {
namespace {

using std::chrono::milliseconds;

// Registers an enterprise named `name` and answers 202 with a result, counting its calls.
class FakeRegistration final : public PartnerRequest {
 public:
  FakeRegistration(std::string id, std::string name, int& calls)
      : id_(std::move(id)), name_(std::move(name)), calls_(calls) {}

  const std::string& messageId() const override { return id_; }

  Result<Decision> decide(Ledger& ledger, SystemTime) override {
    ++calls_;
    if (ledger.enterpriseNamed(name_)) {
      return Decision{202, "ack " + id_, "taken " + name_, true, "rejected:NAME_TAKEN"};
    }
    const std::string uscc =
        usccFor("370202", static_cast<std::uint64_t>(ledger.nextSequence("registry.uscc"))).value();
    ledger.registerEnterprise(EnterpriseRecord{uscc, name_, "370202", "AMR-1"});
    ledger.recordEffect("uscc_issued", uscc);
    return Decision{202, "ack " + id_, "registered " + uscc, true, "registered"};
  }

 private:
  std::string id_;
  std::string name_;
  int& calls_;
};

class FailingRequest final : public PartnerRequest {
 public:
  const std::string& messageId() const override { return id_; }
  Result<Decision> decide(Ledger& ledger, SystemTime) override {
    ledger.registerEnterprise(EnterpriseRecord{"X", "无效企业有限公司", "370202", "AMR-X"});
    ledger.recordEffect("uscc_issued", "X");
    return Error::internal("encoder broke");
  }

 private:
  std::string id_ = "FAIL-1";
};

class SimStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SimStore> open() {
    Result<std::unique_ptr<SimStore>> store = SimStore::open(dir_.path() / "db" / "sim.db", clock_);
    EXPECT_TRUE(store.ok()) << store.error();
    return store.ok() ? std::move(*store) : nullptr;
  }

  testing::TempDir dir_;
  ManualClock clock_{shanghaiTime(2026, 3, 2, 10, 0, 0)};
};

TEST_F(SimStoreTest, AResendGetsTheFirstAnswerAndNoSecondEffectEvenAfterReopening) {
  int calls = 0;
  {
    std::unique_ptr<SimStore> store = open();
    ASSERT_TRUE(store);
    FakeRegistration first("MSG-1", "青岛海蓝科技有限公司", calls);
    Result<Handled> handled = store->handle("registry", "registration", first, milliseconds(500));
    ASSERT_TRUE(handled.ok()) << handled.error();
    EXPECT_FALSE(handled->duplicate);
    EXPECT_EQ(handled->message.status, 202);
    EXPECT_EQ(handled->message.callback, CallbackState::kPending);
    EXPECT_EQ(handled->message.result_due, clock_.now() + milliseconds(500));

    FakeRegistration resend("MSG-1", "另一个名字有限公司", calls);
    Result<Handled> again = store->handle("registry", "registration", resend, milliseconds(500));
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_TRUE(again->duplicate);
    EXPECT_EQ(again->message.answer, handled->message.answer);
    EXPECT_EQ(again->message.result, handled->message.result);
  }
  std::unique_ptr<SimStore> reopened = open();
  ASSERT_TRUE(reopened);
  FakeRegistration after_restart("MSG-1", "青岛海蓝科技有限公司", calls);
  Result<Handled> handled =
      reopened->handle("registry", "registration", after_restart, milliseconds(500));
  ASSERT_TRUE(handled.ok()) << handled.error();
  EXPECT_TRUE(handled->duplicate);
  EXPECT_EQ(handled->message.duplicates, 2);
  EXPECT_EQ(calls, 1);

  Result<std::map<std::string, PartnerEffects>> effects = reopened->effects();
  ASSERT_TRUE(effects.ok()) << effects.error();
  const PartnerEffects& registry = effects->at("registry");
  EXPECT_EQ(registry.effects_by_message.at("MSG-1"), 1);
  EXPECT_EQ(registry.effects, 1);
  EXPECT_EQ(registry.messages, 1);
  EXPECT_EQ(registry.duplicates_refused, 2);
  EXPECT_EQ(registry.repeated_effects, 0);
  EXPECT_EQ(registry.effects_by_kind.at("uscc_issued"), 1);
  EXPECT_EQ(registry.callbacks_pending, 1);
}

TEST_F(SimStoreTest, DedupIsPerPartner) {
  std::unique_ptr<SimStore> store = open();
  int calls = 0;
  FakeRegistration registry("SAME-ID", "青岛甲有限公司", calls);
  FakeRegistration seal("SAME-ID", "青岛乙有限公司", calls);
  EXPECT_FALSE(store->handle("registry", "x", registry, milliseconds(0))->duplicate);
  EXPECT_FALSE(store->handle("seal", "x", seal, milliseconds(0))->duplicate);
  EXPECT_EQ(calls, 2);
}

TEST_F(SimStoreTest, TakenNamesPersistAndWellKnownNamesAreTaken) {
  int calls = 0;
  {
    std::unique_ptr<SimStore> store = open();
    FakeRegistration first("M1", "青岛海蓝科技有限公司", calls);
    ASSERT_TRUE(store->handle("registry", "registration", first, milliseconds(0)).ok());
  }
  std::unique_ptr<SimStore> store = open();
  FakeRegistration second("M2", "青岛海蓝科技有限公司", calls);
  EXPECT_EQ(store->handle("registry", "registration", second, milliseconds(0))->message.outcome,
            "rejected:NAME_TAKEN");
  FakeRegistration famous("M3", "青岛啤酒股份有限公司", calls);
  EXPECT_EQ(store->handle("registry", "registration", famous, milliseconds(0))->message.outcome,
            "rejected:NAME_TAKEN");
  Result<std::map<std::string, PartnerEffects>> effects = store->effects();
  EXPECT_EQ(effects->at("registry").effects_by_message.at("M2"), 0);
  EXPECT_EQ(effects->at("registry").effects, 1);
}

TEST_F(SimStoreTest, AFailedDecisionLeavesNothingBehind) {
  std::unique_ptr<SimStore> store = open();
  FailingRequest failing;
  Result<Handled> handled = store->handle("registry", "registration", failing, milliseconds(0));
  ASSERT_FALSE(handled.ok());
  EXPECT_EQ(handled.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(store->find("registry", "FAIL-1")->has_value());
  EXPECT_TRUE(store->effects()->empty());
  int calls = 0;
  FakeRegistration retry("FAIL-1", "无效企业有限公司", calls);
  EXPECT_EQ(store->handle("registry", "registration", retry, milliseconds(0))->message.outcome,
            "registered");
}

TEST_F(SimStoreTest, LookupsWriteNothing) {
  std::unique_ptr<SimStore> store = open();
  int calls = 0;
  FakeRegistration lookup("L1", "青岛丙有限公司", calls);
  Result<Decision> decision = store->lookup("registry", lookup);
  ASSERT_TRUE(decision.ok()) << decision.error();
  EXPECT_EQ(decision->outcome, "registered");
  EXPECT_FALSE(store->find("registry", "L1")->has_value());
  FakeRegistration real("R1", "青岛丙有限公司", calls);
  EXPECT_EQ(store->handle("registry", "registration", real, milliseconds(0))->message.outcome,
            "registered");  // the lookup's write was rolled back: the name is still free
}

TEST_F(SimStoreTest, CallbacksBecomeDueAfterTheDelayAndFollowTheirSchedule) {
  std::unique_ptr<SimStore> store = open();
  int calls = 0;
  FakeRegistration request("CB-1", "青岛丁有限公司", calls);
  ASSERT_TRUE(store->handle("registry", "registration", request, milliseconds(1000)).ok());

  EXPECT_FALSE(store->nextDueCallback({})->has_value());
  EXPECT_EQ(store->earliestPendingCallback()->value(), clock_.now() + milliseconds(1000));
  clock_.advance(milliseconds(1000));
  Result<std::optional<DueCallback>> due = store->nextDueCallback({});
  ASSERT_TRUE(due.ok() && due->has_value());
  EXPECT_EQ((*due)->partner, "registry");
  EXPECT_EQ((*due)->message_id, "CB-1");
  EXPECT_EQ((*due)->body.substr(0, 10), "registered");
  EXPECT_EQ((*due)->attempts, 0);
  EXPECT_FALSE(store->nextDueCallback({"registry/CB-1"})->has_value());

  ASSERT_TRUE(
      store->callbackFailed("registry", "CB-1", clock_.now() + milliseconds(300), "down").ok());
  EXPECT_FALSE(store->nextDueCallback({})->has_value());
  clock_.advance(milliseconds(300));
  EXPECT_EQ(store->nextDueCallback({})->value().attempts, 1);

  ASSERT_TRUE(store->callbackDelivered("registry", "CB-1").ok());
  EXPECT_FALSE(store->nextDueCallback({})->has_value());
  EXPECT_FALSE(store->earliestPendingCallback()->has_value());
  EXPECT_EQ(store->find("registry", "CB-1")->value().callback, CallbackState::kDelivered);
  EXPECT_EQ(store->effects()->at("registry").callbacks_delivered, 1);

  FakeRegistration dropped("CB-2", "青岛戊有限公司", calls);
  ASSERT_TRUE(store->handle("registry", "registration", dropped, milliseconds(0)).ok());
  ASSERT_TRUE(store->callbackDropped("registry", "CB-2").ok());
  EXPECT_FALSE(store->nextDueCallback({})->has_value());
  EXPECT_EQ(store->effects()->at("registry").callbacks_dropped, 1);
}

// A partner that acts `effects` times on one request: what the report must catch.
class RepeatingRequest final : public PartnerRequest {
 public:
  RepeatingRequest(std::string id, int effects) : id_(std::move(id)), effects_(effects) {}
  const std::string& messageId() const override { return id_; }
  Result<Decision> decide(Ledger& ledger, SystemTime) override {
    for (int i = 0; i < effects_; ++i)
      ledger.recordEffect("seal_engraved", id_ + "#" + std::to_string(i));
    return Decision{202, "ack " + id_, "done", false, "done"};
  }

 private:
  std::string id_;
  int effects_;
};

TEST_F(SimStoreTest, TheEffectsReportCountsMessagesActedOnMoreThanOnce) {
  std::unique_ptr<SimStore> store = open();
  RepeatingRequest once("E-1", 1), twice("E-2", 2), thrice("E-3", 3), refused("E-4", 0);
  for (RepeatingRequest* request : {&once, &twice, &thrice, &refused}) {
    ASSERT_TRUE(store->handle("seal", "engraving", *request, milliseconds(0)).ok());
  }
  for (bool by_message : {false, true}) {
    Result<std::map<std::string, PartnerEffects>> report = store->effects(by_message);
    ASSERT_TRUE(report.ok());
    const PartnerEffects& seal = report->at("seal");
    EXPECT_EQ(seal.messages, 4) << by_message;
    EXPECT_EQ(seal.effects, 6) << by_message;
    EXPECT_EQ(seal.effects_by_kind.at("seal_engraved"), 6) << by_message;
    EXPECT_EQ(seal.repeated_effects, 2) << by_message;
    if (by_message) {
      EXPECT_EQ(seal.effects_by_message,
                (std::map<std::string, int>{{"E-1", 1}, {"E-2", 2}, {"E-3", 3}, {"E-4", 0}}));
    } else {
      EXPECT_TRUE(seal.effects_by_message.empty());
    }
  }
}

TEST_F(SimStoreTest, CountersSurviveReopening) {
  int calls = 0;
  std::string first_result;
  {
    std::unique_ptr<SimStore> store = open();
    FakeRegistration one("C1", "青岛己有限公司", calls);
    first_result = store->handle("registry", "registration", one, milliseconds(0))->message.result;
  }
  std::unique_ptr<SimStore> store = open();
  FakeRegistration two("C2", "青岛庚有限公司", calls);
  const std::string second_result =
      store->handle("registry", "registration", two, milliseconds(0))->message.result;
  EXPECT_NE(first_result, second_result);  // a new USCC, not the first one again
}

TEST_F(SimStoreTest, OpeningSomethingElseFails) {
  std::filesystem::create_directories(dir_.path() / "not-a-db");
  std::ofstream(dir_.path() / "not-a-db" / "sim.db") << "this is not a database, just text";
  Result<std::unique_ptr<SimStore>> store =
      SimStore::open(dir_.path() / "not-a-db" / "sim.db", clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
}

// Group commit (sim_store.h): requests handled at the same moment share one transaction,
// each in its own savepoint. Every one must land exactly once, a resend racing its original
// must be answered from the store, and a request whose work fails must leave no trace while
// its neighbours commit.
TEST_F(SimStoreTest, ConcurrentRequestsShareCommitsButEachActsExactlyOnce) {
  std::unique_ptr<SimStore> store = open();
  ASSERT_TRUE(store);
  constexpr int kThreads = 12;
  constexpr int kEach = 20;
  std::atomic<int> answered{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int calls = 0;
      for (int i = 0; i < kEach; ++i) {
        // Threads t and t+1 race on the same message ids: one acts, the other is a resend.
        const int pair = t / 2;
        const std::string id = "MSG-" + std::to_string(pair) + "-" + std::to_string(i);
        FakeRegistration request(id, "青岛并发" + std::to_string(pair * 100 + i) + "有限公司",
                                 calls);
        Result<Handled> handled =
            store->handle("registry", "registration", request, milliseconds(0));
        if (handled.ok()) {
          ++answered;
          if (handled->duplicate) ++duplicates;
        }
        FailingRequest failing;
        if (!store->handle("registry", "registration", failing, milliseconds(0)).ok()) ++failed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), kThreads * kEach);
  EXPECT_EQ(duplicates.load(), kThreads * kEach / 2);
  EXPECT_EQ(failed.load(), kThreads * kEach);

  Result<std::map<std::string, PartnerEffects>> effects = store->effects();
  ASSERT_TRUE(effects.ok()) << effects.error();
  const PartnerEffects& registry = effects->at("registry");
  EXPECT_EQ(registry.messages, kThreads * kEach / 2);
  EXPECT_EQ(registry.effects, kThreads * kEach / 2);
  EXPECT_EQ(registry.duplicates_refused, kThreads * kEach / 2);
  EXPECT_FALSE(registry.effects_by_message.contains("FAIL-1")) << "a failed request left a trace";
  for (const auto& [message, count] : registry.effects_by_message) EXPECT_EQ(count, 1) << message;
}

}  // namespace
}  // namespace kaiban::sim
