#include "orchestrator/api/kiosk_api/kiosk_handlers.h"

#include <memory>
#include <optional>
#include <string>

#include "Poco/JSON/Object.h"
#include "Poco/Logger.h"
#include "adapters/transport/peer.h"
#include "core/application_json.h"
#include "core/crypto/hash.h"
#include "core/timestamp.h"
#include "orchestrator/api/http_common/log_fields.h"
#include "orchestrator/api/kiosk_api/kiosk_requests.h"
#include "orchestrator/api/kiosk_api/kiosk_views.h"
#include "orchestrator/engine/engine_json.h"

namespace kaiban::orchestrator::api {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("orchestrator.api"); }

std::string actorOf(const KioskRecord& kiosk) { return "kiosk:" + kiosk.kiosk_id; }

CivilDate civilToday(const Clock& clock) {
  const std::chrono::year_month_day today = shanghaiDate(clock.now());
  return CivilDate{static_cast<int>(today.year()),
                   static_cast<int>(static_cast<unsigned>(today.month())),
                   static_cast<int>(static_cast<unsigned>(today.day()))};
}

HttpReply problemsReply(const std::vector<Problem>& problems) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("problems", problemsJson(problems));
  return HttpReply::json(422, body);
}

Result<std::string> idempotencyKeyOf(const RouteRequest& request) {
  const std::string header(kIdempotencyKeyHeader);
  std::optional<std::string> value;
  if (request.http.has(header)) value = request.http.get(header);
  return checkIdempotencyKey(value);
}

// One answer for "no such application" and "not yours": a kiosk must not learn which ids
// exist.
HttpReply unknownApplication(const std::string& id) {
  return HttpReply::error(Error::notFound("this kiosk has no application " + id));
}

// The application if it exists and `kiosk` created it; kNotFound (unknownApplication) when it
// does not exist or another kiosk created it.
Result<ApplicationStatus> ownedStatus(KioskServer& server, const KioskRecord& kiosk,
                                      const std::string& id) {
  Result<ApplicationStatus> status = server.status(id);
  if (!status) return status.error();
  if (status->kiosk_id != kiosk.kiosk_id) {
    logWith(logger(), Poco::Message::PRIO_WARNING,
            "kiosk asked for an application another kiosk created",
            {{"kiosk_id", kiosk.kiosk_id}, {"application_id", id}});
    return Error::notFound("not this kiosk's");
  }
  return status;
}

// A partner's failure to answer a kiosk's query: what the kiosk should make of it.
HttpReply partnerFailure(const Error& error, std::string_view partner) {
  switch (error.code) {
    case ErrorCode::kNotFound:
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return HttpReply::error(error);
    case ErrorCode::kInvalidInput:
    case ErrorCode::kRejected:
      return HttpReply::error(
          422, Error{error.code, std::string(partner) + " refused the query: " + error.message,
                     error.field});
    default:
      return HttpReply::error(
          502,
          Error{error.code, std::string(partner) + " gave no usable answer: " + error.message, ""});
  }
}

}  // namespace

Result<KioskRecord> authenticateKiosk(const RouteRequest& request, KioskServer& server) {
  Result<transport::PeerIdentity> peer = transport::peerIdentity(request.http);
  if (!peer) return peer.error();
  if (peer->organizational_unit != kKioskUnit) {
    return Error::forbidden(
        "the kiosk API takes kiosk certificates only; this certificate (CN=" + peer->common_name +
        ", OU=" + peer->organizational_unit + ") is not a kiosk's");
  }
  Result<KioskRecord> kiosk = server.findKiosk(peer->common_name);
  if (!kiosk) {
    if (kiosk.error().code != ErrorCode::kNotFound) return kiosk.error();
    return Error::forbidden("kiosk " + peer->common_name +
                            " is not registered; an operator registers it with "
                            "`kaiban-orchestrator kiosk add " +
                            peer->common_name + " --bank " + peer->organization +
                            " --district <code>`");
  }
  if (!kiosk->enabled) {
    return Error::forbidden(
        "kiosk " + kiosk->kiosk_id + " is disabled" +
        (kiosk->revoked_at ? " since " + formatIso8601(*kiosk->revoked_at) : std::string()) +
        "; an operator re-enables it with `kaiban-orchestrator kiosk enable " + kiosk->kiosk_id +
        "`");
  }
  if (kiosk->bank_code != peer->organization) {
    return Error::forbidden("the certificate of kiosk " + kiosk->kiosk_id + " names bank " +
                            peer->organization + ", but the kiosk is registered for bank " +
                            kiosk->bank_code);
  }
  return kiosk;
}

HttpReply SubmitApplicationHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  Result<std::string> key = idempotencyKeyOf(request);
  if (!key) return HttpReply::error(key.error());
  Result<Application> application = applicationFromJsonText(request.body);
  if (!application) return HttpReply::error(application.error());
  if (application->kiosk_id != kiosk->kiosk_id) {
    return HttpReply::error(Error{ErrorCode::kForbidden,
                                  "the application names kiosk '" + application->kiosk_id +
                                      "' but kiosk " + kiosk->kiosk_id + " sent it",
                                  "kiosk_id"});
  }
  if (application->bank_code != kiosk->bank_code) {
    return HttpReply::error(Error{ErrorCode::kForbidden,
                                  "the application names bank '" + application->bank_code +
                                      "' but kiosk " + kiosk->kiosk_id + " serves bank " +
                                      kiosk->bank_code,
                                  "bank_code"});
  }
  // The hash covers the exact bytes sent: a retry of the same request hashes the same.
  const std::string request_hash = crypto::sha256Hex(request.body);
  Result<SubmitResult> submitted =
      server_.submit(*application, kiosk->kiosk_id, *key, request_hash);
  if (!submitted) return HttpReply::error(submitted.error());
  if (!submitted->accepted()) return problemsReply(submitted->problems);
  logWith(logger(), Poco::Message::PRIO_INFORMATION,
          submitted->created ? "application submitted" : "submission replayed",
          {{"kiosk_id", kiosk->kiosk_id}, {"application_id", submitted->application_id}});
  return HttpReply::json(submitted->created ? 201 : 200, *toJson(*submitted));
}

HttpReply ApplicationStatusHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  const std::string id = request.param("id");
  Result<ApplicationStatus> status = ownedStatus(server_, *kiosk, id);
  if (!status) {
    if (status.error().code == ErrorCode::kNotFound) return unknownApplication(id);
    return HttpReply::error(status.error());
  }
  return HttpReply::json(200, *applicantStatusJson(*status));
}

HttpReply ListApplicationsHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  Result<ListQuery> query = parseListQuery(request.query);
  if (!query) return HttpReply::error(query.error());
  ListFilter filter;
  filter.kiosk_id = kiosk->kiosk_id;
  filter.limit = query->limit;
  filter.cursor = query->store_cursor;
  Result<ApplicationList> list = server_.list(filter);
  if (!list) return HttpReply::error(list.error());
  return HttpReply::json(200, *applicantListJson(*list));
}

HttpReply AnswerNeedsAttentionHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  Result<std::string> key = idempotencyKeyOf(request);
  if (!key) return HttpReply::error(key.error());
  Result<ApplicantAnswer> answer = parseApplicantAnswer(request.body);
  if (!answer) return HttpReply::error(answer.error());
  const std::string id = request.param("id");
  Result<ApplicationStatus> current = ownedStatus(server_, *kiosk, id);
  if (!current) {
    if (current.error().code == ErrorCode::kNotFound) return unknownApplication(id);
    return HttpReply::error(current.error());
  }

  const std::string request_hash = crypto::sha256Hex(request.body);
  Result<std::optional<IdempotencyRecord>> seen = server_.findIdempotencyKey(kiosk->kiosk_id, *key);
  if (!seen) return HttpReply::error(seen.error());
  if (*seen) {
    if ((*seen)->request_hash != request_hash || (*seen)->application_id != id) {
      return HttpReply::error(Error::conflict(
          "the Idempotency-Key was already used for another request; send a new key"));
    }
    // Answered before: the answer's effect stands, and the state it led to is the answer.
    return HttpReply::json(200, *applicantStatusJson(*current));
  }

  if (answer->enterprise_name) {
    // The engine checks the amended application too, but reports only message keys; checking
    // here first gives the kiosk the zh-CN and English sentences of a 422.
    Result<Application> amended = server_.application(id);
    if (!amended) return HttpReply::error(amended.error());
    amended->enterprise.name = *answer->enterprise_name;
    std::vector<Problem> problems = validateApplication(*amended, civilToday(clock_));
    if (!problems.empty()) return problemsReply(problems);
  }

  Result<ApplicationStatus> after = server_.answerNeedsAttention(id, *answer, actorOf(*kiosk));
  if (!after) {
    if (after.error().code == ErrorCode::kInvalidInput) {
      return HttpReply::error(422, after.error());
    }
    return HttpReply::error(after.error());
  }
  // Recorded after the answer's own commit: a crash between the two leaves the key unknown,
  // and a resend then meets an application that waits for nothing (409) rather than a
  // second answer.
  Result<void> remembered = server_.putIdempotencyKey(
      IdempotencyRecord{kiosk->kiosk_id, *key, request_hash, id, clock_.now()});
  if (!remembered && remembered.error().code != ErrorCode::kConflict) {
    logWith(logger(), Poco::Message::PRIO_WARNING,
            "answer applied but its idempotency key was not stored: " + remembered.error().message,
            {{"kiosk_id", kiosk->kiosk_id}, {"application_id", id}});
  }
  logWith(logger(), Poco::Message::PRIO_INFORMATION, "applicant answered",
          {{"kiosk_id", kiosk->kiosk_id}, {"application_id", id}});
  return HttpReply::json(200, *applicantStatusJson(*after));
}

HttpReply PeopleLookupHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  Result<std::string> key = idempotencyKeyOf(request);
  if (!key) return HttpReply::error(key.error());
  Result<PeopleLookupRequest> lookup = parsePeopleLookup(request.body);
  if (!lookup) return HttpReply::error(lookup.error());
  std::vector<Problem> problems = peopleLookupProblems(*lookup, civilToday(clock_));
  if (!problems.empty()) return problemsReply(problems);
  Result<adapters::PersonRecord> person = server_.lookupPerson(lookup->id_number);
  if (!person) {
    if (person.error().code == ErrorCode::kNotFound) {
      return HttpReply::error(
          Error::notFound("the people-data platform has no record of this ID number"));
    }
    return partnerFailure(person.error(), "the people-data platform");
  }
  return HttpReply::json(200, *personJson(*person));
}

HttpReply NameCheckHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  Result<std::string> key = idempotencyKeyOf(request);
  if (!key) return HttpReply::error(key.error());
  Result<NameCheckQuery> query = parseNameCheck(request.body);
  if (!query) return HttpReply::error(query.error());
  std::vector<Problem> problems = nameCheckProblems(*query);
  if (!problems.empty()) return problemsReply(problems);
  Result<adapters::NameCheck> check = server_.checkName(query->name, query->division_code);
  if (!check) return partnerFailure(check.error(), "the registry");
  return HttpReply::json(200, *nameCheckJson(*check));
}

HttpReply HeartbeatHandler::handle(const RouteRequest& request) {
  Result<KioskRecord> kiosk = authenticateKiosk(request, server_);
  if (!kiosk) return HttpReply::error(kiosk.error());
  Result<std::string> key = idempotencyKeyOf(request);
  if (!key) return HttpReply::error(key.error());
  Result<Heartbeat> heartbeat = parseHeartbeat(request.body);
  if (!heartbeat) return HttpReply::error(heartbeat.error());
  const SystemTime now = clock_.now();
  Result<void> recorded = server_.recordHeartbeat(kiosk->kiosk_id, now, heartbeatJson(*heartbeat));
  if (!recorded) return HttpReply::error(recorded.error());
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("server_time", formatIso8601(now));
  return HttpReply::json(200, body);
}

void addKioskRoutes(RouteTable& routes, KioskServer& server, const Clock& clock) {
  const RouteOptions options{kKioskBodyLimit};
  routes.add("POST", "/api/v1/applications",
             std::make_shared<SubmitApplicationHandler>(server, clock), options);
  routes.add("GET", "/api/v1/applications",
             std::make_shared<ListApplicationsHandler>(server, clock), options);
  routes.add("GET", "/api/v1/applications/{id}",
             std::make_shared<ApplicationStatusHandler>(server, clock), options);
  routes.add("POST", "/api/v1/applications/{id}/answer",
             std::make_shared<AnswerNeedsAttentionHandler>(server, clock), options);
  routes.add("POST", "/api/v1/people/lookup", std::make_shared<PeopleLookupHandler>(server, clock),
             options);
  routes.add("POST", "/api/v1/name-check", std::make_shared<NameCheckHandler>(server, clock),
             options);
  routes.add("POST", "/api/v1/heartbeat", std::make_shared<HeartbeatHandler>(server, clock),
             options);
}

}  // namespace kaiban::orchestrator::api
