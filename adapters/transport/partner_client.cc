#include "adapters/transport/partner_client.h"

#include <utility>

namespace kaiban::transport {
namespace {

Endpoint named(Endpoint endpoint, const std::string& partner) {
  if (endpoint.name.empty()) endpoint.name = partner;
  return endpoint;
}

bool isTransportFailure(const Result<Response>& result) {
  if (!result.ok()) {
    ErrorCode code = result.error().code;
    return code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout;
  }
  return result->status >= 500;
}

}  // namespace

PartnerClient::PartnerClient(std::string partner, Endpoint endpoint,
                             Poco::Net::Context::Ptr context, ClientOptions options,
                             const Clock& clock, CircuitBreakerOptions breaker_options)
    : breaker_(partner, clock, breaker_options),
      client_(named(std::move(endpoint), partner), std::move(context), options, clock) {}

template <class Call>
Result<Response> PartnerClient::guarded(Call call) {
  auto ticket = breaker_.admit();
  if (!ticket) return ticket.error();
  Result<Response> result = call();
  if (isTransportFailure(result)) {
    breaker_.onFailure(*ticket);
  } else {
    breaker_.onSuccess(*ticket);
  }
  return result;
}

Result<Response> PartnerClient::post(std::string_view path, std::string_view body,
                                     std::string_view content_type, const Headers& headers) {
  return guarded([&] { return client_.post(path, body, content_type, headers); });
}

Result<Response> PartnerClient::get(std::string_view path, const Headers& headers) {
  return guarded([&] { return client_.get(path, headers); });
}

}  // namespace kaiban::transport
