#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/application.h"
#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/flow/state_machine.h"

// Durable state of the orchestrator behind one interface. SqliteStore (sqlite_store.h) is the
// embedded backend; a PostgreSQL backend implements the same interface and passes the same
// contract suite (store_contract_test.h). docs/flow.md describes the tables.
//
// The store holds no keys and sees no personal data in clear: the engine seals the
// application and step outputs with PiiCipher before they get here, and looks people up
// through a BlindIndex it computes itself.
namespace kaiban::orchestrator {

// Bits of ApplicationRecord::flags and StepRecord::flags.
inline constexpr uint32_t kFlagAtRisk = 1;    // 80 % of the working-time budget used
inline constexpr uint32_t kFlagBreached = 2;  // the budget is used up

// One application as stored. The plain columns are what lists filter on; everything personal
// is inside `sealed_application`.
struct ApplicationRecord {
  std::string id;
  std::string kiosk_id;
  std::string bank_code;
  std::string district;  // GB/T 2260 code of the registered address
  int flow_version = 0;
  ApplicationState state = ApplicationState::kSubmitted;
  bool green_channel = false;
  SystemTime submitted_at{};
  SystemTime deadline_at{};
  SystemTime updated_at{};
  uint32_t flags = 0;
  int64_t version = 0;                     // set by the store: 1 after creation, +1 per commit
  std::string sealed_application;          // PiiCipher output (binary)
  std::string legal_representative_index;  // BlindIndex of the legal representative's ID

  friend bool operator==(const ApplicationRecord&, const ApplicationRecord&) = default;
};

// One step of an application.
struct StepRecord {
  std::string step_id;
  StepState state = StepState::kPending;
  int attempts = 0;        // sends since the step last (re)started; bounded by its retry policy
  int revision = 1;        // bumped when the request must go out under a new message id
  int polls = 0;           // polls since the acknowledgement
  std::string message_id;  // of the current revision; "" before the first dispatch
  std::optional<SystemTime> ready_at;  // the step's budget clock started here
  std::optional<SystemTime> dispatched_at;
  std::optional<SystemTime> budget_due_at;
  std::optional<SystemTime> finished_at;  // done or failed
  uint32_t flags = 0;
  FailureKind failure = FailureKind::kNone;
  std::string reason_code;  // machine code of the failure, e.g. "NAME_TAKEN"
  std::string reason;       // a sentence a person can act on
  std::string partner_reference;
  std::string sealed_outputs;  // PiiCipher output of the outputs' JSON; "" when none

  friend bool operator==(const StepRecord&, const StepRecord&) = default;
};

struct HumanTaskRecord {
  std::string step_id;
  std::string kind;  // from the flow definition, e.g. "kyc_review"
  std::string role;  // who decides, e.g. "bank_staff"
  HumanTaskState state = HumanTaskState::kOpen;
  std::string decided_by;  // the actor of the last decision
  std::string reason;
  SystemTime opened_at{};
  std::optional<SystemTime> decided_at;

  friend bool operator==(const HumanTaskRecord&, const HumanTaskRecord&) = default;
};

// Everything the store keeps about one application except its history.
struct ApplicationSnapshot {
  ApplicationRecord application;
  std::vector<StepRecord> steps;  // ordered by step id
  std::vector<HumanTaskRecord> human_tasks;

  const StepRecord* step(std::string_view id) const;
  const HumanTaskRecord* humanTask(std::string_view step_id) const;
};

// One entry of an application's history, also the dashboards' event stream.
struct EventRecord {
  int64_t seq = 0;  // assigned by the store; see Store::eventsSince
  std::string application_id;
  std::string step_id;  // "" when the event is about the application
  std::string type;     // "step.done", "application.state_changed", ... (docs/flow.md)
  std::string actor;    // "system", "kiosk:<id>", "staff:<id>", "partner:<adapter>"
  SystemTime at{};
  std::string detail;  // a JSON object; never personal data

  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

// What the engine asks to append to the audit log; the store chains it.
struct AuditInput {
  SystemTime at{};
  std::string actor;
  std::string application_id;
  std::string action;
  std::string detail;  // JSON object text; never personal data
};

// One audit log entry as stored: `hash` covers `previous_hash` and the entry's canonical
// form (auditCanonicalForm), so an edited, deleted or reordered entry breaks the chain.
struct AuditRecord {
  int64_t seq = 0;
  SystemTime at{};
  std::string actor;
  std::string application_id;
  std::string action;
  std::string detail;
  std::string previous_hash;
  std::string hash;
};

// The previous_hash of the first audit entry.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The exact bytes an audit entry's hash covers: a versioned, length-prefixed serialisation of
// seq, time (microseconds since the epoch), actor, application id, action and detail, so no
// two different entries share a form.
std::string auditCanonicalForm(int64_t seq, SystemTime at, std::string_view actor,
                               std::string_view application_id, std::string_view action,
                               std::string_view detail);

enum class OutboxKind {
  kDispatch,  // "dispatch": send the step's request
  kPoll,      // "poll": ask the partner for the outcome of an acknowledged request
  kNotify,    // "notify": a milestone SMS to the applicant
};
std::string_view toString(OutboxKind kind);
Result<OutboxKind> parseOutboxKind(std::string_view name);

// A message waiting to go to a partner. The request itself is built when it is sent, from
// the application as it is then: the row holds no personal data.
struct OutboxMessage {
  int64_t id = 0;  // assigned by the store
  std::string message_id;
  std::string application_id;
  std::string step_id;  // "" for kNotify
  OutboxKind kind = OutboxKind::kDispatch;
  int attempts = 0;  // failed tries of this row so far
  SystemTime next_attempt_at{};
  std::string payload;      // kNotify: the message key of the milestone; otherwise ""
  std::string lease_owner;  // "" when not claimed
  std::optional<SystemTime> lease_until;

  friend bool operator==(const OutboxMessage&, const OutboxMessage&) = default;
};

enum class TimerKind {
  kAtRisk,  // "at_risk"
  kBreach,  // "breach"
};
std::string_view toString(TimerKind kind);
Result<TimerKind> parseTimerKind(std::string_view name);

// A working-time mark of an application (step_id "") or of one step.
struct TimerRecord {
  int64_t id = 0;  // assigned by the store
  std::string application_id;
  std::string step_id;
  TimerKind kind = TimerKind::kAtRisk;
  SystemTime due_at{};
  bool fired = false;
  std::string lease_owner;
  std::optional<SystemTime> lease_until;

  friend bool operator==(const TimerRecord&, const TimerRecord&) = default;
};

// The first answer to a kiosk's request with this idempotency key.
struct IdempotencyRecord {
  std::string scope;  // the kiosk id: keys are unique per kiosk
  std::string key;
  std::string request_hash;  // of the request body: the same key with another body is refused
  std::string application_id;
  SystemTime created_at{};

  friend bool operator==(const IdempotencyRecord&, const IdempotencyRecord&) = default;
};

// What to do with an outbox row this worker claimed.
struct OutboxSettlement {
  int64_t outbox_id = 0;
  std::string lease_owner;  // the claimer; a row re-claimed by someone else is left alone
  bool remove = true;       // false: reschedule at next_attempt_at with `attempts`
  SystemTime next_attempt_at{};
  int attempts = 0;
};

// One atomic change of an application. Everything in it is applied, or nothing. Within a
// change, timers are marked fired before cancellations run (fired timers stay as history) and
// new timers are added last; outbox rows are settled, then dropped, then `outgoing` queued.
struct Change {
  // The application's new row. Its version is ignored (the store sets it). Its sealed data and
  // blind index are written on creation and when `rewrite_sealed_application` is set, and
  // are left as stored otherwise.
  ApplicationRecord application;
  bool rewrite_sealed_application = false;
  std::vector<StepRecord> steps;              // inserted or replaced, by step id
  std::vector<HumanTaskRecord> human_tasks;   // inserted or replaced, by step id
  std::vector<EventRecord> events;            // appended; seq assigned
  std::vector<AuditInput> audit;              // appended to the audit chain, in order
  std::vector<TimerRecord> new_timers;        // id assigned
  std::vector<int64_t> fired_timers;          // marked fired
  std::vector<std::string> cancel_timers_of;  // unfired timers of these step ids are deleted
  bool cancel_all_timers = false;             // every unfired timer of the application
  std::vector<OutboxSettlement> settle_outbox;
  std::vector<std::string> drop_outbox_of;       // dispatch and poll rows of these steps deleted
  bool drop_all_step_outbox = false;             // every dispatch and poll row of the application
  std::optional<IdempotencyRecord> idempotency;  // inserted; kConflict if the key exists
};

// Which step owns a message id.
struct MessageOwner {
  std::string application_id;
  std::string step_id;
  int revision = 0;
};

// Filters of Store::listApplications; empty fields do not filter.
struct ListFilter {
  std::string kiosk_id;
  std::string bank_code;
  std::optional<ApplicationState> state;
  std::string district;  // exact code, or a prefix ending the way GB/T 2260 nests: "37", "3702"
  int limit = 50;        // 1..500
  std::string cursor;    // from the previous page; "" for the first
};

struct ApplicationPage {
  // Newest first (submitted_at, then id, descending). sealed_application is left empty.
  std::vector<ApplicationRecord> applications;
  std::string next_cursor;  // "" when this is the last page
};

struct HumanTaskFilter {
  std::string bank_code;  // "" for every bank
  std::optional<HumanTaskState> state;
  int limit = 100;
};

// A human task with the application columns a console needs to route it.
struct HumanTaskView {
  std::string application_id;
  std::string bank_code;
  std::string kiosk_id;
  std::string district;
  ApplicationState application_state = ApplicationState::kSubmitted;
  HumanTaskRecord task;
};

// A kiosk allowed to call the kiosk API (`kaiban-orchestrator kiosk add`). Its client
// certificate must name it: CN = kiosk_id, O = bank_code.
struct KioskRecord {
  std::string kiosk_id;  // e.g. "QD-SN-0001"
  std::string bank_code;
  std::string district;  // GB/T 2260 code of where it stands, e.g. "370202"
  std::string name;      // display name and location for operators; may be ""
  bool enabled = true;
  SystemTime registered_at{};
  std::optional<SystemTime> revoked_at;  // when last disabled; nullopt while enabled
  std::optional<SystemTime> last_heartbeat_at;
  std::string last_heartbeat;  // the last heartbeat's JSON object text; "" before the first

  friend bool operator==(const KioskRecord&, const KioskRecord&) = default;
};

// Filters of Store::listKiosks; empty fields do not filter.
struct KioskFilter {
  std::string bank_code;
  std::string district;  // exact code, or a GB/T 2260 prefix as in ListFilter
};

// Durable state. Implementations are thread-safe: any method may be called from any thread.
// Every method returns kUnavailable when the backend cannot be reached or is busy beyond its
// timeout, and kCorrupt when stored data cannot be read back (a bad enum name, say).
class Store {
 public:
  virtual ~Store() = default;

  // Applies `change` to application `id` and queues `outgoing`, in one transaction.
  // expected_version 0 creates the application (kConflict if `id` exists); otherwise the
  // application's version must equal `expected_version` (kConflict if another commit came
  // first, kNotFound if there is no such application). The new version is
  // expected_version + 1. kConflict also when `change.idempotency` names a key that exists.
  // On any error nothing of the change is visible, then or later.
  virtual Result<void> commit(std::string_view id, int64_t expected_version, const Change& change,
                              std::span<const OutboxMessage> outgoing) = 0;

  // The application and its steps and human tasks, read at one instant. kNotFound.
  virtual Result<ApplicationSnapshot> load(std::string_view id) = 0;

  // The record for (scope, key), or nullopt.
  virtual Result<std::optional<IdempotencyRecord>> findIdempotencyKey(std::string_view scope,
                                                                      std::string_view key) = 0;

  // Records a key whose request's effect was committed on its own (an applicant's answer,
  // say), so that the request can be recognised when it is sent again. kConflict if (scope,
  // key) exists; kNotFound if record.application_id names no application.
  virtual Result<void> putIdempotencyKey(const IdempotencyRecord& record) = 0;

  // The step whose CURRENT message id is `message_id`, or nullopt (unknown, or superseded by
  // a later revision).
  virtual Result<std::optional<MessageOwner>> findMessage(std::string_view message_id) = 0;

  // Ids of applications whose legal representative has blind index `index`, oldest first.
  virtual Result<std::vector<std::string>> findByLegalRepresentative(std::string_view index) = 0;

  // A page of applications. kInvalidInput for a malformed cursor or a limit outside 1..500.
  virtual Result<ApplicationPage> listApplications(const ListFilter& filter) = 0;

  // The application's events, oldest first.
  virtual Result<std::vector<EventRecord>> history(std::string_view id) = 0;

  // Up to `limit` events with seq > `after_seq`, in seq order. Once an event is returned, no
  // event with a smaller seq appears later: a reader that remembers the last seq it saw
  // misses nothing.
  virtual Result<std::vector<EventRecord>> eventsSince(int64_t after_seq, int limit) = 0;

  virtual Result<std::vector<HumanTaskView>> listHumanTasks(const HumanTaskFilter& filter) = 0;

  // Claims up to `limit` outbox rows due at `now` (next_attempt_at <= now) whose lease is
  // free or expired, earliest first, leasing them to `lease_owner` until `lease_until`.
  // Concurrent claimers never get the same row while its lease runs; a claimer that dies
  // loses its rows when the lease expires.
  virtual Result<std::vector<OutboxMessage>> claimDueOutbox(SystemTime now, int limit,
                                                            std::string_view lease_owner,
                                                            SystemTime lease_until) = 0;

  // The same for unfired timers with due_at <= now.
  virtual Result<std::vector<TimerRecord>> claimDueTimers(SystemTime now, int limit,
                                                          std::string_view lease_owner,
                                                          SystemTime lease_until) = 0;

  // Frees every outbox and timer lease whose owner is `owner` or starts with `owner` + "#",
  // so they can be claimed at once. For a restarted process whose stable owner name is
  // `owner`: its predecessor is dead, and its claims need not wait for their leases to run
  // out. REQUIRES: no live process claims under that name. Returns how many were freed.
  virtual Result<int> releaseLeases(std::string_view owner) = 0;

  // Outbox rows and timers of one application, for tests and support tools.
  virtual Result<std::vector<OutboxMessage>> outboxOf(std::string_view id) = 0;
  virtual Result<std::vector<TimerRecord>> timersOf(std::string_view id) = 0;

  // Up to `limit` audit entries with seq > `after_seq`, in seq order.
  virtual Result<std::vector<AuditRecord>> auditLog(int64_t after_seq, int limit) = 0;

  // Flow versions of applications that are not in a terminal state, ascending: each must
  // stay loaded in the FlowCatalog.
  virtual Result<std::vector<int>> flowVersionsInUse() = 0;

  // The kiosk registry. Every change to it appends `audit` to the audit chain in the same
  // transaction.
  //
  // Registers `kiosk` (its registered_at, revoked_at and heartbeat fields are ignored), or, if
  // the id is known, replaces its bank, district and name and enables it again, keeping its
  // registration time and last heartbeat. Returns true when the kiosk is new. kInvalidInput
  // for an empty id or bank code or a district that is not up to six digits.
  virtual Result<bool> upsertKiosk(const KioskRecord& kiosk, const AuditInput& audit) = 0;

  // Enables or disables (revokes) a kiosk; disabling stamps revoked_at = audit.at, enabling
  // clears it. Setting the state it already has changes nothing but is still audited.
  // kNotFound for an unknown kiosk.
  virtual Result<void> setKioskEnabled(std::string_view kiosk_id, bool enabled,
                                       const AuditInput& audit) = 0;

  // The kiosk, or kNotFound.
  virtual Result<KioskRecord> findKiosk(std::string_view kiosk_id) = 0;

  // Registered kiosks (enabled or not) ordered by id. kInvalidInput for a malformed district.
  virtual Result<std::vector<KioskRecord>> listKiosks(const KioskFilter& filter) = 0;

  // Keeps `heartbeat_json` (a JSON object text, never personal data) as the kiosk's last
  // heartbeat, received at `at`. Heartbeats are not audited. kNotFound for an unknown kiosk.
  virtual Result<void> recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                                       std::string_view heartbeat_json) = 0;
};

// Verifies the whole audit log of `store`, reading it in pages: OK, or kCorrupt naming the
// first entry where the chain breaks (crypto::AuditChain::verifyChain). `expected_head_hash`
// (the last hash, recorded elsewhere) also detects entries deleted from the end.
Result<void> verifyAuditLog(Store& store, std::string_view expected_head_hash = {});

}  // namespace kaiban::orchestrator
