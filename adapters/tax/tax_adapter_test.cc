#include "adapters/tax/tax_adapter.h"

#include <gtest/gtest.h>

#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/step_adapter_contract.h"

namespace kaiban::adapters {
namespace {

using testing::expectRefused;
using testing::expectRoundTrip;
using testing::replaced;
using testing::sampleApplication;
using testing::schemaDir;
using testing::StepAdapterContract;
using testing::usccFor;
using testing::withDoctype;
using testing::without;

TaxCodec loadCodec() { return TaxCodec::load(schemaDir()).value(); }

const std::string kUscc = usccFor("91370202MA3C4D5E6");
const std::string kAccount = "6222021234567890128";

TaxpayerRegistration sampleRegistration() {
  const Application application = sampleApplication();
  return TaxpayerRegistration{"APP-1-tax-registration",
                              kUscc,
                              application.enterprise.name,
                              application.enterprise.type,
                              application.enterprise.registered_address,
                              application.tax.taxpayer_type,
                              taxItemsFor(application.enterprise.type),
                              application.tax.invoices,
                              application.legal_representative,
                              application.finance_officer};
}

TaxRegistrationResult sampleRegistered() {
  return TaxRegistrationResult{
      "APP-1-tax-registration",
      TaxpayerRegistered{kUscc, "13702020000", {InvoiceNeed{InvoiceType::kVatSpecial, 25}}}};
}

PaymentAgreement sampleAgreement() {
  return PaymentAgreement{"APP-1-tax-bank-agreement", kUscc, kUscc, "QDBANK", kAccount,
                          "青岛海风软件科技有限公司"};
}

AgreementResult sampleSigned() {
  return AgreementResult{"APP-1-tax-bank-agreement", AgreementSigned{"TBA370202-20260305-000042"}};
}

class TaxCodecTest : public ::testing::Test {
 protected:
  TaxCodec codec_ = loadCodec();
};

TEST_F(TaxCodecTest, TaxpayerRegistrationRoundTripsForGeneralAndSmallScaleTaxpayers) {
  expectRoundTrip(codec_, sampleRegistration(), &TaxCodec::decodeTaxpayerRegistration);

  TaxpayerRegistration small = sampleRegistration();
  small.enterprise_type = EnterpriseType::kSoleProprietorship;
  small.tax_items = taxItemsFor(small.enterprise_type);
  small.taxpayer_type = TaxpayerType::kSmallScale;
  small.invoices.clear();
  small.finance_officer.reset();
  const std::string xml = expectRoundTrip(codec_, small, &TaxCodec::decodeTaxpayerRegistration);
  EXPECT_EQ(xml.find("Invoices"), std::string::npos) << xml;
}

TEST_F(TaxCodecTest, ResultsAgreementsAndEnvelopeRoundTrip) {
  expectRoundTrip(codec_, sampleRegistered(), &TaxCodec::decodeRegistrationResult);
  TaxRegistrationResult no_invoices = sampleRegistered();
  std::get<TaxpayerRegistered>(no_invoices.outcome).approved_invoices.clear();
  expectRoundTrip(codec_, no_invoices, &TaxCodec::decodeRegistrationResult);
  expectRoundTrip(
      codec_,
      TaxRegistrationResult{"APP-1-tax-registration",
                            Refusal{"FINANCE_OFFICER_REQUIRED", "一般纳税人须登记财务负责人"}},
      &TaxCodec::decodeRegistrationResult);
  expectRoundTrip(codec_, sampleAgreement(), &TaxCodec::decodePaymentAgreement);
  expectRoundTrip(codec_, sampleSigned(), &TaxCodec::decodeAgreementResult);
  expectRoundTrip(codec_,
                  AgreementResult{"APP-1-tax-bank-agreement",
                                  Refusal{"ACCOUNT_MISMATCH", "账户户名与纳税人名称不一致"}},
                  &TaxCodec::decodeAgreementResult);
  testing::expectEnvelopeRoundTrips(codec_, Refusal{"INVALID_USCC", "纳税人识别号无效"}, true);
}

TEST_F(TaxCodecTest, TaxItemsFollowTheLegalForm) {
  const std::vector<TaxItem> company = taxItemsFor(EnterpriseType::kLimitedLiabilityCompany);
  const std::vector<TaxItem> partnership = taxItemsFor(EnterpriseType::kPartnership);
  auto has = [](const std::vector<TaxItem>& items, TaxItem item) {
    return std::find(items.begin(), items.end(), item) != items.end();
  };
  EXPECT_TRUE(has(company, TaxItem::kCorporateIncomeTax));
  EXPECT_FALSE(has(company, TaxItem::kIndividualIncomeTax));
  EXPECT_TRUE(has(partnership, TaxItem::kIndividualIncomeTax));
  EXPECT_FALSE(has(partnership, TaxItem::kCorporateIncomeTax));
  EXPECT_EQ(taxItemsFor(EnterpriseType::kSoleProprietorship), partnership);
  for (TaxItem item : company) EXPECT_EQ(parseTaxItem(toString(item)).value(), item);
  EXPECT_FALSE(parseTaxItem("vat").ok());
}

TEST_F(TaxCodecTest, EncodeRefusesDataTheSchemaForbids) {
  TaxpayerRegistration registration = sampleRegistration();
  registration.invoices[0].monthly_quantity = 1001;
  expectRefused(codec_.encode(registration), "MonthlyQuantity");
  registration.invoices[0].monthly_quantity = 0;
  expectRefused(codec_.encode(registration), "MonthlyQuantity");

  registration = sampleRegistration();
  registration.invoices[1].type = registration.invoices[0].type;
  expectRefused(codec_.encode(registration), "Duplicate");

  registration = sampleRegistration();
  registration.tax_items.push_back(TaxItem::kStampDuty);
  expectRefused(codec_.encode(registration), "Duplicate");

  PaymentAgreement agreement = sampleAgreement();
  agreement.account_number = "6222-0212";
  expectRefused(codec_.encode(agreement), "AccountNumber");
  agreement = sampleAgreement();
  agreement.bank_code = "qdbank";
  expectRefused(codec_.encode(agreement), "BankCode");

  TaxRegistrationResult result = sampleRegistered();
  std::get<TaxpayerRegistered>(result.outcome).tax_authority_code = "3702020000";
  expectRefused(codec_.encode(result), "TaxAuthorityCode");
}

TEST_F(TaxCodecTest, DecodeRefusesInvalidDocumentsWithAClearError) {
  const std::string agreement = codec_.encode(sampleAgreement()).value();
  expectRefused(codec_.decodePaymentAgreement(replaced(agreement, kUscc, "9137020MA3C4D5E6T")),
                "Uscc");
  expectRefused(codec_.decodePaymentAgreement(without(agreement, "AccountName")), "AccountName");
  expectRefused(codec_.decodePaymentAgreement(withDoctype(agreement)), "DOCTYPE");

  const std::string registration = codec_.encode(sampleRegistration()).value();
  expectRefused(codec_.decodeTaxpayerRegistration(replaced(registration, "general", "large")),
                "TaxpayerType");
  expectRefused(codec_.decodeTaxpayerRegistration(without(registration, "TaxItems")), "TaxItems");

  // Each step's outcome decoder takes only its own result.
  const std::string signed_result = codec_.encode(sampleSigned()).value();
  expectRefused(codec_.decodeRegistrationOutcome(signed_result), "expected RegistrationResult");
  expectRefused(codec_.decodeAgreementOutcome(codec_.encode(sampleRegistered()).value()),
                "expected AgreementResult");
}

testing::StepAdapterCase registrationCase() {
  TaxCodec codec = loadCodec();
  StepRequest request = testing::sampleRequest("tax_registration", {{"uscc", kUscc}});
  StepRequest unsendable = request;
  unsendable.application.tax.invoices[0].monthly_quantity = 5000;
  const Refusal refusal{"ALREADY_REGISTERED", "该纳税人已办理登记"};
  return testing::StepAdapterCase{
      codec,
      [codec](PartnerLink& link) { return std::make_unique<TaxRegistrationAdapter>(codec, link); },
      request,
      "/tax/v1/registration",
      codec.encode(sampleRegistered()).value(),
      Outputs{{"taxpayer_id", kUscc}},
      codec.encode(TaxRegistrationResult{request.message_id, refusal}).value(),
      refusal,
      unsendable};
}

testing::StepAdapterCase agreementCase() {
  TaxCodec codec = loadCodec();
  StepRequest request =
      testing::sampleRequest("tax_bank_agreement", {{"uscc", kUscc}, {"account_number", kAccount}});
  StepRequest unsendable = request;
  unsendable.inputs.erase("account_number");
  const Refusal refusal{"ACCOUNT_MISMATCH", "账户户名与纳税人名称不一致"};
  return testing::StepAdapterCase{
      codec,
      [codec](PartnerLink& link) { return std::make_unique<TaxAgreementAdapter>(codec, link); },
      request,
      "/tax/v1/agreement",
      codec.encode(sampleSigned()).value(),
      Outputs{{"agreement_ref", "TBA370202-20260305-000042"}},
      codec.encode(AgreementResult{request.message_id, refusal}).value(),
      refusal,
      unsendable};
}

INSTANTIATE_TEST_SUITE_P(Tax, StepAdapterContract,
                         ::testing::Values(&registrationCase, &agreementCase));

class TaxAdapterTest : public ::testing::Test {
 protected:
  // Acknowledges whatever is sent.
  void acknowledgeAll() {
    link_.respond([this](const FakePartnerLink::Call& call) -> Result<transport::Response> {
      return transport::Response{
          202, codec_.encode(Acknowledgement{call.message_id, "TAX-1"}).value(), {}};
    });
  }

  TaxCodec codec_ = loadCodec();
  FakePartnerLink link_;
};

TEST_F(TaxAdapterTest, RegistrationSendsTheApplicationsTaxSetup) {
  TaxRegistrationAdapter adapter(codec_, link_);
  acknowledgeAll();

  ASSERT_TRUE(adapter.dispatch(testing::sampleRequest("tax_registration", {{"uscc", kUscc}})).ok());

  Result<TaxpayerRegistration> sent = codec_.decodeTaxpayerRegistration(link_.calls()[0].body);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(*sent, sampleRegistration());
}

TEST_F(TaxAdapterTest, AgreementUsesTheTaxpayerIdWhenTheFlowPassesIt) {
  TaxAgreementAdapter adapter(codec_, link_);
  acknowledgeAll();
  const std::string other_id = usccFor("91370202MA3C4D5E7");

  ASSERT_TRUE(adapter
                  .dispatch(testing::sampleRequest("tax_bank_agreement",
                                                   {{"uscc", kUscc}, {"account_number", kAccount}}))
                  .ok());
  ASSERT_TRUE(adapter
                  .dispatch(testing::sampleRequest(
                      "tax_bank_agreement",
                      {{"uscc", kUscc}, {"account_number", kAccount}, {"taxpayer_id", other_id}}))
                  .ok());

  ASSERT_EQ(link_.calls().size(), 2u);
  Result<PaymentAgreement> first = codec_.decodePaymentAgreement(link_.calls()[0].body);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(*first, sampleAgreement());
  Result<PaymentAgreement> second = codec_.decodePaymentAgreement(link_.calls()[1].body);
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->taxpayer_id, other_id);
  EXPECT_EQ(second->uscc, kUscc);
}

TEST_F(TaxAdapterTest, MissingInputsAreInvalidInputNamingTheInput) {
  TaxAgreementAdapter agreement(codec_, link_);
  Result<Ack> no_account =
      agreement.dispatch(testing::sampleRequest("tax_bank_agreement", {{"uscc", kUscc}}));
  ASSERT_FALSE(no_account.ok());
  EXPECT_EQ(no_account.error().field, "inputs.account_number");

  TaxRegistrationAdapter registration(codec_, link_);
  Result<Ack> no_uscc = registration.dispatch(testing::sampleRequest("tax_registration"));
  ASSERT_FALSE(no_uscc.ok());
  EXPECT_EQ(no_uscc.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(no_uscc.error().field, "inputs.uscc");
  EXPECT_TRUE(link_.calls().empty());
}

// docs/partners/tax.md shows one example of each document, as the encoder writes it.
TEST(TaxDocsTest, ExamplesOnThePartnerPageAreWhatTheEncoderWrites) {
  const TaxCodec codec = loadCodec();
  const MessageId registration_id = "APP-20260302-0001-tax-registration";
  const MessageId agreement_id = "APP-20260302-0001-tax-agreement";
  TaxpayerRegistration registration = sampleRegistration();
  registration.message_id = registration_id;
  TaxRegistrationResult registered = sampleRegistered();
  registered.message_id = registration_id;
  PaymentAgreement agreement = sampleAgreement();
  agreement.message_id = agreement_id;
  testing::expectPageExamples(
      "tax",
      {codec.encode(registration),
       codec.encode(Acknowledgement{registration_id, "TAX-20260302-000042"}),
       codec.encode(registered),
       codec.encode(TaxRegistrationResult{
           registration_id, Refusal{"INVOICE_QUANTITY_EXCESSIVE",
                                    "新办纳税人增值税专用发票每月领用数量不超过 25 份。"}}),
       codec.encode(agreement),
       codec.encode(AgreementResult{agreement_id, AgreementSigned{"TBA370202-20260305-000042"}}),
       codec.encode(AgreementResult{
           agreement_id, Refusal{"ACCOUNT_MISMATCH", "银行账户户名与纳税人名称不一致。"}}),
       codec.encode(
           Rejection{agreement_id, Refusal{"TAXPAYER_UNKNOWN", "该纳税人尚未办理税务登记。"}}),
       codec.encode(ErrorReport{agreement_id,
                                "document does not match tax.xsd: line 6, element "
                                "<AccountNumber>: [facet 'pattern'] The value '6222-0212' is "
                                "not accepted"})});
}

}  // namespace
}  // namespace kaiban::adapters
