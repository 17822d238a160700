#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/application.h"
#include "core/id_number.h"
#include "core/result.h"
#include "orchestrator/engine/engine.h"

// The kiosk API's requests as values (docs/api/kiosk-api.md), parsed strictly: malformed JSON,
// a value of the wrong type, a missing required member and an unknown member are each
// kInvalidInput whose `field` is the path of the offending value ("devices[1].status") and
// whose message says what is wrong. Never repeats a value in a message: values may be personal
// data, and messages are logged. Pure functions, no I/O.
namespace kaiban::orchestrator::api {

inline constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";
inline constexpr size_t kMinIdempotencyKeyLength = 8;
inline constexpr size_t kMaxIdempotencyKeyLength = 128;

// The Idempotency-Key header's value: 8-128 characters of [A-Za-z0-9_-]. kInvalidInput (field
// "Idempotency-Key") when it is absent (nullopt) or malformed.
Result<std::string> checkIdempotencyKey(const std::optional<std::string>& header);

// GET /api/v1/applications?limit=20&cursor=...
inline constexpr int kDefaultListLimit = 20;
inline constexpr int kMaxListLimit = 100;
struct ListQuery {
  int limit = kDefaultListLimit;
  std::string store_cursor;  // Store/Engine cursor; "" for the first page
};
// `raw_query` is the query string without '?', percent-encoded. Only `limit` (1-100) and
// `cursor` (as kioskCursor returned it) are accepted, each at most once; kInvalidInput naming
// the parameter otherwise.
Result<ListQuery> parseListQuery(std::string_view raw_query);

// The kiosk API's form of an Engine list cursor: opaque to kiosks and made only of
// [A-Za-z0-9_-], so it goes into a URL unescaped. "" stays "".
std::string kioskCursor(std::string_view store_cursor);

// POST /api/v1/people/lookup: {"id_number"}.
struct PeopleLookupRequest {
  std::string id_number;
};
Result<PeopleLookupRequest> parsePeopleLookup(std::string_view body);
// The rules the number breaks, as the 422 answer lists them: "person.id_number.required" or
// "person.id_number.invalid" on field "id_number"; empty when it is a valid resident ID number
// on `today`.
std::vector<Problem> peopleLookupProblems(const PeopleLookupRequest& request, CivilDate today);

// POST /api/v1/name-check: {"name", "division_code"}.
struct NameCheckQuery {
  std::string name;
  std::string division_code;
};
Result<NameCheckQuery> parseNameCheck(std::string_view body);
// "enterprise.name.required" / "enterprise.name.length" (2-50 code points) on "name",
// "address.division_code.invalid" on "division_code".
std::vector<Problem> nameCheckProblems(const NameCheckQuery& query);

// POST /api/v1/applications/{id}/answer: {"enterprise_name"?}. An empty object answers a
// request for more information that needs no new data.
Result<ApplicantAnswer> parseApplicantAnswer(std::string_view body);

// POST /api/v1/heartbeat.
inline constexpr size_t kMaxHeartbeatDevices = 16;
inline constexpr size_t kMaxHeartbeatText = 200;  // code points of each text member
struct DeviceReport {
  std::string device;  // e.g. "receipt_printer"
  std::string status;  // "ok" | "degraded" | "offline"
  std::string detail;  // for the operator; may be ""

  friend bool operator==(const DeviceReport&, const DeviceReport&) = default;
};
struct Heartbeat {
  std::string agent_version;
  int64_t queue_depth = 0;
  int64_t oldest_pending_seconds = 0;
  std::vector<DeviceReport> devices;

  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};
// Every member is required; counts are integers >= 0; at most kMaxHeartbeatDevices devices;
// texts at most kMaxHeartbeatText code points.
Result<Heartbeat> parseHeartbeat(std::string_view body);
// The heartbeat as the store keeps it: compact JSON of exactly the members above, so nothing
// a kiosk adds beyond them is stored.
std::string heartbeatJson(const Heartbeat& heartbeat);

}  // namespace kaiban::orchestrator::api
