#pragma once

#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/application.h"
#include "core/result.h"
#include "terminal-agent/devices/id_card_reader.h"

// The form the kiosk screen sends, turned into an Application. The screen never sends the
// applicant's own identity: the agent takes it from the ID card read in this session, so
// nothing the state knows is typed again and the screen cannot substitute another person.
namespace kaiban::agent {

// Who the kiosk is and who stands in front of it.
struct FormContext {
  std::string kiosk_id;
  std::string bank_code;
  IdCardData applicant;  // the legal representative, from the card chip
};

// The screen's form:
//
//   {"green_channel": false,
//    "enterprise": {...as in core/application_json.h...},
//    "legal_representative": {"phone": "13800138000"},
//    "shareholders": [{"self": true, "contribution": "60万"},
//                     {"person": {"id_number", "name", "phone"?}, "contribution": "40万"}],
//    "supervisor": null | {"id_number", "name", "phone"?},
//    "finance_officer": null | {"self": true} | {"id_number", "name", "phone"},
//    "contact_phone": "13800138000",
//    "seal": {...}, "tax": {...}}
//
// "self" stands for the applicant (name and ID number from the card; a self finance officer
// gets the legal representative's phone). The screen cannot send identity_verification: the
// result has none, and the agent adds the record of the check it ran (local_api.cc). Everything
// else keeps the strict rules of applicationFromJson: the result is exactly what the kiosk API
// would parse. kInvalidInput with the field path for a malformed form (unknown member, wrong type,
// an amount that is not a number of yuan, ...).
Result<Application> applicationFromKioskForm(const Poco::JSON::Object& form,
                                             const FormContext& context);

// The agent's own 422 entry for a form that did not parse (the validation rules never ran):
// {"field": error.field, "key": "form.invalid", "zh": "...", "en": "..."}.
Poco::JSON::Array::Ptr formErrorJson(const Error& error);

}  // namespace kaiban::agent
