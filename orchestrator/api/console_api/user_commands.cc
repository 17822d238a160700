#include "orchestrator/api/console_api/user_commands.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "core/crypto/random.h"
#include "core/timestamp.h"

namespace kaiban::orchestrator::api {

namespace {

std::string auditDetail(const UserRecord& user) {
  Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
  detail.set("user", user.name);
  detail.set("role", std::string(toString(user.role)));
  detail.set("scope", user.scope);
  std::ostringstream out;
  detail.stringify(out);
  return out.str();
}

std::string nameDetail(std::string_view name) {
  Poco::JSON::Object detail;
  detail.set("user", std::string(name));
  std::ostringstream out;
  detail.stringify(out);
  return out.str();
}

// The first line of `in`. When `in` is the terminal, echo is off while it is typed.
std::string readPassword(std::istream& in, std::ostream& err) {
  const bool terminal = &in == &std::cin && ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    err << "password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(in, password);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    err << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

// The password for add/passwd, or "" after reporting why there is none.
std::string passwordFor(const UserCommand& command, std::istream& in, std::ostream& err) {
  if (command.generate) return crypto::randomToken(15);  // 20 characters, 120 bits
  std::string password = readPassword(in, err);
  if (password.size() < kMinPasswordLength) {
    err << "user " << command.action << ": the password must be at least " << kMinPasswordLength
        << " characters (give it on standard input, or use --generate-password)\n";
    return "";
  }
  return password;
}

void printJson(std::ostream& out, const Poco::JSON::Object& json) {
  json.stringify(out);
  out << "\n";
}

int failed(std::ostream& err, const UserCommand& command, const Error& error) {
  err << "user " << command.action << ": " << error.message << "\n";
  return error.code == ErrorCode::kInvalidInput ? kUserCommandUsage : kUserCommandFailed;
}

}  // namespace

Poco::JSON::Object::Ptr userJson(const UserRecord& user) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("name", user.name);
  json->set("display_name", user.display_name);
  json->set("role", std::string(toString(user.role)));
  json->set("scope", user.scope);
  json->set("disabled", user.disabled);
  json->set("locked_until", user.locked_until
                                ? Poco::Dynamic::Var(formatIso8601(*user.locked_until))
                                : Poco::Dynamic::Var());
  json->set("created_at", formatIso8601(user.created_at));
  json->set("updated_at", formatIso8601(user.updated_at));
  return json;
}

int runUserCommand(ConsoleStore& store, const Clock& clock, const crypto::PasswordParams& params,
                   const UserCommand& command, std::istream& password_in, std::ostream& out,
                   std::ostream& err) {
  if (command.action == "list") {
    Result<std::vector<UserRecord>> users = store.listUsers();
    if (!users) return failed(err, command, users.error());
    for (const UserRecord& user : *users) printJson(out, *userJson(user));
    return 0;
  }
  if (command.action != "add" && command.action != "disable" && command.action != "enable" &&
      command.action != "passwd") {
    err << "user: unknown action \"" << command.action
        << "\"; use add, list, disable, enable or passwd\n";
    return kUserCommandUsage;
  }
  if (command.name.empty()) {
    err << "user " << command.action << " needs a user name\n";
    return kUserCommandUsage;
  }
  const SystemTime now = clock.now();

  if (command.action == "add") {
    UserRecord user;
    user.name = command.name;
    user.display_name = command.display_name;
    Result<UserRole> role = parseUserRole(command.role);
    if (!role) {
      err << "user add: --role must be bank_staff, gov_operator or admin\n";
      return kUserCommandUsage;
    }
    user.role = *role;
    if (user.role == UserRole::kBankStaff) {
      user.scope = command.bank;
      if (!command.district.empty()) {
        err << "user add: bank staff have a --bank, not a --district\n";
        return kUserCommandUsage;
      }
    } else if (user.role == UserRole::kGovOperator) {
      user.scope = command.district;
      if (!command.bank.empty()) {
        err << "user add: a government operator has a --district (or all), not a --bank\n";
        return kUserCommandUsage;
      }
    } else if (!command.bank.empty() || !command.district.empty()) {
      err << "user add: an admin sees everything: no --bank or --district\n";
      return kUserCommandUsage;
    }
    // Checked before the password is asked for, so a typo costs no typing.
    user.password_hash = "unset";
    if (Result<void> valid = validateUser(user); !valid) {
      return failed(err, command, valid.error());
    }
    const std::string password = passwordFor(command, password_in, err);
    if (password.empty()) return kUserCommandUsage;
    user.password_hash = crypto::hashPassword(password, params);
    if (Result<void> created = store.createUser(
            user, AuditInput{now, command.actor, "", "console.user_added", auditDetail(user)});
        !created) {
      return failed(err, command, created.error());
    }
    Result<UserRecord> stored = store.findUser(user.name);
    if (!stored) return failed(err, command, stored.error());
    Poco::JSON::Object::Ptr json = userJson(*stored);
    if (command.generate) json->set("password", password);
    printJson(out, *json);
    return 0;
  }

  if (command.action == "passwd") {
    if (Result<UserRecord> exists = store.findUser(command.name); !exists) {
      return failed(err, command, exists.error());
    }
    const std::string password = passwordFor(command, password_in, err);
    if (password.empty()) return kUserCommandUsage;
    if (Result<void> set =
            store.setPassword(command.name, crypto::hashPassword(password, params),
                              AuditInput{now, command.actor, "", "console.user_password_set",
                                         nameDetail(command.name)});
        !set) {
      return failed(err, command, set.error());
    }
    Result<UserRecord> stored = store.findUser(command.name);
    if (!stored) return failed(err, command, stored.error());
    Poco::JSON::Object::Ptr json = userJson(*stored);
    if (command.generate) json->set("password", password);
    printJson(out, *json);
    return 0;
  }

  const bool disable = command.action == "disable";
  if (Result<void> set =
          store.setDisabled(command.name, disable,
                            AuditInput{now, command.actor, "",
                                       disable ? "console.user_disabled" : "console.user_enabled",
                                       nameDetail(command.name)});
      !set) {
    return failed(err, command, set.error());
  }
  Result<UserRecord> stored = store.findUser(command.name);
  if (!stored) return failed(err, command, stored.error());
  printJson(out, *userJson(*stored));
  return 0;
}

}  // namespace kaiban::orchestrator::api
