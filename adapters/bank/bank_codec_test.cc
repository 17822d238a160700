#include "adapters/bank/bank_codec.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "Poco/DigestEngine.h"
#include "Poco/SHA2Engine.h"
#include "adapters/bank/account_number.h"
#include "adapters/bank/bank_test_data.h"
#include "adapters/xml/parse.h"
#include "adapters/xml/schema.h"
#include "core/application.h"

namespace kaiban::adapters::bank {
namespace {

using testing::loadCodec;
using testing::sampleRequest;
using testing::sampleTime;
using testing::schemaDir;

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The official schemas loaded on their own, so the tests do not trust the codec's copies.
class BankCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    codec_ = loadCodec();
    ASSERT_NE(codec_, nullptr);
  }

  static void expectValidAgainst(const std::string& xml, const std::string& xsd) {
    Result<std::shared_ptr<const xml::Schema>> schema = xml::Schema::load(schemaDir() / xsd);
    ASSERT_TRUE(schema.ok()) << schema.error();
    Result<xml::Document> document = xml::parse(xml);
    ASSERT_TRUE(document.ok()) << document.error();
    Result<void> valid = (*schema)->validate(*document);
    EXPECT_TRUE(valid.ok()) << valid.error() << "\n" << xml;
  }

  static xml::Element at(const xml::Document& document,
                         std::initializer_list<std::string_view> path) {
    return xml::requiredChild(document.root(), path).value();
  }

  std::shared_ptr<const BankCodec> codec_;
};

TEST_F(BankCodecTest, CopiedSchemasAreTheUnmodifiedOfficialFiles) {
  const std::pair<const char*, const char*> expected[] = {
      {"acmt.007.001.05.xsd", "89d0fdaa8b7699cbf8e309cc1dec2161e6d60423d19b72e3532e59b572adb7cc"},
      {"acmt.010.001.04.xsd", "f9debd9c127465f05b3448cb9b07549a218ccbd24c1452178e1e173de548d333"},
      {"acmt.011.001.04.xsd", "5f33c27c5e07c7c3b63c49599dfe84514778919a5ccab75e179f0466e8c20cda"},
      {"acmt.014.001.05.xsd", "4c2d495efc25d7a9dcb8c42fd5749ee9aaf071ab6b24d2cc67fde29432e15388"},
  };
  for (const auto& [file, sha256] : expected) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(kaiban::testing::readFile(schemaDir() / file));
    EXPECT_EQ(Poco::DigestEngine::digestToHex(engine.digest()), sha256) << file;
  }
}

TEST_F(BankCodecTest, LoadFromDirectoryWithoutSchemasIsNotFound) {
  kaiban::testing::TempDir empty;
  Result<std::shared_ptr<const BankCodec>> codec = BankCodec::load(empty.path());
  ASSERT_FALSE(codec.ok());
  EXPECT_EQ(codec.error().code, ErrorCode::kNotFound);
}

TEST_F(BankCodecTest, AccountOpeningRequestRoundTripsAndValidatesAgainstOfficialXsd) {
  AccountOpeningRequest request = sampleRequest();
  ASSERT_GT(utf8Length(request.registered_address.detail).value(), 70u);
  Result<std::string> xml = codec_->encodeAccountOpeningRequest(request);
  ASSERT_TRUE(xml.ok()) << xml.error();
  expectValidAgainst(*xml, "acmt.007.001.05.xsd");

  Result<AccountOpeningRequest> decoded = codec_->decodeAccountOpeningRequest(*xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, request);
}

TEST_F(BankCodecTest, MinimalAccountOpeningRequestRoundTrips) {
  AccountOpeningRequest request = sampleRequest();
  request.branch_id.clear();
  request.finance_officer.reset();
  request.contact_phone.clear();
  request.legal_representative.phone.clear();
  request.seal_codes.clear();
  request.urgent = false;
  request.registered_address.detail = "香港中路8号1201室";
  Result<std::string> xml = codec_->encodeAccountOpeningRequest(request);
  ASSERT_TRUE(xml.ok()) << xml.error();
  expectValidAgainst(*xml, "acmt.007.001.05.xsd");
  Result<AccountOpeningRequest> decoded = codec_->decodeAccountOpeningRequest(*xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, request);
}

TEST_F(BankCodecTest, AccountOpeningRequestMapsCompanyAndLegalRepresentativeAsDocumented) {
  AccountOpeningRequest request = sampleRequest();
  std::string xml = codec_->encodeAccountOpeningRequest(request).value();
  xml::Document document = xml::parse(xml).value();
  EXPECT_EQ(document.root().namespaceUri(), kAccountOpeningRequestNamespace);
  const auto text = [&](std::initializer_list<std::string_view> path) {
    return xml::requiredText(document.root(), path).value();
  };
  EXPECT_EQ(text({"AcctOpngReq", "Refs", "MsgId", "Id"}), request.message_id);
  EXPECT_EQ(text({"AcctOpngReq", "Refs", "MsgId", "CreDtTm"}), "2026-03-02T10:15:00+08:00");
  EXPECT_EQ(text({"AcctOpngReq", "Refs", "PrcId", "Id"}), request.application_id);
  EXPECT_EQ(text({"AcctOpngReq", "Acct", "Tp", "Prtry"}), "BASIC");
  EXPECT_EQ(text({"AcctOpngReq", "Acct", "Ccy"}), "CNY");
  EXPECT_EQ(text({"AcctOpngReq", "Acct", "Nm"}), "青岛海蓝科技有限公司");
  EXPECT_EQ(text({"AcctOpngReq", "CtrctDts", "UrgcyFlg"}), "true");
  EXPECT_EQ(text({"AcctOpngReq", "AcctSvcrId", "FinInstnId", "Othr", "Id"}), "QDBANK");
  EXPECT_EQ(text({"AcctOpngReq", "AcctSvcrId", "BrnchId", "Id"}), "QD-SN");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "FullLglNm"}), "青岛海蓝科技有限公司");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "CtryOfOpr"}), "CN");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "LglAdr", "CtrySubDvsn"}), "370202");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "OrgId", "Othr", "Id"}), request.uscc);
  EXPECT_EQ(text({"AcctOpngReq", "Org", "OrgId", "Othr", "SchmeNm", "Prtry"}), "USCC");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "LglRprtv", "Nm"}), "张伟");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "LglRprtv", "Id", "Othr", "Id"}), "370202198503071235");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "LglRprtv", "Id", "Othr", "SchmeNm", "Cd"}), "NIDN");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "LglRprtv", "CtctDtls", "MobNb"}), "+86-13800138000");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "TrsrMgr", "Nm"}), "陈静");
  EXPECT_EQ(text({"AcctOpngReq", "Org", "Sndr", "CtctDtls", "MobNb"}), "+86-13900001111");
  xml::Element address = at(document, {"AcctOpngReq", "Org", "LglAdr"});
  EXPECT_EQ(address.children(address.namespaceUri(), "AdrLine").size(), 2u);
  xml::Element seals = at(document, {"AcctOpngReq", "SplmtryData", "Envlp", "SealCds"});
  EXPECT_EQ(seals.children(seals.namespaceUri(), "SealCd").size(), 3u);
}

TEST_F(BankCodecTest, AcknowledgementRoundTripsAndReferencesTheRequest) {
  AccountOpeningRequest request = sampleRequest();
  AccountRequestAcknowledgement ack = acknowledgementFor(
      request, "QDBANK-ACK-000042", sampleTime() + std::chrono::seconds(3), "KYC_REVIEW");
  Result<std::string> xml = codec_->encodeAcknowledgement(ack);
  ASSERT_TRUE(xml.ok()) << xml.error();
  expectValidAgainst(*xml, "acmt.010.001.04.xsd");
  Result<AccountRequestAcknowledgement> decoded = codec_->decodeAcknowledgement(*xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, ack);
  EXPECT_EQ(decoded->refs.request_message_id, request.message_id);
  EXPECT_EQ(decoded->refs.application_id, request.application_id);

  StepOutcome outcome = toOutcome(*decoded);
  EXPECT_EQ(outcome.kind, OutcomeKind::kPending);
  EXPECT_EQ(outcome.message_id, request.message_id);
}

TEST_F(BankCodecTest, RejectionRoundTripsWithCodeAndReason) {
  AccountOpeningRequest request = sampleRequest();
  AccountRequestRejection rejection = rejectionFor(
      request, "QDBANK-RJ-000007", sampleTime() + std::chrono::hours(20),
      std::string(reason::kKycFailed), "法定代表人身份核验未通过，请携带身份证原件到网点办理。");
  Result<std::string> xml = codec_->encodeRejection(rejection);
  ASSERT_TRUE(xml.ok()) << xml.error();
  expectValidAgainst(*xml, "acmt.011.001.04.xsd");
  Result<AccountRequestRejection> decoded = codec_->decodeRejection(*xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, rejection);

  StepOutcome outcome = toOutcome(*decoded);
  EXPECT_EQ(outcome.kind, OutcomeKind::kRejected);
  EXPECT_EQ(outcome.message_id, request.message_id);
  EXPECT_EQ(outcome.reason_code, "KYC_FAILED");
  EXPECT_EQ(outcome.reason, rejection.reason);
}

TEST_F(BankCodecTest, RejectionWithCodeOnlyAndWithoutUsccRoundTrips) {
  AccountRequestRejection rejection = rejectionFor(
      sampleRequest(), "QDBANK-RJ-000008", sampleTime(), std::string(reason::kInvalidUscc), "");
  rejection.uscc.clear();  // an unreadable code is not echoed: OrgId stays empty
  rejection.branch_id.clear();
  Result<std::string> xml = codec_->encodeRejection(rejection);
  ASSERT_TRUE(xml.ok()) << xml.error();
  expectValidAgainst(*xml, "acmt.011.001.04.xsd");
  Result<AccountRequestRejection> decoded = codec_->decodeRejection(*xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, rejection);
  StepOutcome outcome = toOutcome(*decoded);
  EXPECT_EQ(outcome.reason_code, "INVALID_USCC");
  EXPECT_FALSE(outcome.reason.empty());
}

TEST_F(BankCodecTest, RejectionWithOnlySentencesGetsUnspecifiedCode) {
  AccountRequestRejection rejection =
      rejectionFor(sampleRequest(), "QDBANK-RJ-000009", sampleTime(),
                   "Customer did not attend the interview", "Please book a new appointment.");
  std::string xml = codec_->encodeRejection(rejection).value();
  Result<AccountRequestRejection> decoded = codec_->decodeRejection(xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded->reason_code, "UNSPECIFIED");
  EXPECT_EQ(decoded->reason,
            "Customer did not attend the interview Please book a new appointment.");
}

TEST_F(BankCodecTest, AccountReportRoundTripsAndCarriesAccountNumber) {
  AccountOpeningRequest request = sampleRequest();
  AccountReport report = reportFor(
      request, "QDBANK-RPT-000042", sampleTime() + std::chrono::hours(26), "3702021000000000428",
      std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::March,
                                  std::chrono::day{3}});
  Result<std::string> xml = codec_->encodeAccountReport(report);
  ASSERT_TRUE(xml.ok()) << xml.error();
  expectValidAgainst(*xml, "acmt.014.001.05.xsd");
  Result<AccountReport> decoded = codec_->decodeAccountReport(*xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, report);

  StepOutcome outcome = toOutcome(*decoded);
  EXPECT_EQ(outcome.kind, OutcomeKind::kDone);
  EXPECT_EQ(outcome.message_id, request.message_id);
  EXPECT_EQ(outcome.outputs.at("account_number"), "3702021000000000428");
}

TEST_F(BankCodecTest, DecodeAnswerChoosesTheMessageByNamespace) {
  AccountOpeningRequest request = sampleRequest();
  std::string ack =
      codec_->encodeAcknowledgement(acknowledgementFor(request, "B-1", sampleTime(), "RECEIVED"))
          .value();
  std::string rejection =
      codec_->encodeRejection(rejectionFor(request, "B-2", sampleTime(), "KYC_FAILED", "no"))
          .value();
  std::string report =
      codec_
          ->encodeAccountReport(
              reportFor(request, "B-3", sampleTime(), "6222000011112222",
                        std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::March,
                                                    std::chrono::day{3}}))
          .value();
  EXPECT_TRUE(
      std::holds_alternative<AccountRequestAcknowledgement>(codec_->decodeAnswer(ack).value()));
  EXPECT_TRUE(
      std::holds_alternative<AccountRequestRejection>(codec_->decodeAnswer(rejection).value()));
  EXPECT_TRUE(std::holds_alternative<AccountReport>(codec_->decodeAnswer(report).value()));

  Result<BankAnswer> request_as_answer =
      codec_->decodeAnswer(codec_->encodeAccountOpeningRequest(request).value());
  ASSERT_FALSE(request_as_answer.ok());
  EXPECT_EQ(request_as_answer.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(request_as_answer.error().message.find("acmt.007.001.05"), std::string::npos);
}

TEST_F(BankCodecTest, DecodeRefusesAnotherMessageType) {
  std::string ack =
      codec_->encodeAcknowledgement(acknowledgementFor(sampleRequest(), "B-1", sampleTime(), ""))
          .value();
  Result<AccountOpeningRequest> as_request = codec_->decodeAccountOpeningRequest(ack);
  ASSERT_FALSE(as_request.ok());
  EXPECT_EQ(as_request.error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(codec_->decodeAccountReport(ack).ok());
  EXPECT_FALSE(codec_->decodeRejection(ack).ok());
}

TEST_F(BankCodecTest, DecodeRefusesMalformedXml) {
  std::string xml = codec_->encodeAccountOpeningRequest(sampleRequest()).value();
  std::string truncated = xml.substr(0, xml.size() / 2);
  for (std::string_view bad :
       {std::string_view(truncated), std::string_view("not xml at all"), std::string_view("")}) {
    Result<AccountOpeningRequest> decoded = codec_->decodeAccountOpeningRequest(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidInput);
    EXPECT_FALSE(codec_->decodeAnswer(bad).ok());
  }
}

TEST_F(BankCodecTest, DecodeRefusesDocumentWithDoctype) {
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE Document [<!ENTITY id SYSTEM \"file:///etc/passwd\">]>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:acmt.014.001.05\"><AcctRpt><Refs>"
      "<ReqTp>OPEN</ReqTp><MsgId><Id>&id;</Id></MsgId></Refs></AcctRpt></Document>";
  Result<BankAnswer> answer = codec_->decodeAnswer(xxe);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(answer.error().message.find("DOCTYPE"), std::string::npos) << answer.error();

  // A DOCTYPE in front of an otherwise valid request is refused too.
  std::string request = codec_->encodeAccountOpeningRequest(sampleRequest()).value();
  std::string with_doctype =
      replaceAll(request, "<Document ", "<!DOCTYPE Document SYSTEM \"acmt.dtd\">\n<Document ");
  ASSERT_NE(with_doctype, request);
  EXPECT_FALSE(codec_->decodeAccountOpeningRequest(with_doctype).ok());
}

TEST_F(BankCodecTest, DecodeRefusesSchemaInvalidDocuments) {
  std::string request = codec_->encodeAccountOpeningRequest(sampleRequest()).value();
  // Missing a required element.
  std::string no_country = replaceAll(request, "<CtryOfOpr>CN</CtryOfOpr>", "");
  ASSERT_NE(no_country, request);
  Result<AccountOpeningRequest> decoded = codec_->decodeAccountOpeningRequest(no_country);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(decoded.error().message.find("acmt.007.001.05"), std::string::npos) << decoded.error();

  // A value breaking its type's pattern.
  std::string lower_currency = replaceAll(request, "<Ccy>CNY</Ccy>", "<Ccy>cny</Ccy>");
  ASSERT_NE(lower_currency, request);
  EXPECT_FALSE(codec_->decodeAccountOpeningRequest(lower_currency).ok());

  std::string report =
      codec_
          ->encodeAccountReport(
              reportFor(sampleRequest(), "B-3", sampleTime(), "6222000011112222",
                        std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::March,
                                                    std::chrono::day{3}}))
          .value();
  std::string bad_date = replaceAll(report, "2026-03-03", "2026-02-30");
  ASSERT_NE(bad_date, report);
  EXPECT_FALSE(codec_->decodeAnswer(bad_date).ok());
}

TEST_F(BankCodecTest, DecodeRefusesValidDocumentsMissingWhatKaibanNeeds) {
  std::string request = codec_->encodeAccountOpeningRequest(sampleRequest()).value();
  // Schema-valid, but the organisation is identified by an unknown scheme, not the USCC.
  std::string no_uscc = replaceAll(request, "<Prtry>USCC</Prtry>", "<Prtry>OTHER</Prtry>");
  ASSERT_NE(no_uscc, request);
  Result<AccountOpeningRequest> decoded = codec_->decodeAccountOpeningRequest(no_uscc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("USCC"), std::string::npos) << decoded.error();

  std::string current_account = replaceAll(request, "<Prtry>BASIC</Prtry>", "<Cd>CACC</Cd>");
  ASSERT_NE(current_account, request);
  EXPECT_FALSE(codec_->decodeAccountOpeningRequest(current_account).ok());

  std::string report =
      codec_
          ->encodeAccountReport(
              reportFor(sampleRequest(), "B-3", sampleTime(), "6222000011112222",
                        std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::March,
                                                    std::chrono::day{3}}))
          .value();
  size_t begin = report.find("<Rpt>");
  size_t end = report.find("</Rpt>");
  ASSERT_NE(begin, std::string::npos);
  std::string no_account = report.substr(0, begin) + report.substr(end + 6);
  Result<AccountReport> without_account = codec_->decodeAccountReport(no_account);
  ASSERT_FALSE(without_account.ok());
  EXPECT_NE(without_account.error().message.find("no account"), std::string::npos)
      << without_account.error();
}

TEST_F(BankCodecTest, AnswerTimesWithoutOffsetAreBeijingTime) {
  AccountRequestAcknowledgement ack =
      acknowledgementFor(sampleRequest(), "B-1", sampleTime(), "RECEIVED");
  std::string xml = replaceAll(codec_->encodeAcknowledgement(ack).value(), "+08:00", "");
  Result<AccountRequestAcknowledgement> decoded = codec_->decodeAcknowledgement(xml);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded->refs.created_at, sampleTime());
}

TEST_F(BankCodecTest, EncodeRefusesWhatTheMessageCannotExpress) {
  struct Case {
    const char* what;
    void (*change)(AccountOpeningRequest&);
  };
  const Case cases[] = {
      {"message id with a slash", [](AccountOpeningRequest& r) { r.message_id = "APP/1"; }},
      {"message id over 35", [](AccountOpeningRequest& r) { r.message_id = std::string(36, 'A'); }},
      {"application id over 35",
       [](AccountOpeningRequest& r) { r.application_id = std::string(36, 'A'); }},
      {"empty company name", [](AccountOpeningRequest& r) { r.company_name.clear(); }},
      {"company name over 70 code points (account name)",
       [](AccountOpeningRequest& r) {
         r.company_name.clear();
         for (int i = 0; i < 71; ++i) r.company_name += "海";
       }},
      {"empty USCC", [](AccountOpeningRequest& r) { r.uscc.clear(); }},
      {"phone with letters", [](AccountOpeningRequest& r) { r.contact_phone = "138abc"; }},
      {"empty ID number", [](AccountOpeningRequest& r) { r.legal_representative.id_number = ""; }},
      {"address over 7 lines",
       [](AccountOpeningRequest& r) { r.registered_address.detail = std::string(491, 'x'); }},
      {"control character", [](AccountOpeningRequest& r) { r.company_name = "ACME\x01 Ltd"; }},
      {"lower-case currency", [](AccountOpeningRequest& r) { r.currency = "cny"; }},
  };
  for (const Case& c : cases) {
    AccountOpeningRequest request = sampleRequest();
    c.change(request);
    Result<std::string> xml = codec_->encodeAccountOpeningRequest(request);
    ASSERT_FALSE(xml.ok()) << c.what;
    EXPECT_EQ(xml.error().code, ErrorCode::kInvalidInput) << c.what;
  }
}

TEST_F(BankCodecTest, TextLimitsCountCharactersNotBytes) {
  AccountOpeningRequest request = sampleRequest();
  request.company_name.clear();
  for (int i = 0; i < 70; ++i) request.company_name += "海";  // 210 bytes, 70 characters
  Result<std::string> xml = codec_->encodeAccountOpeningRequest(request);
  ASSERT_TRUE(xml.ok()) << xml.error();
  EXPECT_EQ(codec_->decodeAccountOpeningRequest(*xml).value().company_name, request.company_name);
}

TEST_F(BankCodecTest, EncodeAnswersRefusesInvalidValues) {
  AccountRequestRejection rejection =
      rejectionFor(sampleRequest(), "B-1", sampleTime(), "", "reason without a code");
  EXPECT_FALSE(codec_->encodeRejection(rejection).ok());
  AccountReport report = reportFor(sampleRequest(), "B-3", sampleTime(), "", {});
  EXPECT_FALSE(codec_->encodeAccountReport(report).ok());
  report.account_number = std::string(35, '1');  // Max34Text
  report.opened_on =
      std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::March, std::chrono::day{3}};
  EXPECT_FALSE(codec_->encodeAccountReport(report).ok());
}

TEST_F(BankCodecTest, SharedCodecEncodesAndDecodesFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        AccountOpeningRequest request = sampleRequest();
        request.message_id = "M-" + std::to_string(t) + "-" + std::to_string(i);
        Result<std::string> xml = codec_->encodeAccountOpeningRequest(request);
        if (!xml.ok()) {
          ++failures;
          continue;
        }
        Result<AccountOpeningRequest> decoded = codec_->decodeAccountOpeningRequest(*xml);
        if (!decoded.ok() || *decoded != request) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(MessageIdTest, AcceptsTheAdapterContractFormOnly) {
  EXPECT_TRUE(isValidMessageId("APP-20260302-0001-bank-account"));
  EXPECT_TRUE(isValidMessageId(std::string(35, 'z')));
  EXPECT_FALSE(isValidMessageId(""));
  EXPECT_FALSE(isValidMessageId(std::string(36, 'z')));
  EXPECT_FALSE(isValidMessageId("a/b"));
  EXPECT_FALSE(isValidMessageId("a b"));
  EXPECT_FALSE(isValidMessageId("a_b"));
}

// docs/partners/bank.md shows one example of each message; they must be exactly what the
// encoder writes for this sample, so the documentation cannot drift from the code.
class BankDocsTest : public BankCodecTest {
 protected:
  static AccountOpeningRequest docsRequest() {
    AccountOpeningRequest request = sampleRequest();
    request.registered_address.detail = "香港中路8号青岛国际金融中心A座1201室";
    request.seal_codes = {"3702020012345", "3702020012346"};
    return request;
  }

  // The ```xml blocks of the page, in order.
  static std::vector<std::string> xmlBlocks(const std::string& markdown) {
    std::vector<std::string> blocks;
    const std::string open = "```xml\n";
    for (size_t at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at)) {
      size_t begin = at + open.size();
      size_t end = markdown.find("```", begin);
      if (end == std::string::npos) break;
      blocks.push_back(markdown.substr(begin, end - begin));
      at = end + 3;
    }
    return blocks;
  }
};

TEST_F(BankDocsTest, ExamplesOnThePartnerPageAreWhatTheEncoderWrites) {
  AccountOpeningRequest request = docsRequest();
  const std::chrono::year_month_day opened_on{std::chrono::year{2026}, std::chrono::March,
                                              std::chrono::day{3}};
  const std::string expected[] = {
      codec_->encodeAccountOpeningRequest(request).value(),
      codec_
          ->encodeAcknowledgement(acknowledgementFor(request, "QDBANK-ACK-20260302-000042",
                                                     sampleTime() + std::chrono::seconds(2),
                                                     "KYC_REVIEW"))
          .value(),
      codec_
          ->encodeRejection(
              rejectionFor(request, "QDBANK-RJ-20260302-000007",
                           sampleTime() + std::chrono::hours(4), std::string(reason::kKycFailed),
                           "法定代表人身份核验未通过，请携带身份证原件到开户网点办理。"))
          .value(),
      codec_
          ->encodeAccountReport(reportFor(request, "QDBANK-RPT-20260303-000042",
                                          shanghaiTime(2026, 3, 3, 9, 30, 0),
                                          generateAccountNumber("QDBANK", 42).value(), opened_on))
          .value(),
  };
  std::vector<std::string> blocks =
      xmlBlocks(kaiban::testing::readFile(kaiban::testing::repoFile("docs/partners/bank.md")));
  ASSERT_EQ(blocks.size(), std::size(expected));
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i] != expected[i]) {
      // The current text, ready to paste into the page.
      std::filesystem::path current =
          kaiban::testing::buildDir() / ("bank-example-" + std::to_string(i + 1) + ".xml");
      std::ofstream(current, std::ios::binary) << expected[i];
      ADD_FAILURE() << "example " << i + 1 << " in docs/partners/bank.md differs from what the "
                    << "encoder writes now; the current text is in " << current;
    }
    EXPECT_TRUE(codec_->decodeAnswer(blocks[i]).ok() ||
                codec_->decodeAccountOpeningRequest(blocks[i]).ok())
        << "example " << i + 1;
  }
}

}  // namespace
}  // namespace kaiban::adapters::bank
