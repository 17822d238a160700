#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/application.h"
#include "core/result.h"

namespace kaiban {

// The JSON form of an Application: the body a kiosk POSTs, and what the store keeps.
//
//   {"kiosk_id": "QD-SN-0001", "bank_code": "QDBANK", "green_channel": false,
//    "enterprise": {"name": "青岛海蓝科技有限公司", "type": "limited_liability_company",
//                   "registered_capital": "1000000.00",
//                   "registered_address": {"division_code": "370202", "detail": "..."},
//                   "business_scope": "..."},
//    "legal_representative": {"id_number": "...", "name": "...", "phone": "13800138000"},
//    "shareholders": [{"person": {"id_number": "...", "name": "..."},
//                      "contribution": "600000.00"}],
//    "supervisor": {...person...}, "finance_officer": {...person...},
//    "contact_phone": "13800138000",
//    "seal": {"shop": "QD-SEAL-017", "delivery": "courier",
//             "courier_address": {"division_code": "370202", "detail": "..."}},
//    "tax": {"taxpayer_type": "small_scale",
//            "invoices": [{"type": "vat_ordinary", "monthly_quantity": 25}]},
//    "identity_verification": {"method": "face", "match_score": 0.93, "liveness_passed": true,
//                              "reference": "fc-000001", "verified_at":
//                              "2026-03-10T09:41:07+08:00"}}
//
// identity_verification for a staff check has no match_score nor liveness_passed, and may
// carry "staff_verifier": "<employee id>" instead.
//
// Field names are the snake_case member names of core/application.h and enum values their
// toString() names. Amounts are JSON strings in yuan, never numbers (a JSON number is a
// binary float to most readers).

// The JSON form of `application`. Every field is written except absent optionals
// (supervisor, finance_officer, seal.courier_address, identity_verification; an empty
// staff_verifier). verified_at is written to the second with +08:00. Amounts are written plain with
// two decimals ("1000000.00", "-0.05"). Keys keep the order shown above. Never fails.
Poco::JSON::Object::Ptr toJson(const Application& application);

// The Application in `json`, or kInvalidInput whose `field` is the path of the first
// offending value ("enterprise.registered_capital", "shareholders[1].person.id_number") and
// whose message says what is wrong. Strict, so that a kiosk bug cannot silently lose data:
//   - a field not in the form above is an error ("unknown field");
//   - a required field that is missing is an error ("missing required field");
//   - a value of the wrong JSON type is an error, null included for required fields;
//   - amounts are strings accepted by Money::parseYuan ("1,000,000.00", "100万", "¥1000");
//   - monthly_quantity is a JSON integer; enum values are exactly their toString() names.
// Optional, and treated alike when absent or null: green_channel (default false),
// supervisor, finance_officer, every person's phone (default ""), seal.courier_address,
// tax.invoices (default empty) and identity_verification (older kiosks never send it).
// identity_verification, when present, is checked whole, because it is the kiosk's own record
// and not the applicant's input: method is "face" or "staff"; a face check needs match_score
// (a number in [0, 1]) and liveness_passed, and refuses staff_verifier; a staff check refuses
// both and may carry staff_verifier (at most 64 bytes); reference is 1-64 bytes; verified_at
// is a timestamp parseIso8601 accepts. Only the form is checked here: the business rules are
// validateApplication's (an empty shareholders array parses fine).
Result<Application> applicationFromJson(const Poco::JSON::Object& json);

// Parses JSON text and then applies applicationFromJson. kInvalidInput (empty field) when
// `text` is not a JSON object or nests deeper than the form ever does.
Result<Application> applicationFromJsonText(std::string_view text);

// The problems as the kiosk API's 422 body lists them, in the same order:
//   [{"field": "enterprise.name", "key": "enterprise.name.required",
//     "zh": "请填写企业名称", "en": "Enter the company name"}, ...]
Poco::JSON::Array::Ptr problemsJson(const std::vector<Problem>& problems);

}  // namespace kaiban
