#pragma once

#include <string>
#include <string_view>

#include "adapters/transport/circuit_breaker.h"
#include "adapters/transport/https_client.h"

// What a partner adapter (registry, seal, bank, tax, people, sms) sends its requests through.
namespace kaiban::transport {

// An HttpsClient behind a CircuitBreaker for one partner system. Only transport-level
// failures count against the breaker: kUnavailable, kTimeout and HTTP 5xx answers. Any other
// answer (2xx, 4xx, an oversized body) shows the partner is up. Thread-safe.
//
// Returns what HttpsClient returns (the Response whatever its status; map non-2xx with
// errorForStatus()), plus kUnavailable without touching the network while the circuit is open.
class PartnerClient {
 public:
  // `partner` names the system in messages and metrics ("registry"); it also names the
  // endpoint when endpoint.name is empty. `clock` must outlive the client.
  PartnerClient(std::string partner, Endpoint endpoint, Poco::Net::Context::Ptr context,
                ClientOptions options, const Clock& clock,
                CircuitBreakerOptions breaker_options = {});

  Result<Response> post(std::string_view path, std::string_view body, std::string_view content_type,
                        const Headers& headers = {});
  Result<Response> get(std::string_view path, const Headers& headers = {});

  const std::string& partner() const { return breaker_.partner(); }
  CircuitBreaker::State circuitState() const { return breaker_.state(); }
  ClientStats stats() const { return client_.stats(); }

 private:
  template <class Call>
  Result<Response> guarded(Call call);

  CircuitBreaker breaker_;
  HttpsClient client_;
};

}  // namespace kaiban::transport
