#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/adapter.h"
#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/partner_codec.h"
#include "core/application.h"

// Test support shared by the partner codec and adapter tests: sample data, an independent
// schema check, and helpers that derive broken documents from good ones.
namespace kaiban::adapters::testing {

// adapters/schemas in the source tree.
std::filesystem::path schemaDir();

// Checks `body` against adapters/schemas/<xsd_file> with a freshly loaded Schema, so that a
// codec cannot pass by validating against the wrong schema.
::testing::AssertionResult validAgainst(std::string_view xsd_file, const std::string& body);

// `body` with the first `from` replaced by `to`; fails the test if `from` is absent.
std::string replaced(std::string body, std::string_view from, std::string_view to);
// `body` without its first element named `name` (prefix-free, e.g. "Uscc").
std::string without(std::string body, std::string_view name);
// `body` with an internal-subset DOCTYPE after the XML declaration.
std::string withDoctype(const std::string& body);

// Encodes `document` with `codec`, checks the XML against the partner's XSD, decodes it with
// `decode` (a member of the codec) and expects `document` back. Returns the XML.
template <class Codec, class T, class Decode>
std::string expectRoundTrip(const Codec& codec, const T& document, Decode decode) {
  Result<std::string> body = codec.encode(document);
  if (!body.ok()) {
    ADD_FAILURE() << body.error();
    return {};
  }
  EXPECT_TRUE(validAgainst(codec.partner() + ".xsd", *body));
  Result<T> back = (codec.*decode)(*body);
  if (!back.ok()) {
    ADD_FAILURE() << back.error() << "\n" << *body;
  } else {
    EXPECT_TRUE(*back == document) << *body;
  }
  return *body;
}

// The envelope documents of `codec`'s partner round-trip and validate: Rejection and Error
// always, Acknowledgement when `asynchronous`.
void expectEnvelopeRoundTrips(const PartnerCodec& codec, const Refusal& refusal, bool asynchronous);

// Expects `result` to be kInvalidInput whose message contains `needle`.
template <class T>
void expectRefused(const Result<T>& result, std::string_view needle) {
  ASSERT_FALSE(result.ok()) << "accepted, expected an error mentioning " << needle;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput) << result.error();
  EXPECT_NE(result.error().message.find(needle), std::string::npos) << result.error();
}

// A valid resident identity number / USCC: `first17` and its check character.
std::string idNumberFor(std::string_view first17);
std::string usccFor(std::string_view first17);

// A complete application that passes validateApplication: a limited company in Qingdao
// with two shareholders, a supervisor, a finance officer, courier seal delivery and a
// general taxpayer asking for both invoice types.
Application sampleApplication();

// A StepRequest for `step` of sampleApplication(), application id "APP-1", message id
// "APP-1-<step>" (with '-' for '_').
StepRequest sampleRequest(std::string_view step, Outputs inputs = {});

// Checks how one synchronous exchange (name check, lookup, text) maps the partner's answers:
// 422 + Rejection -> kRejected carrying `refusal`; 400 + Error -> kInvalidInput; 500, 503
// -> kUnavailable; the link's timeout -> kTimeout; 200 with garbage, with a DOCTYPE, or
// with the partner's Error document -> kCorrupt. `call` makes the request through `link`
// and returns its error, or nullopt on success.
void expectSynchronousErrorMapping(FakePartnerLink& link, const PartnerCodec& codec,
                                   const Refusal& refusal,
                                   const std::function<std::optional<Error>()>& call);

// The ```xml blocks of docs/partners/<partner>.md must be `examples`, in order and byte for
// byte, so the page shows what the encoder writes. On a mismatch the current text of each
// example is written to <build dir>/docs-<partner>-<n>.xml, ready to paste.
void expectPageExamples(std::string_view partner, const std::vector<Result<std::string>>& examples);

}  // namespace kaiban::adapters::testing
