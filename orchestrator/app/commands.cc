#include "orchestrator/app/commands.h"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "Poco/Exception.h"
#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "core/application_json.h"
#include "core/crypto/hash.h"
#include "orchestrator/api/console_api/user_commands.h"
#include "orchestrator/api/http_common/http_reply.h"
#include "orchestrator/api/kiosk_api/kiosk_commands.h"
#include "orchestrator/app/wiring.h"
#include "orchestrator/engine/engine_json.h"

namespace kaiban::orchestrator::app {

namespace {

static_assert(api::kKioskCommandFailed == kExitFailed && api::kKioskCommandUsage == kExitUsage);

constexpr std::uintmax_t kMaxSubmitFileBytes = 64 << 20;
constexpr int kPageSize = 500;

std::string line(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

std::string errorLine(const Error& error) { return line(*api::errorJson(error)); }

std::string staffActor(const std::string& name) { return "staff:" + name; }

// The JSON values in `file`: the elements of a top-level array, or the one top-level value.
Result<std::vector<Poco::Dynamic::Var>> readJsonValues(const std::string& file) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) return Error::invalidInput("cannot read " + file + ": " + error.message(), "--file");
  if (size > kMaxSubmitFileBytes) {
    return Error::invalidInput(file + " is larger than 64 MiB", "--file");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Error::invalidInput("cannot read " + file, "--file");
  try {
    Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(text.str());
    if (parsed.type() == typeid(Poco::JSON::Array::Ptr)) {
      Poco::JSON::Array::Ptr array = parsed.extract<Poco::JSON::Array::Ptr>();
      return std::vector<Poco::Dynamic::Var>(array->begin(), array->end());
    }
    return std::vector<Poco::Dynamic::Var>{parsed};
  } catch (const Poco::Exception& parse_error) {
    return Error::invalidInput(file + " is not JSON: " + parse_error.displayText(), "--file");
  }
}

int submit(OrchestratorCore& core, const CommandLine& command, std::ostream& out,
           std::ostream& err) {
  if (command.file.empty() || command.kiosk.empty()) {
    err << "submit needs --file FILE and --kiosk KIOSK_ID\n";
    return kExitUsage;
  }
  Result<std::vector<Poco::Dynamic::Var>> values = readJsonValues(command.file);
  if (!values) {
    err << values.error().message << "\n";
    return kExitFailed;
  }
  int refused = 0;
  for (std::size_t index = 0; index < values->size(); ++index) {
    const Poco::Dynamic::Var& value = (*values)[index];
    Poco::JSON::Object::Ptr result = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    result->set("index", static_cast<int>(index));
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
      result->set("error", api::errorJson(Error::invalidInput("not a JSON object"))->get("error"));
      out << line(*result) << "\n";
      ++refused;
      continue;
    }
    const Poco::JSON::Object::Ptr object = value.extract<Poco::JSON::Object::Ptr>();
    Result<Application> application = applicationFromJson(*object);
    if (!application) {
      result->set("error", api::errorJson(application.error())->get("error"));
      out << line(*result) << "\n";
      ++refused;
      continue;
    }
    // The parser keeps keys sorted, so the same application always gives the same text, and
    // the same idempotency key: a file submitted twice creates nothing the second time.
    const std::string hash = crypto::sha256Hex(line(*object));
    const std::string key = "cli-" + hash.substr(0, 32);
    Result<SubmitResult> submitted = core.engine().submit(*application, command.kiosk, key, hash);
    if (!submitted) {
      result->set("error", api::errorJson(submitted.error())->get("error"));
      ++refused;
    } else {
      Poco::JSON::Object::Ptr body = toJson(*submitted);
      for (const std::string& name : body->getNames()) result->set(name, body->get(name));
      result->set("idempotency_key", key);
      if (!submitted->accepted()) ++refused;
    }
    // Flushed line by line: whoever watches the output sees each submission as it is stored.
    out << line(*result) << std::endl;
  }
  return refused == 0 ? 0 : kExitFailed;
}

int approve(OrchestratorCore& core, const CommandLine& command, std::ostream& out,
            std::ostream& err) {
  if (command.application.empty() || command.actor.empty()) {
    err << "task approve needs --application ID and --actor NAME\n";
    return kExitUsage;
  }
  Result<ApplicationStatus> status = core.engine().status(command.application);
  if (!status) {
    err << errorLine(status.error()) << "\n";
    return kExitFailed;
  }
  int approved = 0;
  for (const StepStatus& step : status->steps) {
    if (!command.step.empty() && step.id != command.step) continue;
    if (!step.human_task || step.human_task->state != HumanTaskState::kOpen) continue;
    Result<ApplicationStatus> after =
        core.engine().approveHumanTask(command.application, step.id, staffActor(command.actor));
    if (!after) {
      err << errorLine(after.error()) << "\n";
      return kExitFailed;
    }
    Poco::JSON::Object result(Poco::JSON_PRESERVE_KEY_ORDER);
    result.set("application_id", command.application);
    result.set("step", step.id);
    result.set("state", std::string(toString(after->state)));
    out << line(result) << "\n";
    ++approved;
  }
  if (approved == 0) {
    err << "application " << command.application << " has no open human task"
        << (command.step.empty() ? "" : " on step " + command.step) << "\n";
    return kExitFailed;
  }
  return 0;
}

int approveAll(OrchestratorCore& core, const CommandLine& command, std::ostream& out,
               std::ostream& err) {
  if (command.actor.empty()) {
    err << "task approve-all needs --actor NAME\n";
    return kExitUsage;
  }
  HumanTaskFilter filter;
  filter.state = HumanTaskState::kOpen;
  filter.limit = kPageSize;
  int approved = 0;
  int skipped = 0;
  // Each pass approves what is open now; a task decided meanwhile by someone else is skipped.
  // Passes end when one finds nothing more to approve, so new tasks opening all the time
  // cannot keep the command running forever.
  while (true) {
    Result<std::vector<HumanTaskView>> tasks = core.engine().humanTasks(filter);
    if (!tasks) {
      err << errorLine(tasks.error()) << "\n";
      return kExitFailed;
    }
    int approved_now = 0;
    for (const HumanTaskView& task : *tasks) {
      Result<ApplicationStatus> after = core.engine().approveHumanTask(
          task.application_id, task.task.step_id, staffActor(command.actor));
      if (after) {
        ++approved_now;
      } else if (after.error().code == ErrorCode::kConflict) {
        ++skipped;
      } else {
        err << errorLine(after.error()) << "\n";
        return kExitFailed;
      }
    }
    approved += approved_now;
    if (approved_now == 0 || static_cast<int>(tasks->size()) < kPageSize) break;
  }
  Poco::JSON::Object result(Poco::JSON_PRESERVE_KEY_ORDER);
  result.set("approved", approved);
  result.set("skipped", skipped);
  out << line(result) << "\n";
  return 0;
}

int auditVerify(OrchestratorCore& core, const CommandLine& command, std::ostream& out,
                std::ostream& err) {
  Result<void> verified = core.engine().verifyAuditLog(command.head);
  if (!verified) {
    err << "audit log "
        << (verified.error().code == ErrorCode::kCorrupt ? "BROKEN" : "not verified") << ": "
        << verified.error().message << "\n";
    return kExitFailed;
  }
  int64_t entries = 0;
  std::string head(kAuditGenesisHash);
  for (int64_t after = 0;;) {
    Result<std::vector<AuditRecord>> page = core.store().auditLog(after, kPageSize);
    if (!page) {
      err << errorLine(page.error()) << "\n";
      return kExitFailed;
    }
    if (page->empty()) break;
    entries += static_cast<int64_t>(page->size());
    head = page->back().hash;
    after = page->back().seq;
  }
  out << "audit log verified: " << entries << " entries, head " << head << "\n";
  return 0;
}

// Every application summary, page by page.
Result<std::vector<ApplicationSummary>> allApplications(OrchestratorCore& core) {
  std::vector<ApplicationSummary> all;
  ListFilter filter;
  filter.limit = kPageSize;
  while (true) {
    Result<ApplicationList> page = core.engine().list(filter);
    if (!page) return page.error();
    all.insert(all.end(), page->applications.begin(), page->applications.end());
    if (page->next_cursor.empty()) return all;
    filter.cursor = page->next_cursor;
  }
}

int status(OrchestratorCore& core, const CommandLine& command, std::ostream& out,
           std::ostream& err) {
  std::vector<std::string> ids;
  if (command.all) {
    Result<std::vector<ApplicationSummary>> all = allApplications(core);
    if (!all) {
      err << errorLine(all.error()) << "\n";
      return kExitFailed;
    }
    for (const ApplicationSummary& summary : *all) ids.push_back(summary.id);
  } else if (command.words.size() == 2) {
    ids.push_back(command.words[1]);
  } else {
    err << "status needs an application id or --all\n";
    return kExitUsage;
  }
  for (const std::string& id : ids) {
    Result<ApplicationStatus> found = core.engine().status(id);
    if (!found) {
      err << errorLine(found.error()) << "\n";
      return kExitFailed;
    }
    out << line(*toJson(*found)) << "\n";
  }
  return 0;
}

int summary(OrchestratorCore& core, std::ostream& out, std::ostream& err) {
  Result<std::vector<ApplicationSummary>> all = allApplications(core);
  if (!all) {
    err << errorLine(all.error()) << "\n";
    return kExitFailed;
  }
  std::map<std::string, int> by_state;
  for (const ApplicationSummary& application : *all) {
    ++by_state[std::string(toString(application.state))];
  }
  HumanTaskFilter open;
  open.state = HumanTaskState::kOpen;
  open.limit = kPageSize;
  Result<std::vector<HumanTaskView>> tasks = core.engine().humanTasks(open);
  if (!tasks) {
    err << errorLine(tasks.error()) << "\n";
    return kExitFailed;
  }
  Poco::JSON::Object states(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [state, count] : by_state) states.set(state, count);
  Poco::JSON::Object result(Poco::JSON_PRESERVE_KEY_ORDER);
  result.set("total", static_cast<int>(all->size()));
  result.set("by_state", states);
  result.set("open_human_tasks", static_cast<int>(tasks->size()));
  out << line(result) << "\n";
  return 0;
}

}  // namespace

std::string commandsUsage() {
  return R"(Commands (they open the same database as the running server; without one, serve):
  submit --file FILE --kiosk KIOSK_ID
      Submit the application(s) in FILE (one JSON object or an array of them) as that
      kiosk. Prints one JSON line per application. Re-running the same file is harmless.
  task approve --application ID [--step STEP] --actor NAME
      Approve the open human task(s) of an application as staff:NAME (KYC review).
  task approve-all --actor NAME
      Approve every open human task.
  audit verify [--head HASH]
      Verify the audit log's hash chain; exit 1 if it is broken.
  status ID | status --all
      An application's status as JSON, or every application's, one line each.
  summary
      Applications by state and open human tasks, as JSON.
  kiosk add ID --bank CODE --district CODE [--name TEXT]
      Register a kiosk (its certificate's CN and O) for the kiosk API, or update it.
  kiosk list | kiosk revoke ID | kiosk enable ID
      List kiosks with their last heartbeat; shut one out of the kiosk API (403); let it in.
  user add NAME --role bank_staff|gov_operator|admin [--bank CODE | --district CODE|all]
           [--display-name TEXT] [--generate-password]
      Add a console user. The password is read from standard input, or generated and printed.
  user list | user disable NAME | user enable NAME | user passwd NAME [--generate-password]
      List console users; refuse one's logins (ending their sessions); allow them again;
      set a new password (ending their sessions).
)";
}

int runCommand(const OrchestratorConfig& config, const CommandLine& command, std::ostream& out,
               std::ostream& err) {
  const std::vector<std::string>& words = command.words;
  const std::string verb = words.empty() ? "" : words[0];
  const std::string object = words.size() > 1 ? words[1] : "";
  const bool known =
      (verb == "submit" && words.size() == 1) ||
      (verb == "task" && words.size() == 2 && (object == "approve" || object == "approve-all")) ||
      (verb == "audit" && words.size() == 2 && object == "verify") ||
      (verb == "status" && words.size() <= 2) || (verb == "summary" && words.size() == 1) ||
      (verb == "kiosk" &&
       ((words.size() == 2 && object == "list") || (words.size() == 3 && object != "list"))) ||
      (verb == "user" &&
       ((words.size() == 2 && object == "list") || (words.size() == 3 && object != "list")));
  if (!known) {
    std::string given;
    for (const std::string& word : words) given += (given.empty() ? "" : " ") + word;
    err << "unknown command '" << given << "'; see kaiban-orchestrator --help\n";
    return kExitUsage;
  }
  try {
    OrchestratorCore core(config);
    if (verb == "submit") return submit(core, command, out, err);
    if (verb == "task" && object == "approve") return approve(core, command, out, err);
    if (verb == "task") return approveAll(core, command, out, err);
    if (verb == "audit") return auditVerify(core, command, out, err);
    if (verb == "status") return status(core, command, out, err);
    if (verb == "kiosk") {
      api::KioskCommand kiosk;
      kiosk.action = object;
      kiosk.kiosk_id = words.size() > 2 ? words[2] : "";
      kiosk.bank = command.bank;
      kiosk.district = command.district;
      kiosk.name = command.name;
      return api::runKioskCommand(core.store(), core.clock(), kiosk, out, err);
    }
    if (verb == "user") {
      api::UserCommand user;
      user.action = object;
      user.name = words.size() > 2 ? words[2] : "";
      user.role = command.role;
      user.bank = command.bank;
      user.district = command.district;
      user.display_name = command.display_name;
      user.generate = command.generate_password;
      std::unique_ptr<ConsoleStore> console = core.openConsoleStore();
      crypto::PasswordParams params;
      params.scrypt_n = config.console_settings.password_scrypt_n;
      return api::runUserCommand(*console, core.clock(), params, user, std::cin, out, err);
    }
    return summary(core, out, err);
  } catch (const StartupError& error) {
    err << "kaiban-orchestrator: cannot open the orchestrator's state: " << error.what() << "\n";
    return kExitConfig;
  }
}

}  // namespace kaiban::orchestrator::app
