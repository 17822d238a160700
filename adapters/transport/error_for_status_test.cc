#include <gtest/gtest.h>

#include <string>

#include "adapters/transport/https_client.h"

namespace kaiban::transport {
namespace {

TEST(ErrorForStatusTest, MapsStatusClassesToErrorCodes) {
  EXPECT_EQ(errorForStatus(500, "", "bank").code, ErrorCode::kUnavailable);
  EXPECT_EQ(errorForStatus(503, "", "bank").code, ErrorCode::kUnavailable);
  EXPECT_EQ(errorForStatus(408, "", "bank").code, ErrorCode::kUnavailable);
  EXPECT_EQ(errorForStatus(429, "", "bank").code, ErrorCode::kUnavailable);
  EXPECT_EQ(errorForStatus(409, "", "bank").code, ErrorCode::kConflict);
  EXPECT_EQ(errorForStatus(400, "", "bank").code, ErrorCode::kInvalidInput);
  EXPECT_EQ(errorForStatus(404, "", "bank").code, ErrorCode::kInvalidInput);
  EXPECT_EQ(errorForStatus(422, "", "bank").code, ErrorCode::kInvalidInput);
  EXPECT_EQ(errorForStatus(302, "", "bank").code, ErrorCode::kCorrupt);
}

TEST(ErrorForStatusTest, MessageNamesThePeerStatusAndBodyStart) {
  EXPECT_EQ(errorForStatus(503, "maintenance\r\nwindow", "tax at 127.0.0.1:9004").message,
            "tax at 127.0.0.1:9004 answered HTTP 503: maintenance  window");
  const std::string long_body(1000, 'a');
  const std::string message = errorForStatus(400, long_body, "seal").message;
  EXPECT_LT(message.size(), 300u);
  EXPECT_EQ(message.substr(message.size() - 3), "...");
}

TEST(HeadersTest, NamesCompareCaseInsensitively) {
  Headers headers{{"Content-Type", "text/xml"}};
  EXPECT_EQ(headers.count("content-type"), 1u);
  EXPECT_EQ(headers.find("CONTENT-TYPE")->second, "text/xml");
  headers.emplace("content-type", "other");
  EXPECT_EQ(headers.size(), 1u);
  EXPECT_EQ(std::string(kMessageIdHeader), "X-Kaiban-Message-Id");
}

}  // namespace
}  // namespace kaiban::transport
