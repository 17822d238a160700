#include "adapters/seal/seal_adapter.h"

#include <gtest/gtest.h>

#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/step_adapter_contract.h"

namespace kaiban::adapters {
namespace {

using testing::expectRefused;
using testing::expectRoundTrip;
using testing::replaced;
using testing::schemaDir;
using testing::StepAdapterContract;
using testing::usccFor;
using testing::withDoctype;
using testing::without;

SealCodec loadCodec() { return SealCodec::load(schemaDir()).value(); }

const std::string kUscc = usccFor("91370202MA3C4D5E6");

EngravingOrder courierOrder() {
  return EngravingOrder{"APP-1-seal",
                        kUscc,
                        "青岛海风软件科技有限公司",
                        true,
                        true,
                        "王海",
                        "QD-SEAL-017",
                        SealDelivery::kCourier,
                        Address{"370212", "崂山区海尔路 1 号"},
                        "13912345678"};
}

FilingResult filedResult() {
  return FilingResult{"APP-1-seal",
                      SealsFiled{"2026-03-03",
                                 {FiledSeal{SealKind::kCompany, "3702020000001"},
                                  FiledSeal{SealKind::kFinance, "3702020000002"},
                                  FiledSeal{SealKind::kInvoice, "3702020000003"},
                                  FiledSeal{SealKind::kLegalRepresentative, "3702020000004"}}}};
}

class SealCodecTest : public ::testing::Test {
 protected:
  SealCodec codec_ = loadCodec();
};

TEST_F(SealCodecTest, EngravingOrderRoundTripsForCourierAndPickup) {
  expectRoundTrip(codec_, courierOrder(), &SealCodec::decodeEngravingOrder);

  EngravingOrder pickup = courierOrder();
  pickup.delivery = SealDelivery::kPickup;
  pickup.courier_address.reset();
  pickup.finance_seal = false;
  pickup.invoice_seal = false;
  pickup.legal_representative_seal.reset();
  const std::string xml = expectRoundTrip(codec_, pickup, &SealCodec::decodeEngravingOrder);
  EXPECT_NE(xml.find("<Pickup/>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("FinanceSeal"), std::string::npos) << xml;
}

TEST_F(SealCodecTest, FilingResultAndEnvelopeRoundTrip) {
  expectRoundTrip(codec_, filedResult(), &SealCodec::decodeFilingResult);
  expectRoundTrip(codec_,
                  FilingResult{"APP-1-seal", Refusal{"INVALID_USCC", "统一社会信用代码校验失败"}},
                  &SealCodec::decodeFilingResult);
  testing::expectEnvelopeRoundTrips(codec_, Refusal{"SHOP_UNKNOWN", "刻章店编码不存在"}, true);
}

TEST_F(SealCodecTest, EncodeRefusesContradictoryOrInvalidOrders) {
  EngravingOrder order = courierOrder();
  order.courier_address.reset();  // courier with nowhere to go
  expectRefused(codec_.encode(order), "Courier");

  order = courierOrder();
  order.delivery = SealDelivery::kPickup;  // pick-up that still carries an address
  expectRefused(codec_.encode(order), "Address");

  order = courierOrder();
  order.uscc = "91370202MA3C4D5E6";  // 17 characters
  expectRefused(codec_.encode(order), "Uscc");

  order = courierOrder();
  order.shop = "青岛刻章店";
  expectRefused(codec_.encode(order), "ShopCode");

  order = courierOrder();
  order.contact_phone = "02388888888";
  expectRefused(codec_.encode(order), "ContactPhone");

  FilingResult result = filedResult();
  std::get<SealsFiled>(result.outcome).seals[1].kind = SealKind::kCompany;
  expectRefused(codec_.encode(result), "Duplicate");
  result = filedResult();
  std::get<SealsFiled>(result.outcome).seals[0].code = "370202000001";
  expectRefused(codec_.encode(result), "Code");
}

TEST_F(SealCodecTest, DecodeRefusesInvalidDocumentsWithAClearError) {
  const std::string order = codec_.encode(courierOrder()).value();
  expectRefused(codec_.decodeEngravingOrder(replaced(order, kUscc, "91370202MA3C4D5E6Z")), "Uscc");
  expectRefused(codec_.decodeEngravingOrder(without(order, "CompanySeal")), "FinanceSeal");
  expectRefused(codec_.decodeEngravingOrder(without(order, "ContactPhone")), "ContactPhone");
  expectRefused(codec_.decodeEngravingOrder(withDoctype(order)), "DOCTYPE");

  const std::string result = codec_.encode(filedResult()).value();
  expectRefused(codec_.decodeFilingResult(replaced(result, "legal_representative", "director")),
                "Kind");
  expectRefused(codec_.decodeFilingResult(without(result, "FilingDate")), "FilingDate");
  expectRefused(codec_.decodeFilingResult(order), "expected FilingResult");
}

TEST_F(SealCodecTest, MessageIdRoundTripsAndIsChecked) {
  EngravingOrder order = courierOrder();
  order.message_id = "a8f3-22-SEAL";
  EXPECT_EQ(codec_.decodeEngravingOrder(codec_.encode(order).value())->message_id, "a8f3-22-SEAL");
  order.message_id = "";
  expectRefused(codec_.encode(order), "MessageId");
}

TEST(SealCodesOutputTest, NamesEachSealKindWithItsCode) {
  const FilingResult result = filedResult();
  EXPECT_EQ(sealCodesOutput(std::get<SealsFiled>(result.outcome)),
            "company:3702020000001,finance:3702020000002,invoice:3702020000003,"
            "legal_representative:3702020000004");
  for (SealKind kind : {SealKind::kCompany, SealKind::kFinance, SealKind::kInvoice,
                        SealKind::kLegalRepresentative}) {
    EXPECT_EQ(parseSealKind(toString(kind)).value(), kind);
  }
  EXPECT_FALSE(parseSealKind("Company").ok());
}

testing::StepAdapterCase sealCase() {
  SealCodec codec = loadCodec();
  StepRequest request = testing::sampleRequest("seal", {{"uscc", kUscc}});
  StepRequest unsendable = request;
  unsendable.inputs.clear();  // no USCC from the registration step
  const Refusal refusal{"INVALID_USCC", "统一社会信用代码校验失败"};
  return testing::StepAdapterCase{
      codec,
      [codec](PartnerLink& link) { return std::make_unique<SealAdapter>(codec, link); },
      request,
      "/seal/v1/engraving",
      codec.encode(filedResult()).value(),
      Outputs{{"seal_codes", sealCodesOutput(std::get<SealsFiled>(filedResult().outcome))}},
      codec.encode(FilingResult{request.message_id, refusal}).value(),
      refusal,
      unsendable};
}

INSTANTIATE_TEST_SUITE_P(Seal, StepAdapterContract, ::testing::Values(&sealCase));

TEST(SealAdapterTest, OrdersAllFourSealsForTheApplicantsShopAndDelivery) {
  SealCodec codec = loadCodec();
  FakePartnerLink link;
  SealAdapter adapter(codec, link);
  const StepRequest request = testing::sampleRequest("seal", {{"uscc", kUscc}});
  link.answer(202, codec.encode(Acknowledgement{request.message_id, "SEAL-1"}).value());

  ASSERT_TRUE(adapter.dispatch(request).ok());

  Result<EngravingOrder> sent = codec.decodeEngravingOrder(link.calls()[0].body);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(*sent, courierOrder());
}

TEST(SealAdapterTest, MissingUsccIsInvalidInputNamingTheInput) {
  SealCodec codec = loadCodec();
  FakePartnerLink link;
  SealAdapter adapter(codec, link);

  Result<Ack> ack = adapter.dispatch(testing::sampleRequest("seal"));

  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(ack.error().field, "inputs.uscc");
}

// docs/partners/seal.md shows one example of each document, as the encoder writes it.
TEST(SealDocsTest, ExamplesOnThePartnerPageAreWhatTheEncoderWrites) {
  const SealCodec codec = loadCodec();
  const MessageId id = "APP-20260302-0001-seal";
  EngravingOrder order = courierOrder();
  order.message_id = id;
  FilingResult filed = filedResult();
  filed.message_id = id;
  testing::expectPageExamples(
      "seal",
      {codec.encode(order), codec.encode(Acknowledgement{id, "SEAL-20260302-000017"}),
       codec.encode(filed),
       codec.encode(FilingResult{
           id, Refusal{"NAME_MISMATCH", "企业名称与登记机关登记的名称不一致，请核对。"}}),
       codec.encode(
           Rejection{id, Refusal{"INVALID_USCC", "统一社会信用代码校验位错误，未找到该企业。"}}),
       codec.encode(ErrorReport{{},
                                "XML document rejected: line 2: a document type declaration "
                                "(<!DOCTYPE ...>) is not accepted"})});
}

}  // namespace
}  // namespace kaiban::adapters
