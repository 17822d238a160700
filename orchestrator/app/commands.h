#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "orchestrator/app/config.h"

// kaiban-orchestrator's subcommands: tools that open the same database as the running server
// (SQLite in WAL mode with a busy timeout lets both write; the server's dispatcher picks up
// what a command queued within dispatcher.idle_wait_ms). Until the kiosk API and the staff
// console exist they are how applications get in and KYC reviews get decided.
//
//   submit --file F --kiosk K        submits the application(s) in F (a JSON object, or an
//                                    array of them, in core/application_json.h form) as kiosk
//                                    K; the idempotency key is derived from each body, so
//                                    running the same file again submits nothing twice. One
//                                    JSON line per application (the submit result or its
//                                    error, with "index"). Exit 1 if any was refused.
//   task approve --application ID [--step S] --actor NAME
//                                    approves the open human task(s) of that application (of
//                                    step S only, if given) as staff:NAME.
//   task approve-all --actor NAME    approves every open human task.
//   audit verify [--head HASH]       verifies the audit log's hash chain (with HASH, the head
//                                    recorded elsewhere, also that nothing was cut off the
//                                    end). Exit 1 if it is broken.
//   status ID | status --all         an application's status as JSON (engine_json.h), or every
//                                    application's, one JSON line each.
//   summary                          {"total": N, "by_state": {...}, "open_human_tasks": N}
//   kiosk add ID --bank B --district D [--name N] | kiosk list | kiosk revoke ID |
//   kiosk enable ID                  the kiosk registry (api/kiosk_api/kiosk_commands.h)
//   user add NAME --role R [--bank B | --district D] [--display-name N]
//        [--generate-password] | user list | user disable NAME | user enable NAME |
//   user passwd NAME [--generate-password]
//                                    console users (api/console_api/user_commands.h); the
//                                    password comes from standard input unless generated
namespace kaiban::orchestrator::app {

struct CommandLine {
  std::vector<std::string> words;  // the command and its sub-command: {"task", "approve"}
  std::string file;
  std::string kiosk;
  std::string application;
  std::string step;
  std::string actor;
  std::string head;
  bool all = false;
  std::string bank;                // kiosk add, user add (bank_staff)
  std::string district;            // kiosk add, user add (gov_operator)
  std::string name;                // kiosk add
  std::string role;                // user add
  std::string display_name;        // user add
  bool generate_password = false;  // user add, user passwd
};

// Exit codes beyond 0.
inline constexpr int kExitFailed = 1;   // the command ran and found a failure
inline constexpr int kExitUsage = 64;   // EX_USAGE: unknown command, missing option
inline constexpr int kExitConfig = 78;  // EX_CONFIG: the configuration or a file it names

// The commands' part of --help.
std::string commandsUsage();

// Runs `command` (REQUIRES: words not empty) against the database `config` names, writing
// results to `out` and problems to `err`. Returns the exit code.
int runCommand(const OrchestratorConfig& config, const CommandLine& command, std::ostream& out,
               std::ostream& err);

}  // namespace kaiban::orchestrator::app
