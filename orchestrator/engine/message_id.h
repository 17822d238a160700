#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"

// The ids the engine gives applications and partner messages. A message id is a pure
// function of what it identifies, so every resend of one logical request carries the same id
// and the partner (or simulator) deduplicates it; only a new revision of a step's request
// gets a new id.
namespace kaiban::orchestrator {

// A new application id: "KB", 8 Crockford base32 characters of the milliseconds since
// 2025-01-01T00:00Z at `now` (big-endian, so ids sort by submission time; the 40 bits wrap in
// 2059-11), then 6 random Crockford base32 characters (30 bits per millisecond), e.g.
// "KB01KZ4M7Q2X9HCT". Printed on the kiosk receipt; never contains '-'.
//
// Why time first: every table and index of the store that is keyed by application id (and by
// message id, which starts with it) then receives new rows at its right edge, so the
// applications in flight share a few hot B-tree pages instead of each commit rewriting random
// leaves. The random part keeps ids unpredictable within a millisecond; an id is not a
// credential (the kiosk and console APIs check who may see an application), and a clash at
// creation is retried with another id.
std::string newApplicationId(SystemTime now);

// The message id of revision `revision` of `step_id` of application `application_id`:
// "<application id>-<12 lower-case hex digits>", the digits from SHA-256 of the three. At most
// 35 characters of [A-Za-z0-9-] for application ids of up to 22 such characters (ISO 20022
// Max35Text). REQUIRES: application_id has no '-'.
std::string messageIdFor(std::string_view application_id, std::string_view step_id, int revision);

// The id of a milestone notification: "<application id>-n<11 hex digits>", a function of the
// application, the milestone and the application version that produced it.
std::string notificationIdFor(std::string_view application_id, std::string_view milestone,
                              int64_t version);

// The application id a message id starts with ("" if it has none).
std::string_view applicationIdOf(std::string_view message_id);

}  // namespace kaiban::orchestrator
