#pragma once

#include <cstddef>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/api/http_common/route_table.h"
#include "orchestrator/api/kiosk_api/kiosk_server.h"

// The kiosk API on the mutual-TLS listener (docs/api/kiosk-api.md is the contract): one
// handler class per route. Every handler first identifies the kiosk (authenticateKiosk) and
// answers 403 if it cannot; every POST then needs a well-formed Idempotency-Key (400).
// Bodies over kKioskBodyLimit are refused with 413 by the route table before any handler runs.
// Failures of the store answer 503 (retry later). Handlers log on "orchestrator.api" with the
// kiosk id and, when there is one, the application id; never personal data.
namespace kaiban::orchestrator::api {

inline constexpr std::string_view kKioskUnit = "kiosk";  // the OU of kiosk certificates
inline constexpr std::size_t kKioskBodyLimit = 64 * 1024;

// The kiosk on the other end of `request`: the verified client certificate's OU must be
// "kiosk", its CN a kiosk registered and enabled in the store, registered for the bank its O
// names. kForbidden with a message an operator can act on otherwise (plain HTTP, no
// certificate, a partner's certificate, an unregistered, disabled or other-bank kiosk); the
// store's errors as they are.
Result<KioskRecord> authenticateKiosk(const RouteRequest& request, KioskServer& server);

// Handlers hold references to `server` and `clock`, which must outlive them.
class KioskHandler : public RouteHandler {
 public:
  KioskHandler(KioskServer& server, const Clock& clock) : server_(server), clock_(clock) {}

 protected:
  KioskServer& server_;
  const Clock& clock_;
};

// POST /api/v1/applications: the body is core/application_json.h's application; its kiosk_id
// must be the caller's and its bank_code the caller's bank (403). 201 created, 200 an
// idempotent replay (same key, same body: the first answer, nothing new stored), 409 the key
// was used with another body, 422 {"problems"} for every rule the application breaks, 400
// for malformed JSON, unknown fields and wrong types (naming the path).
class SubmitApplicationHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// GET /api/v1/applications/{id}: the applicant-visible status (kiosk_views.h). 404, with the
// same answer, for an id that does not exist and for another kiosk's application.
class ApplicationStatusHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// GET /api/v1/applications?limit=&cursor=: this kiosk's applications, newest first.
class ListApplicationsHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// POST /api/v1/applications/{id}/answer: the applicant answers a needs_attention request
// (Engine::answerNeedsAttention). 200 with the new applicant status; the same key and body
// again: 200 with the status as it is now, nothing done twice; the key with another body: 409.
// 404 as the status route; 409 when the application waits for nobody's answer or the name
// can no longer change; 422 {"problems"} when the amended application breaks a rule.
class AnswerNeedsAttentionHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// POST /api/v1/people/lookup: the people-data platform's record, for pre-filling. 422
// {"problems"} for an ID number that is not valid; 404 when the platform does not know it.
class PeopleLookupHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// POST /api/v1/name-check: the registry's opinion of a proposed name. 422 {"problems"} for a
// name of the wrong length or an invalid division code.
class NameCheckHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// POST /api/v1/heartbeat: stores the report (kiosk_requests.h) as the kiosk's last
// heartbeat at the orchestrator's time; 200 {"server_time"}.
class HeartbeatHandler final : public KioskHandler {
 public:
  using KioskHandler::KioskHandler;
  HttpReply handle(const RouteRequest& request) override;
};

// Adds every kiosk route to `routes` with kKioskBodyLimit.
void addKioskRoutes(RouteTable& routes, KioskServer& server, const Clock& clock);

}  // namespace kaiban::orchestrator::api
