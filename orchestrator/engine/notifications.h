#pragma once

#include <string>
#include <string_view>

// The SMS texts of the milestones the engine notifies (EngineOptions::notifications).
namespace kaiban::orchestrator {

// The zh-CN text for `milestone` ("submitted", "needs_attention", "completed", "rejected",
// "cancelled") about application `application_id`. Texts hold no personal data: the
// application id is printed on the applicant's receipt. An unknown milestone gets a generic
// "status changed" text.
std::string notificationText(std::string_view milestone, std::string_view application_id);

}  // namespace kaiban::orchestrator
