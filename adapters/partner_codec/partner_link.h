#pragma once

#include <string_view>

#include "adapters/adapter.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/partner_client.h"
#include "core/result.h"

namespace kaiban::adapters {

// The seam between the partner adapters and the HTTPS transport: the two calls an adapter
// makes, so that unit tests can answer in the partner's place (FakePartnerLink) and the
// adapters never set headers themselves. Implementations are thread-safe.
class PartnerLink {
 public:
  virtual ~PartnerLink() = default;

  // POSTs `body` as application/xml to `path` with `id` in the X-Kaiban-Message-Id header.
  // Returns the partner's Response whatever its HTTP status; errors are transport failures
  // only: kUnavailable (refused, TLS failure, circuit open), kTimeout, kCorrupt (not HTTP or
  // too large), as transport::HttpsClient describes.
  virtual Result<transport::Response> post(std::string_view path, std::string_view body,
                                           const MessageId& id) = 0;

  // GETs `path`; same results as post().
  virtual Result<transport::Response> get(std::string_view path) = 0;
};

// The production link: a transport::PartnerClient (HTTPS with mutual TLS behind the
// partner's circuit breaker). `client` must outlive the link.
class PartnerClientLink final : public PartnerLink {
 public:
  explicit PartnerClientLink(transport::PartnerClient& client) : client_(client) {}

  Result<transport::Response> post(std::string_view path, std::string_view body,
                                   const MessageId& id) override;
  Result<transport::Response> get(std::string_view path) override;

 private:
  transport::PartnerClient& client_;
};

}  // namespace kaiban::adapters
