#include "adapters/sms/sms_notifier.h"

#include <gtest/gtest.h>

#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/partner_test_support.h"

namespace kaiban::adapters {
namespace {

using testing::expectRefused;
using testing::expectRoundTrip;
using testing::replaced;
using testing::schemaDir;
using testing::withDoctype;
using testing::without;

SmsCodec loadCodec() { return SmsCodec::load(schemaDir()).value(); }

const std::string kText =
    "【开办】青岛海风软件科技有限公司已完成登记，统一社会信用代码 91370202MA3C4D5E6T。";

class SmsCodecTest : public ::testing::Test {
 protected:
  SmsCodec codec_ = loadCodec();
};

TEST_F(SmsCodecTest, EveryDocumentRoundTrips) {
  expectRoundTrip(codec_, Notification{"APP-1-sms-registered", "13912345678", kText},
                  &SmsCodec::decodeNotification);
  // Line breaks and markup characters are text, escaped on the wire.
  expectRoundTrip(codec_, Notification{"APP-1-sms-2", "13912345678", "a < b & c\n第二行"},
                  &SmsCodec::decodeNotification);
  expectRoundTrip(codec_, Accepted{"APP-1-sms-registered", "SMS-20260302-000001"},
                  &SmsCodec::decodeAccepted);
  testing::expectEnvelopeRoundTrips(codec_, Refusal{"PHONE_OPTED_OUT", "用户已退订"}, false);
}

TEST_F(SmsCodecTest, TextIsLimitedTo500CharactersNotBytes) {
  std::string longest;
  for (int i = 0; i < 500; ++i) longest += "字";  // 1500 bytes, 500 characters
  expectRoundTrip(codec_, Notification{"APP-1-sms", "13912345678", longest},
                  &SmsCodec::decodeNotification);
  expectRefused(codec_.encode(Notification{"APP-1-sms", "13912345678", longest + "字"}), "Text");
  expectRefused(codec_.encode(Notification{"APP-1-sms", "13912345678", ""}), "Text");
}

TEST_F(SmsCodecTest, DecodeRefusesInvalidDocuments) {
  const std::string body = codec_.encode(Notification{"APP-1-sms", "13912345678", kText}).value();
  expectRefused(codec_.decodeNotification(replaced(body, "13912345678", "12912345678")), "Phone");
  expectRefused(codec_.decodeNotification(without(body, "Phone")), "Text");
  expectRefused(codec_.decodeNotification(withDoctype(body)), "DOCTYPE");
  expectRefused(codec_.decodeAccepted(body), "expected Accepted");
}

class SmsNotifierTest : public ::testing::Test {
 protected:
  SmsCodec codec_ = loadCodec();
  FakePartnerLink link_;
  SmsNotifier notifier_{codec_, link_};
};

TEST_F(SmsNotifierTest, SendsTheTextUnderTheCallersMessageId) {
  link_.answer(200, codec_.encode(Accepted{"APP-1-sms-registered", "SMS-1"}).value());

  Result<void> sent = notifier_.notify("APP-1-sms-registered", "13912345678", kText);

  ASSERT_TRUE(sent.ok()) << sent.error();
  const FakePartnerLink::Call call = link_.calls()[0];
  EXPECT_EQ(call.path, "/sms/v1/send");
  EXPECT_EQ(call.message_id, "APP-1-sms-registered");
  EXPECT_EQ(codec_.decodeNotification(call.body).value(),
            (Notification{"APP-1-sms-registered", "13912345678", kText}));
}

TEST_F(SmsNotifierTest, ErrorsMapLikeEverySynchronousExchange) {
  expectRefused(notifier_.notify("APP-1-sms", "+8613912345678", kText), "Phone");
  EXPECT_TRUE(link_.calls().empty());

  testing::expectSynchronousErrorMapping(
      link_, codec_, Refusal{"PHONE_UNREACHABLE", "号码已停机"}, [this] {
        Result<void> sent = notifier_.notify("APP-1-sms", "13912345678", kText);
        return sent.ok() ? std::nullopt : std::optional<Error>(sent.error());
      });

  link_.answer(200, codec_.encode(Accepted{"APP-2-sms", "SMS-2"}).value());
  Result<void> other = notifier_.notify("APP-1-sms", "13912345678", kText);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kCorrupt);
}

// docs/partners/sms.md shows one example of each document, as the encoder writes it.
TEST(SmsDocsTest, ExamplesOnThePartnerPageAreWhatTheEncoderWrites) {
  const SmsCodec codec = loadCodec();
  const MessageId id = "APP-20260302-0001-sms-registered";
  testing::expectPageExamples(
      "sms", {codec.encode(Notification{id, "13912345678", kText}),
              codec.encode(Accepted{id, "SMS-20260302-000042"}),
              codec.encode(Rejection{id, Refusal{"PHONE_OPTED_OUT", "该号码已退订服务类短信。"}}),
              codec.encode(ErrorReport{id,
                                       "document does not match sms.xsd: line 5, element "
                                       "<Text>: [facet 'maxLength'] The value has a length "
                                       "of '501'; this exceeds the allowed maximum length "
                                       "of '500'"})});
}

}  // namespace
}  // namespace kaiban::adapters
