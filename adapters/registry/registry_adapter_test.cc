#include "adapters/registry/registry_adapter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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

RegistryCodec loadCodec() { return RegistryCodec::load(schemaDir()).value(); }

RegistrationRequest sampleRegistration() {
  const Application application = sampleApplication();
  return RegistrationRequest{"APP-1-registration",       "APP-1",
                             application.enterprise,     application.legal_representative,
                             application.shareholders,   application.supervisor,
                             application.finance_officer};
}

const std::string kUscc = usccFor("91370202MA3C4D5E6");

RegistrationResult sampleRegistered() {
  return RegistrationResult{"APP-1-registration",
                            Registered{kUscc, "3702022026000123", "2026-03-02"}};
}

class RegistryCodecTest : public ::testing::Test {
 protected:
  RegistryCodec codec_ = loadCodec();
};

TEST_F(RegistryCodecTest, NameCheckDocumentsRoundTrip) {
  expectRoundTrip(codec_, NameCheckRequest{"NC-1", "青岛海风软件科技有限公司", "370202"},
                  &RegistryCodec::decodeNameCheckRequest);
  for (const NameCheck& check : {NameCheck{NameVerdict::kAvailable, ""},
                                 NameCheck{NameVerdict::kConflicting, "青岛海风科技有限公司"},
                                 NameCheck{NameVerdict::kProhibitedWord, "国家"}}) {
    expectRoundTrip(codec_, NameCheckResult{"NC-1", check}, &RegistryCodec::decodeNameCheckResult);
  }
}

TEST_F(RegistryCodecTest, RegistrationRequestRoundTripsWithAndWithoutOptionalOfficers) {
  RegistrationRequest request = sampleRegistration();
  const std::string xml =
      expectRoundTrip(codec_, request, &RegistryCodec::decodeRegistrationRequest);
  // Amounts are plain decimals with two fraction digits, whatever the fen.
  EXPECT_NE(xml.find("<RegisteredCapital>1000000.00</RegisteredCapital>"), std::string::npos);
  EXPECT_NE(xml.find("<Contribution>600000.50</Contribution>"), std::string::npos);

  request.supervisor.reset();
  request.finance_officer.reset();
  request.enterprise.type = EnterpriseType::kSoleProprietorship;
  request.shareholders.resize(1);
  expectRoundTrip(codec_, request, &RegistryCodec::decodeRegistrationRequest);
}

TEST_F(RegistryCodecTest, RegistrationResultAndEnvelopeRoundTrip) {
  expectRoundTrip(codec_, sampleRegistered(), &RegistryCodec::decodeRegistrationResult);
  expectRoundTrip(codec_,
                  RegistrationResult{"APP-1-registration",
                                     Refusal{"NAME_TAKEN", "名称已被他人登记，请更换名称"}},
                  &RegistryCodec::decodeRegistrationResult);
  testing::expectEnvelopeRoundTrips(codec_, Refusal{"NAME_PROHIBITED", "名称含有禁用词"}, true);
}

TEST_F(RegistryCodecTest, MessageIdSurvivesAndMustBeAMessageId) {
  RegistrationRequest request = sampleRegistration();
  request.message_id = "a-35-character-message-id-0123456789";  // 36: one too many
  expectRefused(codec_.encode(request), "MessageId");
  request.message_id.pop_back();
  Result<std::string> body = codec_.encode(request);
  ASSERT_TRUE(body.ok()) << body.error();
  EXPECT_EQ(codec_.decodeRegistrationRequest(*body)->message_id, request.message_id);
  request.message_id = "APP_1";
  expectRefused(codec_.encode(request), "MessageId");
}

TEST_F(RegistryCodecTest, EncodeRefusesDataTheSchemaForbids) {
  RegistrationRequest request = sampleRegistration();
  request.enterprise.registered_capital = Money();
  expectRefused(codec_.encode(request), "RegisteredCapital");

  request = sampleRegistration();
  request.enterprise.registered_address.division_code = "990000";
  expectRefused(codec_.encode(request), "DivisionCode");

  request = sampleRegistration();
  request.shareholders[1].person.id_number = request.shareholders[0].person.id_number;
  expectRefused(codec_.encode(request), "Duplicate");

  request = sampleRegistration();
  request.legal_representative.name = " 王海";
  expectRefused(codec_.encode(request), "Name");

  RegistrationResult result = sampleRegistered();
  std::get<Registered>(result.outcome).uscc = "91370202MA3C4D5E6O";  // O is not in the alphabet
  expectRefused(codec_.encode(result), "Uscc");

  expectRefused(codec_.encode(RegistrationResult{"APP-1", Refusal{"NO_REASON", "x"}}),
                "ReasonCode");
}

TEST_F(RegistryCodecTest, DecodeRefusesInvalidDocumentsWithAClearError) {
  const std::string good = codec_.encode(sampleRegistered()).value();

  expectRefused(codec_.decodeRegistrationResult(replaced(good, kUscc, "91370202MA3C4D5E6I")),
                "Uscc");
  expectRefused(codec_.decodeRegistrationResult(without(good, "LicenceReference")),
                "RegistrationDate");
  expectRefused(codec_.decodeRegistrationResult(withDoctype(good)), "DOCTYPE");
  expectRefused(codec_.decodeRegistrationRequest(good), "expected RegistrationRequest");
  expectRefused(codec_.decodeRegistrationResult(
                    replaced(good, "urn:kaiban:partner:registry:1", "urn:kaiban:partner:seal:1")),
                "namespace");
  const std::string request = codec_.encode(sampleRegistration()).value();
  expectRefused(codec_.decodeRegistrationRequest(without(request, "Shareholders")), "Shareholders");
  expectRefused(codec_.decodeRegistrationRequest(replaced(request, "1000000.00", "1000000.5")),
                "RegisteredCapital");
}

TEST_F(RegistryCodecTest, DocumentTypeNamesTheRootOfAValidDocument) {
  EXPECT_EQ(codec_.documentType(codec_.encode(sampleRegistration()).value()).value(),
            "RegistrationRequest");
  EXPECT_EQ(codec_
                .documentType(
                    codec_.encode(NameCheckRequest{"NC-1", "青岛海风有限公司", "370202"}).value())
                .value(),
            "NameCheckRequest");
  expectRefused(
      codec_.documentType("<RegistrationRequest xmlns=\"urn:kaiban:partner:registry:1\"/>"),
      "MessageId");
}

TEST_F(RegistryCodecTest, OneCodecServesManyThreadsAtOnce) {
  const RegistryCodec shared = codec_;  // copies share the compiled schema
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared, &failures, t] {
      RegistrationRequest request = sampleRegistration();
      for (int i = 0; i < 25; ++i) {
        request.message_id = "T" + std::to_string(t) + "-" + std::to_string(i);
        Result<std::string> body = shared.encode(request);
        Result<RegistrationRequest> back =
            body.ok() ? shared.decodeRegistrationRequest(*body) : body.error();
        if (!back.ok() || *back != request) ++failures;
        // An invalid document in between must fail alone, not poison the shared schema.
        if (shared.decodeRegistrationRequest(without(*body, "ApplicationId")).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(RegistryCodecTest, OutcomeOfAResultCarriesTheUsccAndLicence) {
  Result<StepOutcome> outcome = codec_.decodeOutcome(codec_.encode(sampleRegistered()).value());
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->kind, OutcomeKind::kDone);
  EXPECT_EQ(outcome->outputs.at("uscc"), kUscc);
  EXPECT_EQ(outcome->outputs.at("licence_ref"), "3702022026000123");
}

testing::StepAdapterCase registryCase() {
  RegistryCodec codec = loadCodec();
  StepRequest request = testing::sampleRequest("registration");
  StepRequest unsendable = request;
  unsendable.application.enterprise.name = "X";  // shorter than any enterprise name
  const Refusal refusal{"NAME_TAKEN", "名称已被他人登记，请更换名称"};
  return testing::StepAdapterCase{
      codec,
      [codec](PartnerLink& link) { return std::make_unique<RegistryAdapter>(codec, link); },
      request,
      "/registry/v1/registration",
      codec.encode(sampleRegistered()).value(),
      Outputs{{"uscc", kUscc}, {"licence_ref", "3702022026000123"}},
      codec.encode(RegistrationResult{request.message_id, refusal}).value(),
      refusal,
      unsendable};
}

INSTANTIATE_TEST_SUITE_P(Registry, StepAdapterContract, ::testing::Values(&registryCase));

class RegistryAdapterTest : public ::testing::Test {
 protected:
  // Answers each name check with `check` for the message id it carries.
  void answerNameChecks(const NameCheck& check) {
    link_.respond([this, check](const FakePartnerLink::Call& call) -> Result<transport::Response> {
      return transport::Response{
          200, codec_.encode(NameCheckResult{call.message_id, check}).value(), {}};
    });
  }

  RegistryCodec codec_ = loadCodec();
  FakePartnerLink link_;
  RegistryAdapter adapter_{codec_, link_};
};

TEST_F(RegistryAdapterTest, DispatchSendsTheApplicationsEnterpriseAndPeople) {
  link_.answer(202, codec_.encode(Acknowledgement{"APP-1-registration", "R1"}).value());
  ASSERT_TRUE(adapter_.dispatch(testing::sampleRequest("registration")).ok());

  Result<RegistrationRequest> sent = codec_.decodeRegistrationRequest(link_.calls()[0].body);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(*sent, sampleRegistration());
}

TEST_F(RegistryAdapterTest, DispatchSendsALowerCaseXCheckCharacterAsCapitalX) {
  StepRequest request = testing::sampleRequest("registration");
  Person& person = request.application.shareholders[1].person;
  person.id_number = testing::idNumberFor("11010519491231002");  // check character X
  ASSERT_EQ(person.id_number.back(), 'X');
  person.id_number.back() = 'x';
  link_.answer(202, codec_.encode(Acknowledgement{request.message_id, "R1"}).value());

  ASSERT_TRUE(adapter_.dispatch(request).ok());
  Result<RegistrationRequest> sent = codec_.decodeRegistrationRequest(link_.calls()[0].body);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(sent->shareholders[1].person.id_number.back(), 'X');
}

TEST_F(RegistryAdapterTest, CheckNameReportsEachVerdict) {
  for (const NameCheck& check : {NameCheck{NameVerdict::kAvailable, ""},
                                 NameCheck{NameVerdict::kConflicting, "青岛海风科技有限公司"},
                                 NameCheck{NameVerdict::kProhibitedWord, "中华"}}) {
    answerNameChecks(check);
    Result<NameCheck> answer = adapter_.checkName("青岛海风软件科技有限公司", "370202");
    ASSERT_TRUE(answer.ok()) << answer.error();
    EXPECT_EQ(*answer, check);
  }
  const FakePartnerLink::Call call = link_.calls().back();
  EXPECT_EQ(call.path, "/registry/v1/name-check");
  Result<NameCheckRequest> sent = codec_.decodeNameCheckRequest(call.body);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(sent->message_id, call.message_id);
  EXPECT_EQ(sent->name, "青岛海风软件科技有限公司");
  EXPECT_EQ(sent->division_code, "370202");
  // Each check is its own message.
  EXPECT_NE(link_.calls()[0].message_id, link_.calls()[1].message_id);
}

TEST_F(RegistryAdapterTest, CheckNameMapsErrors) {
  expectRefused(adapter_.checkName("X", "370202"), "Name");
  expectRefused(adapter_.checkName("青岛海风软件科技有限公司", "37020"), "DivisionCode");
  EXPECT_TRUE(link_.calls().empty());

  link_.answer(503, "");
  Result<NameCheck> busy = adapter_.checkName("青岛海风软件科技有限公司", "370202");
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);

  // An answer about another check is not this check's answer.
  link_.answer(200, codec_.encode(NameCheckResult{"NC-other", {}}).value());
  Result<NameCheck> other = adapter_.checkName("青岛海风软件科技有限公司", "370202");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kCorrupt);

  link_.answer(200, "<NameCheckResult/>");
  Result<NameCheck> garbage = adapter_.checkName("青岛海风软件科技有限公司", "370202");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kCorrupt);
}

// docs/partners/registry.md shows one example of each document, as the encoder writes it.
TEST(RegistryDocsTest, ExamplesOnThePartnerPageAreWhatTheEncoderWrites) {
  const RegistryCodec codec = loadCodec();
  const MessageId check_id = "NC-5f2a9c1e0b7d4e3f8a6c2d1b";
  const MessageId id = "APP-20260302-0001-registration";
  RegistrationRequest request = sampleRegistration();
  request.message_id = id;
  request.application_id = "APP-20260302-0001";
  testing::expectPageExamples(
      "registry",
      {codec.encode(NameCheckRequest{check_id, "青岛海风软件科技有限公司", "370202"}),
       codec.encode(
           NameCheckResult{check_id, NameCheck{NameVerdict::kConflicting, "青岛海风科技有限公司"}}),
       codec.encode(request), codec.encode(Acknowledgement{id, "REG-20260302-000042"}),
       codec.encode(
           RegistrationResult{id, Registered{kUscc, "AMR370202-20260302-000042", "2026-03-02"}}),
       codec.encode(RegistrationResult{
           id, Refusal{"NAME_PROHIBITED", "企业名称含有禁用词“中华”，请修改名称后重新提交。"}}),
       codec.encode(
           Rejection{id, Refusal{"INVALID_DOCUMENTS", "股东认缴出资额合计与注册资本不一致。"}}),
       codec.encode(ErrorReport{id,
                                "document does not match registry.xsd: line 9, element "
                                "<RegisteredCapital>: [facet 'pattern'] The value "
                                "'1000000.5' is not accepted"})});
}

}  // namespace
}  // namespace kaiban::adapters
