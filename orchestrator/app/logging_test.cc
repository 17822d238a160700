#include <gtest/gtest.h>

#include "Poco/JSON/Parser.h"
#include "Poco/Message.h"
#include "orchestrator/app/logging.h"

namespace kaiban::orchestrator::app {
namespace {

TEST(MaskIdentifiersTest, MasksIdNumbersPhonesAndAccountNumbers) {
  EXPECT_EQ(maskIdentifiers("id 370202198503071235 ok"), "id 370***********1235 ok");
  EXPECT_EQ(maskIdentifiers("id 11010519491231002X."), "id 110***********002X.");
  EXPECT_EQ(maskIdentifiers("phone 13800138000"), "phone 138****8000");
  EXPECT_EQ(maskIdentifiers("account=6217000010012345678"), "account=621************5678");
}

TEST(MaskIdentifiersTest, LeavesShortNumbersAndIdentifierPartsAlone) {
  EXPECT_EQ(maskIdentifiers("attempt 3 of 10, 2026-03-10, 1234567890"),
            "attempt 3 of 10, 2026-03-10, 1234567890");
  // The hex tail of a message id may be all digits: it is no personal data.
  EXPECT_EQ(maskIdentifiers("KB7Q2M9X4H8K3T0C-123456789012"), "KB7Q2M9X4H8K3T0C-123456789012");
  EXPECT_EQ(maskIdentifiers("USCC 91370202123456789X1"), "USCC 91370202123456789X1");
}

TEST(FindApplicationIdTest, FindsTheFirstApplicationId) {
  EXPECT_EQ(findApplicationId("application KB7Q2M9X4H8K3T0C, message KB7Q2M9X4H8K3T0C-0a"),
            "KB7Q2M9X4H8K3T0C");
  EXPECT_EQ(findApplicationId("no id here"), "");
  EXPECT_EQ(findApplicationId("KB7Q2M9X4H8K3T0"), "");    // too short
  EXPECT_EQ(findApplicationId("XKB7Q2M9X4H8K3T0C"), "");  // glued to a letter
  EXPECT_EQ(findApplicationId("KB7Q2M9X4H8K3T0CD"), "");  // too long
  EXPECT_EQ(findApplicationId("KBIQ2M9X4H8K3T0C"), "");   // I is not Crockford
}

TEST(JsonLinesFormatterTest, WritesOneJsonObjectWithFieldsAndMasking) {
  Poco::Message message("orchestrator.api",
                        "application KB7Q2M9X4H8K3T0C: legal representative 370202198503071235",
                        Poco::Message::PRIO_WARNING);
  message.set("message_id", "KB7Q2M9X4H8K3T0C-123456789012");
  message.set("status", "400");
  message.set("peer", "13800138000");
  JsonLinesFormatter formatter;
  std::string text;
  formatter.format(message, text);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  Poco::JSON::Object::Ptr line =
      Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(line->getValue<std::string>("level"), "warning");
  EXPECT_EQ(line->getValue<std::string>("logger"), "orchestrator.api");
  EXPECT_EQ(line->getValue<std::string>("application_id"), "KB7Q2M9X4H8K3T0C");
  EXPECT_EQ(line->getValue<std::string>("message"),
            "application KB7Q2M9X4H8K3T0C: legal representative 370***********1235");
  EXPECT_EQ(line->getValue<std::string>("message_id"), "KB7Q2M9X4H8K3T0C-123456789012");
  EXPECT_EQ(line->getValue<std::string>("status"), "400");
  EXPECT_EQ(line->getValue<std::string>("peer"), "138****8000");
  EXPECT_EQ(line->getValue<std::string>("time").size(), 24u);  // 2026-03-10T02:00:00.123Z
  EXPECT_FALSE(line->has("kiosk_id"));
}

}  // namespace
}  // namespace kaiban::orchestrator::app
