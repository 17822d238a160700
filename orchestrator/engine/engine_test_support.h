#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/crypto/key_ring.h"
#include "orchestrator/engine/dispatcher.h"
#include "orchestrator/engine/engine.h"
#include "orchestrator/engine/timer_loop.h"
#include "orchestrator/store/store.h"
#include "tests/fakes/fake_notifier.h"
#include "tests/fakes/fake_step_adapter.h"
#include "tests/fakes/fault_injecting_store.h"
#include "tests/testing/test_env.h"

// What the engine tests share: a real store behind a FaultInjectingStore, the shipped flow
// definitions, the real holiday calendar, test keys, a ManualClock and one FakeStepAdapter
// per partner, driven deterministically through Dispatcher::runOnce and TimerLoop::runOnce.
// The suite is parameterised by the store: every test runs on SQLite (a temporary file) and on
// PostgreSQL (a schema of its own on KAIBAN_TEST_POSTGRES_URL; skipped loudly without it).
namespace kaiban::orchestrator {

// The storage one run of the suite uses, outliving the stores opened over it.
class EngineStorage {
 public:
  virtual ~EngineStorage() = default;
  // A store over this storage (again after the previous one was destroyed), migrated.
  virtual Result<std::unique_ptr<Store>> open(const Clock& clock) = 0;
  // Runs `sql` (standard SQL on the tables of docs/flow.md) directly on the storage, as
  // someone with database access would; fails the test if it is refused.
  virtual void executeRaw(const std::string& sql) = 0;
  // Every byte the storage holds that a person with access could read: SQLite's database file
  // and its write-ahead log; every stored value on PostgreSQL. REQUIRES: no store is open.
  virtual std::string storedBytes() = 0;
};

struct EngineBackend {
  std::string name;
  // New, empty storage; temporary files go under `temp_dir`. A backend that cannot run here
  // calls GTEST_SKIP() (in a void helper) and returns nullptr.
  std::function<std::unique_ptr<EngineStorage>(const std::filesystem::path& temp_dir)> make;
};

// Test names and failure messages show the backend's name, not the struct's bytes.
inline void PrintTo(const EngineBackend& backend, std::ostream* out) { *out << backend.name; }

// Valid resident ID numbers of adults (GB 11643 check characters).
inline constexpr const char* kZhangWeiId = "370202198503071235";
inline constexpr const char* kLiNaId = "370203199002150024";
inline constexpr const char* kWangQiangId = "110105197012010519";

SystemTime at(std::string_view iso);

// A valid limited liability company from kiosk QD-SN-0001, bank QDBANK, district 370202.
Application companyApplication();

class EngineTest : public ::testing::TestWithParam<EngineBackend> {
 protected:
  EngineTest();
  ~EngineTest() override;

  void SetUp() override;

  // (Re)creates store, engine, dispatcher and timer loop over the same storage, the same keys
  // and the same fake partners; `flow_directory` defaults to orchestrator/flows.
  void open(const std::filesystem::path& flow_directory = {});
  // Destroys them, as a process exit would (the fakes and the clock survive).
  void close();

  Engine& engine() { return *engine_; }
  Store& store() { return *faults_; }
  fakes::FaultInjectingStore& faults() { return *faults_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  TimerLoop& timers() { return *timer_loop_; }
  const std::filesystem::path& tempDir() const { return dir_.path(); }
  // EngineStorage::executeRaw and storedBytes of this run's storage.
  void executeRaw(const std::string& sql) { storage_->executeRaw(sql); }
  std::string storedBytes() { return storage_->storedBytes(); }

  // Submits with a fresh idempotency key; fails the test unless it is accepted.
  SubmitResult submit(const Application& application = companyApplication());

  // Runs the dispatcher until nothing is due (at the clock's current time). Returns the
  // number of rows processed. Fails the test if it does not settle within 200 rounds.
  int drive();
  // Runs the timer loop until nothing is due.
  int fireTimers();

  ApplicationStatus status(const std::string& id);
  const StepStatus& stepOf(const ApplicationStatus& status, const std::string& step);
  std::string messageOf(const std::string& id, const std::string& step);

  // Delivers a callback for the step's current message.
  OutcomeDisposition callback(const std::string& id, const std::string& step,
                              adapters::OutcomeKind kind, adapters::Outputs outputs = {},
                              std::string reason_code = {}, std::string reason = {});
  // Acknowledged and done, with the outputs the default flow's later steps need.
  void completeStep(const std::string& id, const std::string& step);
  // Drives an application from submission to completion (approving the KYC review).
  void completeAll(const std::string& id);

  fakes::FakeStepAdapter& adapter(const std::string& name);

  ManualClock clock_{at("2026-03-10T10:00:00+08:00")};  // a Tuesday
  fakes::FakeStepAdapter registry_{"registry"};
  fakes::FakeStepAdapter seal_{"seal"};
  fakes::FakeStepAdapter bank_{"bank"};
  fakes::FakeStepAdapter tax_registration_{"tax"};
  fakes::FakeStepAdapter tax_agreement_{"tax"};
  fakes::FakeNotifier notifier_;
  EngineOptions options_;
  int next_key_ = 0;

 private:
  testing::TempDir dir_;
  std::unique_ptr<EngineStorage> storage_;
  crypto::KeyRing keys_ = crypto::KeyRing::forTesting();
  std::unique_ptr<crypto::PiiCipher> cipher_;
  std::unique_ptr<crypto::BlindIndex> index_;
  std::unique_ptr<WorkingCalendar> calendar_;
  std::unique_ptr<FlowCatalog> flows_;
  std::unique_ptr<Store> backend_;
  std::unique_ptr<fakes::FaultInjectingStore> faults_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<TimerLoop> timer_loop_;
};

// The value of `result` by value (so that it can be the range of a for loop: the range
// `*f()` would dangle), failing the test and returning T{} on error.
template <class T>
T valueOf(Result<T> result) {
  EXPECT_TRUE(result.ok()) << (result.ok() ? Error{} : result.error());
  if (!result.ok()) return T{};
  return std::move(result).value();
}

// The adapter names of the default flow.
const std::set<std::string, std::less<>>& defaultAdapterNames();

}  // namespace kaiban::orchestrator
