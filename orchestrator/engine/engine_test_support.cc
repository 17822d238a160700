#include "orchestrator/engine/engine_test_support.h"

#include <fstream>
#include <sstream>

#include "core/timestamp.h"
#include "orchestrator/store/postgres/postgres_store.h"
#include "orchestrator/store/postgres/testing/test_schema.h"
#include "orchestrator/store/sqlite/sqlite_store.h"

namespace kaiban::orchestrator {

SystemTime at(std::string_view iso) { return parseIso8601(iso).value(); }

Application companyApplication() {
  Application application;
  application.kiosk_id = "QD-SN-0001";
  application.bank_code = "QDBANK";
  application.enterprise.name = "青岛海蓝科技有限公司";
  application.enterprise.type = EnterpriseType::kLimitedLiabilityCompany;
  application.enterprise.registered_capital = Money::fromMinorUnits(1'000'000'00);
  application.enterprise.registered_address = {"370202", "香港中路8号1201室"};
  application.enterprise.business_scope = "软件开发；信息技术咨询服务";
  application.legal_representative = {kZhangWeiId, "张伟", "13800138000"};
  application.shareholders = {
      {{kZhangWeiId, "张伟", ""}, Money::fromMinorUnits(600'000'00)},
      {{kLiNaId, "李娜", "13912345678"}, Money::fromMinorUnits(400'000'00)}};
  application.supervisor = Person{kWangQiangId, "王强", ""};
  application.contact_phone = "13800138000";
  application.seal = {"QD-SEAL-017", SealDelivery::kPickup, std::nullopt};
  application.tax = {TaxpayerType::kSmallScale, {{InvoiceType::kVatOrdinary, 25}}};
  return application;
}

const std::set<std::string, std::less<>>& defaultAdapterNames() {
  static const std::set<std::string, std::less<>> names = {"registry", "seal", "bank",
                                                           "tax_registration", "tax_agreement"};
  return names;
}

namespace {

std::string readBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class SqliteStorage final : public EngineStorage {
 public:
  explicit SqliteStorage(const std::filesystem::path& dir) : database_(dir / "kaiban.db") {}

  Result<std::unique_ptr<Store>> open(const Clock& clock) override {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(database_, clock);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  void executeRaw(const std::string& sql) override {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(database_.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << (message ? message : "") << " in: " << sql;
    sqlite3_free(message);
    sqlite3_close(db);
  }
  std::string storedBytes() override {
    return readBytes(database_) + readBytes(database_.string() + "-wal");
  }

 private:
  std::filesystem::path database_;
};

class PostgresStorage final : public EngineStorage {
 public:
  Result<std::unique_ptr<Store>> open(const Clock& clock) override {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::open(schema_.url(), clock);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  void executeRaw(const std::string& sql) override { schema_.execute(sql); }
  std::string storedBytes() override { return schema_.storedValues(); }

 private:
  pg::testing::TestSchema schema_;
};

void skipWithoutPostgres() { GTEST_SKIP() << pg::testing::skipReason(); }

}  // namespace

INSTANTIATE_TEST_SUITE_P(
    Stores, EngineTest,
    ::testing::Values(
        EngineBackend{"sqlite",
                      [](const std::filesystem::path& dir) -> std::unique_ptr<EngineStorage> {
                        return std::make_unique<SqliteStorage>(dir);
                      }},
        EngineBackend{"postgres",
                      [](const std::filesystem::path&) -> std::unique_ptr<EngineStorage> {
                        if (!pg::testing::available()) {
                          skipWithoutPostgres();
                          return nullptr;
                        }
                        return std::make_unique<PostgresStorage>();
                      }}),
    [](const auto& param_info) { return param_info.param.name; });

EngineTest::EngineTest() { options_.notifications = true; }

EngineTest::~EngineTest() { close(); }

void EngineTest::SetUp() {
  storage_ = GetParam().make(dir_.path());
  if (IsSkipped()) return;  // the backend is not available here; make() said why
  ASSERT_NE(storage_, nullptr);
  open();
}

void EngineTest::open(const std::filesystem::path& flow_directory) {
  close();
  if (!cipher_) {
    cipher_ = std::make_unique<crypto::PiiCipher>(keys_);
    index_ = std::make_unique<crypto::BlindIndex>(keys_);
    Result<WorkingCalendar> calendar = WorkingCalendar::load(testing::repoFile("data/calendar"));
    ASSERT_TRUE(calendar) << calendar.error();
    calendar_ = std::make_unique<WorkingCalendar>(std::move(calendar).value());
  }
  Result<FlowCatalog> flows = FlowCatalog::loadDirectory(
      flow_directory.empty() ? testing::repoFile("orchestrator/flows") : flow_directory,
      testing::repoFile("orchestrator/flows/flow.xsd"), defaultAdapterNames());
  ASSERT_TRUE(flows) << flows.error();
  flows_ = std::make_unique<FlowCatalog>(std::move(flows).value());
  Result<std::unique_ptr<Store>> backend = storage_->open(clock_);
  ASSERT_TRUE(backend) << backend.error();
  backend_ = std::move(backend).value();
  faults_ = std::make_unique<fakes::FaultInjectingStore>(*backend_);
  engine_ =
      std::make_unique<Engine>(*faults_, *flows_, *calendar_, clock_, *cipher_, *index_, options_);
  Dispatcher::AdapterMap adapters = {{"registry", &registry_},
                                     {"seal", &seal_},
                                     {"bank", &bank_},
                                     {"tax_registration", &tax_registration_},
                                     {"tax_agreement", &tax_agreement_}};
  DispatcherOptions dispatch_options;
  dispatch_options.owner = "test-dispatcher";
  dispatcher_ = std::make_unique<Dispatcher>(*engine_, adapters, &notifier_, dispatch_options);
  TimerLoopOptions timer_options;
  timer_options.owner = "test-timers";
  timer_loop_ = std::make_unique<TimerLoop>(*engine_, timer_options);
}

void EngineTest::close() {
  timer_loop_.reset();
  dispatcher_.reset();
  engine_.reset();
  faults_.reset();
  backend_.reset();
  flows_.reset();
}

SubmitResult EngineTest::submit(const Application& application) {
  const std::string key = "key-" + std::to_string(++next_key_);
  Result<SubmitResult> result =
      engine_->submit(application, application.kiosk_id, key, "hash-" + key);
  EXPECT_TRUE(result) << result.error();
  if (!result) return {};
  EXPECT_TRUE(result->accepted());
  EXPECT_TRUE(result->created);
  return *result;
}

int EngineTest::drive() {
  int total = 0;
  for (int round = 0; round < 200; ++round) {
    Result<int> processed = dispatcher_->runOnce();
    EXPECT_TRUE(processed) << processed.error();
    if (!processed || *processed == 0) return total;
    total += *processed;
  }
  ADD_FAILURE() << "the dispatcher did not settle";
  return total;
}

int EngineTest::fireTimers() {
  int total = 0;
  for (int round = 0; round < 100; ++round) {
    Result<int> fired = timer_loop_->runOnce();
    EXPECT_TRUE(fired) << fired.error();
    if (!fired || *fired == 0) return total;
    total += *fired;
  }
  ADD_FAILURE() << "the timer loop did not settle";
  return total;
}

ApplicationStatus EngineTest::status(const std::string& id) {
  Result<ApplicationStatus> result = engine_->status(id);
  EXPECT_TRUE(result) << result.error();
  return result ? *result : ApplicationStatus{};
}

const StepStatus& EngineTest::stepOf(const ApplicationStatus& status, const std::string& step) {
  for (const StepStatus& candidate : status.steps) {
    if (candidate.id == step) return candidate;
  }
  ADD_FAILURE() << "no step " << step;
  static const StepStatus kMissing;
  return kMissing;
}

std::string EngineTest::messageOf(const std::string& id, const std::string& step) {
  return stepOf(status(id), step).message_id;
}

OutcomeDisposition EngineTest::callback(const std::string& id, const std::string& step,
                                        adapters::OutcomeKind kind, adapters::Outputs outputs,
                                        std::string reason_code, std::string reason) {
  adapters::StepOutcome outcome;
  outcome.message_id = messageOf(id, step);
  outcome.kind = kind;
  outcome.outputs = std::move(outputs);
  outcome.reason_code = std::move(reason_code);
  outcome.reason = std::move(reason);
  Result<OutcomeDisposition> applied = engine_->applyOutcome(outcome, "partner:test");
  EXPECT_TRUE(applied) << applied.error();
  return applied ? *applied : OutcomeDisposition::kStale;
}

void EngineTest::completeStep(const std::string& id, const std::string& step) {
  static const std::map<std::string, adapters::Outputs> kOutputs = {
      {"registration", {{"uscc", "91370202MA3C4XYZ1K"}, {"licence_ref", "LIC-2026-0001"}}},
      {"seal", {{"seal_codes", "3702020012345,3702020012346"}}},
      {"tax_registration", {{"taxpayer_id", "91370202MA3C4XYZ1K"}}},
      {"bank_account", {{"account_number", "6222020200112233445"}}},
      {"tax_bank_agreement", {{"agreement_ref", "TBA-2026-77"}}},
  };
  drive();
  EXPECT_EQ(callback(id, step, adapters::OutcomeKind::kDone, kOutputs.at(step)),
            OutcomeDisposition::kApplied)
      << step;
}

void EngineTest::completeAll(const std::string& id) {
  completeStep(id, "registration");
  completeStep(id, "seal");
  completeStep(id, "tax_registration");
  Result<ApplicationStatus> approved = engine_->approveHumanTask(id, "bank_account", "staff:li");
  ASSERT_TRUE(approved) << approved.error();
  completeStep(id, "bank_account");
  completeStep(id, "tax_bank_agreement");
  drive();
}

fakes::FakeStepAdapter& EngineTest::adapter(const std::string& name) {
  if (name == "registry") return registry_;
  if (name == "seal") return seal_;
  if (name == "bank") return bank_;
  if (name == "tax_registration") return tax_registration_;
  return tax_agreement_;
}

}  // namespace kaiban::orchestrator
