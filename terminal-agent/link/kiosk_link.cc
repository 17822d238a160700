#include "terminal-agent/link/kiosk_link.h"

#include <utility>

#include "core/crypto/random.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/kiosk_answers.h"

namespace kaiban::agent {

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kApplications = "/api/v1/applications";

bool isSuccess(int status) { return status >= 200 && status < 300; }

transport::ClientOptions clientOptions(const KioskLinkOptions& options) {
  transport::ClientOptions client;
  client.connect_timeout = options.connect_timeout;
  client.read_timeout = options.read_timeout;
  client.max_idle_sessions = options.max_idle_connections;
  return client;
}

// 16 random bytes as URL-safe base64: 22 characters of [A-Za-z0-9_-], within the API's 8-128.
std::string freshKey() { return crypto::randomToken(16); }

}  // namespace

KioskLink::KioskLink(transport::Endpoint orchestrator, Poco::Net::Context::Ptr context,
                     KioskLinkOptions options, const Clock& clock)
    : client_(std::move(orchestrator), std::move(context), clientOptions(options), clock) {}

Result<transport::Response> KioskLink::post(std::string_view path, const std::string& body,
                                            const std::string& idempotency_key,
                                            std::string_view what) {
  transport::Headers headers{{"Idempotency-Key", idempotency_key}, {"Accept", std::string(kJson)}};
  Result<transport::Response> response = client_.post(path, body, kJson, headers);
  if (!response.ok()) {
    const Error& error = response.error();
    return Error{error.code, std::string(what) + ": " + error.message, error.field};
  }
  if (!isSuccess(response->status)) {
    return errorForKioskAnswer(response->status, response->body, what);
  }
  return response;
}

Result<transport::Response> KioskLink::get(std::string_view path, std::string_view what) {
  Result<transport::Response> response = client_.get(path, {{"Accept", std::string(kJson)}});
  if (!response.ok()) {
    const Error& error = response.error();
    return Error{error.code, std::string(what) + ": " + error.message, error.field};
  }
  if (!isSuccess(response->status)) {
    return errorForKioskAnswer(response->status, response->body, what);
  }
  return response;
}

Result<SubmitAnswer> KioskLink::submit(const std::string& idempotency_key,
                                       const std::string& body) {
  Result<transport::Response> response = post(kApplications, body, idempotency_key, "submit");
  if (!response.ok()) return response.error();
  return parseSubmitAnswer(response->body, response->status == 201);
}

Result<ApplicationView> KioskLink::status(std::string_view application_id) {
  if (!isSafeIdentifier(application_id)) {
    return Error::invalidInput("not an application id", "application_id");
  }
  const std::string what = "status of " + std::string(application_id);
  Result<transport::Response> response =
      get(std::string(kApplications) + "/" + std::string(application_id), what);
  if (!response.ok()) return response.error();
  return parseApplicationView(response->body);
}

Result<ApplicationPage> KioskLink::list(int limit, std::string_view cursor) {
  if (limit < 1 || limit > 100) return Error::invalidInput("limit must be 1-100", "limit");
  std::string path = std::string(kApplications) + "?limit=" + std::to_string(limit);
  if (!cursor.empty()) {
    if (!isSafeIdentifier(cursor)) return Error::invalidInput("malformed cursor", "cursor");
    path += "&cursor=" + std::string(cursor);
  }
  Result<transport::Response> response = get(path, "list");
  if (!response.ok()) return response.error();
  return parseApplicationPage(response->body);
}

Result<void> KioskLink::answer(std::string_view application_id, const std::string& idempotency_key,
                               const Poco::JSON::Object& answer) {
  if (!isSafeIdentifier(application_id)) {
    return Error::invalidInput("not an application id", "application_id");
  }
  const std::string path =
      std::string(kApplications) + "/" + std::string(application_id) + "/answer";
  Result<transport::Response> response = post(path, json::stringify(answer), idempotency_key,
                                              "answer to " + std::string(application_id));
  if (!response.ok()) return response.error();
  return ok();
}

Result<PersonRecord> KioskLink::lookupPerson(std::string_view id_number) {
  Result<transport::Response> response =
      post("/api/v1/people/lookup", lookupBody(id_number), freshKey(), "people lookup");
  if (!response.ok()) return response.error();
  return parsePersonRecord(response->body);
}

Result<NameCheckAnswer> KioskLink::checkName(std::string_view name,
                                             std::string_view division_code) {
  Result<transport::Response> response =
      post("/api/v1/name-check", nameCheckBody(name, division_code), freshKey(), "name check");
  if (!response.ok()) return response.error();
  return parseNameCheckAnswer(response->body);
}

Result<SystemTime> KioskLink::heartbeat(const HeartbeatReport& report) {
  Result<transport::Response> response =
      post("/api/v1/heartbeat", heartbeatBody(report), freshKey(), "heartbeat");
  if (!response.ok()) return response.error();
  return parseHeartbeatAnswer(response->body);
}

}  // namespace kaiban::agent
