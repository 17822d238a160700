#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "terminal-agent/link/orchestrator_link.h"

// Pure translations between the kiosk API's HTTP answers and the agent's values: the one place
// where an orchestrator status code becomes an ErrorCode. No I/O.
namespace kaiban::agent {

// The Error for a non-2xx answer of the kiosk API to `what` ("submit", "status of KB...").
// The code decides what the queue's Forwarder does (isPermanentForwardError):
//   400, 413 and other 4xx not listed -> kInvalidInput  (permanent: the request is wrong)
//   401, 403                         -> kForbidden     (retried: an operator fixes the kiosk)
//   404                              -> kNotFound
//   409                              -> kConflict      (permanent: key reused with another body)
//   422                              -> kInvalidInput, or kRejected when the error body says
//                                       "rejected" (permanent either way)
//   408, 429, 500-503, other 5xx     -> kUnavailable   (retried)
//   504                              -> kTimeout       (retried)
//   1xx, 3xx                         -> kCorrupt       (retried; never a Kaiban answer)
// The message names `what` and the status, then the error body's message (or, for a 422, the
// message keys and fields of every problem, never field values), so a log line says why
// without carrying personal data. `field` is the error body's field when it has one.
// REQUIRES: status is not 2xx.
Error errorForKioskAnswer(int status, std::string_view body, std::string_view what);

// Parsers of 2xx bodies. kCorrupt, naming `what` and the member, when the body is not JSON or
// lacks a required member or has one of the wrong type; unknown members are ignored (the
// orchestrator may add some).
Result<SubmitAnswer> parseSubmitAnswer(std::string_view body, bool created);
Result<ApplicationView> parseApplicationView(std::string_view body);
Result<ApplicationPage> parseApplicationPage(std::string_view body);
Result<PersonRecord> parsePersonRecord(std::string_view body);
// The result must be one of "available", "conflicting", "prohibited_word".
Result<NameCheckAnswer> parseNameCheckAnswer(std::string_view body);
// {"server_time": ISO 8601}.
Result<SystemTime> parseHeartbeatAnswer(std::string_view body);

// The request bodies, compact JSON.
std::string heartbeatBody(const HeartbeatReport& report);
std::string lookupBody(std::string_view id_number);
std::string nameCheckBody(std::string_view name, std::string_view division_code);

// The JSON forms the local kiosk API hands to the screen.
Poco::JSON::Object::Ptr toJson(const ApplicationView& view);
Poco::JSON::Object::Ptr toJson(const PersonRecord& person);

// True for an application id or a cursor that may go into a URL path or query unescaped:
// 1-64 of A-Z a-z 0-9 '-' '_'.
bool isSafeIdentifier(std::string_view text);

}  // namespace kaiban::agent
