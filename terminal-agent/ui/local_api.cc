#include "terminal-agent/ui/local_api.h"

#include <openssl/crypto.h>

#include <utility>

#include "Poco/Logger.h"
#include "core/application_json.h"
#include "core/crypto/random.h"
#include "core/messages.h"
#include "core/timestamp.h"
#include "terminal-agent/devices/id_card_json.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/kiosk_answers.h"
#include "terminal-agent/ui/kiosk_form.h"

namespace kaiban::agent {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("agent.ui"); }

Poco::JSON::Object::Ptr newObject() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

CivilDate today(const Clock& clock) {
  const std::chrono::year_month_day date = shanghaiDate(clock.now());
  return CivilDate{static_cast<int>(date.year()), static_cast<int>(unsigned(date.month())),
                   static_cast<int>(unsigned(date.day()))};
}

std::string_view sexName(Sex sex) { return sex == Sex::kMale ? "male" : "female"; }

// A session problem: the screen recognises field "session" and starts over.
LocalReply sessionEnded(const Error& error) {
  return LocalReply::error(404, Error{ErrorCode::kNotFound, error.message, "session"});
}

// What a handler needs of the session before it may act.
enum class Need { kSession, kCard, kVerified };

Result<KioskSession> requireSession(KioskBackend& backend, const LocalRequest& request, Need need) {
  Result<KioskSession> session = backend.sessions.get(request.session);
  if (!session.ok()) return session;
  if (need != Need::kSession && !session->card) {
    return Error{ErrorCode::kConflict, "read the ID card first", "card"};
  }
  if (need == Need::kVerified && session->verification == Verification::kNone) {
    return Error{ErrorCode::kConflict, "confirm the applicant's identity first", "verification"};
  }
  return session;
}

LocalReply sessionError(const Error& error) {
  if (error.field == "session" || error.code == ErrorCode::kNotFound) return sessionEnded(error);
  return LocalReply::error(409, error);
}

Result<Poco::JSON::Object::Ptr> parseBody(const LocalRequest& request) {
  return json::parseObject(request.body.empty() ? std::string_view("{}") : request.body,
                           "the request body");
}

// True when someone born on `birth` is 18 or older on `day` (29 February birthdays come of
// age on 1 March in common years, as validateApplication decides).
bool isAdult(CivilDate birth, CivilDate day) {
  return CivilDate{birth.year + 18, birth.month, birth.day} <= day;
}

bool equalCodes(const std::string& given, const std::string& expected) {
  // Constant time for equal lengths, so the code cannot be guessed character by character.
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

std::string statusUrl(const KioskUiSettings& settings, const std::string& application_id) {
  std::string url = settings.status_url_template;
  const size_t at = url.find("{id}");
  if (at != std::string::npos) url.replace(at, 4, application_id);
  return url;
}

// ------------------------------------------------------------------ screen set-up

class ConfigHandler final : public LocalHandler {
 public:
  explicit ConfigHandler(KioskBackend& backend) : backend_(backend) {}
  LocalReply handle(const LocalRequest&) override {
    const KioskUiSettings& settings = backend_.settings;
    Poco::JSON::Object::Ptr body = newObject();
    body->set("kiosk_id", settings.kiosk_id);
    body->set("bank_code", settings.bank_code);
    body->set("agent_version", settings.agent_version);
    body->set("idle_timeout_seconds", static_cast<int>(settings.idle_timeout.count()));
    body->set("idle_warning_seconds", static_cast<int>(settings.idle_warning.count()));
    body->set("staff_verification", !settings.staff_code.empty());
    body->set("simulated_devices", backend_.simulated.has_value());
    body->set("max_face_attempts", settings.max_face_attempts);
    Poco::JSON::Array::Ptr languages = new Poco::JSON::Array;
    languages->add("zh-CN");
    languages->add("en");
    body->set("languages", languages);
    return LocalReply::json(200, *body);
  }

 private:
  KioskBackend& backend_;
};

class MessagesHandler final : public LocalHandler {
 public:
  LocalReply handle(const LocalRequest& request) override {
    const std::string tag = request.queryParam("lang");
    Result<Language> language = parseLanguage(tag.empty() ? "zh-CN" : tag);
    if (!language.ok()) return LocalReply::error(400, language.error());
    Poco::JSON::Object::Ptr messages = newObject();
    for (std::string_view key : messageKeys()) {
      messages->set(std::string(key), std::string(messageText(key, *language)));
    }
    Poco::JSON::Object::Ptr body = newObject();
    body->set("lang", std::string(languageTag(*language)));
    body->set("messages", messages);
    return LocalReply::json(200, *body);
  }
};

class ChoicesHandler final : public LocalHandler {
 public:
  explicit ChoicesHandler(KioskBackend& backend) : backend_(backend) {}
  LocalReply handle(const LocalRequest&) override {
    return {200, "application/json; charset=utf-8", backend_.settings.choices_json};
  }

 private:
  KioskBackend& backend_;
};

class HealthHandler final : public LocalHandler {
 public:
  explicit HealthHandler(KioskBackend& backend) : backend_(backend) {}
  LocalReply handle(const LocalRequest&) override {
    return LocalReply::json(200, *backend_.health());
  }

 private:
  KioskBackend& backend_;
};

// ------------------------------------------------------------------ session

class StartSessionHandler final : public LocalHandler {
 public:
  explicit StartSessionHandler(KioskBackend& backend) : backend_(backend) {}
  LocalReply handle(const LocalRequest& request) override {
    Result<Poco::JSON::Object::Ptr> body = parseBody(request);
    if (!body.ok()) return LocalReply::error(400, body.error());
    // PIPL art. 29 and the facial-recognition rules: separate consent for each kind of
    // sensitive data. Without the ID-card consent the kiosk cannot help at all.
    const bool card = json::boolMember(**body, "consent_id_card").value_or(false);
    const bool face = json::boolMember(**body, "consent_face").value_or(false);
    if (!card) {
      return LocalReply::error(
          422,
          Error::invalidInput("consent to reading the ID card is required", "consent_id_card"));
    }
    KioskSession session = backend_.sessions.start(card, face);
    logger().information(std::string("session started (face consent: ") + (face ? "yes" : "no") +
                         ")");
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("session", session.token);
    reply->set("idle_timeout_seconds", static_cast<int>(backend_.settings.idle_timeout.count()));
    reply->set("idle_warning_seconds", static_cast<int>(backend_.settings.idle_warning.count()));
    return LocalReply::json(201, *reply);
  }

 private:
  KioskBackend& backend_;
};

class TouchSessionHandler final : public LocalHandler {
 public:
  explicit TouchSessionHandler(KioskBackend& backend) : backend_(backend) {}
  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = backend_.sessions.get(request.session);
    if (!session.ok()) return sessionEnded(session.error());
    return LocalReply::noContent();
  }

 private:
  KioskBackend& backend_;
};

class EndSessionHandler final : public LocalHandler {
 public:
  explicit EndSessionHandler(KioskBackend& backend) : backend_(backend) {}
  LocalReply handle(const LocalRequest& request) override {
    backend_.sessions.end(request.session);
    return LocalReply::noContent();
  }

 private:
  KioskBackend& backend_;
};

// ------------------------------------------------------------------ identity

class CardHandler final : public LocalHandler {
 public:
  explicit CardHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = requireSession(backend_, request, Need::kSession);
    if (!session.ok()) return sessionError(session.error());
    if (!session->consent_id_card) {
      return LocalReply::error(403, Error{ErrorCode::kForbidden, "no consent", "consent_id_card"});
    }
    Result<IdCardData> card = backend_.reader.read();
    if (!card.ok()) {
      const Error& error = card.error();
      switch (error.code) {
        case ErrorCode::kNotFound:
          return LocalReply::error(404, Error{error.code, error.message, "card"});
        case ErrorCode::kCorrupt:
          return LocalReply::error(422, Error{error.code, error.message, "card"});
        default:
          logger().warning("ID card reader: " + error.toString());
          return LocalReply::error(503, Error{ErrorCode::kUnavailable, error.message, "card"});
      }
    }
    const CivilDate day = today(backend_.clock);
    if (!card->validOn(day)) {
      return LocalReply::error(
          422, Error{ErrorCode::kRejected, "the ID card is not valid today", "card"});
    }
    // Pre-fill from the people-data platform. The card chip is authoritative for the name and
    // the ID number; the platform adds what may have changed since the card was issued (the
    // registered address). Without an answer the card's own data is the pre-fill.
    std::optional<PersonRecord> record;
    std::string prefill_note;
    Result<PersonRecord> looked_up = backend_.link.lookupPerson(card->id_number);
    if (looked_up.ok()) {
      record = *looked_up;
    } else if (looked_up.error().code != ErrorCode::kNotFound) {
      prefill_note = "unavailable";
      logger().warning("people-data pre-fill failed for " + card->describeForLog() + ": " +
                       looked_up.error().toString());
    }
    Result<KioskSession> updated =
        backend_.sessions.update(request.session, [&](KioskSession& current) {
          if (!current.card || current.card->id_number != card->id_number) {
            current.verification = Verification::kNone;
            current.face_failures = 0;
            current.identity_verification.reset();
          }
          current.card = *card;
          current.people_record = record;
        });
    if (!updated.ok()) return sessionEnded(updated.error());
    logger().information("ID card read: " + card->describeForLog());

    Poco::JSON::Object::Ptr shown = newObject();
    shown->set("name", card->name);
    shown->set("sex", std::string(sexName(card->sex)));
    shown->set("ethnicity", card->ethnicity);
    shown->set("birth_date", card->birth_date.toString());
    shown->set("address", card->address);
    shown->set("id_number_masked", maskIdNumber(card->id_number));
    shown->set("issuing_authority", card->issuing_authority);
    shown->set("valid_from", card->valid_from.toString());
    shown->set("valid_until", card->valid_until ? card->valid_until->toString() : "long_term");
    Poco::JSON::Object::Ptr prefill = newObject();
    prefill->set("source", record ? "people_data" : "card");
    prefill->set("name", record ? record->name : card->name);
    prefill->set("sex",
                 record && !record->sex.empty() ? record->sex : std::string(sexName(card->sex)));
    prefill->set("birth_date", record && !record->birth_date.empty() ? record->birth_date
                                                                     : card->birth_date.toString());
    prefill->set("address", record && !record->address.empty() ? record->address : card->address);
    prefill->set("note", prefill_note);
    Poco::JSON::Object::Ptr body = newObject();
    body->set("card", shown);
    body->set("prefill", prefill);
    body->set("adult", isAdult(card->birth_date, day));
    body->set("verification", std::string(toString(updated->verification)));
    return LocalReply::json(200, *body);
  }

 private:
  KioskBackend& backend_;
};

class FaceCheckHandler final : public LocalHandler {
 public:
  explicit FaceCheckHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = requireSession(backend_, request, Need::kCard);
    if (!session.ok()) return sessionError(session.error());
    if (!session->consent_face) {
      return LocalReply::error(
          403, Error{ErrorCode::kForbidden, "no consent to the face check", "consent_face"});
    }
    const int max_attempts = backend_.settings.max_face_attempts;
    if (session->face_failures >= max_attempts) {
      return LocalReply::error(
          409, Error{ErrorCode::kConflict, "too many attempts; ask staff to verify", "face"});
    }
    Result<FaceCheck> check = backend_.camera.verify(session->card->photo_reference);
    if (!check.ok()) {
      const Error& error = check.error();
      logger().warning("face check: " + error.toString());
      return LocalReply::error(error.code == ErrorCode::kTimeout ? 504 : 503,
                               Error{error.code, error.message, "face"});
    }
    // The reference travels with the application, whose form allows 1-64 bytes: a driver that
    // breaks that would otherwise have every submission refused later, after the applicant left.
    if (check->check_reference.empty() ||
        check->check_reference.size() > IdentityVerification::kMaxReferenceLength) {
      logger().error("face camera returned an unusable check reference (" +
                     std::to_string(check->check_reference.size()) + " bytes)");
      return LocalReply::error(
          503, Error{ErrorCode::kUnavailable, "the face camera is not working properly", "face"});
    }
    Result<KioskSession> updated =
        backend_.sessions.update(request.session, [&](KioskSession& current) {
          if (check->matched) {
            current.verification = Verification::kFace;
            current.identity_verification =
                IdentityVerification{.method = VerificationMethod::kFace,
                                     .match_score = check->match_score,
                                     .liveness_passed = check->liveness_passed,
                                     .reference = check->check_reference,
                                     .staff_verifier = {},
                                     .verified_at = backend_.clock.now()};
          } else {
            ++current.face_failures;
          }
        });
    if (!updated.ok()) return sessionEnded(updated.error());
    // The reference, not the image, goes to the log: staff can find the local record.
    logger().information("face check " + check->check_reference + " for " +
                         session->card->describeForLog() +
                         (check->matched ? ": matched" : ": not matched"));
    Poco::JSON::Object::Ptr body = newObject();
    body->set("matched", check->matched);
    body->set("liveness_passed", check->liveness_passed);
    body->set("attempts_left", std::max(0, max_attempts - updated->face_failures));
    return LocalReply::json(200, *body);
  }

 private:
  KioskBackend& backend_;
};

class StaffVerifyHandler final : public LocalHandler {
 public:
  explicit StaffVerifyHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = requireSession(backend_, request, Need::kCard);
    if (!session.ok()) return sessionError(session.error());
    const KioskUiSettings& settings = backend_.settings;
    if (settings.staff_code.empty()) {
      return LocalReply::error(
          403, Error{ErrorCode::kForbidden, "staff verification is not set up at this kiosk",
                     "staff_code"});
    }
    if (session->staff_failures >= settings.max_staff_attempts) {
      return LocalReply::error(
          429, Error{ErrorCode::kForbidden, "too many wrong staff codes", "staff_code"});
    }
    Result<Poco::JSON::Object::Ptr> body = parseBody(request);
    if (!body.ok()) return LocalReply::error(400, body.error());
    const std::string given = json::stringMember(**body, "staff_code").value_or("");
    // The employee's own id travels with the application so the officer reviewing it knows
    // who vouched for the applicant; the staff code is the kiosk's secret and never does.
    const std::string staff_id = json::stringMember(**body, "staff_id").value_or("");
    if (staff_id.size() > IdentityVerification::kMaxReferenceLength) {
      return LocalReply::error(
          400, Error::invalidInput("the staff id is at most 64 characters", "staff_id"));
    }
    const bool accepted = equalCodes(given, settings.staff_code);
    // Names this staff check in the agent's log and in the application, as "fc-..." names a
    // face check.
    const std::string reference = "sv-" + crypto::randomBase32Id(16);
    Result<KioskSession> updated =
        backend_.sessions.update(request.session, [&](KioskSession& current) {
          if (accepted) {
            current.verification = Verification::kStaff;
            current.identity_verification =
                IdentityVerification{.method = VerificationMethod::kStaff,
                                     .match_score = 0,
                                     .liveness_passed = false,
                                     .reference = reference,
                                     .staff_verifier = staff_id,
                                     .verified_at = backend_.clock.now()};
          } else {
            ++current.staff_failures;
          }
        });
    if (!updated.ok()) return sessionEnded(updated.error());
    if (!accepted) {
      logger().warning("wrong staff code entered");
      return LocalReply::error(403, Error{ErrorCode::kForbidden, "wrong staff code", "staff_code"});
    }
    logger().information("identity confirmed by staff (" + reference + ", staff id " +
                         (staff_id.empty() ? std::string("not given") : staff_id) + ") for " +
                         session->card->describeForLog());
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("verification", "staff");
    return LocalReply::json(200, *reply);
  }

 private:
  KioskBackend& backend_;
};

// ------------------------------------------------------------------ the application

class NameCheckHandler final : public LocalHandler {
 public:
  explicit NameCheckHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = requireSession(backend_, request, Need::kSession);
    if (!session.ok()) return sessionError(session.error());
    Result<Poco::JSON::Object::Ptr> body = parseBody(request);
    if (!body.ok()) return LocalReply::error(400, body.error());
    const std::string name = json::stringMember(**body, "name").value_or("");
    const std::string division = json::stringMember(**body, "division_code").value_or("");
    std::optional<size_t> length = utf8Length(name);
    if (!length || *length < 2 || *length > 50) {
      return LocalReply::error(
          400, Error::invalidInput("the name must be 2-50 characters", "enterprise.name"));
    }
    Result<NameCheckAnswer> answer = backend_.link.checkName(name, division);
    if (!answer.ok()) {
      // The screen says the name will be checked after submission; it never blocks on this.
      logger().warning("name check: " + answer.error().toString());
      return LocalReply::error(
          503, Error{ErrorCode::kUnavailable, answer.error().message, "enterprise.name"});
    }
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("result", answer->result);
    reply->set("detail", answer->detail);
    return LocalReply::json(200, *reply);
  }

 private:
  KioskBackend& backend_;
};

// The form of the request as an Application, or the 422 problems array.
Result<Application> formApplication(KioskBackend& backend, const KioskSession& session,
                                    const LocalRequest& request, Poco::JSON::Array::Ptr& problems) {
  Result<Poco::JSON::Object::Ptr> form = parseBody(request);
  if (!form.ok()) return form.error();
  FormContext context{backend.settings.kiosk_id, backend.settings.bank_code, *session.card};
  Result<Application> application = applicationFromKioskForm(**form, context);
  if (!application.ok()) {
    problems = formErrorJson(application.error());
    return application;
  }
  application->identity_verification = session.identity_verification;
  problems = problemsJson(validateApplication(*application, today(backend.clock)));
  return application;
}

class ValidateHandler final : public LocalHandler {
 public:
  explicit ValidateHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = requireSession(backend_, request, Need::kVerified);
    if (!session.ok()) return sessionError(session.error());
    Poco::JSON::Array::Ptr problems;
    Result<Application> application = formApplication(backend_, *session, request, problems);
    if (problems.isNull()) return LocalReply::error(400, application.error());
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("problems", problems);
    return LocalReply::json(200, *reply);
  }

 private:
  KioskBackend& backend_;
};

class SubmitHandler final : public LocalHandler {
 public:
  explicit SubmitHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<KioskSession> session = requireSession(backend_, request, Need::kVerified);
    if (!session.ok()) return sessionError(session.error());
    Poco::JSON::Array::Ptr problems;
    Result<Application> application = formApplication(backend_, *session, request, problems);
    if (problems.isNull()) return LocalReply::error(400, application.error());
    if (problems->size() > 0) return LocalReply::problems(problems);

    // Durable first: only once the queue has fsynced the submission may the screen say
    // "received". The key is per session, so a second tap on "submit" queues nothing new.
    const std::string key = backend_.settings.kiosk_id + "-" + session->idempotency_key;
    const std::string body = json::stringify(*toJson(*application));
    Result<QueuedSubmission> queued = backend_.queue.enqueue(key, body);
    if (!queued.ok()) {
      const Error& error = queued.error();
      logger().error("could not queue a submission: " + error.toString());
      if (error.code == ErrorCode::kConflict) {
        return LocalReply::error(
            409, Error::conflict("this session already submitted a different application"));
      }
      return LocalReply::error(503, Error::unavailable("the kiosk could not store the "
                                                       "application; please try again"));
    }
    Result<KioskSession> updated =
        backend_.sessions.update(request.session, [&](KioskSession& current) {
          current.submitted_reference = queued->local_id;
          current.company_name = application->enterprise.name;
        });
    if (backend_.submitted) backend_.submitted();
    logger().information("application received as " + queued->local_id + " (sequence " +
                         std::to_string(queued->sequence) + ")");
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("reference", queued->local_id);
    reply->set("state", "queued");
    // The session may have expired in the meantime; the submission is queued regardless.
    reply->set("session_active", updated.ok());
    return LocalReply::json(202, *reply);
  }

 private:
  KioskBackend& backend_;
};

// The session's own submission, or an error reply.
Result<SubmissionRecord> ownSubmission(KioskBackend& backend, const LocalRequest& request,
                                       LocalReply& failure) {
  Result<KioskSession> session = requireSession(backend, request, Need::kSession);
  if (!session.ok()) {
    failure = sessionError(session.error());
    return session.error();
  }
  const std::string reference = request.param("ref");
  if (session->submitted_reference != reference) {
    // Only the applicant who submitted it sees it, and only during the session.
    failure = LocalReply::error(404, Error::notFound("no such submission in this session"));
    return Error::notFound("not this session's submission");
  }
  Result<SubmissionRecord> record = backend.queue.find(reference);
  if (!record.ok()) {
    failure =
        LocalReply::error(record.error().code == ErrorCode::kNotFound ? 404 : 503, record.error());
  }
  return record;
}

std::string_view screenState(SubmissionState state) {
  switch (state) {
    case SubmissionState::kPending:
      return "queued";
    case SubmissionState::kForwarded:
      return "forwarded";
    case SubmissionState::kFailedPermanent:
      return "failed";
  }
  return "queued";
}

class SubmissionHandler final : public LocalHandler {
 public:
  explicit SubmissionHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    LocalReply failure;
    Result<SubmissionRecord> record = ownSubmission(backend_, request, failure);
    if (!record.ok()) return failure;
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("reference", record->local_id);
    reply->set("state", std::string(screenState(record->state)));
    reply->set("attempts", record->attempts);
    reply->set("application_id", record->application_id);
    reply->set("status_url", record->application_id.empty()
                                 ? std::string()
                                 : statusUrl(backend_.settings, record->application_id));
    if (record->state == SubmissionState::kFailedPermanent) {
      reply->set("failure", record->last_error);
    }
    if (record->state == SubmissionState::kForwarded) {
      Result<ApplicationView> view = backend_.link.status(record->application_id);
      if (view.ok()) {
        reply->set("status", toJson(*view));
      } else {
        reply->set("status", Poco::Dynamic::Var());
        reply->set("status_error", std::string(errorCodeName(view.error().code)));
      }
    }
    return LocalReply::json(200, *reply);
  }

 private:
  KioskBackend& backend_;
};

class ReceiptHandler final : public LocalHandler {
 public:
  explicit ReceiptHandler(KioskBackend& backend) : backend_(backend) {}

  LocalReply handle(const LocalRequest& request) override {
    LocalReply failure;
    Result<SubmissionRecord> record = ownSubmission(backend_, request, failure);
    if (!record.ok()) return failure;
    if (record->state != SubmissionState::kForwarded) {
      return LocalReply::error(409, Error::conflict("the application number is not known yet"));
    }
    Result<KioskSession> session = backend_.sessions.get(request.session);
    const std::string company = session.ok() ? session->company_name : "";

    Receipt receipt;
    receipt.application_number = record->application_id;
    receipt.qr_payload = statusUrl(backend_.settings, record->application_id);
    receipt.issued_at = backend_.clock.now();
    receipt.lines.push_back(
        {"企业开办申请已受理", "Your company start-up application is received"});
    if (!company.empty()) receipt.lines.push_back({"企业名称：" + company, "Company: " + company});
    Result<ApplicationView> view = backend_.link.status(record->application_id);
    if (view.ok() && !view->deadline.empty()) {
      const std::string date = view->deadline.substr(0, 16);
      receipt.lines.push_back({"承诺办结时间：" + date, "Promised by: " + date});
    }
    receipt.lines.push_back({"办理结果将以短信通知", "We will text you at each step"});
    receipt.lines.push_back({"扫描二维码查询办理进度", "Scan the QR code to track progress"});

    Result<void> printed = backend_.printer.print(receipt);
    if (!printed.ok()) logger().warning("receipt not printed: " + printed.error().toString());
    Poco::JSON::Object::Ptr reply = newObject();
    reply->set("printed", printed.ok());
    reply->set("print_error", printed.ok() ? std::string() : printed.error().message);
    reply->set("application_number", receipt.application_number);
    reply->set("qr_payload", receipt.qr_payload);
    return LocalReply::json(200, *reply);
  }

 private:
  KioskBackend& backend_;
};

// ------------------------------------------------------------------ simulated devices

class SimCardHandler final : public LocalHandler {
 public:
  explicit SimCardHandler(SimulatedDeviceSet devices) : devices_(devices) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<Poco::JSON::Object::Ptr> body = parseBody(request);
    if (!body.ok()) return LocalReply::error(400, body.error());
    const std::string action = json::stringMember(**body, "action").value_or("");
    if (action == "remove") {
      devices_.reader.remove();
    } else if (action == "unreadable") {
      devices_.reader.setUnreadable();
    } else if (action == "insert") {
      Result<void> inserted = ok();
      if (std::optional<std::string> id = json::stringMember(**body, "id_number")) {
        inserted = devices_.reader.insertFromDeck(*id);
      } else {
        const int64_t index = json::intMember(**body, "index").value_or(0);
        if (index < 0) return LocalReply::error(400, Error::invalidInput("bad index", "index"));
        inserted = devices_.reader.insertFromDeck(static_cast<size_t>(index));
      }
      if (!inserted.ok()) return LocalReply::error(404, inserted.error());
    } else {
      return LocalReply::error(
          400, Error::invalidInput("action is insert, remove or unreadable", "action"));
    }
    return LocalReply::noContent();
  }

 private:
  SimulatedDeviceSet devices_;
};

class SimCardsHandler final : public LocalHandler {
 public:
  explicit SimCardsHandler(SimulatedDeviceSet devices) : devices_(devices) {}

  LocalReply handle(const LocalRequest&) override {
    Poco::JSON::Array::Ptr cards = new Poco::JSON::Array;
    const std::vector<IdCardData>& deck = devices_.reader.deck();
    for (size_t i = 0; i < deck.size(); ++i) {
      Poco::JSON::Object::Ptr card = newObject();
      card->set("index", static_cast<int>(i));
      card->set("name", deck[i].name);
      card->set("id_number", deck[i].id_number);  // fictional people of the simulated deck
      cards->add(card);
    }
    Poco::JSON::Object::Ptr body = newObject();
    body->set("cards", cards);
    body->set("card_present", devices_.reader.cardPresent());
    return LocalReply::json(200, *body);
  }

 private:
  SimulatedDeviceSet devices_;
};

class SimFaceHandler final : public LocalHandler {
 public:
  explicit SimFaceHandler(SimulatedDeviceSet devices) : devices_(devices) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<Poco::JSON::Object::Ptr> body = parseBody(request);
    if (!body.ok()) return LocalReply::error(400, body.error());
    if (json::stringMember(**body, "error") == "timeout") {
      devices_.camera.setNextError(Error::timeout("no face was presented in time"));
      return LocalReply::noContent();
    }
    SimulatedFace face;
    face.live = json::boolMember(**body, "live").value_or(true);
    face.score = json::numberMember(**body, "score").value_or(0.95);
    if (face.score < 0 || face.score > 1) {
      return LocalReply::error(400, Error::invalidInput("score must be in [0, 1]", "score"));
    }
    devices_.camera.setNextResult(face);
    return LocalReply::noContent();
  }

 private:
  SimulatedDeviceSet devices_;
};

class SimDeviceHandler final : public LocalHandler {
 public:
  explicit SimDeviceHandler(SimulatedDeviceSet devices) : devices_(devices) {}

  LocalReply handle(const LocalRequest& request) override {
    Result<Poco::JSON::Object::Ptr> body = parseBody(request);
    if (!body.ok()) return LocalReply::error(400, body.error());
    const std::string device = json::stringMember(**body, "device").value_or("");
    Result<DeviceStatus> status =
        parseDeviceStatus(json::stringMember(**body, "status").value_or(""));
    if (!status.ok()) return LocalReply::error(400, status.error());
    const std::string detail = json::stringMember(**body, "detail").value_or("");
    if (device == kIdCardReaderDevice) {
      devices_.reader.setStatus(*status, detail);
    } else if (device == kFaceCameraDevice) {
      devices_.camera.setStatus(*status, detail);
    } else if (device == kReceiptPrinterDevice) {
      devices_.printer.setStatus(*status, detail);
    } else {
      return LocalReply::error(400, Error::invalidInput("unknown device", "device"));
    }
    return LocalReply::noContent();
  }

 private:
  SimulatedDeviceSet devices_;
};

class SimReceiptsHandler final : public LocalHandler {
 public:
  explicit SimReceiptsHandler(SimulatedDeviceSet devices) : devices_(devices) {}

  LocalReply handle(const LocalRequest&) override {
    Poco::JSON::Array::Ptr receipts = new Poco::JSON::Array;
    for (const Receipt& receipt : devices_.printer.printed()) {
      Poco::JSON::Object::Ptr item = newObject();
      item->set("application_number", receipt.application_number);
      item->set("qr_payload", receipt.qr_payload);
      Poco::JSON::Array::Ptr lines = new Poco::JSON::Array;
      for (const ReceiptLine& line : receipt.lines) {
        Poco::JSON::Object::Ptr text = newObject();
        text->set("zh", line.zh);
        text->set("en", line.en);
        lines->add(text);
      }
      item->set("lines", lines);
      receipts->add(item);
    }
    Poco::JSON::Object::Ptr body = newObject();
    body->set("receipts", receipts);
    return LocalReply::json(200, *body);
  }

 private:
  SimulatedDeviceSet devices_;
};

}  // namespace

std::string maskIdNumber(std::string_view id_number) {
  if (id_number.size() <= 8) return std::string(id_number.size(), '*');
  return std::string(id_number.substr(0, 4)) + std::string(id_number.size() - 8, '*') +
         std::string(id_number.substr(id_number.size() - 4));
}

std::shared_ptr<LocalRoutes> makeLocalRoutes(KioskBackend& backend,
                                             const std::shared_ptr<const StaticAssets>& assets) {
  auto routes = std::make_shared<LocalRoutes>();
  StaticAssets::addRoutes(assets, *routes);
  routes->add("GET", "/local/config", std::make_shared<ConfigHandler>(backend));
  routes->add("GET", "/local/messages", std::make_shared<MessagesHandler>());
  routes->add("GET", "/local/choices", std::make_shared<ChoicesHandler>(backend));
  routes->add("GET", "/local/health", std::make_shared<HealthHandler>(backend));
  routes->add("POST", "/local/session", std::make_shared<StartSessionHandler>(backend));
  routes->add("POST", "/local/session/touch", std::make_shared<TouchSessionHandler>(backend));
  routes->add("POST", "/local/session/end", std::make_shared<EndSessionHandler>(backend));
  routes->add("GET", "/local/card", std::make_shared<CardHandler>(backend));
  routes->add("POST", "/local/face-check", std::make_shared<FaceCheckHandler>(backend));
  routes->add("POST", "/local/staff-verify", std::make_shared<StaffVerifyHandler>(backend));
  routes->add("POST", "/local/name-check", std::make_shared<NameCheckHandler>(backend));
  routes->add("POST", "/local/validate", std::make_shared<ValidateHandler>(backend));
  routes->add("POST", "/local/submit", std::make_shared<SubmitHandler>(backend));
  routes->add("GET", "/local/submissions/{ref}", std::make_shared<SubmissionHandler>(backend));
  routes->add("POST", "/local/submissions/{ref}/receipt",
              std::make_shared<ReceiptHandler>(backend));
  if (backend.simulated) {
    const SimulatedDeviceSet devices = *backend.simulated;
    routes->add("GET", "/local/sim/cards", std::make_shared<SimCardsHandler>(devices));
    routes->add("POST", "/local/sim/card", std::make_shared<SimCardHandler>(devices));
    routes->add("POST", "/local/sim/face", std::make_shared<SimFaceHandler>(devices));
    routes->add("POST", "/local/sim/device", std::make_shared<SimDeviceHandler>(devices));
    routes->add("GET", "/local/sim/receipts", std::make_shared<SimReceiptsHandler>(devices));
  }
  return routes;
}

}  // namespace kaiban::agent
