#include "adapters/partner_codec/partner_link.h"

#include <string>

namespace kaiban::adapters {

namespace {
constexpr std::string_view kXml = "application/xml";
}  // namespace

Result<transport::Response> PartnerClientLink::post(std::string_view path, std::string_view body,
                                                    const MessageId& id) {
  transport::Headers headers;
  headers.emplace(std::string(transport::kMessageIdHeader), id);
  headers.emplace("Accept", std::string(kXml));
  return client_.post(path, body, kXml, headers);
}

Result<transport::Response> PartnerClientLink::get(std::string_view path) {
  transport::Headers headers;
  headers.emplace("Accept", std::string(kXml));
  return client_.get(path, headers);
}

}  // namespace kaiban::adapters
