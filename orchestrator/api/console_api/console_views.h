#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "Poco/JSON/Object.h"
#include "core/application.h"
#include "orchestrator/engine/engine.h"

// What the console pages show, as JSON (docs/api/console-api.md). Pure functions.
namespace kaiban::orchestrator::api {

// A share of the registered capital at or above which a shareholder is a beneficial owner
// (受益所有人: a natural person holding 25 % or more, PBoC rules on beneficial ownership).
inline constexpr double kBeneficialOwnerShare = 0.25;

struct BeneficialOwner {
  std::string name;
  std::string id_number;
  double share = 0;   // of the registered capital, 0..1
  std::string basis;  // "ownership" (>= 25 %), or "senior_manager" when nobody holds 25 %
};

// The beneficial owners of `application`: every shareholder with at least 25 % of the
// capital; when there is none, the legal representative as the senior manager who controls
// the enterprise (the rules' fallback).
std::vector<BeneficialOwner> beneficialOwners(const Application& application);

// "3702**********123X": the division prefix and the last four characters of an ID number.
std::string maskIdNumber(std::string_view id_number);

// The bank officer's view of one application for KYC review:
// {"application": engine status JSON, "kyc": {"enterprise", "legal_representative",
//  "shareholders", "beneficial_owners", "supervisor", "finance_officer", "contact_phone",
//  "identity"}, "history": [events]}. legal_representative.identity is what the kiosk reported
// (Application::identity_verification): {"source": "id_card_chip", "kiosk_id", "reported":
// true, "method": "face"|"staff", "match_score" (null for staff), "liveness_passed" (null for
// staff), "staff_verifier" ("" when not given), "reference", "verified_at"}, or only
// {"source", "kiosk_id", "reported": false} when the kiosk did not report its check.
Poco::JSON::Object::Ptr kycJson(const ApplicationStatus& status, const Application& application,
                                const std::vector<EventRecord>& history);

// An operator's drill-down: the status without personal data or outputs (only the USCC,
// which is public), and the history. {"application": {...}, "history": [...]}.
Poco::JSON::Object::Ptr operatorApplicationJson(const ApplicationStatus& status,
                                                const std::vector<EventRecord>& history);

}  // namespace kaiban::orchestrator::api
