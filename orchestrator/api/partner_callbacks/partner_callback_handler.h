#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "adapters/adapter.h"
#include "core/result.h"
#include "orchestrator/api/http_common/route_table.h"
#include "orchestrator/engine/engine.h"

// POST /partner/v1/<partner>/callback on the mTLS API listener: a partner system delivers the
// result of a request (docs/partner-wire.md).
namespace kaiban::orchestrator::api {

inline constexpr std::string_view kPartnerCallbackPattern = "/partner/v1/{partner}/callback";
inline constexpr std::size_t kDefaultCallbackBodyLimit = 256 * 1024;

// What the callback route needs from the orchestrator, and nothing more. The wiring
// implements it over the Engine and the partner adapters. Thread-safe.
class PartnerCallbackServer {
 public:
  virtual ~PartnerCallbackServer() = default;

  // The step adapters serving `partner` (adapters::StepAdapter::partner()), in a fixed
  // order: several for the tax bureau (registration, payment agreement). Empty when no step
  // talks to that partner.
  virtual std::vector<const adapters::StepAdapter*> adaptersOf(std::string_view partner) const = 0;
  // The adapter wired under the flow's adapter name `name`, or nullptr.
  virtual const adapters::StepAdapter* adapterNamed(std::string_view name) const = 0;

  // As Engine::routeMessage and Engine::applyOutcome.
  virtual Result<MessageRoute> routeMessage(std::string_view message_id) = 0;
  virtual Result<OutcomeDisposition> applyOutcome(const adapters::StepOutcome& outcome,
                                                  std::string_view actor) = 0;
};

// Takes a partner's callback:
//   403  the TLS client certificate is not a partner's (OU=partner), or its CN is not the
//        <partner> of the path, or the message belongs to a step another partner serves;
//   404  no step talks to <partner>, or the message id is unknown;
//   400  the body is malformed, has a DOCTYPE (XXE, entity expansion), is not valid against
//        the partner's schema, or is not a result (an acknowledgement) — the message says
//        which; the partner may send a corrected one;
//   413  (the route's body limit, see addPartnerCallbackRoute);
//   204  the outcome was applied, or it changed nothing (a duplicate, or a result for a
//        superseded message): both mean "delivered, do not send again";
//   503  the store is unavailable: send it again later.
// Each accepted callback is logged on "orchestrator.api" with the application id, message id
// and what it did.
class PartnerCallbackHandler final : public RouteHandler {
 public:
  // `server` must outlive the handler.
  explicit PartnerCallbackHandler(PartnerCallbackServer& server) : server_(server) {}

  HttpReply handle(const RouteRequest& request) override;

 private:
  PartnerCallbackServer& server_;
};

// Adds POST kPartnerCallbackPattern to `routes`, with bodies limited to `max_body_bytes`.
void addPartnerCallbackRoute(RouteTable& routes, PartnerCallbackServer& server,
                             std::size_t max_body_bytes = kDefaultCallbackBodyLimit);

}  // namespace kaiban::orchestrator::api
