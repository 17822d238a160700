#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/application.h"
#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/store/store.h"

// What the staff and operator consoles keep beside the flow's state: console users, their
// sessions, audit entries that belong to no application (logins, user management), and one
// bulk read of applications with their step timings for the operators' dashboard.
// SqliteConsoleStore (sqlite/sqlite_console_store.h) implements it over the orchestrator's
// database; every implementation passes console_store_contract_test.h.
namespace kaiban::orchestrator {

// Who a console user is. Stable snake_case names, stored and shown.
enum class UserRole {
  kBankStaff,    // "bank_staff": one bank's KYC reviews, accounts and exceptions
  kGovOperator,  // "gov_operator": the dashboard of one district (or all)
  kAdmin,        // "admin": everything, every scope
};
std::string_view toString(UserRole role);
Result<UserRole> parseUserRole(std::string_view name);

// The scope value of a gov_operator who sees every district.
inline constexpr std::string_view kAllDistricts = "all";

struct UserRecord {
  std::string name;          // login name: 3-32 of [a-z0-9._-], starting with a letter
  std::string display_name;  // shown in the console; 0-64 code points, may be ""
  UserRole role = UserRole::kBankStaff;
  // bank_staff: a bank code (3-12 of A-Z 0-9); gov_operator: "all" or a GB/T 2260 district
  // code or prefix (2, 4 or 6 digits); admin: "".
  std::string scope;
  std::string password_hash;  // crypto::hashPassword form; never the password
  bool disabled = false;
  int failed_logins = 0;  // consecutive failures since the last success or lockout
  std::optional<SystemTime> locked_until;
  SystemTime created_at{};
  SystemTime updated_at{};

  friend bool operator==(const UserRecord&, const UserRecord&) = default;
};

// OK, or kInvalidInput naming the first bad field (name, display_name, scope) per the rules
// of UserRecord. password_hash is only checked to be non-empty.
Result<void> validateUser(const UserRecord& user);

// A logged-in browser. The session token lives only in the user's cookie; the store keeps its
// SHA-256, so a copy of the database lets nobody in.
struct SessionRecord {
  std::string id_hash;     // lower-case hex SHA-256 of the session token
  std::string user_name;   // REFERENCES the user
  std::string csrf_token;  // the synchroniser token every state-changing request must echo
  SystemTime created_at{};
  SystemTime last_seen_at{};  // for the idle timeout
  SystemTime expires_at{};    // absolute end, whatever the activity

  friend bool operator==(const SessionRecord&, const SessionRecord&) = default;
};

// What recordFailedLogin did.
struct FailedLogin {
  UserRecord user;      // as it is now
  bool locked = false;  // this failure locked the account
};

// One step of an application as the dashboard needs it: no personal data, no outputs.
struct StepTiming {
  std::string step_id;
  StepState state = StepState::kPending;
  std::optional<SystemTime> ready_at;
  std::optional<SystemTime> finished_at;
  uint32_t flags = 0;  // kFlagAtRisk, kFlagBreached
  FailureKind failure = FailureKind::kNone;
  std::optional<HumanTaskState> human_task;  // the task gating the step, if it has one

  friend bool operator==(const StepTiming&, const StepTiming&) = default;
};

// An application's columns (ApplicationRecord without the sealed data) and its steps.
struct ApplicationTimeline {
  std::string id;
  std::string kiosk_id;
  std::string bank_code;
  std::string district;
  ApplicationState state = ApplicationState::kSubmitted;
  bool green_channel = false;
  SystemTime submitted_at{};
  SystemTime deadline_at{};
  SystemTime updated_at{};
  uint32_t flags = 0;
  std::vector<StepTiming> steps;  // ordered by step id

  friend bool operator==(const ApplicationTimeline&, const ApplicationTimeline&) = default;
};

// Which applications timelines() returns: those submitted at or after `submitted_since`,
// and, whatever their age, those not yet in a terminal state. Empty strings do not filter.
struct TimelineFilter {
  std::string district;   // exact code or GB/T 2260 prefix, as in ListFilter
  std::string bank_code;  // exact
  SystemTime submitted_since{};
  int limit = 100000;  // at most this many, newest first; 1..1000000
};

// A finished run of a step, for duration histograms.
struct StepRun {
  std::string step_id;
  SystemTime ready_at{};
  SystemTime finished_at{};
};

// What the metrics endpoint reports about the stored state, read at one instant.
struct StoreCounts {
  std::map<ApplicationState, int64_t> applications;  // every state, 0 when none
  int64_t at_risk = 0;          // open applications flagged at risk and not breached
  int64_t breached = 0;         // open applications flagged breached
  int64_t outbox_messages = 0;  // rows waiting to be sent (claimed or not)
  int64_t outbox_due = 0;       // of those, due now
  int64_t open_human_tasks = 0;
  std::vector<StepRun> done_steps;  // every done step with both times
};

// Thread-safe: any method from any thread. Errors common to every method: kUnavailable when
// the database is unreachable or busy beyond its timeout, kCorrupt when a stored value cannot
// be read back. Every change to users or sessions that an AuditInput accompanies appends it
// to the audit chain (the same chain as Store's) in the same transaction.
class ConsoleStore {
 public:
  virtual ~ConsoleStore() = default;

  // --- Users ------------------------------------------------------------------------------

  // Adds `user` (failed_logins, locked_until are ignored and start clear; created_at and
  // updated_at are audit.at). kInvalidInput per validateUser; kConflict if the name exists.
  virtual Result<void> createUser(const UserRecord& user, const AuditInput& audit) = 0;

  // kNotFound for an unknown name.
  virtual Result<UserRecord> findUser(std::string_view name) = 0;

  // Every user, ordered by name.
  virtual Result<std::vector<UserRecord>> listUsers() = 0;

  // Replaces the password hash, clears failures and any lock, and ends every session of the
  // user (a changed password logs everybody out). kNotFound.
  virtual Result<void> setPassword(std::string_view name, std::string_view password_hash,
                                   const AuditInput& audit) = 0;

  // Disables (ending every session of the user) or enables the user; enabling also clears
  // failures and any lock. Setting the state it has changes nothing but is audited. kNotFound.
  virtual Result<void> setDisabled(std::string_view name, bool disabled,
                                   const AuditInput& audit) = 0;

  // Counts one failed login at `now`: failed_logins + 1, and when that reaches
  // `max_failures` the account is locked until now + `lockout` and the count starts again.
  // Atomic, so concurrent failures are all counted. `audit` is appended in the same
  // transaction (with its action suffixed ".locked" when this failure locked the account).
  // kNotFound for an unknown name (nothing is counted). REQUIRES: max_failures >= 1.
  virtual Result<FailedLogin> recordFailedLogin(std::string_view name, SystemTime now,
                                                int max_failures, std::chrono::seconds lockout,
                                                const AuditInput& audit) = 0;

  // A successful login: clears failures and the lock, replaces the password hash when
  // `rehashed` is set (the hash was made with older parameters), and stores `session` — all
  // in one transaction. kNotFound for an unknown user; kConflict if the session id exists.
  virtual Result<void> recordLogin(const SessionRecord& session,
                                   const std::optional<std::string>& rehashed,
                                   const AuditInput& audit) = 0;

  // --- Sessions ---------------------------------------------------------------------------

  // The session with this id hash, or kNotFound (never existed, logged out, or purged).
  virtual Result<SessionRecord> findSession(std::string_view id_hash) = 0;

  // Moves the session's last_seen_at to `at` (never backwards). kNotFound.
  virtual Result<void> touchSession(std::string_view id_hash, SystemTime at) = 0;

  // Ends the session (logout); kNotFound if it does not exist (then nothing is audited).
  virtual Result<void> deleteSession(std::string_view id_hash, const AuditInput& audit) = 0;

  // Deletes sessions whose absolute expiry is at or before `now` or whose last activity is at
  // or before now - `idle_timeout`. Returns how many.
  virtual Result<int> purgeSessions(SystemTime now, std::chrono::seconds idle_timeout) = 0;

  // --- Audit ------------------------------------------------------------------------------

  // Appends one entry that belongs to no change of an application (a refused login, say).
  virtual Result<void> appendAudit(const AuditInput& audit) = 0;

  // --- Dashboard --------------------------------------------------------------------------

  // Applications matching `filter` with their steps, newest first. kInvalidInput for a
  // malformed district or a limit out of range.
  virtual Result<std::vector<ApplicationTimeline>> timelines(const TimelineFilter& filter) = 0;

  // --- Metrics ----------------------------------------------------------------------------

  // The counts of StoreCounts at `now`, in one read transaction.
  virtual Result<StoreCounts> counts(SystemTime now) = 0;
};

}  // namespace kaiban::orchestrator
