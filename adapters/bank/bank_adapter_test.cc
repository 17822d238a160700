#include "adapters/bank/bank_adapter.h"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/StreamCopier.h"
#include "adapters/bank/bank_test_data.h"
#include "adapters/transport/https_server.h"
#include "adapters/xml/parse.h"
#include "adapters/xml/schema.h"

namespace kaiban::adapters::bank {
namespace {

using testing::loadCodec;
using testing::sampleApplication;
using testing::sampleTime;
using testing::sampleUscc;
using testing::schemaDir;

// What the fake bank received.
struct Received {
  std::string method;
  std::string uri;
  std::string content_type;
  std::string message_id;  // X-Kaiban-Message-Id
  std::string body;
};

struct Reply {
  int status = 200;
  std::string body;
};

// A bank on a loopback port (plain HTTP: the transport's TLS is proven in its own tests), whose
// answers each test scripts. The adapter reaches it through a real PartnerClient.
class FakeBank {
 public:
  using Responder = std::function<Reply(const Received&)>;

  FakeBank() {
    server_ = std::make_unique<transport::HttpsServer>(
        Poco::Net::HTTPRequestHandlerFactory::Ptr(new Factory(*this)), Poco::Net::Context::Ptr(),
        transport::ServerOptions{});
    server_->start();
  }
  ~FakeBank() {
    release();
    server_.reset();
  }

  int port() const { return server_->port(); }

  void respond(Responder responder) {
    std::lock_guard lock(mutex_);
    responder_ = std::move(responder);
  }
  void respondWith(int status, std::string body) {
    respond([status, body](const Received&) { return Reply{status, body}; });
  }
  // Holds every answer until release(): the client's read timeout fires first.
  void hold() {
    std::lock_guard lock(mutex_);
    holding_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    holding_ = false;
    released_.notify_all();
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(FakeBank& bank) : bank_(bank) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      Received received;
      received.method = request.getMethod();
      received.uri = request.getURI();
      received.content_type = request.getContentType();
      received.message_id = request.get(std::string(transport::kMessageIdHeader), "");
      Poco::StreamCopier::copyToString(request.stream(), received.body);
      Reply reply = bank_.answer(received);
      response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
      response.setContentType("application/xml");
      response.sendBuffer(reply.body.data(), reply.body.size());
    }

   private:
    FakeBank& bank_;
  };

  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(FakeBank& bank) : bank_(bank) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(bank_);
    }

   private:
    FakeBank& bank_;
  };

  Reply answer(const Received& received) {
    std::unique_lock lock(mutex_);
    received_.push_back(received);
    released_.wait(lock, [this] { return !holding_; });
    if (!responder_) return Reply{500, "no answer scripted"};
    return responder_(received);
  }

  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool holding_ = false;
  Responder responder_;
  std::vector<Received> received_;
  std::unique_ptr<transport::HttpsServer> server_;
};

class BankAdapterTest : public ::testing::Test {
 protected:
  BankAdapterTest()
      : clock_(sampleTime()),
        codec_(loadCodec()),
        client_("bank", transport::Endpoint{"127.0.0.1", bank_.port(), "bank"},
                Poco::Net::Context::Ptr(), clientOptions(), clock_),
        adapter_(client_, codec_, clock_) {}

  static transport::ClientOptions clientOptions() {
    transport::ClientOptions options;
    options.read_timeout = std::chrono::milliseconds(300);
    return options;
  }

  StepRequest stepRequest() const {
    StepRequest request;
    request.message_id = "APP-20260302-0001-bank-account";
    request.application_id = "APP-20260302-0001";
    request.step = std::string(kStepBankAccount);
    request.application = sampleApplication();
    request.inputs.emplace(std::string(output::kUscc), sampleUscc());
    request.inputs.emplace(std::string(output::kSealCodes), "3702020012345, 3702020012346");
    return request;
  }

  // What the bank simulator does with a request: decode it with the shared codec.
  AccountOpeningRequest decoded(const Received& received) const {
    Result<AccountOpeningRequest> request = codec_->decodeAccountOpeningRequest(received.body);
    EXPECT_TRUE(request.ok()) << request.error();
    return request.ok() ? *request : AccountOpeningRequest{};
  }

  AccountOpeningRequest sentRequest() const {
    return accountOpeningRequestFor(stepRequest(), sampleTime()).value();
  }
  std::string ackFor(const AccountOpeningRequest& request) const {
    return codec_
        ->encodeAcknowledgement(
            acknowledgementFor(request, "QDBANK-ACK-42", sampleTime(), "KYC_REVIEW"))
        .value();
  }
  std::string rejectionFor(const AccountOpeningRequest& request) const {
    return codec_
        ->encodeRejection(bank::rejectionFor(request, "QDBANK-RJ-7", sampleTime(),
                                             std::string(reason::kInvalidUscc),
                                             "统一社会信用代码校验位错误。"))
        .value();
  }
  std::string reportFor(const AccountOpeningRequest& request) const {
    return codec_
        ->encodeAccountReport(
            bank::reportFor(request, "QDBANK-RPT-42", sampleTime(), "3702021000000000428",
                            std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::March,
                                                        std::chrono::day{3}}))
        .value();
  }

  FakeBank bank_;
  ManualClock clock_;
  std::shared_ptr<const BankCodec> codec_;
  transport::PartnerClient client_;
  BankAdapter adapter_;
};

TEST_F(BankAdapterTest, PartnerIsBank) { EXPECT_EQ(adapter_.partner(), "bank"); }

TEST_F(BankAdapterTest, DispatchPostsValidAcmt007AndReturnsTheBanksReference) {
  bank_.respond([&](const Received& received) { return Reply{202, ackFor(decoded(received))}; });
  Result<Ack> ack = adapter_.dispatch(stepRequest());
  ASSERT_TRUE(ack.ok()) << ack.error();
  EXPECT_EQ(ack->partner_reference, "QDBANK-ACK-42");

  std::vector<Received> received = bank_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].uri, "/bank/v1/account-opening");
  EXPECT_EQ(received[0].content_type, "application/xml");
  EXPECT_EQ(received[0].message_id, "APP-20260302-0001-bank-account");

  // What went on the wire is valid against the official schema, checked independently.
  std::shared_ptr<const xml::Schema> schema =
      xml::Schema::load(schemaDir() / "acmt.007.001.05.xsd").value();
  xml::Document document = xml::parse(received[0].body).value();
  Result<void> valid = schema->validate(document);
  EXPECT_TRUE(valid.ok()) << valid.error();

  AccountOpeningRequest request = decoded(received[0]);
  EXPECT_EQ(request.message_id, "APP-20260302-0001-bank-account");
  EXPECT_EQ(request.application_id, "APP-20260302-0001");
  EXPECT_EQ(request.created_at, sampleTime());
  EXPECT_EQ(request.uscc, sampleUscc());
  EXPECT_EQ(request.company_name, "青岛海蓝科技有限公司");
  EXPECT_EQ(request.bank_code, "QDBANK");
  EXPECT_EQ(request.legal_representative, sampleApplication().legal_representative);
  EXPECT_EQ(request.finance_officer, sampleApplication().finance_officer);
  EXPECT_EQ(request.contact_phone, "13900001111");
  EXPECT_TRUE(request.urgent);
  EXPECT_EQ(request.seal_codes, (std::vector<std::string>{"3702020012345", "3702020012346"}));
}

TEST_F(BankAdapterTest, DispatchWithoutUsccIsInvalidInputAndSendsNothing) {
  StepRequest request = stepRequest();
  request.inputs.erase(std::string(output::kUscc));
  Result<Ack> ack = adapter_.dispatch(request);
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(ack.error().field, "uscc");
  EXPECT_TRUE(bank_.received().empty());
}

TEST_F(BankAdapterTest, DispatchOfInexpressibleRequestIsInvalidInputAndSendsNothing) {
  StepRequest request = stepRequest();
  request.message_id = "APP 1/bank";  // not a message id
  EXPECT_EQ(adapter_.dispatch(request).error().code, ErrorCode::kInvalidInput);
  request = stepRequest();
  request.application.legal_representative.phone = "phone";
  EXPECT_EQ(adapter_.dispatch(request).error().code, ErrorCode::kInvalidInput);
  EXPECT_TRUE(bank_.received().empty());
}

TEST_F(BankAdapterTest, Dispatch422WithRejectionIsRejectedWithTheReason) {
  bank_.respond([&](const Received& received) {
    return Reply{422, rejectionFor(decoded(received))};
  });
  Result<Ack> ack = adapter_.dispatch(stepRequest());
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kRejected);
  EXPECT_EQ(ack.error().message, "INVALID_USCC: 统一社会信用代码校验位错误。");
}

TEST_F(BankAdapterTest, DispatchErrorStatusesMapToTheContract) {
  const std::pair<int, ErrorCode> cases[] = {
      {503, ErrorCode::kUnavailable}, {500, ErrorCode::kUnavailable},
      {429, ErrorCode::kUnavailable}, {400, ErrorCode::kInvalidInput},
      {409, ErrorCode::kConflict},
  };
  for (const auto& [status, code] : cases) {
    bank_.respondWith(status, "<error>down</error>");
    Result<Ack> ack = adapter_.dispatch(stepRequest());
    ASSERT_FALSE(ack.ok()) << status;
    EXPECT_EQ(ack.error().code, code) << status << ": " << ack.error();
  }
}

TEST_F(BankAdapterTest, DispatchWithUnusableAnswerIsCorrupt) {
  AccountOpeningRequest request = sentRequest();
  AccountOpeningRequest other = request;
  other.message_id = "APP-20260302-0002-bank-account";
  std::string ack = ackFor(request);
  std::string schema_invalid = ack;
  schema_invalid.replace(schema_invalid.find("<ReqTp>OPEN</ReqTp>"), 19, "<ReqTp>OPENED</ReqTp>");
  const std::pair<int, std::string> cases[] = {
      {202, "garbage, not xml"},
      {202, ""},
      {202, ack.substr(0, ack.size() / 2)},
      {202, schema_invalid},
      {202, "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"},
      {202, reportFor(request)},  // an account report is not an acknowledgement
      {202, ackFor(other)},       // an acknowledgement of another request
      {422, "<not-a-rejection/>"},
      {422, rejectionFor(other)},
  };
  for (const auto& [status, body] : cases) {
    bank_.respondWith(status, body);
    Result<Ack> result = adapter_.dispatch(stepRequest());
    ASSERT_FALSE(result.ok()) << status << " " << body;
    EXPECT_EQ(result.error().code, ErrorCode::kCorrupt) << result.error();
  }
}

TEST_F(BankAdapterTest, DispatchTimesOutWhenTheBankDoesNotAnswer) {
  bank_.hold();
  bank_.respondWith(202, ackFor(sentRequest()));
  Result<Ack> ack = adapter_.dispatch(stepRequest());
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kTimeout) << ack.error();
  bank_.release();
}

TEST(BankAdapterUnreachableTest, DispatchToAClosedPortIsUnavailable) {
  ManualClock clock(sampleTime());
  transport::PartnerClient client(
      "bank", transport::Endpoint{"127.0.0.1", kaiban::testing::freeLoopbackPort(), "bank"},
      Poco::Net::Context::Ptr(), transport::ClientOptions{}, clock);
  BankAdapter adapter(client, schemaDir(), clock);
  StepRequest request;
  request.message_id = "M-1";
  request.application_id = "A-1";
  request.application = sampleApplication();
  request.inputs.emplace(std::string(output::kUscc), sampleUscc());
  Result<Ack> ack = adapter.dispatch(request);
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kUnavailable) << ack.error();
}

TEST(BankAdapterConstructionTest, MissingSchemasIsAStartUpError) {
  ManualClock clock(sampleTime());
  transport::PartnerClient client("bank", transport::Endpoint{"127.0.0.1", 1, "bank"},
                                  Poco::Net::Context::Ptr(), transport::ClientOptions{}, clock);
  kaiban::testing::TempDir empty;
  EXPECT_THROW(BankAdapter(client, empty.path(), clock), std::runtime_error);
}

TEST_F(BankAdapterTest, PollMapsEachAnswerToItsOutcome) {
  AccountOpeningRequest request = sentRequest();
  const MessageId id = request.message_id;

  bank_.respondWith(200, ackFor(request));
  Result<StepOutcome> pending = adapter_.poll(id);
  ASSERT_TRUE(pending.ok()) << pending.error();
  EXPECT_EQ(pending->kind, OutcomeKind::kPending);
  EXPECT_EQ(pending->message_id, id);

  bank_.respondWith(200, reportFor(request));
  Result<StepOutcome> done = adapter_.poll(id);
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(done->kind, OutcomeKind::kDone);
  EXPECT_EQ(done->message_id, id);
  EXPECT_EQ(done->outputs.at(std::string(output::kAccountNumber)), "3702021000000000428");

  bank_.respondWith(200, rejectionFor(request));
  Result<StepOutcome> rejected = adapter_.poll(id);
  ASSERT_TRUE(rejected.ok()) << rejected.error();
  EXPECT_EQ(rejected->kind, OutcomeKind::kRejected);
  EXPECT_EQ(rejected->reason_code, "INVALID_USCC");
  EXPECT_EQ(rejected->reason, "统一社会信用代码校验位错误。");

  std::vector<Received> received = bank_.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].method, "GET");
  EXPECT_EQ(received[0].uri, "/bank/v1/status/APP-20260302-0001-bank-account");
  EXPECT_EQ(received[0].message_id, id);
}

TEST_F(BankAdapterTest, PollErrors) {
  AccountOpeningRequest request = sentRequest();
  const MessageId id = request.message_id;

  bank_.respondWith(404, "");
  EXPECT_EQ(adapter_.poll(id).error().code, ErrorCode::kNotFound);
  bank_.respondWith(503, "busy");
  EXPECT_EQ(adapter_.poll(id).error().code, ErrorCode::kUnavailable);
  bank_.respondWith(200, "<<<");
  EXPECT_EQ(adapter_.poll(id).error().code, ErrorCode::kCorrupt);
  bank_.respondWith(200, codec_->encodeAccountOpeningRequest(request).value());
  EXPECT_EQ(adapter_.poll(id).error().code, ErrorCode::kCorrupt);
  AccountOpeningRequest other = request;
  other.message_id = "APP-20260302-0002-bank-account";
  bank_.respondWith(200, reportFor(other));
  EXPECT_EQ(adapter_.poll(id).error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(bank_.received().size(), 5u);

  // An id that is not a message id never reaches the wire (it would become part of the path).
  EXPECT_EQ(adapter_.poll("../admin").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(adapter_.poll("").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bank_.received().size(), 5u);
}

TEST_F(BankAdapterTest, DecodeCallbackReadsReportsAndRejections) {
  AccountOpeningRequest request = sentRequest();
  Result<StepOutcome> done = adapter_.decodeCallback(reportFor(request));
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(done->kind, OutcomeKind::kDone);
  EXPECT_EQ(done->message_id, request.message_id);
  EXPECT_EQ(done->outputs.at("account_number"), "3702021000000000428");

  Result<StepOutcome> rejected = adapter_.decodeCallback(rejectionFor(request));
  ASSERT_TRUE(rejected.ok()) << rejected.error();
  EXPECT_EQ(rejected->kind, OutcomeKind::kRejected);
  EXPECT_EQ(rejected->message_id, request.message_id);
  EXPECT_EQ(rejected->reason_code, "INVALID_USCC");
}

TEST_F(BankAdapterTest, DecodeCallbackRefusesAcknowledgementsAndBadDocuments) {
  AccountOpeningRequest request = sentRequest();
  std::string report = reportFor(request);
  std::string no_number = report;
  no_number.replace(no_number.find("3702021000000000428"), 19, "");
  for (const std::string& body : {ackFor(request), std::string("garbage"), report.substr(0, 100),
                                  no_number, std::string("<!DOCTYPE Document><Document/>"),
                                  codec_->encodeAccountOpeningRequest(request).value()}) {
    Result<StepOutcome> outcome = adapter_.decodeCallback(body);
    ASSERT_FALSE(outcome.ok()) << body;
    EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidInput) << outcome.error();
  }
}

}  // namespace
}  // namespace kaiban::adapters::bank
