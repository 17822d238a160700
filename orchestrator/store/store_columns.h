#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

// The column lists both backends select, in the order their row readers expect. One list per
// table, because the SQLite and PostgreSQL schemas are the same migrations (docs/flow.md).
namespace kaiban::orchestrator::columns {

inline constexpr std::string_view kApplication =
    "id, kiosk_id, bank_code, district, flow_version, state, green_channel, submitted_at, "
    "deadline_at, updated_at, flags, version, sealed_application, legal_representative_index";

inline constexpr std::string_view kStep =
    "step_id, state, attempts, revision, polls, message_id, ready_at, dispatched_at, "
    "budget_due_at, finished_at, flags, failure, reason_code, reason, partner_reference, "
    "sealed_outputs";

inline constexpr std::string_view kHumanTask =
    "step_id, kind, role, state, decided_by, reason, opened_at, decided_at";

inline constexpr std::string_view kEvent = "seq, application_id, step_id, type, actor, at, detail";

inline constexpr std::string_view kOutbox =
    "id, message_id, application_id, step_id, kind, attempts, next_attempt_at, payload, "
    "lease_owner, lease_until";

inline constexpr std::string_view kTimer =
    "id, application_id, step_id, kind, due_at, fired, lease_owner, lease_until";

inline constexpr std::string_view kKiosk =
    "kiosk_id, bank_code, district, name, enabled, registered_at, revoked_at, "
    "last_heartbeat_at, last_heartbeat";

// A statement from its parts: sql({"SELECT ", kStep, " FROM steps WHERE ..."}).
inline std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

}  // namespace kaiban::orchestrator::columns
