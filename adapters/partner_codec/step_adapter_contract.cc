#include "adapters/partner_codec/step_adapter_contract.h"

#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/xml/parse.h"
#include "adapters/xml/schema.h"
#include "core/id_number.h"
#include "core/uscc.h"
#include "tests/testing/test_env.h"

namespace kaiban::adapters::testing {

std::filesystem::path schemaDir() { return kaiban::testing::repoFile("adapters/schemas"); }

::testing::AssertionResult validAgainst(std::string_view xsd_file, const std::string& body) {
  Result<std::shared_ptr<const xml::Schema>> schema =
      xml::Schema::load(schemaDir() / std::string(xsd_file));
  if (!schema.ok()) return ::testing::AssertionFailure() << schema.error();
  Result<xml::Document> document = xml::parse(body);
  if (!document.ok()) return ::testing::AssertionFailure() << document.error();
  Result<void> valid = (*schema)->validate(*document);
  if (!valid.ok()) return ::testing::AssertionFailure() << valid.error() << "\n" << body;
  return ::testing::AssertionSuccess();
}

std::string replaced(std::string body, std::string_view from, std::string_view to) {
  const size_t at = body.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "\"" << from << "\" not in\n" << body;
    return body;
  }
  return body.replace(at, from.size(), to);
}

std::string without(std::string body, std::string_view name) {
  const std::string empty = "<" + std::string(name) + "/>";
  if (const size_t at = body.find(empty); at != std::string::npos) {
    return body.erase(at, empty.size());
  }
  const std::string open = "<" + std::string(name);
  const std::string close = "</" + std::string(name) + ">";
  size_t begin = body.find(open + ">");
  if (begin == std::string::npos) begin = body.find(open + " ");
  const size_t end = begin == std::string::npos ? begin : body.find(close, begin);
  if (end == std::string::npos) {
    ADD_FAILURE() << "no element <" << name << "> in\n" << body;
    return body;
  }
  return body.erase(begin, end + close.size() - begin);
}

std::string withDoctype(const std::string& body) {
  const size_t declaration_end = body.find("?>") + 2;
  return body.substr(0, declaration_end) + "\n<!DOCTYPE x [<!ENTITY e \"e\">]>" +
         body.substr(declaration_end);
}

void expectEnvelopeRoundTrips(const PartnerCodec& codec, const Refusal& refusal,
                              bool asynchronous) {
  expectRoundTrip(codec, Rejection{"APP-1-step", refusal}, &PartnerCodec::decodeRejection);
  expectRoundTrip(codec, ErrorReport{"APP-1-step", "element <Uscc>: pattern mismatch"},
                  &PartnerCodec::decodeErrorReport);
  expectRoundTrip(codec, ErrorReport{{}, "not XML"}, &PartnerCodec::decodeErrorReport);
  Result<std::string> ack = codec.encode(Acknowledgement{"APP-1-step", "REF/2026.0001"});
  if (!asynchronous) {
    // Synchronous partners answer at once: their schemas have no Acknowledgement.
    EXPECT_FALSE(ack.ok());
    return;
  }
  expectRoundTrip(codec, Acknowledgement{"APP-1-step", "REF/2026.0001"},
                  &PartnerCodec::decodeAcknowledgement);
}

std::string idNumberFor(std::string_view first17) {
  return std::string(first17) + IdNumber::checkCharacterFor(first17).value();
}

std::string usccFor(std::string_view first17) {
  return std::string(first17) + Uscc::checkCharacterFor(first17).value();
}

Application sampleApplication() {
  Application application;
  application.kiosk_id = "QD-SN-0001";
  application.bank_code = "QDBANK";
  application.enterprise =
      Enterprise{"青岛海风软件科技有限公司", EnterpriseType::kLimitedLiabilityCompany,
                 Money::fromMinorUnits(100'000'000), Address{"370202", "香港中路 8 号 1201 室"},
                 "软件开发；信息技术咨询服务；数据处理服务"};
  application.legal_representative =
      Person{idNumberFor("37020219850307123"), "王海", "13912345678"};
  application.shareholders = {
      Shareholder{application.legal_representative, Money::fromMinorUnits(60'000'050)},
      Shareholder{Person{idNumberFor("37021119900612456"), "李静", ""},
                  Money::fromMinorUnits(39'999'950)}};
  application.supervisor = Person{idNumberFor("37020319771102876"), "赵明", ""};
  application.finance_officer = Person{idNumberFor("37028419920815002"), "陈芳", "13700001111"};
  application.contact_phone = "13912345678";
  application.seal =
      SealOrder{"QD-SEAL-017", SealDelivery::kCourier, Address{"370212", "崂山区海尔路 1 号"}};
  application.tax = TaxSetup{
      TaxpayerType::kGeneral,
      {InvoiceNeed{InvoiceType::kVatSpecial, 25}, InvoiceNeed{InvoiceType::kVatOrdinary, 50}}};
  return application;
}

StepRequest sampleRequest(std::string_view step, Outputs inputs) {
  std::string id = "APP-1-" + std::string(step);
  for (char& c : id) c = c == '_' ? '-' : c;  // message ids have no '_'
  return StepRequest{id, "APP-1", std::string(step), sampleApplication(), std::move(inputs)};
}

void StepAdapterContract::SetUp() {
  case_ = std::make_unique<StepAdapterCase>(GetParam()());
  adapter_ = case_->make(link_);
}

namespace {

std::string acknowledgement(const PartnerCodec& codec, const MessageId& id) {
  return codec.encode(Acknowledgement{id, "REF-0001"}).value();
}

}  // namespace

TEST_P(StepAdapterContract, DispatchPostsTheRequestWithItsMessageIdAndReturnsTheAck) {
  const MessageId& id = case_->request.message_id;
  link_.answer(202, acknowledgement(case_->codec, id));

  Result<Ack> ack = adapter_->dispatch(case_->request);

  ASSERT_TRUE(ack.ok()) << ack.error();
  EXPECT_EQ(ack->partner_reference, "REF-0001");
  ASSERT_EQ(link_.calls().size(), 1u);
  const FakePartnerLink::Call call = link_.calls()[0];
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.path, case_->operation_path);
  EXPECT_EQ(call.message_id, id);
  EXPECT_NE(call.body.find("<MessageId>" + id + "</MessageId>"), std::string::npos);
  EXPECT_TRUE(validAgainst(case_->codec.partner() + ".xsd", call.body));
}

TEST_P(StepAdapterContract, DispatchMapsA422RejectionToRejectedWithThePartnersReason) {
  const Refusal& refusal = case_->refusal;
  link_.answer(422, case_->codec.encode(Rejection{case_->request.message_id, refusal}).value());

  Result<Ack> ack = adapter_->dispatch(case_->request);

  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kRejected);
  EXPECT_FALSE(isRetryable(ack.error().code));
  EXPECT_EQ(refusalOf(ack.error()), refusal);
}

TEST_P(StepAdapterContract, DispatchMapsA400ErrorToInvalidInput) {
  link_.answer(400, case_->codec.encode(ErrorReport{{}, "element Uscc: not a USCC"}).value());

  Result<Ack> ack = adapter_->dispatch(case_->request);

  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(ack.error().message.find("element Uscc: not a USCC"), std::string::npos);
}

TEST_P(StepAdapterContract, DispatchMapsServerErrorsAndTransportFailuresToRetryableErrors) {
  for (int status : {500, 502, 503, 504}) {
    link_.answer(status, "<html>down</html>");
    Result<Ack> ack = adapter_->dispatch(case_->request);
    ASSERT_FALSE(ack.ok()) << status;
    EXPECT_TRUE(isRetryable(ack.error().code)) << status << ": " << ack.error();
  }
  link_.fail(Error::timeout("no answer within 5 s"));
  Result<Ack> timed_out = adapter_->dispatch(case_->request);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code, ErrorCode::kTimeout);
  link_.fail(Error::unavailable("connection refused"));
  Result<Ack> refused = adapter_->dispatch(case_->request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

TEST_P(StepAdapterContract, DispatchTreatsUnusableAnswersAsCorrupt) {
  const MessageId& id = case_->request.message_id;
  const std::string ack = acknowledgement(case_->codec, id);
  const std::string unusable[] = {
      "not xml at all",
      ack.substr(0, ack.size() / 2),                  // truncated
      replaced(ack, "REF-0001", "REF 0001"),          // schema-invalid reference
      withDoctype(ack),                               // DOCTYPE
      acknowledgement(case_->codec, "SOMEONE-ELSE"),  // another message's ack
      case_->done,                                    // a result where an ack belongs
  };
  for (const std::string& body : unusable) {
    link_.answer(202, body);
    Result<Ack> answer = adapter_->dispatch(case_->request);
    ASSERT_FALSE(answer.ok()) << body;
    EXPECT_EQ(answer.error().code, ErrorCode::kCorrupt) << body << "\n" << answer.error();
  }
  link_.answer(422, "<Rejection>garbage</Rejection>");
  Result<Ack> bad_rejection = adapter_->dispatch(case_->request);
  ASSERT_FALSE(bad_rejection.ok());
  EXPECT_EQ(bad_rejection.error().code, ErrorCode::kCorrupt);
  link_.answer(200, ack);  // the protocol acknowledges with 202
  Result<Ack> wrong_status = adapter_->dispatch(case_->request);
  ASSERT_FALSE(wrong_status.ok());
  EXPECT_EQ(wrong_status.error().code, ErrorCode::kCorrupt);
}

TEST_P(StepAdapterContract, DispatchRefusesARequestItCannotExpressWithoutSendingIt) {
  Result<Ack> ack = adapter_->dispatch(case_->unsendable);

  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kInvalidInput);
  EXPECT_TRUE(link_.calls().empty());
}

TEST_P(StepAdapterContract, PollReadsResultsAndAcknowledgements) {
  const MessageId& id = case_->request.message_id;
  link_.answer(200, case_->done);
  Result<StepOutcome> done = adapter_->poll(id);
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(done->kind, OutcomeKind::kDone);
  EXPECT_EQ(done->message_id, id);
  EXPECT_EQ(done->outputs, case_->done_outputs);
  ASSERT_EQ(link_.calls().size(), 1u);
  EXPECT_EQ(link_.calls()[0].method, "GET");
  EXPECT_EQ(link_.calls()[0].path, "/" + case_->codec.partner() + "/v1/status/" + id);

  link_.answer(200, case_->refused);
  Result<StepOutcome> refused = adapter_->poll(id);
  ASSERT_TRUE(refused.ok()) << refused.error();
  EXPECT_EQ(refused->kind, OutcomeKind::kRejected);
  EXPECT_EQ(refused->reason_code, case_->refusal.reason_code);
  EXPECT_EQ(refused->reason, case_->refusal.reason);
  EXPECT_TRUE(refused->outputs.empty());

  link_.answer(200, acknowledgement(case_->codec, id));
  Result<StepOutcome> pending = adapter_->poll(id);
  ASSERT_TRUE(pending.ok()) << pending.error();
  EXPECT_EQ(pending->kind, OutcomeKind::kPending);
}

TEST_P(StepAdapterContract, PollMapsErrors) {
  const MessageId& id = case_->request.message_id;
  link_.answer(404, "");
  Result<StepOutcome> unknown = adapter_->poll(id);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  link_.answer(503, "busy");
  Result<StepOutcome> busy = adapter_->poll(id);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);

  for (const std::string& body :
       {std::string("<<<"), withDoctype(case_->done), replaced(case_->done, id, "SOMEONE-ELSE")}) {
    link_.answer(200, body);
    Result<StepOutcome> outcome = adapter_->poll(id);
    ASSERT_FALSE(outcome.ok()) << body;
    EXPECT_EQ(outcome.error().code, ErrorCode::kCorrupt) << body;
  }

  const size_t calls = link_.calls().size();
  Result<StepOutcome> bad_id = adapter_->poll("../../admin");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(link_.calls().size(), calls);
}

TEST_P(StepAdapterContract, DecodeCallbackReadsResultsAndRefusesAnythingElse) {
  Result<StepOutcome> done = adapter_->decodeCallback(case_->done);
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(done->kind, OutcomeKind::kDone);
  EXPECT_EQ(done->message_id, case_->request.message_id);
  EXPECT_EQ(done->outputs, case_->done_outputs);

  Result<StepOutcome> refused = adapter_->decodeCallback(case_->refused);
  ASSERT_TRUE(refused.ok()) << refused.error();
  EXPECT_EQ(refused->kind, OutcomeKind::kRejected);

  for (const std::string& body : {std::string(), std::string("<x/>"), withDoctype(case_->done),
                                  replaced(case_->done, "<MessageId>", "<MessageId>bad id "),
                                  acknowledgement(case_->codec, case_->request.message_id)}) {
    Result<StepOutcome> outcome = adapter_->decodeCallback(body);
    ASSERT_FALSE(outcome.ok()) << body;
    EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidInput) << body;
  }
  EXPECT_TRUE(link_.calls().empty());
}

}  // namespace kaiban::adapters::testing
