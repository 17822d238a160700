#include "orchestrator/api/console_api/console_handlers.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <sstream>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "Poco/Logger.h"
#include "Poco/Net/NameValueCollection.h"
#include "Poco/URI.h"
#include "core/timestamp.h"
#include "orchestrator/api/console_api/console_views.h"
#include "orchestrator/api/http_common/log_fields.h"
#include "orchestrator/engine/engine_json.h"

namespace kaiban::orchestrator::api {

namespace {

constexpr std::size_t kSmallBody = 16 * 1024;
constexpr size_t kMaxReasonLength = 500;
constexpr std::string_view kBankAdapter = "bank";
constexpr std::string_view kBankStaffRole = "bank_staff";

Poco::Logger& logger() { return Poco::Logger::get("orchestrator.console"); }

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// The percent-decoded value of `name` in a raw query string ("" when absent).
std::string queryParam(std::string_view query, std::string_view name) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      std::string raw(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
      std::replace(raw.begin(), raw.end(), '+', ' ');
      std::string decoded;
      try {
        Poco::URI::decode(raw, decoded);
      } catch (const Poco::Exception&) {
        return "";
      }
      return decoded;
    }
    start = end + 1;
  }
  return "";
}

// An integer query parameter within [low, high], `fallback` when absent; kInvalidInput
// naming the parameter otherwise.
Result<int> intParam(std::string_view query, std::string_view name, int fallback, int low,
                     int high) {
  const std::string text = queryParam(query, name);
  if (text.empty()) return fallback;
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return Error::invalidInput(std::string(name) + " must be a whole number from " +
                                   std::to_string(low) + " to " + std::to_string(high),
                               std::string(name));
  }
  return value;
}

std::string sessionToken(const RouteRequest& request) {
  Poco::Net::NameValueCollection cookies;
  request.http.getCookies(cookies);
  return cookies.get(std::string(kSessionCookie), "");
}

std::string clientOf(const RouteRequest& request) {
  return request.http.clientAddress().host().toString();
}

// Headers on every console answer: nothing is cached (pages reflect who is logged in),
// nothing is framed, sniffed or leaked in a Referer, and browsers keep to HTTPS.
void secure(HttpReply& reply, bool page) {
  reply.headers.emplace_back("Cache-Control", "no-store");
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("X-Frame-Options", "DENY");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  reply.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  if (page) {
    reply.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'");
  }
}

HttpReply redirect(const std::string& location) {
  HttpReply reply = HttpReply::text(303, "see " + location + "\n");
  reply.headers.emplace_back("Location", location);
  return reply;
}

HttpReply pageReply(const WebAsset& page) {
  return HttpReply{200, page.content_type, page.body, {}};
}

// One answer for "not there" and "not yours", so that ids cannot be probed.
HttpReply noSuchApplication(std::string_view id) {
  return HttpReply::error(Error::notFound("no application " + std::string(id)));
}

// The start page of a role.
std::string homeOf(UserRole role) { return role == UserRole::kGovOperator ? "/operator" : "/bank"; }

Poco::JSON::Object::Ptr principalJson(const Principal& principal) {
  Poco::JSON::Object::Ptr json = object();
  json->set("user", principal.user);
  json->set("display_name", principal.display_name);
  json->set("role", std::string(toString(principal.role)));
  json->set("scope", principal.scope);
  json->set("csrf_token", principal.csrf_token);
  json->set("expires_at", formatIso8601(principal.expires_at));
  json->set("idle_expires_at", formatIso8601(principal.idle_expires_at));
  json->set("home", homeOf(principal.role));
  return json;
}

Result<Poco::JSON::Object::Ptr> parseObject(std::string_view body) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(std::string(body));
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      return Error::invalidInput("the body must be a JSON object");
    }
    return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& error) {
    return Error::invalidInput("the body is not valid JSON: " + error.displayText());
  }
}

// The string member `name` of `body`: required, non-empty after trimming, at most
// `max_length` code points.
Result<std::string> stringMember(const Poco::JSON::Object& body, const std::string& name,
                                 size_t max_length) {
  if (!body.has(name) || body.isNull(name)) {
    return Error::invalidInput(name + " is required", name);
  }
  Poco::Dynamic::Var value = body.get(name);
  if (!value.isString()) return Error::invalidInput(name + " must be a string", name);
  std::string text = value.convert<std::string>();
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Error::invalidInput(name + " is required", name);
  text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  const std::optional<size_t> length = utf8Length(text);
  if (!length || *length > max_length) {
    return Error::invalidInput(
        name + " must be UTF-8 text of at most " + std::to_string(max_length) + " characters",
        name);
  }
  return text;
}

// Who a route is for.
enum class Audience { kAnyUser, kBank, kOperator };

bool admits(Audience audience, UserRole role) {
  switch (audience) {
    case Audience::kAnyUser:
      return true;
    case Audience::kBank:
      return role == UserRole::kBankStaff || role == UserRole::kAdmin;
    case Audience::kOperator:
      return role == UserRole::kGovOperator || role == UserRole::kAdmin;
  }
  return false;
}

// A POST must be JSON, from our own origin (when the browser names it) and carry the
// session's CSRF token. JSON alone already keeps plain cross-site forms out (they cannot send
// that content type without a CORS preflight, which this listener never grants); the token is
// the guard that does not depend on browser behaviour.
Result<void> checkStateChange(const RouteRequest& request, const Principal* principal) {
  const std::string content_type = request.http.get("Content-Type", "");
  if (content_type.rfind("application/json", 0) != 0) {
    return Error::forbidden(
        "a console request that changes something must be JSON "
        "(Content-Type: application/json)");
  }
  const std::string origin = request.http.get("Origin", "");
  if (!origin.empty() && origin != "https://" + request.http.getHost()) {
    return Error::forbidden("a console request must come from the console's own pages, not " +
                            origin);
  }
  if (principal != nullptr &&
      !ConsoleAuth::csrfMatches(*principal, request.http.get(std::string(kCsrfHeader), ""))) {
    return Error::forbidden(
        "missing or wrong CSRF token: reload the page and try again (the token comes with the "
        "session, GET /console/api/v1/session)");
  }
  return ok();
}

// What every route that needs a session shares: authentication, the role check, the
// state-change checks on POST, and the security headers.
class AuthenticatedRoute : public RouteHandler {
 public:
  AuthenticatedRoute(ConsoleAuth& auth, Audience audience, bool page)
      : auth_(auth), audience_(audience), page_(page) {}

  HttpReply handle(const RouteRequest& request) final {
    HttpReply reply = authorise(request);
    secure(reply, page_);
    return reply;
  }

 protected:
  virtual HttpReply serve(const RouteRequest& request, const Principal& principal) = 0;
  ConsoleAuth& auth() { return auth_; }

 private:
  HttpReply authorise(const RouteRequest& request) {
    Result<Principal> principal = auth_.authenticate(sessionToken(request));
    if (!principal) {
      if (principal.error().code != ErrorCode::kForbidden) {
        return HttpReply::error(principal.error());
      }
      if (page_) return redirect("/login");
      HttpReply reply = HttpReply::error(401, principal.error());
      reply.headers.emplace_back("Set-Cookie", ConsoleAuth::clearedSessionCookie());
      return reply;
    }
    if (!admits(audience_, principal->role)) {
      if (page_) return redirect(homeOf(principal->role));
      return HttpReply::error(Error::forbidden("this part of the console is not for the role " +
                                               std::string(toString(principal->role))));
    }
    if (request.method == "POST") {
      if (Result<void> allowed = checkStateChange(request, &*principal); !allowed) {
        logWith(logger(), Poco::Message::PRIO_WARNING,
                "refused a state change by " + principal->user + ": " + allowed.error().message,
                {{"path", request.path}, {"peer", clientOf(request)}});
        return HttpReply::error(allowed.error());
      }
    }
    return serve(request, *principal);
  }

  ConsoleAuth& auth_;
  const Audience audience_;
  const bool page_;
};

// --- Pages and assets -------------------------------------------------------------------

// GET /login: the login page, for anybody. (The page sends a user who is logged in already to
// their console.)
class LoginPage final : public RouteHandler {
 public:
  explicit LoginPage(std::shared_ptr<const WebAssets> assets) : assets_(std::move(assets)) {}
  HttpReply handle(const RouteRequest&) override {
    HttpReply reply = pageReply(*assets_->page("login"));
    secure(reply, true);
    return reply;
  }

 private:
  std::shared_ptr<const WebAssets> assets_;
};

// GET /: the address people type; the login page knows where each user belongs.
class RootRedirect final : public RouteHandler {
 public:
  HttpReply handle(const RouteRequest&) override { return redirect("/login"); }
};

// GET /bank, GET /operator: a console page for the users of its audience.
class ConsolePage final : public AuthenticatedRoute {
 public:
  ConsolePage(ConsoleAuth& auth, Audience audience, std::shared_ptr<const WebAssets> assets,
              std::string name)
      : AuthenticatedRoute(auth, audience, true), assets_(std::move(assets)), name_(name) {}
  HttpReply serve(const RouteRequest&, const Principal&) override {
    return pageReply(*assets_->page(name_));
  }

 private:
  std::shared_ptr<const WebAssets> assets_;
  const std::string name_;
};

// GET /assets/{file}: styles, scripts and the vendored chart library, for anybody (the login
// page needs them). Revalidated by ETag.
class AssetRoute final : public RouteHandler {
 public:
  explicit AssetRoute(std::shared_ptr<const WebAssets> assets) : assets_(std::move(assets)) {}
  HttpReply handle(const RouteRequest& request) override {
    const WebAsset* asset = assets_->asset(request.param("file"));
    if (asset == nullptr) {
      return HttpReply::error(Error::notFound("no such asset: " + request.param("file")));
    }
    HttpReply reply;
    if (request.http.get("If-None-Match", "") == asset->etag) {
      reply.status = 304;
    } else {
      reply = HttpReply{200, asset->content_type, asset->body, {}};
    }
    reply.headers.emplace_back("ETag", asset->etag);
    reply.headers.emplace_back("Cache-Control", "no-cache");
    reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return reply;
  }

 private:
  std::shared_ptr<const WebAssets> assets_;
};

// --- Session ----------------------------------------------------------------------------

// POST /console/api/v1/login {"user", "password"}: opens a session (cookie) and returns the
// principal with its CSRF token.
class LoginRoute final : public RouteHandler {
 public:
  explicit LoginRoute(ConsoleAuth& auth) : auth_(auth) {}
  HttpReply handle(const RouteRequest& request) override {
    HttpReply reply = login(request);
    secure(reply, false);
    return reply;
  }

 private:
  HttpReply login(const RouteRequest& request) {
    if (Result<void> allowed = checkStateChange(request, nullptr); !allowed) {
      return HttpReply::error(allowed.error());
    }
    Result<Poco::JSON::Object::Ptr> body = parseObject(request.body);
    if (!body) return HttpReply::error(body.error());
    Result<std::string> user = stringMember(**body, "user", 64);
    if (!user) return HttpReply::error(user.error());
    if (!(*body)->has("password") || !(*body)->get("password").isString()) {
      return HttpReply::error(Error::invalidInput("password is required", "password"));
    }
    const std::string password = (*body)->getValue<std::string>("password");
    const std::string client = clientOf(request);
    Result<LoginSuccess> success = auth_.login(*user, password, client);
    if (!success) {
      const Error& error = success.error();
      logWith(logger(), Poco::Message::PRIO_WARNING,
              "console login refused for " + *user + ": " + error.message,
              {{"peer", client}, {"path", request.path}});
      if (error.code == ErrorCode::kForbidden) return HttpReply::error(401, error);
      if (error.code == ErrorCode::kRejected) {
        HttpReply reply = HttpReply::error(429, error);
        reply.headers.emplace_back("Retry-After", std::to_string(auth_.options().lockout.count()));
        return reply;
      }
      return HttpReply::error(error);
    }
    logWith(logger(), Poco::Message::PRIO_INFORMATION, "console login: " + *user,
            {{"peer", client}});
    HttpReply reply = HttpReply::json(200, *principalJson(success->principal));
    reply.headers.emplace_back("Set-Cookie", auth_.sessionCookie(success->token));
    return reply;
  }

  ConsoleAuth& auth_;
};

// POST /console/api/v1/logout: ends the session and clears the cookie.
class LogoutRoute final : public AuthenticatedRoute {
 public:
  explicit LogoutRoute(ConsoleAuth& auth) : AuthenticatedRoute(auth, Audience::kAnyUser, false) {}
  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    Result<void> ended = auth().logout(principal, clientOf(request));
    if (!ended && ended.error().code != ErrorCode::kNotFound) {
      return HttpReply::error(ended.error());
    }
    HttpReply reply = HttpReply::noContent();
    reply.headers.emplace_back("Set-Cookie", ConsoleAuth::clearedSessionCookie());
    return reply;
  }
};

// GET /console/api/v1/session: who is logged in, and the CSRF token for the page's requests.
class SessionRoute final : public AuthenticatedRoute {
 public:
  explicit SessionRoute(ConsoleAuth& auth) : AuthenticatedRoute(auth, Audience::kAnyUser, false) {}
  HttpReply serve(const RouteRequest&, const Principal& principal) override {
    return HttpReply::json(200, *principalJson(principal));
  }
};

// --- Bank staff -------------------------------------------------------------------------

// The bank whose data a request may see: the bank officer's own; for an admin, the `bank`
// query parameter ("" for every bank).
std::string bankScope(const RouteRequest& request, const Principal& principal) {
  if (principal.role == UserRole::kAdmin) return queryParam(request.query, "bank");
  return principal.scope;
}

// The status of application `id` if the principal's bank covers it; nullopt answers 404.
Result<std::optional<ApplicationStatus>> bankApplication(ConsoleServer& server,
                                                         const Principal& principal,
                                                         std::string_view id) {
  Result<ApplicationStatus> status = server.status(id);
  if (!status) {
    if (status.error().code == ErrorCode::kNotFound) {
      return std::optional<ApplicationStatus>();
    }
    return status.error();
  }
  if (!principal.coversBank(status->bank_code)) {
    logWith(logger(), Poco::Message::PRIO_WARNING,
            "refused " + principal.user + " access to an application of another bank",
            {{"application_id", std::string(id)}});
    return std::optional<ApplicationStatus>();
  }
  return std::optional<ApplicationStatus>(std::move(status).value());
}

// GET /console/api/v1/bank/reviews?state=open|more_info|decided: the KYC review queue.
class ReviewsRoute final : public AuthenticatedRoute {
 public:
  ReviewsRoute(ConsoleAuth& auth, ConsoleServer& server)
      : AuthenticatedRoute(auth, Audience::kBank, false), server_(server) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    std::string state = queryParam(request.query, "state");
    if (state.empty()) state = "open";
    std::vector<HumanTaskState> states;
    if (state == "decided") {
      states = {HumanTaskState::kApproved, HumanTaskState::kRejected};
    } else {
      Result<HumanTaskState> parsed = parseHumanTaskState(state);
      if (!parsed) {
        return HttpReply::error(
            Error::invalidInput("state must be open, more_info or decided", "state"));
      }
      states = {*parsed};
    }
    std::vector<HumanTaskView> tasks;
    for (HumanTaskState wanted : states) {
      HumanTaskFilter filter;
      filter.bank_code = bankScope(request, principal);
      filter.state = wanted;
      filter.limit = 200;
      Result<std::vector<HumanTaskView>> found = server_.humanTasks(filter);
      if (!found) return HttpReply::error(found.error());
      for (HumanTaskView& task : *found) {
        if (task.task.role != kBankStaffRole && principal.role != UserRole::kAdmin) continue;
        if (!principal.coversBank(task.bank_code)) continue;
        tasks.push_back(std::move(task));
      }
    }
    // Decided: newest decision first. Waiting: oldest first, as a queue is worked.
    std::sort(tasks.begin(), tasks.end(), [&](const HumanTaskView& a, const HumanTaskView& b) {
      if (state == "decided") return a.task.decided_at > b.task.decided_at;
      return a.task.opened_at < b.task.opened_at;
    });
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (const HumanTaskView& task : tasks) {
      Poco::JSON::Object::Ptr row = toJson(task);
      Result<Application> application = server_.application(task.application_id);
      if (application) {
        row->set("enterprise_name", application->enterprise.name);
        row->set("enterprise_type", std::string(toString(application->enterprise.type)));
        row->set("legal_representative", application->legal_representative.name);
        row->set("green_channel", application->green_channel);
      }
      Result<ApplicationStatus> status = server_.status(task.application_id);
      if (status) {
        row->set("deadline", formatIso8601(status->deadline));
        row->set("at_risk", status->at_risk);
        row->set("breached", status->breached);
        row->set("submitted_at", formatIso8601(status->submitted_at));
      }
      rows->add(row);
    }
    Poco::JSON::Object::Ptr json = object();
    json->set("state", state);
    json->set("reviews", rows);
    return HttpReply::json(200, *json);
  }

 private:
  ConsoleServer& server_;
};

// GET /console/api/v1/bank/applications/{id}: the KYC view with the history.
class BankApplicationRoute final : public AuthenticatedRoute {
 public:
  BankApplicationRoute(ConsoleAuth& auth, ConsoleServer& server)
      : AuthenticatedRoute(auth, Audience::kBank, false), server_(server) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    const std::string id = request.param("id");
    Result<std::optional<ApplicationStatus>> status = bankApplication(server_, principal, id);
    if (!status) return HttpReply::error(status.error());
    if (!*status) return noSuchApplication(id);
    Result<Application> application = server_.application(id);
    if (!application) return HttpReply::error(application.error());
    Result<std::vector<EventRecord>> history = server_.history(id);
    if (!history) return HttpReply::error(history.error());
    return HttpReply::json(200, *kycJson(**status, *application, *history));
  }

 private:
  ConsoleServer& server_;
};

enum class StaffAction { kApprove, kReject, kRequestInfo, kRetry, kCancelStep, kCancelApplication };

// POST /console/api/v1/bank/applications/{id}/steps/{step}/<action> and
// POST /console/api/v1/bank/applications/{id}/cancel: a bank officer's decision, made by the
// engine with the officer as the actor (so it is in the history and the audit log).
class StaffActionRoute final : public AuthenticatedRoute {
 public:
  StaffActionRoute(ConsoleAuth& auth, ConsoleServer& server, StaffAction action)
      : AuthenticatedRoute(auth, Audience::kBank, false), server_(server), action_(action) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    const std::string id = request.param("id");
    Result<std::optional<ApplicationStatus>> found = bankApplication(server_, principal, id);
    if (!found) return HttpReply::error(found.error());
    if (!*found) return noSuchApplication(id);
    const ApplicationStatus& status = **found;

    Result<Poco::JSON::Object::Ptr> body = parseObject(request.body.empty() ? "{}" : request.body);
    if (!body) return HttpReply::error(body.error());
    std::string reason;
    if (action_ == StaffAction::kReject || action_ == StaffAction::kRequestInfo ||
        action_ == StaffAction::kCancelStep || action_ == StaffAction::kCancelApplication) {
      Result<std::string> given = stringMember(**body, "reason", kMaxReasonLength);
      if (!given) return HttpReply::error(given.error());
      reason = std::move(given).value();
    }

    const std::string actor = principal.actor();
    Result<ApplicationStatus> result = Error::internal("unreachable");
    if (action_ == StaffAction::kCancelApplication) {
      result = server_.cancelApplication(id, actor, reason);
    } else {
      const std::string step_id = request.param("step");
      auto step = std::find_if(status.steps.begin(), status.steps.end(),
                               [&](const StepStatus& s) { return s.id == step_id; });
      if (step == status.steps.end()) {
        return HttpReply::error(Error::notFound("application " + id + " has no step " + step_id));
      }
      if (Result<void> allowed = mayAct(principal, *step); !allowed) {
        return HttpReply::error(allowed.error());
      }
      switch (action_) {
        case StaffAction::kApprove:
          result = server_.approveHumanTask(id, step_id, actor);
          break;
        case StaffAction::kReject:
          result = server_.rejectHumanTask(id, step_id, actor, reason);
          break;
        case StaffAction::kRequestInfo:
          result = server_.requestMoreInfo(id, step_id, actor, reason);
          break;
        case StaffAction::kRetry:
          result = server_.retryStep(id, step_id, actor);
          break;
        case StaffAction::kCancelStep:
          result = server_.cancelStep(id, step_id, actor, reason);
          break;
        case StaffAction::kCancelApplication:
          break;
      }
    }
    if (!result) return HttpReply::error(result.error());
    logWith(logger(), Poco::Message::PRIO_INFORMATION,
            principal.user + ": " + request.path.substr(request.path.rfind('/') + 1),
            {{"application_id", id}, {"step", request.param("step")}});
    return HttpReply::json(200, *toJson(*result));
  }

 private:
  // Bank staff decide only the human tasks that are theirs, and retry or cancel only the
  // bank's own steps; an admin may act on any step.
  Result<void> mayAct(const Principal& principal, const StepStatus& step) const {
    if (principal.role == UserRole::kAdmin) return ok();
    const bool decision = action_ == StaffAction::kApprove || action_ == StaffAction::kReject ||
                          action_ == StaffAction::kRequestInfo;
    if (decision) {
      if (!step.human_task || step.human_task->role != kBankStaffRole) {
        return Error::forbidden("step " + step.id + " has no review for bank staff");
      }
      return ok();
    }
    if (step.adapter != kBankAdapter) {
      return Error::forbidden("step " + step.id + " is not the bank's: its partner is " +
                              step.adapter + ", whose staff retry or cancel it");
    }
    return ok();
  }

  ConsoleServer& server_;
  const StaffAction action_;
};

// What the accounts page shows of one application whose bank account is open. Decrypting
// costs, and none of it changes once the account is open, so it is kept.
struct AccountRow {
  std::string application_id;
  std::string bank_code;
  std::string enterprise_name;
  std::string uscc;
  std::string account_number;
  std::string district;
  std::string kiosk_id;
  ApplicationState state = ApplicationState::kInProgress;
  SystemTime submitted_at{};
  std::optional<SystemTime> opened_at;
};

bool containsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

// GET /console/api/v1/bank/accounts?q=&offset=&limit=: accounts opened through Kaiban at the
// bank, newest first, searchable by company name, USCC, account number or application id.
class AccountsRoute final : public AuthenticatedRoute {
 public:
  AccountsRoute(ConsoleAuth& auth, ConsoleServer& server)
      : AuthenticatedRoute(auth, Audience::kBank, false), server_(server) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    Result<int> offset = intParam(request.query, "offset", 0, 0, 1000000);
    if (!offset) return HttpReply::error(offset.error());
    Result<int> limit = intParam(request.query, "limit", 50, 1, 500);
    if (!limit) return HttpReply::error(limit.error());
    const std::string q = queryParam(request.query, "q");

    TimelineFilter filter;
    filter.bank_code = bankScope(request, principal);
    filter.submitted_since = SystemTime{};
    Result<std::vector<ApplicationTimeline>> timelines = server_.timelines(filter);
    if (!timelines) return HttpReply::error(timelines.error());

    std::vector<AccountRow> matches;
    for (const ApplicationTimeline& timeline : *timelines) {
      const bool opened =
          std::any_of(timeline.steps.begin(), timeline.steps.end(), [](const StepTiming& step) {
            return step.step_id == kStepBankAccount && step.state == StepState::kDone;
          });
      if (!opened || !principal.coversBank(timeline.bank_code)) continue;
      Result<AccountRow> row = rowOf(timeline);
      if (!row) return HttpReply::error(row.error());
      if (!containsFolded(row->enterprise_name, q) && !containsFolded(row->uscc, q) &&
          !containsFolded(row->account_number, q) && !containsFolded(row->application_id, q)) {
        continue;
      }
      matches.push_back(std::move(row).value());
    }
    std::sort(matches.begin(), matches.end(), [](const AccountRow& a, const AccountRow& b) {
      return a.opened_at != b.opened_at ? a.opened_at > b.opened_at
                                        : a.application_id > b.application_id;
    });
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (size_t i = static_cast<size_t>(*offset);
         i < matches.size() && i < static_cast<size_t>(*offset + *limit); ++i) {
      const AccountRow& match = matches[i];
      Poco::JSON::Object::Ptr row = object();
      row->set("application_id", match.application_id);
      row->set("bank_code", match.bank_code);
      row->set("enterprise_name", match.enterprise_name);
      row->set("uscc", match.uscc);
      row->set("account_number", match.account_number);
      row->set("opened_at", match.opened_at ? Poco::Dynamic::Var(formatIso8601(*match.opened_at))
                                            : Poco::Dynamic::Var());
      row->set("state", std::string(toString(match.state)));
      row->set("district", match.district);
      row->set("kiosk_id", match.kiosk_id);
      row->set("submitted_at", formatIso8601(match.submitted_at));
      rows->add(row);
    }
    Poco::JSON::Object::Ptr json = object();
    json->set("total", static_cast<int>(matches.size()));
    json->set("offset", *offset);
    json->set("accounts", rows);
    return HttpReply::json(200, *json);
  }

 private:
  Result<AccountRow> rowOf(const ApplicationTimeline& timeline) {
    {
      std::lock_guard lock(mutex_);
      auto cached = cache_.find(timeline.id);
      if (cached != cache_.end()) {
        AccountRow row = cached->second;
        row.state = timeline.state;  // the application may have moved on since
        return row;
      }
    }
    Result<ApplicationStatus> status = server_.status(timeline.id);
    if (!status) return status.error();
    Result<Application> application = server_.application(timeline.id);
    if (!application) return application.error();
    AccountRow row;
    row.application_id = timeline.id;
    row.bank_code = timeline.bank_code;
    row.enterprise_name = application->enterprise.name;
    row.district = timeline.district;
    row.kiosk_id = timeline.kiosk_id;
    row.state = timeline.state;
    row.submitted_at = timeline.submitted_at;
    const auto output = [&](std::string_view key) {
      auto found = status->outputs.find(key);
      return found == status->outputs.end() ? std::string() : found->second;
    };
    row.uscc = output(adapters::output::kUscc);
    row.account_number = output(adapters::output::kAccountNumber);
    for (const StepTiming& step : timeline.steps) {
      if (step.step_id == kStepBankAccount) row.opened_at = step.finished_at;
    }
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_.emplace(row.application_id, row);
    return row;
  }

  static constexpr size_t kMaxCached = 50000;
  ConsoleServer& server_;
  std::mutex mutex_;
  std::map<std::string, AccountRow, std::less<>> cache_;  // guarded by mutex_
};

// GET /console/api/v1/bank/exceptions: the bank's steps that failed, or are at risk of
// breaching (or have breached) their budget, in open applications.
class ExceptionsRoute final : public AuthenticatedRoute {
 public:
  ExceptionsRoute(ConsoleAuth& auth, ConsoleServer& server, const Clock& clock)
      : AuthenticatedRoute(auth, Audience::kBank, false), server_(server), clock_(clock) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    TimelineFilter filter;
    filter.bank_code = bankScope(request, principal);
    // Only open applications matter; they come whatever their age.
    filter.submitted_since = clock_.now();
    Result<std::vector<ApplicationTimeline>> timelines = server_.timelines(filter);
    if (!timelines) return HttpReply::error(timelines.error());
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (const ApplicationTimeline& timeline : *timelines) {
      const bool candidate =
          timeline.state == ApplicationState::kNeedsAttention ||
          std::any_of(timeline.steps.begin(), timeline.steps.end(), [](const StepTiming& step) {
            return step.state == StepState::kFailed ||
                   (step.state != StepState::kDone && (step.flags & (kFlagAtRisk | kFlagBreached)));
          });
      const bool terminal = timeline.state == ApplicationState::kCompleted ||
                            timeline.state == ApplicationState::kRejected ||
                            timeline.state == ApplicationState::kCancelled;
      if (terminal || !candidate || !principal.coversBank(timeline.bank_code)) continue;
      Result<ApplicationStatus> status = server_.status(timeline.id);
      if (!status) return HttpReply::error(status.error());
      for (const StepStatus& step : status->steps) {
        if (step.adapter != kBankAdapter) continue;
        const bool failed = step.state == StepState::kFailed;
        const bool flagged = step.state != StepState::kDone && (step.at_risk || step.breached);
        if (!failed && !flagged) continue;
        Poco::JSON::Object::Ptr row = object();
        row->set("application_id", status->id);
        row->set("bank_code", status->bank_code);
        row->set("application_state", std::string(toString(status->state)));
        row->set("deadline", formatIso8601(status->deadline));
        row->set("step", step.id);
        row->set("step_state", std::string(toString(step.state)));
        row->set("kind", std::string(failed ? "failed" : step.breached ? "breached" : "at_risk"));
        row->set("failure", std::string(toString(step.failure)));
        row->set("reason_code", step.reason_code);
        row->set("reason", step.reason);
        row->set("attempts", step.attempts);
        row->set("budget_due_at", step.budget_due_at
                                      ? Poco::Dynamic::Var(formatIso8601(*step.budget_due_at))
                                      : Poco::Dynamic::Var());
        row->set("human_task",
                 step.human_task ? Poco::Dynamic::Var(std::string(toString(step.human_task->state)))
                                 : Poco::Dynamic::Var());
        Poco::JSON::Array::Ptr actions = new Poco::JSON::Array;
        const bool open = status->state != ApplicationState::kCompleted &&
                          status->state != ApplicationState::kRejected &&
                          status->state != ApplicationState::kCancelled;
        if (failed && open) actions->add(std::string("retry"));
        if (!failed && open) actions->add(std::string("cancel_step"));
        if (open) actions->add(std::string("cancel_application"));
        row->set("actions", actions);
        rows->add(row);
      }
    }
    Poco::JSON::Object::Ptr json = object();
    json->set("exceptions", rows);
    return HttpReply::json(200, *json);
  }

 private:
  ConsoleServer& server_;
  const Clock& clock_;
};

// --- Operators --------------------------------------------------------------------------

// The district a dashboard request covers: the `district` parameter when given (it must lie
// within the operator's scope), otherwise the operator's whole scope ("" for all).
Result<std::string> districtScope(const RouteRequest& request, const Principal& principal) {
  std::string district = queryParam(request.query, "district");
  const std::string own =
      principal.role == UserRole::kAdmin || principal.scope == kAllDistricts ? "" : principal.scope;
  if (district.empty()) return own;
  if (district.size() > 6 ||
      !std::all_of(district.begin(), district.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error::invalidInput("district must be a GB/T 2260 code or prefix (digits)", "district");
  }
  if (district.substr(0, own.size()) != own) {
    return Error::forbidden("district " + district + " lies outside your scope (" +
                            principal.scope + ")");
  }
  return district;
}

// Dashboards computed recently, by scope and window.
class DashboardCache {
 public:
  DashboardCache(ConsoleServer& server, const Clock& clock, ConsoleRouteOptions options)
      : server_(server), clock_(clock), options_(std::move(options)) {}

  Result<std::shared_ptr<const Dashboard>> get(const std::string& district, const std::string& bank,
                                               int days) {
    const std::string key = district + "|" + bank + "|" + std::to_string(days);
    const SteadyTime now = clock_.steadyNow();
    {
      std::lock_guard lock(mutex_);
      auto found = entries_.find(key);
      if (found != entries_.end() && now - found->second.computed < options_.dashboard_cache) {
        return found->second.dashboard;
      }
    }
    const SystemTime wall = clock_.now();
    TimelineFilter filter;
    filter.district = district;
    filter.bank_code = bank;
    // The weekly chart reaches back to the Monday before the window: a week longer.
    filter.submitted_since = wall - std::chrono::hours{24} * (days + 8);
    Result<std::vector<ApplicationTimeline>> timelines = server_.timelines(filter);
    if (!timelines) return timelines.error();
    KioskFilter kiosks_filter;
    kiosks_filter.district = district;
    kiosks_filter.bank_code = bank;
    Result<std::vector<KioskRecord>> kiosks = server_.listKiosks(kiosks_filter);
    if (!kiosks) return kiosks.error();
    DashboardOptions options = options_.dashboard;
    options.days = days;
    auto dashboard = std::make_shared<const Dashboard>(
        computeDashboard(*timelines, *kiosks, server_.calendar(), wall, options));
    std::lock_guard lock(mutex_);
    if (entries_.size() > 256) entries_.clear();
    entries_[key] = Entry{now, dashboard};
    return std::shared_ptr<const Dashboard>(dashboard);
  }

  int defaultDays() const { return options_.dashboard.days; }

 private:
  struct Entry {
    SteadyTime computed;
    std::shared_ptr<const Dashboard> dashboard;
  };
  ConsoleServer& server_;
  const Clock& clock_;
  const ConsoleRouteOptions options_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // guarded by mutex_
};

struct DashboardRequest {
  std::string district;
  std::string bank;
  int days = 30;
};

Result<DashboardRequest> dashboardRequest(const RouteRequest& request, const Principal& principal,
                                          int default_days) {
  Result<std::string> district = districtScope(request, principal);
  if (!district) return district.error();
  Result<int> days = intParam(request.query, "days", default_days, 1, 366);
  if (!days) return days.error();
  std::string bank = queryParam(request.query, "bank");
  if (bank.size() > 12) return Error::invalidInput("bank must be a bank code", "bank");
  return DashboardRequest{*district, bank, *days};
}

// GET /console/api/v1/dashboard?days=&district=&bank=: the dashboard's JSON.
class DashboardRoute final : public AuthenticatedRoute {
 public:
  DashboardRoute(ConsoleAuth& auth, std::shared_ptr<DashboardCache> cache)
      : AuthenticatedRoute(auth, Audience::kOperator, false), cache_(std::move(cache)) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    Result<DashboardRequest> wanted = dashboardRequest(request, principal, cache_->defaultDays());
    if (!wanted) return HttpReply::error(wanted.error());
    Result<std::shared_ptr<const Dashboard>> dashboard =
        cache_->get(wanted->district, wanted->bank, wanted->days);
    if (!dashboard) return HttpReply::error(dashboard.error());
    Poco::JSON::Object::Ptr json = toJson(**dashboard);
    json->set("district", wanted->district);
    json->set("bank", wanted->bank);
    return HttpReply::json(200, *json);
  }

 private:
  std::shared_ptr<DashboardCache> cache_;
};

// GET /console/api/v1/dashboard.csv?table=&days=&district=&bank=: one table as CSV.
class DashboardCsvRoute final : public AuthenticatedRoute {
 public:
  DashboardCsvRoute(ConsoleAuth& auth, std::shared_ptr<DashboardCache> cache)
      : AuthenticatedRoute(auth, Audience::kOperator, false), cache_(std::move(cache)) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    Result<DashboardRequest> wanted = dashboardRequest(request, principal, cache_->defaultDays());
    if (!wanted) return HttpReply::error(wanted.error());
    const std::string table = queryParam(request.query, "table");
    Result<std::shared_ptr<const Dashboard>> dashboard =
        cache_->get(wanted->district, wanted->bank, wanted->days);
    if (!dashboard) return HttpReply::error(dashboard.error());
    Result<std::string> csv = toCsv(**dashboard, table.empty() ? "summary" : table);
    if (!csv) return HttpReply::error(csv.error());
    const std::string name = "kaiban-" + (table.empty() ? std::string("summary") : table) + "-" +
                             (wanted->district.empty() ? std::string("all") : wanted->district) +
                             "-" + formatDate(shanghaiDate((*dashboard)->generated_at)) + ".csv";
    HttpReply reply{200, "text/csv; charset=utf-8", std::move(csv).value(), {}};
    reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return reply;
  }

 private:
  std::shared_ptr<DashboardCache> cache_;
};

// GET /console/api/v1/applications/{id}: an operator's drill-down (no personal data).
class OperatorApplicationRoute final : public AuthenticatedRoute {
 public:
  OperatorApplicationRoute(ConsoleAuth& auth, ConsoleServer& server)
      : AuthenticatedRoute(auth, Audience::kOperator, false), server_(server) {}

  HttpReply serve(const RouteRequest& request, const Principal& principal) override {
    const std::string id = request.param("id");
    Result<ApplicationStatus> status = server_.status(id);
    if (!status) {
      if (status.error().code == ErrorCode::kNotFound) return noSuchApplication(id);
      return HttpReply::error(status.error());
    }
    if (!principal.coversDistrict(status->district)) return noSuchApplication(id);
    Result<std::vector<EventRecord>> history = server_.history(id);
    if (!history) return HttpReply::error(history.error());
    return HttpReply::json(200, *operatorApplicationJson(*status, *history));
  }

 private:
  ConsoleServer& server_;
};

}  // namespace

void addConsoleRoutes(RouteTable& routes, ConsoleServer& server, ConsoleAuth& auth,
                      std::shared_ptr<const WebAssets> assets, const Clock& clock,
                      ConsoleRouteOptions options) {
  const RouteOptions small{kSmallBody};
  routes.add("GET", "/login", std::make_shared<LoginPage>(assets));
  routes.add("GET", "/", std::make_shared<RootRedirect>());
  routes.add("GET", "/bank", std::make_shared<ConsolePage>(auth, Audience::kBank, assets, "bank"));
  routes.add("GET", "/operator",
             std::make_shared<ConsolePage>(auth, Audience::kOperator, assets, "operator"));
  routes.add("GET", "/assets/{file}", std::make_shared<AssetRoute>(assets));

  const std::string api = "/console/api/v1";
  routes.add("POST", api + "/login", std::make_shared<LoginRoute>(auth), small);
  routes.add("POST", api + "/logout", std::make_shared<LogoutRoute>(auth), small);
  routes.add("GET", api + "/session", std::make_shared<SessionRoute>(auth));

  routes.add("GET", api + "/bank/reviews", std::make_shared<ReviewsRoute>(auth, server));
  routes.add("GET", api + "/bank/accounts", std::make_shared<AccountsRoute>(auth, server));
  routes.add("GET", api + "/bank/exceptions",
             std::make_shared<ExceptionsRoute>(auth, server, clock));
  routes.add("GET", api + "/bank/applications/{id}",
             std::make_shared<BankApplicationRoute>(auth, server));
  const std::pair<std::string_view, StaffAction> step_actions[] = {
      {"approve", StaffAction::kApprove},
      {"reject", StaffAction::kReject},
      {"request-info", StaffAction::kRequestInfo},
      {"retry", StaffAction::kRetry},
      {"cancel", StaffAction::kCancelStep}};
  for (const auto& [name, action] : step_actions) {
    routes.add("POST", api + "/bank/applications/{id}/steps/{step}/" + std::string(name),
               std::make_shared<StaffActionRoute>(auth, server, action), small);
  }
  routes.add("POST", api + "/bank/applications/{id}/cancel",
             std::make_shared<StaffActionRoute>(auth, server, StaffAction::kCancelApplication),
             small);

  auto cache = std::make_shared<DashboardCache>(server, clock, options);
  routes.add("GET", api + "/dashboard", std::make_shared<DashboardRoute>(auth, cache));
  routes.add("GET", api + "/dashboard.csv", std::make_shared<DashboardCsvRoute>(auth, cache));
  routes.add("GET", api + "/applications/{id}",
             std::make_shared<OperatorApplicationRoute>(auth, server));
}

}  // namespace kaiban::orchestrator::api
