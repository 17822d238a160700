#include "orchestrator/api/partner_callbacks/partner_callback_handler.h"

#include <memory>
#include <optional>
#include <string>

#include "Poco/Logger.h"
#include "adapters/transport/peer.h"
#include "orchestrator/api/http_common/log_fields.h"
#include "orchestrator/engine/message_id.h"

namespace kaiban::orchestrator::api {

namespace {

constexpr std::string_view kPartnerUnit = "partner";

Poco::Logger& logger() { return Poco::Logger::get("orchestrator.api"); }

// The certificate must be a partner's and name the partner of the path: a kiosk, or one
// partner speaking for another, never moves a step.
Result<void> checkCaller(const RouteRequest& request, std::string_view partner) {
  Result<transport::PeerIdentity> peer = transport::peerIdentity(request.http);
  if (!peer) return peer.error();
  if (peer->organizational_unit != kPartnerUnit) {
    return Error::forbidden(
        "callbacks come from partner systems only; this certificate (CN=" + peer->common_name +
        ", OU=" + peer->organizational_unit + ") is not a partner's");
  }
  if (peer->common_name != partner) {
    return Error::forbidden("the certificate of partner '" + peer->common_name +
                            "' may not deliver callbacks for '" + std::string(partner) + "'");
  }
  return ok();
}

}  // namespace

HttpReply PartnerCallbackHandler::handle(const RouteRequest& request) {
  const std::string partner = request.param("partner");
  if (Result<void> caller = checkCaller(request, partner); !caller) {
    return HttpReply::error(caller.error());
  }
  const std::vector<const adapters::StepAdapter*> decoders = server_.adaptersOf(partner);
  if (decoders.empty()) {
    return HttpReply::error(Error::notFound("no step of this orchestrator talks to partner '" +
                                            partner + "', so it takes no callbacks from it"));
  }

  // The body names its message only once decoded; with several operations per partner, the
  // first adapter that reads it finds the message, and the step it belongs to then decides
  // which adapter must read it.
  const adapters::StepAdapter* decoded_by = nullptr;
  std::optional<adapters::StepOutcome> outcome;
  std::optional<Error> first_error;
  for (const adapters::StepAdapter* decoder : decoders) {
    Result<adapters::StepOutcome> attempt = decoder->decodeCallback(request.body);
    if (attempt) {
      outcome = std::move(attempt).value();
      decoded_by = decoder;
      break;
    }
    if (!first_error) first_error = attempt.error();
  }
  if (!outcome) {
    return HttpReply::error(Error::invalidInput("the callback from " + partner +
                                                " is not a valid result: " + first_error->message));
  }

  std::string actor = "partner:" + partner;
  std::string step;
  Result<MessageRoute> route = server_.routeMessage(outcome->message_id);
  if (route) {
    const adapters::StepAdapter* owner = server_.adapterNamed(route->adapter);
    if (owner == nullptr || owner->partner() != partner) {
      return HttpReply::error(Error::forbidden(
          "message " + outcome->message_id + " belongs to step " + route->step_id +
          ", which partner '" + std::string(owner ? owner->partner() : route->adapter) +
          "' serves, not '" + partner + "'"));
    }
    if (owner != decoded_by) {
      Result<adapters::StepOutcome> again = owner->decodeCallback(request.body);
      if (!again) {
        return HttpReply::error(
            Error::invalidInput("the callback for step " + route->step_id +
                                " is not a valid result of it: " + again.error().message));
      }
      outcome = std::move(again).value();
    }
    actor = "partner:" + route->adapter;
    step = route->step_id;
  } else if (route.error().code != ErrorCode::kNotFound) {
    return HttpReply::error(route.error());
  }
  // A message the engine cannot route may still be one it superseded: applyOutcome tells
  // (kStale) from unknown (kNotFound).

  Result<OutcomeDisposition> disposition = server_.applyOutcome(*outcome, actor);
  if (!disposition) return HttpReply::error(disposition.error());
  logWith(logger(), Poco::Message::PRIO_INFORMATION,
          "callback from " + partner + ": " + std::string(toString(*disposition)),
          {{"application_id", std::string(applicationIdOf(outcome->message_id))},
           {"message_id", outcome->message_id},
           {"partner", partner},
           {"step", step},
           {"disposition", std::string(toString(*disposition))}});
  return HttpReply::noContent();
}

void addPartnerCallbackRoute(RouteTable& routes, PartnerCallbackServer& server,
                             std::size_t max_body_bytes) {
  routes.add("POST", std::string(kPartnerCallbackPattern),
             std::make_shared<PartnerCallbackHandler>(server), RouteOptions{max_body_bytes});
}

}  // namespace kaiban::orchestrator::api
