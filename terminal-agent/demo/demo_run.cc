#include "terminal-agent/demo/demo_run.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <ctime>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include "adapters/transport/https_client.h"
#include "adapters/transport/tls.h"
#include "bench/kyc_bot.h"
#include "core/clock.h"
#include "terminal-agent/demo/demo_form.h"
#include "terminal-agent/link/json_text.h"

namespace kaiban::agent::demo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kConsoleApi = "/console/api/v1";
constexpr std::string_view kSessionCookie = "__Host-kaiban_console=";
constexpr int kMaxCount = 1000;
// ApplicationGenerator accepts sequence numbers below 2.5 million and salts below 40.
constexpr std::int64_t kSequenceSlots = 2'500;
constexpr std::int64_t kSequencesPerSlot = kMaxCount;
constexpr std::int64_t kSalts = 40;

struct Url {
  std::string host;
  int port = 0;
};

Result<Url> parseUrl(const std::string& text, std::string_view scheme, const std::string& option) {
  try {
    const Poco::URI uri(text);
    if (uri.getScheme() != scheme || uri.getHost().empty()) {
      return Error::invalidInput(option + " must be a " + std::string(scheme) +
                                     "://host:port address, not \"" + text + "\"",
                                 option);
    }
    return Url{uri.getHost(), uri.getPort()};
  } catch (const Poco::Exception& error) {
    return Error::invalidInput(option + " \"" + text + "\": " + error.displayText(), option);
  }
}

Result<std::chrono::seconds> parseTimeout(const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [rest, problem] = std::from_chars(text.data(), end, value);
  const std::string unit(rest, end);
  int scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m") scale = 60;
  if (problem != std::errc() || scale == 0 || value <= 0) {
    return Error::invalidInput("--timeout must be a positive number of seconds (600, 600s or 10m)",
                               "--timeout");
  }
  return std::chrono::seconds(value * scale);
}

// "HTTP 422: <message> (field)", or the transport error, for messages an operator reads.
std::string describe(const Result<transport::Response>& answer) {
  if (!answer.ok()) return answer.error().message;
  std::string text = "HTTP " + std::to_string(answer->status);
  Result<Poco::JSON::Object::Ptr> body = json::parseObject(answer->body, "the answer");
  if (!body.ok()) return text;
  if (Poco::JSON::Object::Ptr error = json::objectMember(**body, "error")) {
    text += ": " + json::stringMember(*error, "message").value_or("");
    const std::string field = json::stringMember(*error, "field").value_or("");
    if (!field.empty()) text += " (" + field + ")";
  }
  if (Poco::JSON::Array::Ptr problems = json::arrayMember(**body, "problems")) {
    for (size_t i = 0; i < problems->size(); ++i) {
      Poco::JSON::Object::Ptr problem = problems->getObject(static_cast<unsigned>(i));
      if (!problem) continue;
      text += "; " + json::stringMember(*problem, "field").value_or("") + " " +
              json::stringMember(*problem, "key").value_or("");
    }
  }
  return text;
}

// One sample application as the demo follows it.
struct Tracked {
  std::string label;           // "#2"
  std::string name;            // the company name typed into the form
  std::string reference;       // the agent's local reference, once it accepted the form
  std::string application_id;  // once forwarded
  std::string state = "waiting";
  std::string detail;  // where it stands or why it stopped

  bool completed() const { return state == "completed"; }
  // Nothing more will happen to it on its own.
  bool finished() const {
    return completed() || state == "rejected" || state == "cancelled" || state == "kiosk_failed";
  }
  bool needsAttention() const { return state == "needs_attention" || (finished() && !completed()); }
};

// The applications and the counters the progress line shows. Thread-safe.
class Board {
 public:
  explicit Board(int count) : tracked_(static_cast<size_t>(count)) {
    for (int i = 0; i < count; ++i)
      tracked_[static_cast<size_t>(i)].label = "#" + std::to_string(i + 1);
  }

  template <typename Change>
  void update(int index, Change change) {
    std::lock_guard lock(mutex_);
    change(tracked_[static_cast<size_t>(index)]);
  }
  std::vector<Tracked> snapshot() const {
    std::lock_guard lock(mutex_);
    return tracked_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Tracked> tracked_;
};

// The kiosk agent's local API, called as the screen's JavaScript calls it.
class KioskScreen {
 public:
  KioskScreen(const Url& agent, const Clock& clock)
      : client_(transport::Endpoint{agent.host, agent.port, "kiosk agent"}, nullptr,
                transport::ClientOptions{}, clock) {}

  Result<transport::Response> get(const std::string& path, const std::string& session = "") {
    return client_.get(path, headers(session));
  }
  Result<transport::Response> post(const std::string& path, const Poco::JSON::Object& body,
                                   const std::string& session = "") {
    return client_.post(path, json::stringify(body), "application/json", headers(session));
  }

 private:
  static transport::Headers headers(const std::string& session) {
    transport::Headers headers;
    if (!session.empty()) headers.emplace("X-Kiosk-Session", session);
    return headers;
  }

  transport::HttpsClient client_;
};

// The JSON object of a 2xx answer, or an Error describing the answer.
Result<Poco::JSON::Object::Ptr> objectOf(const Result<transport::Response>& answer,
                                         int expected_status, const std::string& what) {
  if (!answer.ok() || answer->status != expected_status) {
    return Error::unavailable(what + ": " + describe(answer));
  }
  return json::parseObject(answer->body, what);
}

// The bank officer's reading side of the staff console: the application's status.
class ConsoleReader {
 public:
  ConsoleReader(const Url& console, const std::filesystem::path& ca_file, std::string user,
                std::string password, const Clock& clock)
      : client_(transport::Endpoint{console.host, console.port, "console"},
                transport::makeClientContext(transport::TlsFiles{
                    .ca = ca_file, .certificate = {}, .private_key = {}, .crl = std::nullopt}),
                transport::ClientOptions{}, clock),
        user_(std::move(user)),
        password_(std::move(password)) {}

  Result<void> login() {
    Poco::JSON::Object credentials;
    credentials.set("user", user_);
    credentials.set("password", password_);
    Result<transport::Response> answer = client_.post(
        std::string(kConsoleApi) + "/login", json::stringify(credentials), "application/json");
    if (!answer.ok()) {
      return Error{answer.error().code, "console login as " + user_ + ": " + describe(answer), {}};
    }
    if (answer->status != 200) {
      return Error::forbidden("console login as " + user_ + " failed: " + describe(answer));
    }
    auto cookie = answer->headers.find("Set-Cookie");
    const std::size_t at =
        cookie == answer->headers.end() ? std::string::npos : cookie->second.find(kSessionCookie);
    if (at == std::string::npos) {
      return Error::corrupt("console login as " + user_ + " gave no session cookie");
    }
    cookie_ = cookie->second.substr(at, cookie->second.find(';', at) - at);
    return Result<void>();
  }

  // The status shape of application `id` (docs/api/kiosk-api.md, the staff's full form).
  Result<Poco::JSON::Object::Ptr> status(const std::string& id) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (cookie_.empty()) {
        Result<void> logged_in = login();
        if (!logged_in.ok()) return logged_in.error();
      }
      Result<transport::Response> answer =
          client_.get(std::string(kConsoleApi) + "/bank/applications/" + id, {{"Cookie", cookie_}});
      if (answer.ok() && answer->status == 401) {  // the console session expired
        cookie_.clear();
        continue;
      }
      Result<Poco::JSON::Object::Ptr> body = objectOf(answer, 200, "the console's " + id);
      if (!body.ok()) return body.error();
      Poco::JSON::Object::Ptr application = json::objectMember(**body, "application");
      if (!application) return Error::corrupt("the console's " + id + " has no \"application\"");
      return application;
    }
    return Error::unavailable("the console keeps refusing the session of " + user_);
  }

 private:
  transport::HttpsClient client_;
  std::string user_;
  std::string password_;
  std::string cookie_;
};

// "seal: acknowledged" for the first step not done yet, and the applicant's attention
// sentences: what an operator needs to see of a stuck application.
std::string whereItStands(const Poco::JSON::Object& status) {
  std::string text;
  if (Poco::JSON::Array::Ptr steps = json::arrayMember(status, "steps")) {
    for (size_t i = 0; i < steps->size(); ++i) {
      Poco::JSON::Object::Ptr step = steps->getObject(static_cast<unsigned>(i));
      if (!step) continue;
      const std::string state = json::stringMember(*step, "state").value_or("");
      if (state == "done") continue;
      text = json::stringMember(*step, "id").value_or("?") + ": " + state;
      if (Poco::JSON::Object::Ptr task = json::objectMember(*step, "human_task")) {
        text += " (" + json::stringMember(*task, "kind").value_or("") + " " +
                json::stringMember(*task, "state").value_or("") + ")";
      }
      break;
    }
  }
  if (Poco::JSON::Array::Ptr attention = json::arrayMember(status, "attention")) {
    for (size_t i = 0; i < attention->size(); ++i) {
      text +=
          (text.empty() ? "" : "; ") + attention->getElement<std::string>(static_cast<unsigned>(i));
    }
  }
  return text;
}

class Demo {
 public:
  Demo(const DemoOptions& options, const Url& agent, const Url& console, std::ostream& out,
       bool tty)
      : options_(options),
        out_(out),
        tty_(tty),
        screen_(agent, clock_),
        console_(console, options.ca_file, options.console_user, options.console_password, clock_),
        board_(options.count),
        console_port_(console.port) {}

  int run() {
    Result<void> ready = prepare();
    if (!ready.ok()) {
      out_ << "kaiban-demo: " << ready.error().message << "\n";
      return 2;
    }
    // The generator's names are unique per (salt, sequence): this run's slot comes from the
    // clock, so a later run against the same simulator database does not reuse a name the
    // registry already holds.
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const std::int64_t base = now % kSequenceSlots * kSequencesPerSlot;
    DemoFormMaker forms(static_cast<std::uint64_t>(now),
                        static_cast<int>(now / kSequenceSlots % kSalts), choices_);

    bench::KycBot bot(options_.ca_file, console_port_,
                      {bench::StaffLogin{options_.console_user, options_.console_password}});
    const SteadyTime started = clock_.steadyNow();
    const SteadyTime deadline = started + options_.timeout;
    std::thread driver([&] {
      for (int i = 0; i < options_.count && !stopping_; ++i)
        feed(i, forms.make(base + i), deadline);
      fed_ = true;
    });

    int result = 1;
    SteadyTime last_line{};
    for (;;) {
      follow();
      const std::vector<Tracked> now_tracked = board_.snapshot();
      // The bot polls the console continuously; it runs only while a review may be open.
      const bool reviews_possible = std::ranges::any_of(
          now_tracked, [](const Tracked& t) { return !t.application_id.empty() && !t.finished(); });
      reviews_possible ? bot.resume() : bot.pause();

      const bool all_completed = std::ranges::all_of(now_tracked, &Tracked::completed);
      const bool all_finished = fed_ && std::ranges::all_of(now_tracked, &Tracked::finished);
      const bool timed_out = clock_.steadyNow() >= deadline;
      const std::string line = progress(now_tracked, clock_.steadyNow() - started, bot);
      if (tty_) {
        out_ << "\r" << line << "\033[K" << std::flush;
      } else if (all_finished || timed_out || clock_.steadyNow() - last_line >= 5s) {
        out_ << line << "\n" << std::flush;
        last_line = clock_.steadyNow();
      }
      if (all_completed) {
        result = 0;
        break;
      }
      if (all_finished || timed_out) break;
      std::this_thread::sleep_for(1s);
    }
    stopping_ = true;
    driver.join();
    bot.stop();
    if (tty_) out_ << "\n";
    report(result, bot);
    return result;
  }

 private:
  // Checks that the agent (with simulated devices) and the console answer, and reads the
  // kiosk's choices and card deck.
  Result<void> prepare() {
    Result<Poco::JSON::Object::Ptr> config =
        objectOf(screen_.get("/local/config"), 200, "the agent's /local/config");
    if (!config.ok()) return config.error();
    kiosk_id_ = json::stringMember(**config, "kiosk_id").value_or("?");
    Result<Poco::JSON::Object::Ptr> cards = objectOf(
        screen_.get("/local/sim/cards"), 200,
        "the agent's simulated card reader (is the agent running with simulated devices?)");
    if (!cards.ok()) return cards.error();
    Poco::JSON::Array::Ptr deck = json::arrayMember(**cards, "cards");
    deck_size_ = deck ? static_cast<int>(deck->size()) : 0;
    if (deck_size_ == 0) return Error::invalidInput("the simulated card deck is empty");

    Result<Poco::JSON::Object::Ptr> choices =
        objectOf(screen_.get("/local/choices"), 200, "the agent's /local/choices");
    if (!choices.ok()) return choices.error();
    auto collect = [&](const char* list, const char* key, std::vector<std::string>& into) {
      if (Poco::JSON::Array::Ptr items = json::arrayMember(**choices, list)) {
        for (size_t i = 0; i < items->size(); ++i) {
          Poco::JSON::Object::Ptr item = items->getObject(static_cast<unsigned>(i));
          if (item && json::stringMember(*item, key))
            into.push_back(*json::stringMember(*item, key));
        }
      }
    };
    collect("divisions", "code", choices_.divisions);
    collect("seal_shops", "id", choices_.seal_shops);
    if (choices_.divisions.empty() || choices_.seal_shops.empty()) {
      return Error::invalidInput("the kiosk offers no divisions or no seal shops");
    }
    // The console may open its port a moment after the kiosk API the agent waited for.
    Result<void> logged_in = console_.login();
    for (int attempt = 0;
         attempt < 30 && !logged_in.ok() && logged_in.error().code != ErrorCode::kForbidden;
         ++attempt) {
      std::this_thread::sleep_for(500ms);
      logged_in = console_.login();
    }
    return logged_in;
  }

  // One application at the kiosk, start to forwarded. Failures are recorded on the board.
  void feed(int index, const Poco::JSON::Object::Ptr& form, SteadyTime deadline) {
    const std::string name =
        json::stringMember(*json::objectMember(*form, "enterprise"), "name").value_or("");
    board_.update(index, [&](Tracked& t) {
      t.name = name;
      t.state = "at_kiosk";
    });
    std::string session;
    Result<std::string> reference = visit(*form, session);
    if (reference.ok()) {
      board_.update(index, [&](Tracked& t) {
        t.reference = *reference;
        t.state = "queued";
      });
      Result<std::string> application_id = awaitForwarded(*reference, session, deadline);
      if (application_id.ok()) {
        board_.update(index, [&](Tracked& t) {
          t.application_id = *application_id;
          t.state = "submitted";
        });
      } else {
        board_.update(index, [&](Tracked& t) {
          t.state = application_id.error().code == ErrorCode::kRejected ? "kiosk_failed" : "queued";
          t.detail = application_id.error().message;
        });
      }
    } else {
      board_.update(index, [&](Tracked& t) {
        t.state = "kiosk_failed";
        t.detail = reference.error().message;
      });
    }
    Poco::JSON::Object empty;
    if (!session.empty()) (void)screen_.post("/local/session/end", empty, session);
    Poco::JSON::Object remove;
    remove.set("action", "remove");
    (void)screen_.post("/local/sim/card", remove);
  }

  // Consent, card, face, form: the agent's local reference for the submission.
  Result<std::string> visit(const Poco::JSON::Object& form, std::string& session) {
    Poco::JSON::Object consent;
    consent.set("consent_id_card", true);
    consent.set("consent_face", true);
    Result<Poco::JSON::Object::Ptr> started =
        objectOf(screen_.post("/local/session", consent), 201, "starting a session");
    if (!started.ok()) return started.error();
    session = json::stringMember(**started, "session").value_or("");

    Result<void> card = insertReadableCard(session);
    if (!card.ok()) return card.error();

    Poco::JSON::Object face;
    face.set("live", true);
    face.set("score", 0.97);
    Result<transport::Response> set_face = screen_.post("/local/sim/face", face);
    if (!set_face.ok() || set_face->status / 100 != 2) {
      return Error::unavailable("setting the simulated face: " + describe(set_face));
    }
    Poco::JSON::Object none;
    Result<Poco::JSON::Object::Ptr> checked =
        objectOf(screen_.post("/local/face-check", none, session), 200, "the face check");
    if (!checked.ok()) return checked.error();
    if (!json::boolMember(**checked, "matched").value_or(false) ||
        !json::boolMember(**checked, "liveness_passed").value_or(false)) {
      return Error::rejected("the face check did not pass: " + json::stringify(**checked));
    }

    Result<Poco::JSON::Object::Ptr> submitted =
        objectOf(screen_.post("/local/submit", form, session), 202, "submitting the form");
    if (!submitted.ok()) return submitted.error();
    return json::stringMember(**submitted, "reference").value_or("");
  }

  // Inserts the deck's cards in turn until one reads and belongs to an adult (the deck holds
  // a few that do not, to show the screen's refusals).
  Result<void> insertReadableCard(const std::string& session) {
    std::string last_problem;
    for (int tries = 0; tries < deck_size_; ++tries) {
      Poco::JSON::Object remove;
      remove.set("action", "remove");
      (void)screen_.post("/local/sim/card", remove);
      Poco::JSON::Object insert;
      insert.set("action", "insert");
      insert.set("index", next_card_++ % deck_size_);
      Result<transport::Response> inserted = screen_.post("/local/sim/card", insert);
      if (!inserted.ok() || inserted->status / 100 != 2) {
        return Error::unavailable("inserting a simulated card: " + describe(inserted));
      }
      Result<transport::Response> read = screen_.get("/local/card", session);
      if (read.ok() && read->status == 200) {
        Result<Poco::JSON::Object::Ptr> body = json::parseObject(read->body, "the card");
        if (body.ok() && json::boolMember(**body, "adult").value_or(false)) return Result<void>();
        last_problem = "the card holder is not an adult";
      } else {
        last_problem = describe(read);
      }
    }
    return Error::rejected("no card of the simulated deck could be used: " + last_problem);
  }

  // Polls the submission as the receipt screen does: the application id once forwarded;
  // kRejected when the orchestrator refused it for good; kTimeout at the deadline.
  Result<std::string> awaitForwarded(const std::string& reference, const std::string& session,
                                     SteadyTime deadline) {
    Poco::JSON::Object none;
    while (!stopping_ && clock_.steadyNow() < deadline) {
      Result<transport::Response> answer = screen_.get("/local/submissions/" + reference, session);
      if (answer.ok() && answer->status == 200) {
        Result<Poco::JSON::Object::Ptr> body = json::parseObject(answer->body, "the submission");
        const std::string state =
            body.ok() ? json::stringMember(**body, "state").value_or("") : std::string();
        if (state == "forwarded") return json::stringMember(**body, "application_id").value_or("");
        if (state == "failed") {
          return Error::rejected("the orchestrator refused the submission: " +
                                 json::stringMember(**body, "failure").value_or(""));
        }
      }
      (void)screen_.post("/local/session/touch", none, session);  // the screen is "in use"
      std::this_thread::sleep_for(300ms);
    }
    return Error::timeout("still queued on the kiosk (the orchestrator did not take it)");
  }

  // Reads the console status of every forwarded application not finished yet.
  void follow() {
    const std::vector<Tracked> tracked = board_.snapshot();
    for (size_t i = 0; i < tracked.size(); ++i) {
      if (tracked[i].application_id.empty() || tracked[i].finished()) continue;
      Result<Poco::JSON::Object::Ptr> status = console_.status(tracked[i].application_id);
      board_.update(static_cast<int>(i), [&](Tracked& t) {
        if (status.ok()) {
          t.state = json::stringMember(**status, "state").value_or("unknown");
          t.detail = whereItStands(**status);
        } else {
          t.detail = "console: " + status.error().message;
        }
      });
    }
  }

  std::string progress(const std::vector<Tracked>& tracked, SteadyTime::duration elapsed,
                       const bench::ReviewApprover& bot) const {
    int submitted = 0;
    int completed = 0;
    int attention = 0;
    int in_progress = 0;
    for (const Tracked& t : tracked) {
      if (!t.reference.empty()) ++submitted;
      if (t.completed()) {
        ++completed;
      } else if (t.needsAttention()) {
        ++attention;
      } else if (!t.reference.empty()) {
        ++in_progress;
      }
    }
    std::ostringstream line;
    line << std::setw(4) << std::chrono::duration_cast<std::chrono::seconds>(elapsed).count()
         << "s  " << submitted << "/" << tracked.size() << " submitted, " << in_progress
         << " in progress, " << completed << " completed, " << attention
         << " needs attention, KYC approved " << bot.approved();
    return line.str();
  }

  void report(int result, const bench::ReviewApprover& bot) {
    const std::vector<Tracked> tracked = board_.snapshot();
    if (result == 0) {
      out_ << "kaiban-demo: all " << tracked.size() << " applications from kiosk " << kiosk_id_
           << " completed\n";
      return;
    }
    out_ << "kaiban-demo: not every application completed; these did not:\n";
    for (const Tracked& t : tracked) {
      if (t.completed()) continue;
      out_ << "  " << t.label << " " << (t.application_id.empty() ? "-" : t.application_id) << " "
           << (t.name.empty() ? "(not started)" : t.name) << ": " << t.state;
      if (!t.detail.empty()) out_ << " — " << t.detail;
      out_ << "\n";
    }
    if (bot.failures() > 0) {
      out_ << "  the KYC approvals failed " << bot.failures() << " times; last: " << bot.lastError()
           << "\n";
    }
  }

  const DemoOptions& options_;
  std::ostream& out_;
  const bool tty_;
  SystemClock clock_;
  KioskScreen screen_;
  ConsoleReader console_;
  Board board_;
  int console_port_ = 0;
  std::string kiosk_id_;
  KioskChoices choices_;
  int deck_size_ = 0;
  int next_card_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> fed_{false};
};

}  // namespace

Result<DemoOptions> parseDemoOptions(const std::vector<std::string>& arguments) {
  DemoOptions options;
  bool have_count = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& option = arguments[i];
    if (i + 1 >= arguments.size()) return Error::invalidInput(option + " needs a value", option);
    const std::string& value = arguments[++i];
    if (option == "--count") {
      auto [end, problem] =
          std::from_chars(value.data(), value.data() + value.size(), options.count);
      if (problem != std::errc() || end != value.data() + value.size() || options.count < 1 ||
          options.count > kMaxCount) {
        return Error::invalidInput("--count must be a number from 1 to 1000", option);
      }
      have_count = true;
    } else if (option == "--agent") {
      options.agent_url = value;
    } else if (option == "--console") {
      options.console_url = value;
    } else if (option == "--ca") {
      options.ca_file = value;
    } else if (option == "--console-user") {
      options.console_user = value;
    } else if (option == "--console-password") {
      options.console_password = value;
    } else if (option == "--timeout") {
      Result<std::chrono::seconds> timeout = parseTimeout(value);
      if (!timeout.ok()) return timeout.error();
      options.timeout = *timeout;
    } else {
      return Error::invalidInput("unknown option " + option, option);
    }
  }
  if (!have_count) return Error::invalidInput("--count N is required", "--count");
  Result<Url> agent = parseUrl(options.agent_url, "http", "--agent");
  if (!agent.ok()) return agent.error();
  Result<Url> console = parseUrl(options.console_url, "https", "--console");
  if (!console.ok()) return console.error();
  // The KYC bot approves on the loopback console only.
  if (console->host != "127.0.0.1" && console->host != "localhost") {
    return Error::invalidInput("--console must be on this machine (127.0.0.1)", "--console");
  }
  return options;
}

int runDemo(const DemoOptions& options, std::ostream& out, bool tty) {
  Result<Url> agent = parseUrl(options.agent_url, "http", "--agent");
  Result<Url> console = parseUrl(options.console_url, "https", "--console");
  if (!agent.ok() || !console.ok()) {
    out << "kaiban-demo: " << (agent.ok() ? console.error() : agent.error()).message << "\n";
    return 2;
  }
  try {
    Demo demo(options, *agent, *console, out, tty);
    return demo.run();
  } catch (const std::runtime_error& error) {  // the CA file cannot be loaded
    out << "kaiban-demo: " << error.what() << "\n";
    return 2;
  }
}

}  // namespace kaiban::agent::demo
