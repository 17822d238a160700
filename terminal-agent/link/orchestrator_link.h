#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Poco/JSON/Object.h>

#include "core/clock.h"
#include "core/result.h"
#include "terminal-agent/devices/device_health.h"

// What the kiosk asks the orchestrator, as domain values: the kiosk API of
// docs/api/kiosk-api.md seen from the agent. KioskLink (kiosk_link.h) speaks it over mutual
// TLS; tests substitute fakes.
namespace kaiban::agent {

// The orchestrator accepted a submission (201), or recognised a repeated one (200).
struct SubmitAnswer {
  std::string application_id;
  bool created = false;  // false: an idempotent replay of an earlier submission
  std::string state;     // application state name ("in_progress", ...)
  std::string deadline;  // ISO 8601 with offset, "" when the answer carried none
};

// One step of an application as the applicant may see it.
struct StepView {
  std::string id;     // "registration", "seal", ...
  std::string state;  // step state name ("pending", "done", ...)
  bool at_risk = false;
  bool breached = false;
  std::string budget_due_at;  // ISO 8601, "" when not yet scheduled
  std::string finished_at;    // ISO 8601, "" while not finished

  friend bool operator==(const StepView&, const StepView&) = default;
};

// The applicant-visible status of an application (the restricted status shape of the kiosk
// API). Staff-only members of the orchestrator's answer are not kept.
struct ApplicationView {
  std::string id;
  std::string state;
  std::string submitted_at;
  std::string deadline;
  std::string updated_at;
  bool at_risk = false;
  bool breached = false;
  std::vector<std::string> attention;  // sentences for the applicant ("registration: ...")
  // Applicant-visible outputs (USCC, licence reference, masked account number, ...) in the
  // order the orchestrator listed them; non-text values are kept as their JSON text.
  std::vector<std::pair<std::string, std::string>> outputs;
  std::vector<StepView> steps;

  friend bool operator==(const ApplicationView&, const ApplicationView&) = default;
};

// One entry of the kiosk's list of recent applications.
struct ApplicationSummary {
  std::string id;
  std::string state;
  std::string submitted_at;
  std::string deadline;
  bool at_risk = false;
  bool breached = false;
};

struct ApplicationPage {
  std::vector<ApplicationSummary> applications;  // newest first
  std::string next_cursor;                       // "" on the last page
};

// What the people-data platform knows about a resident (pre-fill).
struct PersonRecord {
  std::string name;
  std::string sex;         // "male" | "female"
  std::string birth_date;  // YYYY-MM-DD
  std::string address;
};

// The registry's opinion of a proposed enterprise name.
struct NameCheckAnswer {
  std::string result;  // "available" | "conflicting" | "prohibited_word"
  std::string detail;  // the conflicting name or the prohibited word; "" when available
};

// The agent's periodic health report.
struct HeartbeatReport {
  std::string agent_version;
  int64_t queue_depth = 0;
  int64_t oldest_pending_seconds = 0;  // 0 when nothing is pending
  std::vector<DeviceHealth> devices;
};

// The kiosk API client. Every call returns a value or an Error whose code follows
// errorForKioskAnswer (kiosk_answers.h) for HTTP answers, and the transport's codes
// (kUnavailable, kTimeout, kCorrupt) when no usable answer arrived. A 2xx answer whose body is
// not the documented shape is kCorrupt. Implementations are thread-safe.
class OrchestratorLink {
 public:
  virtual ~OrchestratorLink() = default;

  // POST /api/v1/applications with `idempotency_key`. `body` is the application JSON.
  virtual Result<SubmitAnswer> submit(const std::string& idempotency_key,
                                      const std::string& body) = 0;
  // GET /api/v1/applications/{id}. kNotFound for an id this kiosk did not create.
  virtual Result<ApplicationView> status(std::string_view application_id) = 0;
  // GET /api/v1/applications?limit=&cursor=. REQUIRES: 1 <= limit <= 100.
  virtual Result<ApplicationPage> list(int limit, std::string_view cursor) = 0;
  // POST /api/v1/applications/{id}/answer with `answer` (e.g. {"enterprise_name": "..."}).
  virtual Result<void> answer(std::string_view application_id, const std::string& idempotency_key,
                              const Poco::JSON::Object& answer) = 0;
  // POST /api/v1/people/lookup. kNotFound when the platform does not know the number.
  virtual Result<PersonRecord> lookupPerson(std::string_view id_number) = 0;
  // POST /api/v1/name-check.
  virtual Result<NameCheckAnswer> checkName(std::string_view name,
                                            std::string_view division_code) = 0;
  // POST /api/v1/heartbeat; the orchestrator's clock on success.
  virtual Result<SystemTime> heartbeat(const HeartbeatReport& report) = 0;
};

}  // namespace kaiban::agent
