#include <gtest/gtest.h>

#include "adapters/bank/account_number.h"
#include "adapters/bank/bank_codec.h"
#include "adapters/bank/bank_test_data.h"
#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/people/people_adapter.h"
#include "adapters/registry/registry_adapter.h"
#include "adapters/seal/seal_adapter.h"
#include "adapters/sim/sim_test_harness.h"
#include "adapters/sms/sms_notifier.h"
#include "adapters/tax/tax_adapter.h"
#include "core/uscc.h"

// Each simulated partner's behaviour, driven by the real adapters (or, for the bank, its
// codec) in-process: what it decides, what it refuses, and that a resend never acts twice.
namespace kaiban::sim {
namespace {

using adapters::Ack;
using adapters::OutcomeKind;
using adapters::StepOutcome;
using adapters::StepRequest;
using adapters::testing::sampleRequest;
using adapters::testing::schemaDir;
using testing::kDelay;
using testing::ServiceLink;
using testing::SimHarness;
namespace output = adapters::output;
namespace bank = adapters::bank;

class PartnerSimsTest : public ::testing::Test {
 protected:
  // Dispatches `request` with `adapter`, lets the delay pass, and returns the polled outcome.
  StepOutcome complete(adapters::StepAdapter& adapter, const StepRequest& request) {
    Result<Ack> ack = adapter.dispatch(request);
    EXPECT_TRUE(ack.ok()) << ack.error();
    harness_.clock().advance(kDelay);
    Result<StepOutcome> outcome = adapter.poll(request.message_id);
    EXPECT_TRUE(outcome.ok()) << outcome.error();
    return outcome.ok() ? *outcome : StepOutcome{};
  }

  // Registers sampleApplication() (or one named `name`) and returns its USCC.
  std::string registerEnterprise(const std::string& message_id,
                                 const std::string& name = "青岛海风软件科技有限公司") {
    StepRequest request = sampleRequest("registration");
    request.message_id = message_id;
    request.application.enterprise.name = name;
    StepOutcome outcome = complete(registry_, request);
    EXPECT_EQ(outcome.kind, OutcomeKind::kDone) << outcome.reason;
    return outcome.outputs[std::string(output::kUscc)];
  }

  Reply openAccount(const bank::AccountOpeningRequest& request) {
    return harness_.call("bank",
                         SimHarness::post("/bank/v1/account-opening",
                                          bank_codec_->encodeAccountOpeningRequest(request).value(),
                                          request.message_id));
  }

  SimHarness harness_;
  ServiceLink link_{harness_};
  adapters::RegistryCodec registry_codec_ = adapters::RegistryCodec::load(schemaDir()).value();
  adapters::RegistryAdapter registry_{registry_codec_, link_};
  adapters::SealCodec seal_codec_ = adapters::SealCodec::load(schemaDir()).value();
  adapters::SealAdapter seal_{seal_codec_, link_};
  adapters::TaxCodec tax_codec_ = adapters::TaxCodec::load(schemaDir()).value();
  adapters::TaxRegistrationAdapter tax_registration_{tax_codec_, link_};
  adapters::TaxAgreementAdapter tax_agreement_{tax_codec_, link_};
  std::shared_ptr<const bank::BankCodec> bank_codec_ = bank::testing::loadCodec();
};

TEST_F(PartnerSimsTest, RegistryIssuesAValidUsccForTheAddressDivisionAfterTheDelay) {
  const StepRequest request = sampleRequest("registration");
  Result<Ack> ack = registry_.dispatch(request);
  ASSERT_TRUE(ack.ok()) << ack.error();
  EXPECT_TRUE(ack->partner_reference.starts_with("REG-20260302-"));
  EXPECT_EQ(harness_.scheduled(), 1);

  Result<StepOutcome> pending = registry_.poll(request.message_id);
  ASSERT_TRUE(pending.ok()) << pending.error();
  EXPECT_EQ(pending->kind, OutcomeKind::kPending);

  harness_.clock().advance(kDelay);
  Result<StepOutcome> done = registry_.poll(request.message_id);
  ASSERT_TRUE(done.ok()) << done.error();
  ASSERT_EQ(done->kind, OutcomeKind::kDone);
  Result<Uscc> uscc = Uscc::parse(done->outputs.at(std::string(output::kUscc)));
  ASSERT_TRUE(uscc.ok()) << uscc.error();
  EXPECT_EQ(uscc->registrationAuthority(), '9');
  EXPECT_EQ(uscc->entityType(), '1');
  EXPECT_EQ(uscc->divisionCode(), request.application.enterprise.registered_address.division_code);
  EXPECT_TRUE(done->outputs.at(std::string(output::kLicenceRef)).starts_with("AMR370202-"));

  // The callback carries the same result.
  Result<std::optional<DueCallback>> due = harness_.store().nextDueCallback({});
  ASSERT_TRUE(due.ok() && due->has_value());
  Result<StepOutcome> from_callback = registry_.decodeCallback((*due)->body);
  ASSERT_TRUE(from_callback.ok()) << from_callback.error();
  EXPECT_EQ(from_callback->outputs, done->outputs);
}

TEST_F(PartnerSimsTest, ResentRegistrationGetsTheFirstAnswerAndOneUscc) {
  const StepRequest request = sampleRequest("registration");
  Result<Ack> first = registry_.dispatch(request);
  Result<Ack> second = registry_.dispatch(request);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->partner_reference, second->partner_reference);
  const PartnerEffects effects = harness_.effects("registry");
  EXPECT_EQ(effects.effects_by_message.at(request.message_id), 1);
  EXPECT_EQ(effects.duplicates_refused, 1);
  EXPECT_EQ(harness_.scheduled(), 1);
}

TEST_F(PartnerSimsTest, RegistryNameCheckSeesTakenAndProhibitedNames) {
  Result<adapters::NameCheck> free = registry_.checkName("青岛海风软件科技有限公司", "370202");
  ASSERT_TRUE(free.ok()) << free.error();
  EXPECT_EQ(free->verdict, adapters::NameVerdict::kAvailable);

  Result<adapters::NameCheck> famous = registry_.checkName("青岛啤酒股份有限公司", "370202");
  ASSERT_TRUE(famous.ok()) << famous.error();
  EXPECT_EQ(famous->verdict, adapters::NameVerdict::kConflicting);
  EXPECT_EQ(famous->detail, "青岛啤酒股份有限公司");

  Result<adapters::NameCheck> prohibited = registry_.checkName("中国海风科技有限公司", "370202");
  ASSERT_TRUE(prohibited.ok()) << prohibited.error();
  EXPECT_EQ(prohibited->verdict, adapters::NameVerdict::kProhibitedWord);
  EXPECT_EQ(prohibited->detail, "中国");

  registerEnterprise("APP-2-registration");
  Result<adapters::NameCheck> now_taken = registry_.checkName("青岛海风软件科技有限公司", "370202");
  EXPECT_EQ(now_taken->verdict, adapters::NameVerdict::kConflicting);
  EXPECT_EQ(harness_.effects("registry").messages, 1);  // name checks are not stored
}

TEST_F(PartnerSimsTest, RegistryRefusesAProhibitedNameAtOnce) {
  StepRequest request = sampleRequest("registration");
  request.application.enterprise.name = "青岛国际海风科技有限公司";
  Result<Ack> ack = registry_.dispatch(request);
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kRejected);
  EXPECT_EQ(adapters::refusalOf(ack.error()).reason_code, "NAME_PROHIBITED");
  // A poll reports the refusal too, at once.
  Result<StepOutcome> outcome = registry_.poll(request.message_id);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->kind, OutcomeKind::kRejected);
  EXPECT_EQ(outcome->reason_code, "NAME_PROHIBITED");
  EXPECT_EQ(harness_.effects("registry").effects, 0);
  EXPECT_EQ(harness_.scheduled(), 0);  // nothing to call back
}

TEST_F(PartnerSimsTest, RegistryRejectsATakenNameInTheResult) {
  registerEnterprise("APP-1-registration");
  StepRequest second = sampleRequest("registration");
  second.message_id = "APP-2-registration";
  const StepOutcome outcome = complete(registry_, second);
  EXPECT_EQ(outcome.kind, OutcomeKind::kRejected);
  EXPECT_EQ(outcome.reason_code, "NAME_TAKEN");
  EXPECT_EQ(harness_.effects("registry").effects_by_message.at("APP-2-registration"), 0);
}

TEST_F(PartnerSimsTest, SealFilesFourCodesOnceAndRefusesAnInvalidUscc) {
  const std::string uscc = registerEnterprise("APP-1-registration");
  const StepRequest request = sampleRequest("seal", {{std::string(output::kUscc), uscc}});
  const StepOutcome outcome = complete(seal_, request);
  ASSERT_EQ(outcome.kind, OutcomeKind::kDone) << outcome.reason;
  const std::string codes = outcome.outputs.at(std::string(output::kSealCodes));
  for (std::string_view kind : {"company:", "finance:", "invoice:", "legal_representative:"}) {
    const size_t at = codes.find(kind);
    ASSERT_NE(at, std::string::npos) << codes;
    const std::string code = codes.substr(at + kind.size(), 13);
    EXPECT_EQ(code.substr(0, 6), uscc.substr(2, 6)) << codes;
  }

  StepRequest again = request;
  again.message_id = "APP-1-seal-again";
  EXPECT_EQ(complete(seal_, again).reason_code, "ALREADY_FILED");

  StepRequest invalid = sampleRequest("seal", {{std::string(output::kUscc), "913702020000000001"}});
  invalid.message_id = "APP-3-seal";
  Result<Ack> refused = seal_.dispatch(invalid);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kRejected);
  EXPECT_EQ(adapters::refusalOf(refused.error()).reason_code, "INVALID_USCC");
  EXPECT_EQ(harness_.effects("seal").effects, 1);
}

TEST_F(PartnerSimsTest, SealRefusesANameOtherThanTheRegisteredOne) {
  const std::string uscc = registerEnterprise("APP-1-registration");
  StepRequest request = sampleRequest("seal", {{std::string(output::kUscc), uscc}});
  request.application.enterprise.name = "青岛别的名字有限公司";
  EXPECT_EQ(complete(seal_, request).reason_code, "NAME_MISMATCH");
}

TEST_F(PartnerSimsTest, BankOpensOneAccountPerEnterpriseAndRefusesAnInvalidUscc) {
  bank::AccountOpeningRequest request = bank::testing::sampleRequest();
  request.uscc = registerEnterprise("APP-1-registration");
  const Reply opened = openAccount(request);
  ASSERT_EQ(opened.status, 202) << opened.body;
  Result<bank::BankAnswer> ack = bank_codec_->decodeAnswer(opened.body);
  ASSERT_TRUE(ack.ok()) << ack.error();
  EXPECT_EQ(bank::toOutcome(*ack).kind, OutcomeKind::kPending);

  harness_.clock().advance(kDelay);
  const Reply polled =
      harness_.call("bank", SimHarness::get("/bank/v1/status/" + request.message_id));
  ASSERT_EQ(polled.status, 200);
  const StepOutcome outcome = bank::toOutcome(bank_codec_->decodeAnswer(polled.body).value());
  ASSERT_EQ(outcome.kind, OutcomeKind::kDone);
  const std::string number = outcome.outputs.at(std::string(output::kAccountNumber));
  EXPECT_EQ(number.size(), 19u);
  EXPECT_TRUE(bank::hasValidLuhnCheckDigit(number)) << number;

  // The same request again: the first answer. Another request for the enterprise: refused.
  EXPECT_EQ(openAccount(request).body, opened.body);
  bank::AccountOpeningRequest second = request;
  second.message_id = "APP-9-bank-account";
  ASSERT_EQ(openAccount(second).status, 202);
  harness_.clock().advance(kDelay);
  const Reply duplicate =
      harness_.call("bank", SimHarness::get("/bank/v1/status/APP-9-bank-account"));
  const StepOutcome refused = bank::toOutcome(bank_codec_->decodeAnswer(duplicate.body).value());
  EXPECT_EQ(refused.kind, OutcomeKind::kRejected);
  EXPECT_EQ(refused.reason_code, bank::reason::kDuplicateAccount);

  bank::AccountOpeningRequest invalid = bank::testing::sampleRequest();
  invalid.message_id = "APP-3-bank-account";
  invalid.uscc = "913702020000000001";
  const Reply rejected = openAccount(invalid);
  ASSERT_EQ(rejected.status, 422) << rejected.body;
  Result<bank::AccountRequestRejection> rejection = bank_codec_->decodeRejection(rejected.body);
  ASSERT_TRUE(rejection.ok()) << rejection.error();
  EXPECT_EQ(rejection->reason_code, bank::reason::kInvalidUscc);
  EXPECT_EQ(rejection->refs.request_message_id, invalid.message_id);

  const PartnerEffects effects = harness_.effects("bank");
  EXPECT_EQ(effects.effects, 1);
  EXPECT_EQ(effects.effects_by_message.at(request.message_id), 1);
  EXPECT_EQ(effects.duplicates_refused, 1);
}

TEST_F(PartnerSimsTest, BankAnswersAnUnreadableRequestWithAnIsoRejection) {
  const Reply reply = harness_.call(
      "bank", SimHarness::post("/bank/v1/account-opening", "<Document/>", "APP-1-bank-account"));
  EXPECT_EQ(reply.status, 400);
  Result<bank::AccountRequestRejection> rejection = bank_codec_->decodeRejection(reply.body);
  ASSERT_TRUE(rejection.ok()) << rejection.error() << "\n" << reply.body;
  EXPECT_EQ(rejection->reason_code, "SCHEMA_INVALID");
  EXPECT_EQ(rejection->refs.request_message_id, "APP-1-bank-account");
}

TEST_F(PartnerSimsTest, TaxRegistersTheUsccAsTaxpayerAndSignsTheAgreementForABankAccount) {
  const std::string uscc = registerEnterprise("APP-1-registration");
  const StepOutcome registered =
      complete(tax_registration_, sampleRequest("tax_registration", {{"uscc", uscc}}));
  ASSERT_EQ(registered.kind, OutcomeKind::kDone) << registered.reason;
  EXPECT_EQ(registered.outputs.at(std::string(output::kTaxpayerId)), uscc);

  // Before the bank opened anything: the account is unknown.
  const adapters::Outputs unknown_account = {
      {"uscc", uscc}, {"taxpayer_id", uscc}, {"account_number", "1234567890123456789"}};
  StepRequest early = sampleRequest("tax_bank_agreement", unknown_account);
  early.message_id = "APP-1-early-agreement";
  EXPECT_EQ(complete(tax_agreement_, early).reason_code, "ACCOUNT_NOT_FOUND");

  bank::AccountOpeningRequest account = bank::testing::sampleRequest();
  account.uscc = uscc;
  account.bank_code = sampleRequest("bank_account").application.bank_code;
  ASSERT_EQ(openAccount(account).status, 202);
  harness_.clock().advance(kDelay);
  const StepOutcome opened = bank::toOutcome(
      bank_codec_
          ->decodeAnswer(
              harness_.call("bank", SimHarness::get("/bank/v1/status/" + account.message_id)).body)
          .value());
  const std::string number = opened.outputs.at(std::string(output::kAccountNumber));

  const StepOutcome signed_up =
      complete(tax_agreement_,
               sampleRequest("tax_bank_agreement",
                             {{"uscc", uscc}, {"taxpayer_id", uscc}, {"account_number", number}}));
  ASSERT_EQ(signed_up.kind, OutcomeKind::kDone) << signed_up.reason;
  EXPECT_TRUE(signed_up.outputs.at(std::string(output::kAgreementRef)).starts_with("TBA370202-"));

  const PartnerEffects effects = harness_.effects("tax");
  EXPECT_EQ(effects.effects_by_kind.at("taxpayer_registered"), 1);
  EXPECT_EQ(effects.effects_by_kind.at("agreement_signed"), 1);
}

TEST_F(PartnerSimsTest, TaxRefusesWhatTheRealBureauWould) {
  // A general taxpayer without a finance officer: refused at once.
  StepRequest no_officer = sampleRequest("tax_registration", {{"uscc", registerEnterprise("R1")}});
  no_officer.message_id = "APP-1-tax-no-officer";
  no_officer.application.finance_officer.reset();
  Result<Ack> refused = tax_registration_.dispatch(no_officer);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(adapters::refusalOf(refused.error()).reason_code, "FINANCE_OFFICER_REQUIRED");

  StepRequest invalid = sampleRequest("tax_registration", {{"uscc", "913702020000000001"}});
  invalid.message_id = "APP-1-tax-invalid";
  Result<Ack> invalid_ack = tax_registration_.dispatch(invalid);
  ASSERT_FALSE(invalid_ack.ok());
  EXPECT_EQ(adapters::refusalOf(invalid_ack.error()).reason_code, "INVALID_USCC");

  // An agreement for a taxpayer never registered.
  const std::string uscc = registerEnterprise("R2", "青岛另一家科技有限公司");
  StepRequest agreement = sampleRequest(
      "tax_bank_agreement",
      {{"uscc", uscc}, {"taxpayer_id", uscc}, {"account_number", "1234567890123456789"}});
  EXPECT_EQ(complete(tax_agreement_, agreement).reason_code, "TAXPAYER_UNKNOWN");

  // Registering twice under two message ids.
  StepRequest first = sampleRequest("tax_registration", {{"uscc", uscc}});
  first.application.enterprise.name = "青岛另一家科技有限公司";
  ASSERT_EQ(complete(tax_registration_, first).kind, OutcomeKind::kDone);
  first.message_id = "APP-1-tax-again";
  EXPECT_EQ(complete(tax_registration_, first).reason_code, "ALREADY_REGISTERED");
}

TEST_F(PartnerSimsTest, PeopleDataAnswersFromTheDataSet) {
  adapters::PeopleCodec codec = adapters::PeopleCodec::load(schemaDir()).value();
  adapters::PeopleAdapter people(codec, link_);
  Result<adapters::PersonRecord> found = people.lookup("370212198811110040");
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_EQ(found->name, "陈静");
  EXPECT_EQ(found->sex, "female");
  EXPECT_EQ(found->birth_date, "1988-11-11");
  EXPECT_TRUE(found->address.starts_with("山东省青岛市崂山区"));
  Result<adapters::PersonRecord> missing = people.lookup("110101199003070014");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(harness_.effects("people").effects_by_message.empty());
}

TEST_F(PartnerSimsTest, SmsSendsOncePerMessageIdAndRefusesAnUnknownSubscriber) {
  adapters::SmsCodec codec = adapters::SmsCodec::load(schemaDir()).value();
  adapters::SmsNotifier sms(codec, link_);
  ASSERT_TRUE(sms.notify("APP-1-sms-registered", "13912345678", "您的企业已登记").ok());
  ASSERT_TRUE(sms.notify("APP-1-sms-registered", "13912345678", "您的企业已登记").ok());
  const PartnerEffects effects = harness_.effects("sms");
  EXPECT_EQ(effects.effects_by_message.at("APP-1-sms-registered"), 1);
  EXPECT_EQ(effects.duplicates_refused, 1);
  Result<void> unreachable = sms.notify("APP-2-sms", "13900000000", "您好");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, ErrorCode::kRejected);
}

}  // namespace
}  // namespace kaiban::sim
