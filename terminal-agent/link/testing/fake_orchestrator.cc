#include "terminal-agent/link/testing/fake_orchestrator.h"

#include <cstdio>
#include <sstream>
#include <utility>

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/StreamCopier.h"
#include "adapters/transport/peer.h"
#include "core/application.h"
#include "core/application_json.h"
#include "core/timestamp.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/kiosk_answers.h"

namespace kaiban::agent::testing {

namespace {

std::string errorBody(std::string_view code, std::string_view message) {
  Poco::JSON::Object error;
  error.set("code", std::string(code));
  error.set("message", std::string(message));
  error.set("field", "");
  Poco::JSON::Object body;
  body.set("error", error);
  return json::stringify(body);
}

bool validKey(const std::string& key) {
  if (key.size() < 8 || key.size() > 128) return false;
  for (char c : key) {
    const bool fine = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    if (!fine) return false;
  }
  return true;
}

CivilDate today() {
  const auto date = shanghaiDate(std::chrono::system_clock::now());
  return CivilDate{static_cast<int>(date.year()), static_cast<int>(unsigned(date.month())),
                   static_cast<int>(unsigned(date.day()))};
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(FakeOrchestrator& fake) : fake_(fake) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    Result<transport::PeerIdentity> peer = transport::peerIdentity(request);
    FakeOrchestrator::Reply reply;
    if (!peer.ok() || peer->organizational_unit != "kiosk") {
      reply = {403, errorBody("forbidden", "not a kiosk certificate")};
    } else {
      reply = fake_.handle(request.getMethod(), request.getURI(), peer->common_name,
                           request.get("Idempotency-Key", ""), body);
    }
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.send() << reply.body;
  }

 private:
  FakeOrchestrator& fake_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(FakeOrchestrator& fake) : fake_(fake) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(fake_);
  }

 private:
  FakeOrchestrator& fake_;
};

}  // namespace

FakeOrchestrator::FakeOrchestrator(transport::TlsFiles server_files, int port)
    : files_(std::move(server_files)), port_(port) {
  start();
}

FakeOrchestrator::~FakeOrchestrator() { stop(); }

void FakeOrchestrator::start() {
  transport::ServerOptions options;
  options.port = port_;
  options.max_threads = 8;
  server_ = std::make_unique<transport::HttpsServer>(
      Poco::Net::HTTPRequestHandlerFactory::Ptr(new Factory(*this)),
      transport::makeServerContext(files_, transport::ClientCertificates::kRequired), options);
  port_ = server_->port();
  server_->start();
}

void FakeOrchestrator::stop() {
  if (server_) server_->stop();
  server_.reset();
}

void FakeOrchestrator::failSubmitsWith(int status) {
  std::lock_guard lock(mutex_);
  fail_submits_with_ = status;
}

std::vector<FakeOrchestrator::Submission> FakeOrchestrator::submissions() const {
  std::lock_guard lock(mutex_);
  return submissions_;
}

int FakeOrchestrator::submitRequests(std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto found = requests_by_key_.find(key);
  return found == requests_by_key_.end() ? 0 : found->second;
}

std::vector<Poco::JSON::Object::Ptr> FakeOrchestrator::heartbeats() const {
  std::lock_guard lock(mutex_);
  return heartbeats_;
}

bool FakeOrchestrator::waitFor(const std::function<bool()>& condition,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    lock.unlock();
    const bool held = condition();
    lock.lock();
    if (held) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // The condition may depend on things other than requests (the agent's own state), so it
    // is re-checked at least every 100 ms as well as on every request.
    changed_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void FakeOrchestrator::addPerson(std::string id_number, PersonRecord person) {
  std::lock_guard lock(mutex_);
  people_[std::move(id_number)] = std::move(person);
}

void FakeOrchestrator::setNameCheck(std::string name, NameCheckAnswer answer) {
  std::lock_guard lock(mutex_);
  name_checks_[std::move(name)] = std::move(answer);
}

void FakeOrchestrator::completeApplication(std::string_view application_id) {
  std::lock_guard lock(mutex_);
  auto found = applications_.find(application_id);
  if (found == applications_.end()) return;
  found->second.completed = true;
  found->second.state = "completed";
}

FakeOrchestrator::Reply FakeOrchestrator::handle(const std::string& method, const std::string& uri,
                                                 const std::string& kiosk_id,
                                                 const std::string& idempotency_key,
                                                 const std::string& body) {
  Reply reply;
  const std::string path = uri.substr(0, uri.find('?'));
  if (method == "POST" && !validKey(idempotency_key)) {
    reply = {400, errorBody("invalid_input", "Idempotency-Key missing or malformed")};
  } else if (method == "POST" && path == "/api/v1/applications") {
    reply = submit(kiosk_id, idempotency_key, body);
  } else if (method == "GET" && path.starts_with("/api/v1/applications/")) {
    std::lock_guard lock(mutex_);
    reply = status(kiosk_id, path.substr(std::string_view("/api/v1/applications/").size()));
  } else if (method == "POST" && path == "/api/v1/heartbeat") {
    Result<Poco::JSON::Object::Ptr> parsed = json::parseObject(body, "heartbeat");
    if (!parsed.ok()) {
      reply = {400, errorBody("invalid_input", parsed.error().message)};
    } else {
      std::lock_guard lock(mutex_);
      heartbeats_.push_back(*parsed);
      reply = {200,
               "{\"server_time\":\"" + formatIso8601(std::chrono::system_clock::now()) + "\"}"};
    }
  } else if (method == "POST" && path == "/api/v1/people/lookup") {
    Result<Poco::JSON::Object::Ptr> parsed = json::parseObject(body, "lookup");
    std::optional<std::string> id =
        parsed.ok() ? json::stringMember(**parsed, "id_number") : std::nullopt;
    std::lock_guard lock(mutex_);
    auto found = id ? people_.find(*id) : people_.end();
    if (!id) {
      reply = {400, errorBody("invalid_input", "id_number missing")};
    } else if (found == people_.end()) {
      reply = {404, errorBody("not_found", "no such person")};
    } else {
      reply = {200, json::stringify(*toJson(found->second))};
    }
  } else if (method == "POST" && path == "/api/v1/name-check") {
    Result<Poco::JSON::Object::Ptr> parsed = json::parseObject(body, "name check");
    std::optional<std::string> name =
        parsed.ok() ? json::stringMember(**parsed, "name") : std::nullopt;
    std::lock_guard lock(mutex_);
    if (!name) {
      reply = {400, errorBody("invalid_input", "name missing")};
    } else {
      auto found = name_checks_.find(*name);
      NameCheckAnswer answer =
          found == name_checks_.end() ? NameCheckAnswer{"available", ""} : found->second;
      Poco::JSON::Object object;
      object.set("result", answer.result);
      object.set("detail", answer.detail);
      reply = {200, json::stringify(object)};
    }
  } else {
    reply = {404, errorBody("not_found", "no such endpoint")};
  }
  changed_.notify_all();
  return reply;
}

FakeOrchestrator::Reply FakeOrchestrator::submit(const std::string& kiosk_id,
                                                 const std::string& key, const std::string& body) {
  std::lock_guard lock(mutex_);
  ++requests_by_key_[key];
  if (fail_submits_with_ != 0) {
    return {fail_submits_with_, errorBody("unavailable", "the fake is told to refuse")};
  }
  if (auto known = body_by_key_.find(key); known != body_by_key_.end()) {
    if (known->second != body) {
      return {409, errorBody("conflict", "Idempotency-Key reused with another body")};
    }
    const std::string& id = id_by_key_.at(key);
    const Application& application = applications_.at(id);
    return {200, "{\"application_id\":\"" + id + "\",\"created\":false,\"state\":\"" +
                     application.state + "\",\"deadline\":\"" + application.deadline +
                     "\",\"flow_version\":1}"};
  }
  Result<kaiban::Application> parsed = applicationFromJsonText(body);
  if (!parsed.ok()) return {400, errorBody("invalid_input", parsed.error().toString())};
  if (parsed->kiosk_id != kiosk_id) {
    return {403, errorBody("forbidden", "kiosk_id differs from the certificate")};
  }
  std::vector<Problem> problems = validateApplication(*parsed, today());
  if (!problems.empty()) {
    Poco::JSON::Object answer;
    answer.set("problems", problemsJson(problems));
    return {422, json::stringify(answer)};
  }
  char id[32];
  std::snprintf(id, sizeof id, "KBFAKE%010d", next_id_++);
  const auto now = std::chrono::system_clock::now();
  Application application{kiosk_id, "in_progress", formatIso8601(now),
                          formatIso8601(now + std::chrono::hours(72)), false};
  applications_[id] = application;
  body_by_key_[key] = body;
  id_by_key_[key] = id;
  submissions_.push_back({kiosk_id, key, id, body});
  return {201, "{\"application_id\":\"" + std::string(id) +
                   "\",\"created\":true,\"state\":\"in_progress\",\"deadline\":\"" +
                   application.deadline + "\",\"flow_version\":1}"};
}

FakeOrchestrator::Reply FakeOrchestrator::status(const std::string& kiosk_id,
                                                 const std::string& id) const {
  auto found = applications_.find(id);
  if (found == applications_.end() || found->second.kiosk_id != kiosk_id) {
    return {404, errorBody("not_found", "no such application")};
  }
  const Application& application = found->second;
  ApplicationView view;
  view.id = id;
  view.state = application.state;
  view.submitted_at = application.submitted_at;
  view.deadline = application.deadline;
  view.updated_at = application.submitted_at;
  for (std::string_view step : kDefaultStepIds) {
    StepView step_view;
    step_view.id = std::string(step);
    step_view.state = application.completed       ? "done"
                      : step == kStepRegistration ? "acknowledged"
                                                  : "pending";
    if (application.completed) step_view.finished_at = application.submitted_at;
    view.steps.push_back(step_view);
  }
  if (application.completed) {
    view.outputs = {{"uscc", "91370202MA3C4D5E6F"}, {"account_number", "****1234"}};
  }
  return {200, json::stringify(*toJson(view))};
}

}  // namespace kaiban::agent::testing
