#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "Poco/JSON/Object.h"
#include "core/clock.h"
#include "core/crypto/password.h"
#include "orchestrator/store/console_store.h"

// Console users from the command line: `kaiban-orchestrator user add|list|disable|enable|
// passwd` (the binary's app/commands.cc hands these words here). Every change is audited.
namespace kaiban::orchestrator::api {

// Passwords shorter than this are refused.
inline constexpr size_t kMinPasswordLength = 10;

struct UserCommand {
  std::string action;        // "add", "list", "disable", "enable" or "passwd"
  std::string name;          // every action but list
  std::string role;          // add: bank_staff | gov_operator | admin
  std::string bank;          // add, bank_staff: the bank code
  std::string district;      // add, gov_operator: a GB/T 2260 code or prefix, or "all"
  std::string display_name;  // add: optional
  // add, passwd: take the password from the first line of the password stream (a pipe, or
  // the terminal with echo off); with `generate` a random one is made and printed instead.
  bool generate = false;
  std::string actor = "admin:cli";  // who is recorded in the audit log
};

// Exit codes of runUserCommand (the binary's own, see app/commands.h).
inline constexpr int kUserCommandFailed = 1;
inline constexpr int kUserCommandUsage = 64;

// Runs `command`, writing one JSON line per user to `out` (userJson; "add" and "passwd" with
// `generate` add "password") and problems to `err`. `password_in` is read for add and passwd
// unless `generate`. Returns 0, kUserCommandFailed (the store refused: a user that exists
// already or does not exist) or kUserCommandUsage (a missing or malformed argument, a
// password shorter than kMinPasswordLength).
//   add NAME --role R [--bank B | --district D] [--display-name N] [--generate-password]
//   list                 every user: role, scope, disabled, locked until
//   disable NAME         refuses the user's logins and ends their sessions
//   enable NAME          allows them again (and lifts a lockout)
//   passwd NAME [--generate-password]   sets a new password, ending the user's sessions
int runUserCommand(ConsoleStore& store, const Clock& clock, const crypto::PasswordParams& params,
                   const UserCommand& command, std::istream& password_in, std::ostream& out,
                   std::ostream& err);

// {"name", "display_name", "role", "scope", "disabled", "locked_until", "created_at",
//  "updated_at"}: never the password hash.
Poco::JSON::Object::Ptr userJson(const UserRecord& user);

}  // namespace kaiban::orchestrator::api
