#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

// The identifiers the simulated partners issue. Pure functions of their inputs: the caller
// supplies a sequence number it keeps durably, so an identifier is never issued twice.
namespace kaiban::sim {

// The largest sequence usccFor accepts: 31^6 - 1 codes per simulator.
inline constexpr std::uint64_t kMaxUsccSequence = 887'503'680;

// The 9-character organisation code (主体标识码, USCC positions 9-17) of the `sequence`-th
// enterprise: "MA" as codes issued since 2015 start, six characters of the USCC alphabet
// (the sequence scrambled by a bijection, so consecutive enterprises do not get consecutive
// codes) and the GB 11714 check character (weights 3 7 9 10 5 8 4 2, MOD 11; 10 -> 'X',
// 11 -> '0'). REQUIRES: sequence <= kMaxUsccSequence.
std::string organizationCodeFor(std::uint64_t sequence);

// The GB 11714 check character of the 8 characters `body` (digits and capitals).
// kInvalidInput if `body` is not 8 of 0-9 A-Z.
Result<char> organizationCodeCheck(std::string_view body);

// The USCC a market-regulation registry issues to an enterprise (authority 9, type 1) in
// division `division_code` (6 digits): "91" + division + organizationCodeFor(sequence) + the
// GB 32100 check character. kInvalidInput if the division code is not six digits or the
// sequence is above kMaxUsccSequence.
Result<std::string> usccFor(std::string_view division_code, std::uint64_t sequence);

// A 13-digit seal code as the public-security seal system files it: the 6-digit division
// code of the filing office and a 7-digit sequence. REQUIRES: six-digit division,
// sequence < 10^7.
std::string sealCodeFor(std::string_view division_code, std::uint64_t sequence);

// The e-licence reference: "AMR" + division + "-" + YYYYMMDD + "-" + 6-digit sequence,
// e.g. "AMR370202-20260302-000042".
std::string licenceReferenceFor(std::string_view division_code, std::chrono::year_month_day day,
                                std::uint64_t sequence);

// The tax authority in charge (主管税务机关代码) of a taxpayer in `division_code`:
// "1" + division + "0000", e.g. "13702020000".
std::string taxAuthorityCodeFor(std::string_view division_code);

// A tax-bank-enterprise agreement number: "TBA" + division + "-" + YYYYMMDD + "-" + 6-digit
// sequence.
std::string agreementNumberFor(std::string_view division_code, std::chrono::year_month_day day,
                               std::uint64_t sequence);

// A partner's reference for a request: `prefix` + "-" + YYYYMMDD + "-" + 6-digit sequence,
// e.g. "REG-20260302-000042".
std::string partnerReferenceFor(std::string_view prefix, std::chrono::year_month_day day,
                                std::uint64_t sequence);

}  // namespace kaiban::sim
