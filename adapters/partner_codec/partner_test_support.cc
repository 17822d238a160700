#include "adapters/partner_codec/partner_test_support.h"

#include <fstream>
#include <utility>

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

void expectSynchronousErrorMapping(FakePartnerLink& link, const PartnerCodec& codec,
                                   const Refusal& refusal,
                                   const std::function<std::optional<Error>()>& call) {
  auto expectCode = [&](ErrorCode code, std::string_view what) {
    std::optional<Error> error = call();
    ASSERT_TRUE(error.has_value()) << what << ": accepted";
    EXPECT_EQ(error->code, code) << what << ": " << *error;
  };
  link.respond([&](const FakePartnerLink::Call& call_made) -> Result<transport::Response> {
    return transport::Response{
        422, codec.encode(Rejection{call_made.message_id, refusal}).value(), {}};
  });
  std::optional<Error> rejected = call();
  ASSERT_TRUE(rejected.has_value());
  EXPECT_EQ(rejected->code, ErrorCode::kRejected) << *rejected;
  EXPECT_EQ(refusalOf(*rejected), refusal);

  const std::string error_report = codec.encode(ErrorReport{{}, "line 1: bad"}).value();
  link.answer(400, error_report);
  expectCode(ErrorCode::kInvalidInput, "400");
  for (int status : {500, 503}) {
    link.answer(status, "");
    expectCode(ErrorCode::kUnavailable, std::to_string(status));
  }
  link.fail(Error::timeout("no answer within 5 s"));
  expectCode(ErrorCode::kTimeout, "timeout");
  for (const std::string& body :
       {std::string("{\"json\": true}"), withDoctype(error_report), error_report}) {
    link.answer(200, body);
    expectCode(ErrorCode::kCorrupt, body);
  }
}

namespace {

std::vector<std::string> xmlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  const std::string open = "```xml\n";
  for (size_t at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at)) {
    const size_t begin = at + open.size();
    const size_t end = markdown.find("```", begin);
    if (end == std::string::npos) break;
    blocks.push_back(markdown.substr(begin, end - begin));
    at = end + 3;
  }
  return blocks;
}

}  // namespace

void expectPageExamples(std::string_view partner,
                        const std::vector<Result<std::string>>& examples) {
  const std::string page = "docs/partners/" + std::string(partner) + ".md";
  const std::vector<std::string> blocks =
      xmlBlocks(kaiban::testing::readFile(kaiban::testing::repoFile(page)));
  bool same = blocks.size() == examples.size();
  for (size_t i = 0; i < examples.size(); ++i) {
    ASSERT_TRUE(examples[i].ok()) << "example " << i + 1 << ": " << examples[i].error();
    if (i < blocks.size() && blocks[i] == *examples[i]) continue;
    same = false;
    const std::filesystem::path current =
        kaiban::testing::buildDir() /
        ("docs-" + std::string(partner) + "-" + std::to_string(i + 1) + ".xml");
    std::ofstream(current, std::ios::binary) << *examples[i];
  }
  EXPECT_TRUE(same) << page << " has " << blocks.size() << " XML examples, the encoder "
                    << examples.size() << "; those that differ are in "
                    << kaiban::testing::buildDir() << "/docs-" << partner << "-<n>.xml";
}

}  // namespace kaiban::adapters::testing
