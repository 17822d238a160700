#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include <Poco/JSON/Object.h>

#include "core/result.h"
#include "terminal-agent/devices/id_card_reader.h"

namespace kaiban::agent {

// The JSON form of an IdCardData: the simulated card file, and what the agent hands to the
// kiosk's own screen (never to a log).
//
//   {"name": "张三", "sex": "male", "ethnicity": "汉", "birth_date": "1990-03-07",
//    "address": "山东省青岛市市南区香港中路8号", "id_number": "37020219900307123X",
//    "issuing_authority": "青岛市公安局市南分局", "valid_from": "2015-06-01",
//    "valid_until": "2035-06-01", "photo_reference": "sim-photo-1"}
//
// sex is "male" or "female"; dates are "YYYY-MM-DD"; valid_until is a date or "long_term"
// (长期). Every member is written.
Poco::JSON::Object::Ptr toJson(const IdCardData& card);

// The card in `json`, or kInvalidInput whose field names the first bad member
// ("id_number", "valid_until", ...). Strict: unknown members are refused. Required: name,
// ethnicity, address, id_number (must pass IdNumber::parse with `today`; stored normalised),
// issuing_authority, valid_from, valid_until (not before valid_from). Optional: sex and
// birth_date — when absent they are taken from the ID number, when present they must agree
// with it, as they do on every real card; photo_reference (default "").
// Texts must be non-empty, at most 100 code points, without control characters.
Result<IdCardData> idCardFromJson(const Poco::JSON::Object& json, CivilDate today);

// The simulated card deck in the file at `path`:
//
//   {"cards": [ {card}, {card}, ... ]}
//
// Each card as idCardFromJson reads it; a card without a photo_reference gets
// "sim-photo-<n>" (n = 1-based position). Errors: kNotFound (no file), kUnavailable (cannot
// read it), kInvalidInput naming the file and, for a bad card, "cards[i].<member>" — also
// for an empty deck, and for an ID number or photo reference that appears twice.
Result<std::vector<IdCardData>> loadSimulatedCards(const std::filesystem::path& path,
                                                   CivilDate today);

// The same, from the file's text; `source` names it in messages.
Result<std::vector<IdCardData>> parseSimulatedCards(std::string_view text, std::string_view source,
                                                    CivilDate today);

}  // namespace kaiban::agent
