#pragma once

#include <string>
#include <string_view>

#include "Poco/JSON/Object.h"
#include "adapters/adapter.h"
#include "adapters/registry/registry_codec.h"
#include "orchestrator/engine/engine.h"

// What the kiosk API answers, as JSON (docs/api/kiosk-api.md): the applicant-visible subset of
// the engine's shapes (engine_json.h). Staff-only data (actors, partner references, message
// ids, attempts, the kiosk's and bank's codes) is never in them. Pure functions.
namespace kaiban::orchestrator::api {

// "****1234": the last four characters of an account number, the rest replaced by one run of
// four asterisks; a number of four characters or fewer is all asterisks.
std::string maskAccountNumber(std::string_view number);

// The outputs an applicant may see, in a fixed order: uscc, licence_ref, seal_codes,
// taxpayer_id, account_number (masked), agreement_ref. Other outputs are left out.
Poco::JSON::Object::Ptr applicantOutputsJson(const adapters::Outputs& outputs);

// GET /api/v1/applications/{id}:
// {"id", "state", "green_channel", "submitted_at", "deadline", "updated_at", "at_risk",
//  "breached", "attention": [..], "outputs": {..},
//  "steps": [{"id", "state", "at_risk", "breached", "budget_due_at", "finished_at",
//             "outputs": {..}, "human_task": null | {"kind", "state"}}]}
// Absent step times are null.
Poco::JSON::Object::Ptr applicantStatusJson(const ApplicationStatus& status);

// GET /api/v1/applications:
// {"applications": [{"id", "state", "green_channel", "submitted_at", "deadline", "updated_at",
//   "at_risk", "breached"}], "next_cursor": "" | kioskCursor(..)}
Poco::JSON::Object::Ptr applicantListJson(const ApplicationList& list);

// POST /api/v1/people/lookup: {"name", "sex", "birth_date", "address"}.
Poco::JSON::Object::Ptr personJson(const adapters::PersonRecord& person);

// POST /api/v1/name-check: {"result": "available" | "conflicting" | "prohibited_word",
// "detail"}.
Poco::JSON::Object::Ptr nameCheckJson(const adapters::NameCheck& check);

}  // namespace kaiban::orchestrator::api
