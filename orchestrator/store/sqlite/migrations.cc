#include "orchestrator/store/sqlite/migrations.h"

#include <array>

namespace kaiban::orchestrator::sqlite {

namespace {

// Times are INTEGER microseconds since the Unix epoch (UTC). Tables are STRICT so a value of
// the wrong type is an error instead of being stored as whatever SQLite makes of it.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE applications (
  id                          TEXT PRIMARY KEY,
  kiosk_id                    TEXT NOT NULL,
  bank_code                   TEXT NOT NULL,
  district                    TEXT NOT NULL,
  flow_version                INTEGER NOT NULL,
  state                       TEXT NOT NULL,
  green_channel               INTEGER NOT NULL,
  submitted_at                INTEGER NOT NULL,
  deadline_at                 INTEGER NOT NULL,
  updated_at                  INTEGER NOT NULL,
  flags                       INTEGER NOT NULL,
  version                     INTEGER NOT NULL,
  sealed_application          BLOB NOT NULL,
  legal_representative_index  TEXT NOT NULL
) STRICT;
CREATE INDEX applications_by_time ON applications (submitted_at, id);
CREATE INDEX applications_by_kiosk ON applications (kiosk_id, submitted_at, id);
CREATE INDEX applications_by_bank ON applications (bank_code, submitted_at, id);
CREATE INDEX applications_by_state ON applications (state, submitted_at, id);
CREATE INDEX applications_by_person ON applications (legal_representative_index);

CREATE TABLE steps (
  application_id     TEXT NOT NULL REFERENCES applications (id),
  step_id            TEXT NOT NULL,
  state              TEXT NOT NULL,
  attempts           INTEGER NOT NULL,
  revision           INTEGER NOT NULL,
  polls              INTEGER NOT NULL,
  message_id         TEXT,
  ready_at           INTEGER,
  dispatched_at      INTEGER,
  budget_due_at      INTEGER,
  finished_at        INTEGER,
  flags              INTEGER NOT NULL,
  failure            TEXT NOT NULL,
  reason_code        TEXT NOT NULL,
  reason             TEXT NOT NULL,
  partner_reference  TEXT NOT NULL,
  sealed_outputs     BLOB,
  PRIMARY KEY (application_id, step_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX steps_by_message ON steps (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE human_tasks (
  application_id  TEXT NOT NULL REFERENCES applications (id),
  step_id         TEXT NOT NULL,
  kind            TEXT NOT NULL,
  role            TEXT NOT NULL,
  state           TEXT NOT NULL,
  decided_by      TEXT NOT NULL,
  reason          TEXT NOT NULL,
  opened_at       INTEGER NOT NULL,
  decided_at      INTEGER,
  PRIMARY KEY (application_id, step_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX human_tasks_by_state ON human_tasks (state, opened_at);

CREATE TABLE events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id  TEXT NOT NULL REFERENCES applications (id),
  step_id         TEXT NOT NULL,
  type            TEXT NOT NULL,
  actor           TEXT NOT NULL,
  at              INTEGER NOT NULL,
  detail          TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_application ON events (application_id, seq);

CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id       TEXT NOT NULL,
  application_id   TEXT NOT NULL REFERENCES applications (id),
  step_id          TEXT NOT NULL,
  kind             TEXT NOT NULL,
  attempts         INTEGER NOT NULL,
  next_attempt_at  INTEGER NOT NULL,
  payload          TEXT NOT NULL,
  lease_owner      TEXT NOT NULL,
  lease_until      INTEGER,
  created_at       INTEGER NOT NULL,
  UNIQUE (message_id, kind)
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at);
CREATE INDEX outbox_by_application ON outbox (application_id, step_id);

CREATE TABLE timers (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id  TEXT NOT NULL REFERENCES applications (id),
  step_id         TEXT NOT NULL,
  kind            TEXT NOT NULL,
  due_at          INTEGER NOT NULL,
  fired           INTEGER NOT NULL,
  lease_owner     TEXT NOT NULL,
  lease_until     INTEGER
) STRICT;
CREATE INDEX timers_due ON timers (fired, due_at);
CREATE INDEX timers_by_application ON timers (application_id, step_id);

CREATE TABLE idempotency_keys (
  scope           TEXT NOT NULL,
  key             TEXT NOT NULL,
  request_hash    TEXT NOT NULL,
  application_id  TEXT NOT NULL REFERENCES applications (id),
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_log (
  seq             INTEGER PRIMARY KEY,
  at              INTEGER NOT NULL,
  actor           TEXT NOT NULL,
  application_id  TEXT NOT NULL,
  action          TEXT NOT NULL,
  detail          TEXT NOT NULL,
  previous_hash   TEXT NOT NULL,
  hash            TEXT NOT NULL
) STRICT;
)sql";

// The kiosk registry: which kiosks may call the kiosk API, and their last heartbeat.
constexpr std::string_view kKioskRegistry = R"sql(
CREATE TABLE kiosks (
  kiosk_id           TEXT PRIMARY KEY,
  bank_code          TEXT NOT NULL,
  district           TEXT NOT NULL,
  name               TEXT NOT NULL,
  enabled            INTEGER NOT NULL,
  registered_at      INTEGER NOT NULL,
  revoked_at         INTEGER,
  last_heartbeat_at  INTEGER,
  last_heartbeat     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX kiosks_by_bank ON kiosks (bank_code, kiosk_id);
)sql";

// Console users and their sessions (orchestrator/store/console_store.h). A session row holds
// the SHA-256 of its token, never the token. The district index serves the operators'
// dashboard, which reads applications by district and time.
constexpr std::string_view kConsoleUsers = R"sql(
CREATE TABLE console_users (
  name           TEXT PRIMARY KEY,
  display_name   TEXT NOT NULL,
  role           TEXT NOT NULL,
  scope          TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  disabled       INTEGER NOT NULL,
  failed_logins  INTEGER NOT NULL,
  locked_until   INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE console_sessions (
  id_hash       TEXT PRIMARY KEY,
  user_name     TEXT NOT NULL REFERENCES console_users (name),
  csrf_token    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX console_sessions_by_user ON console_sessions (user_name);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

CREATE INDEX applications_by_district ON applications (district, submitted_at, id);
)sql";

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "initial schema", kInitialSchema},
    {2, "kiosk registry", kKioskRegistry},
    {3, "console users and sessions", kConsoleUsers},
}};

Result<int> currentVersion(Connection& connection) {
  Result<void> table = connection.execute(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL"
      ") STRICT");
  if (!table) return table.error();
  Result<Statement> query =
      connection.prepare("SELECT count(*), coalesce(max(version), 0) FROM schema_version");
  if (!query) return query.error();
  Result<bool> row = query->step();
  if (!row) return row.error();
  const int64_t count = query->int64(0);
  const int64_t newest = query->int64(1);
  if (count != newest) {
    return Error::corrupt("sqlite: schema_version holds " + std::to_string(count) +
                          " migrations but the newest is " + std::to_string(newest) +
                          "; the database was not created by Kaiban or was edited by hand");
  }
  return static_cast<int>(newest);
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

Result<int> migrate(Connection& connection, SystemTime now) {
  Result<int> version = currentVersion(connection);
  if (!version) return version.error();
  const int known = kMigrations.back().version;
  if (*version > known) {
    return Error::corrupt("sqlite: the database has schema version " + std::to_string(*version) +
                          " but this orchestrator knows only up to " + std::to_string(known) +
                          "; run the newer orchestrator or restore a backup");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *version) continue;
    // BEGIN IMMEDIATE: two processes starting at once must not both apply a migration.
    if (Result<void> begin = connection.execute("BEGIN IMMEDIATE"); !begin) return begin.error();
    Result<int> again = currentVersion(connection);
    if (!again) {
      (void)connection.execute("ROLLBACK");
      return again.error();
    }
    if (*again >= migration.version) {
      (void)connection.execute("ROLLBACK");
      continue;
    }
    Result<void> applied = connection.execute(migration.sql);
    if (applied) {
      Result<Statement> record = connection.prepare(
          "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)");
      applied =
          record
              ? record->bind(1, migration.version).bind(2, migration.description).bind(3, now).run()
              : Result<void>(record.error());
    }
    if (!applied) {
      (void)connection.execute("ROLLBACK");
      Error error = applied.error();
      error.message = "migration " + std::to_string(migration.version) + " (" +
                      std::string(migration.description) + ") failed: " + error.message;
      return error;
    }
    if (Result<void> commit = connection.execute("COMMIT"); !commit) return commit.error();
  }
  return known;
}

}  // namespace kaiban::orchestrator::sqlite
