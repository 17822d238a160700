#include "adapters/partner_codec/step_adapter_contract.h"

#include "adapters/partner_codec/partner_exchange.h"

namespace kaiban::adapters::testing {

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
