#include "orchestrator/engine/engine_test_support.h"

#include "core/timestamp.h"

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

EngineTest::EngineTest() {
  options_.notifications = true;
  database_ = dir_.path() / "kaiban.db";
}

EngineTest::~EngineTest() { close(); }

void EngineTest::SetUp() { open(); }

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
  Result<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::open(database_, clock_);
  ASSERT_TRUE(sqlite) << sqlite.error();
  sqlite_ = std::move(sqlite).value();
  faults_ = std::make_unique<fakes::FaultInjectingStore>(*sqlite_);
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
  sqlite_.reset();
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
