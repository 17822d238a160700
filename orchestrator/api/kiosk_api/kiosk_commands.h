#pragma once

#include <ostream>
#include <string>

#include "Poco/JSON/Object.h"
#include "core/clock.h"
#include "orchestrator/store/store.h"

// The kiosk registry from the command line: `kaiban-orchestrator kiosk add|list|revoke|enable`
// (the binary's app/commands.cc hands these words here). Every change is audited.
namespace kaiban::orchestrator::api {

struct KioskCommand {
  std::string action;               // "add", "list", "revoke" or "enable"
  std::string kiosk_id;             // add, revoke, enable
  std::string bank;                 // add: the bank code its certificate's O carries
  std::string district;             // add: GB/T 2260 code of where it stands
  std::string name;                 // add: display name and location; optional
  std::string actor = "admin:cli";  // who is recorded in the audit log
};

// Exit codes of runKioskCommand (the binary's own, see app/commands.h).
inline constexpr int kKioskCommandFailed = 1;
inline constexpr int kKioskCommandUsage = 64;

// Runs `command`, writing one JSON line per kiosk to `out` (kioskJson; "add" adds
// "created") and problems to `err`. Returns 0, kKioskCommandFailed (the store refused: an
// unknown kiosk, say) or kKioskCommandUsage (a missing or malformed argument: kiosk ids are
// 3-32 of A-Z 0-9 '-', bank codes 3-12 of A-Z 0-9, districts six-digit GB/T 2260 codes,
// names at most 100 characters).
//   add ID --bank B --district D [--name N]   registers the kiosk, or updates and re-enables it
//   list                                      every kiosk with its last heartbeat
//   revoke ID                                 disables it: the kiosk API refuses it (403)
//   enable ID                                 enables it again
// Revoking in the registry does not revoke the kiosk's certificate: publish a new CRL for that.
int runKioskCommand(Store& store, const Clock& clock, const KioskCommand& command,
                    std::ostream& out, std::ostream& err);

// {"kiosk_id", "bank_code", "district", "name", "enabled", "registered_at", "revoked_at",
//  "last_heartbeat_at", "last_heartbeat": {..} | null}; absent times are null.
Poco::JSON::Object::Ptr kioskJson(const KioskRecord& kiosk);

}  // namespace kaiban::orchestrator::api
