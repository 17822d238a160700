#include "orchestrator/api/kiosk_api/kiosk_commands.h"

#include <algorithm>
#include <sstream>

#include "Poco/Exception.h"
#include "Poco/JSON/Parser.h"
#include "core/application.h"
#include "core/division.h"
#include "core/timestamp.h"

namespace kaiban::orchestrator::api {

namespace {

using Poco::JSON::Object;

constexpr size_t kMaxKioskName = 100;

bool isUpperOrDigit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The same shapes core/application.h demands of an application's kiosk_id and bank_code: a
// kiosk registered under another shape could never submit.
bool isKioskId(const std::string& id) {
  return id.size() >= 3 && id.size() <= 32 &&
         std::all_of(id.begin(), id.end(), [](char c) { return isUpperOrDigit(c) || c == '-'; });
}

bool isBankCode(const std::string& code) {
  return code.size() >= 3 && code.size() <= 12 &&
         std::all_of(code.begin(), code.end(), isUpperOrDigit);
}

void setTime(Object& json, const std::string& key, const std::optional<SystemTime>& time) {
  if (time) {
    json.set(key, formatIso8601(*time));
  } else {
    json.set(key, Poco::Dynamic::Var());
  }
}

std::string line(const Object& object) {
  std::ostringstream text;
  object.stringify(text);
  return text.str();
}

// The audit entry's detail: what was registered, never anything personal.
std::string auditDetail(const KioskRecord& kiosk) {
  Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
  detail.set("kiosk_id", kiosk.kiosk_id);
  if (!kiosk.bank_code.empty()) detail.set("bank_code", kiosk.bank_code);
  if (!kiosk.district.empty()) detail.set("district", kiosk.district);
  if (!kiosk.name.empty()) detail.set("name", kiosk.name);
  return line(detail);
}

int usage(std::ostream& err, const std::string& problem) {
  err << "kiosk: " << problem << "\n"
      << "usage: kiosk add ID --bank CODE --district CODE [--name TEXT] | kiosk list | "
         "kiosk revoke ID | kiosk enable ID\n";
  return kKioskCommandUsage;
}

int failed(std::ostream& err, const Error& error) {
  err << "kiosk: " << error.message << "\n";
  return kKioskCommandFailed;
}

int add(Store& store, const Clock& clock, const KioskCommand& command, std::ostream& out,
        std::ostream& err) {
  if (!isBankCode(command.bank)) {
    return usage(err,
                 "--bank must be the bank code of the kiosk's certificate (O): 3-12 of A-Z 0-9");
  }
  if (!isPlausibleDivisionCode(command.district)) {
    return usage(err, "--district must be the six-digit GB/T 2260 code of where the kiosk stands");
  }
  const std::optional<size_t> name_length = utf8Length(command.name);
  if (!name_length || *name_length > kMaxKioskName) {
    return usage(err, "--name must be UTF-8 text of at most 100 characters");
  }
  KioskRecord kiosk;
  kiosk.kiosk_id = command.kiosk_id;
  kiosk.bank_code = command.bank;
  kiosk.district = command.district;
  kiosk.name = command.name;
  // The action tells a registration from a change; if another process registers the kiosk
  // between this read and the write, the entry says "added" for what was an update: harmless.
  Result<KioskRecord> existing = store.findKiosk(kiosk.kiosk_id);
  if (!existing && existing.error().code != ErrorCode::kNotFound) {
    return failed(err, existing.error());
  }
  const AuditInput audit{clock.now(), command.actor, "", existing ? "kiosk.updated" : "kiosk.added",
                         auditDetail(kiosk)};
  Result<bool> created = store.upsertKiosk(kiosk, audit);
  if (!created) return failed(err, created.error());
  Result<KioskRecord> stored = store.findKiosk(kiosk.kiosk_id);
  if (!stored) return failed(err, stored.error());
  Object::Ptr json = kioskJson(*stored);
  json->set("created", *created);
  out << line(*json) << "\n";
  return 0;
}

int setEnabled(Store& store, const Clock& clock, const KioskCommand& command, bool enabled,
               std::ostream& out, std::ostream& err) {
  KioskRecord subject;
  subject.kiosk_id = command.kiosk_id;
  const AuditInput audit{clock.now(), command.actor, "",
                         enabled ? "kiosk.enabled" : "kiosk.revoked", auditDetail(subject)};
  if (Result<void> changed = store.setKioskEnabled(command.kiosk_id, enabled, audit); !changed) {
    return failed(err, changed.error());
  }
  Result<KioskRecord> stored = store.findKiosk(command.kiosk_id);
  if (!stored) return failed(err, stored.error());
  out << line(*kioskJson(*stored)) << "\n";
  if (!enabled) {
    err << "kiosk " << command.kiosk_id
        << " is disabled: the kiosk API answers it 403. Its certificate stays valid until a "
           "CRL revoking it is published.\n";
  }
  return 0;
}

}  // namespace

Object::Ptr kioskJson(const KioskRecord& kiosk) {
  Object::Ptr json = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("kiosk_id", kiosk.kiosk_id);
  json->set("bank_code", kiosk.bank_code);
  json->set("district", kiosk.district);
  json->set("name", kiosk.name);
  json->set("enabled", kiosk.enabled);
  json->set("registered_at", formatIso8601(kiosk.registered_at));
  setTime(*json, "revoked_at", kiosk.revoked_at);
  setTime(*json, "last_heartbeat_at", kiosk.last_heartbeat_at);
  Poco::Dynamic::Var heartbeat;
  if (!kiosk.last_heartbeat.empty()) {
    // The API stores only heartbeats it built itself; text it cannot parse is shown as text.
    try {
      heartbeat = Poco::JSON::Parser().parse(kiosk.last_heartbeat);
    } catch (const Poco::Exception&) {
      heartbeat = kiosk.last_heartbeat;
    }
  }
  json->set("last_heartbeat", heartbeat);
  return json;
}

int runKioskCommand(Store& store, const Clock& clock, const KioskCommand& command,
                    std::ostream& out, std::ostream& err) {
  if (command.action == "list") {
    Result<std::vector<KioskRecord>> kiosks = store.listKiosks(KioskFilter{});
    if (!kiosks) return failed(err, kiosks.error());
    for (const KioskRecord& kiosk : *kiosks) out << line(*kioskJson(kiosk)) << "\n";
    return 0;
  }
  if (command.action != "add" && command.action != "revoke" && command.action != "enable") {
    return usage(err, "unknown action '" + command.action + "'");
  }
  if (!isKioskId(command.kiosk_id)) {
    return usage(err, "the kiosk id (its certificate's CN) must be 3-32 of A-Z 0-9 '-'");
  }
  if (command.action == "add") return add(store, clock, command, out, err);
  return setEnabled(store, clock, command, command.action == "enable", out, err);
}

}  // namespace kaiban::orchestrator::api
