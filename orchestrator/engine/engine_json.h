#pragma once

#include <Poco/JSON/Object.h>

#include <vector>

#include "orchestrator/engine/engine.h"

// The JSON forms of what the engine returns, for the kiosk and console APIs. docs/flow.md
// shows each shape with an example. Times are ISO 8601 with the Shanghai offset; optional
// times are null when absent; enum values are their stable snake_case names.
namespace kaiban::orchestrator {

// Accepted: {"application_id", "created", "state", "deadline", "flow_version"}.
// With problems: {"problems": core problemsJson (field, key, zh, en)}.
Poco::JSON::Object::Ptr toJson(const SubmitResult& result);

// {"id", "kiosk_id", "bank_code", "district", "flow_version", "state", "green_channel",
//  "submitted_at", "deadline", "updated_at", "at_risk", "breached", "version",
//  "attention": [..], "outputs": {..}, "steps": [{"id", "adapter", "depends_on", "state",
//  "attempts", "revision", "message_id", "ready_at", "dispatched_at", "budget_due_at",
//  "finished_at", "at_risk", "breached", "failure", "reason_code", "reason",
//  "partner_reference", "outputs", "human_task": null | {"kind", "role", "state",
//  "decided_by", "reason", "opened_at", "decided_at"}}]}
Poco::JSON::Object::Ptr toJson(const ApplicationStatus& status);

// {"applications": [{"id", "kiosk_id", "bank_code", "district", "flow_version", "state",
//   "green_channel", "submitted_at", "deadline", "updated_at", "at_risk", "breached"}],
//  "next_cursor": "" | "..."}
Poco::JSON::Object::Ptr toJson(const ApplicationList& list);

// {"seq", "application_id", "step" (null for the application), "type", "actor", "at",
//  "detail": {..}}
Poco::JSON::Object::Ptr toJson(const EventRecord& event);

// {"events": [..], "next_since": the last seq returned, or `since` when there is none}
Poco::JSON::Object::Ptr eventsToJson(const std::vector<EventRecord>& events, int64_t since);

// {"application_id", "bank_code", "kiosk_id", "district", "application_state", "step",
//  "kind", "role", "state", "decided_by", "reason", "opened_at", "decided_at"}
Poco::JSON::Object::Ptr toJson(const HumanTaskView& task);

}  // namespace kaiban::orchestrator
