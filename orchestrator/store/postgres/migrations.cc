#include "orchestrator/store/postgres/migrations.h"

#include <array>

namespace kaiban::orchestrator::pg {

namespace {

// The dialect's differences from SQLite's schema, and why:
// - times stay BIGINT microseconds since the epoch (UTC), so both stores read back the same
//   instants exactly;
// - BLOB is BYTEA, INTEGER flags are BOOLEAN where they are yes/no;
// - text compares byte-wise (COLLATE "C") as SQLite's does, whatever the database's locale:
//   ids order the same on both backends, and LIKE 'prefix%' can use the indexes;
// - AUTOINCREMENT is an identity column;
// - a commit writes its events and audit entries to pending_events and pending_audit; a
//   publisher moves them into events (drawing seqs) and audit_log (chaining hashes), one
//   publisher at a time across all orchestrators (transaction.h explains).
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE applications (
  id                          TEXT COLLATE "C" PRIMARY KEY,
  kiosk_id                    TEXT COLLATE "C" NOT NULL,
  bank_code                   TEXT COLLATE "C" NOT NULL,
  district                    TEXT COLLATE "C" NOT NULL,
  flow_version                INTEGER NOT NULL,
  state                       TEXT COLLATE "C" NOT NULL,
  green_channel               BOOLEAN NOT NULL,
  submitted_at                BIGINT NOT NULL,
  deadline_at                 BIGINT NOT NULL,
  updated_at                  BIGINT NOT NULL,
  flags                       BIGINT NOT NULL,
  version                     BIGINT NOT NULL,
  sealed_application          BYTEA NOT NULL,
  legal_representative_index  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX applications_by_time ON applications (submitted_at, id);
CREATE INDEX applications_by_kiosk ON applications (kiosk_id, submitted_at, id);
CREATE INDEX applications_by_bank ON applications (bank_code, submitted_at, id);
CREATE INDEX applications_by_state ON applications (state, submitted_at, id);
CREATE INDEX applications_by_person ON applications (legal_representative_index);

CREATE TABLE steps (
  application_id     TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  step_id            TEXT COLLATE "C" NOT NULL,
  state              TEXT COLLATE "C" NOT NULL,
  attempts           INTEGER NOT NULL,
  revision           INTEGER NOT NULL,
  polls              INTEGER NOT NULL,
  message_id         TEXT COLLATE "C",
  ready_at           BIGINT,
  dispatched_at      BIGINT,
  budget_due_at      BIGINT,
  finished_at        BIGINT,
  flags              BIGINT NOT NULL,
  failure            TEXT COLLATE "C" NOT NULL,
  reason_code        TEXT COLLATE "C" NOT NULL,
  reason             TEXT COLLATE "C" NOT NULL,
  partner_reference  TEXT COLLATE "C" NOT NULL,
  sealed_outputs     BYTEA,
  PRIMARY KEY (application_id, step_id)
);
CREATE UNIQUE INDEX steps_by_message ON steps (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE human_tasks (
  application_id  TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  step_id         TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL,
  role            TEXT COLLATE "C" NOT NULL,
  state           TEXT COLLATE "C" NOT NULL,
  decided_by      TEXT COLLATE "C" NOT NULL,
  reason          TEXT COLLATE "C" NOT NULL,
  opened_at       BIGINT NOT NULL,
  decided_at      BIGINT,
  PRIMARY KEY (application_id, step_id)
);
CREATE INDEX human_tasks_by_state ON human_tasks (state, opened_at);

CREATE TABLE events (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id  TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  step_id         TEXT COLLATE "C" NOT NULL,
  type            TEXT COLLATE "C" NOT NULL,
  actor           TEXT COLLATE "C" NOT NULL,
  at              BIGINT NOT NULL,
  detail          TEXT COLLATE "C" NOT NULL
);
CREATE INDEX events_by_application ON events (application_id, seq);

CREATE TABLE outbox (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id       TEXT COLLATE "C" NOT NULL,
  application_id   TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  step_id          TEXT COLLATE "C" NOT NULL,
  kind             TEXT COLLATE "C" NOT NULL,
  attempts         INTEGER NOT NULL,
  next_attempt_at  BIGINT NOT NULL,
  payload          TEXT COLLATE "C" NOT NULL,
  lease_owner      TEXT COLLATE "C" NOT NULL,
  lease_until      BIGINT,
  created_at       BIGINT NOT NULL,
  UNIQUE (message_id, kind)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id);
CREATE INDEX outbox_by_application ON outbox (application_id, step_id);

CREATE TABLE timers (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id  TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  step_id         TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL,
  due_at          BIGINT NOT NULL,
  fired           BOOLEAN NOT NULL,
  lease_owner     TEXT COLLATE "C" NOT NULL,
  lease_until     BIGINT
);
CREATE INDEX timers_due ON timers (due_at, id) WHERE NOT fired;
CREATE INDEX timers_by_application ON timers (application_id, step_id);

CREATE TABLE idempotency_keys (
  scope           TEXT COLLATE "C" NOT NULL,
  key             TEXT COLLATE "C" NOT NULL,
  request_hash    TEXT COLLATE "C" NOT NULL,
  application_id  TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE audit_log (
  seq             BIGINT PRIMARY KEY,
  at              BIGINT NOT NULL,
  actor           TEXT COLLATE "C" NOT NULL,
  application_id  TEXT COLLATE "C" NOT NULL,
  action          TEXT COLLATE "C" NOT NULL,
  detail          TEXT COLLATE "C" NOT NULL,
  previous_hash   TEXT COLLATE "C" NOT NULL,
  hash            TEXT COLLATE "C" NOT NULL
);

CREATE TABLE pending_events (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id  TEXT COLLATE "C" NOT NULL REFERENCES applications (id),
  step_id         TEXT COLLATE "C" NOT NULL,
  type            TEXT COLLATE "C" NOT NULL,
  actor           TEXT COLLATE "C" NOT NULL,
  at              BIGINT NOT NULL,
  detail          TEXT COLLATE "C" NOT NULL
);

CREATE TABLE pending_audit (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at              BIGINT NOT NULL,
  actor           TEXT COLLATE "C" NOT NULL,
  application_id  TEXT COLLATE "C" NOT NULL,
  action          TEXT COLLATE "C" NOT NULL,
  detail          TEXT COLLATE "C" NOT NULL
);
)sql";

constexpr std::string_view kKioskRegistry = R"sql(
CREATE TABLE kiosks (
  kiosk_id           TEXT COLLATE "C" PRIMARY KEY,
  bank_code          TEXT COLLATE "C" NOT NULL,
  district           TEXT COLLATE "C" NOT NULL,
  name               TEXT COLLATE "C" NOT NULL,
  enabled            BOOLEAN NOT NULL,
  registered_at      BIGINT NOT NULL,
  revoked_at         BIGINT,
  last_heartbeat_at  BIGINT,
  last_heartbeat     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX kiosks_by_bank ON kiosks (bank_code, kiosk_id);
)sql";

constexpr std::string_view kConsoleUsers = R"sql(
CREATE TABLE console_users (
  name           TEXT COLLATE "C" PRIMARY KEY,
  display_name   TEXT COLLATE "C" NOT NULL,
  role           TEXT COLLATE "C" NOT NULL,
  scope          TEXT COLLATE "C" NOT NULL,
  password_hash  TEXT COLLATE "C" NOT NULL,
  disabled       BOOLEAN NOT NULL,
  failed_logins  INTEGER NOT NULL,
  locked_until   BIGINT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);

CREATE TABLE console_sessions (
  id_hash       TEXT COLLATE "C" PRIMARY KEY,
  user_name     TEXT COLLATE "C" NOT NULL REFERENCES console_users (name),
  csrf_token    TEXT COLLATE "C" NOT NULL,
  created_at    BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_user ON console_sessions (user_name);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

CREATE INDEX applications_by_district ON applications (district, submitted_at, id);
)sql";

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "initial schema", kInitialSchema},
    {2, "kiosk registry", kKioskRegistry},
    {3, "console users and sessions", kConsoleUsers},
}};

// The schema's version, inside the caller's transaction (which holds the migration lock).
Result<int> currentVersion(Connection& connection) {
  if (Result<void> table =
          connection.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                         "description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      !table) {
    return table.error();
  }
  Result<Rows> rows =
      connection.execute("SELECT count(*), coalesce(max(version), 0) FROM schema_version");
  if (!rows) return rows.error();
  const int64_t count = rows->int64(0, 0);
  const int64_t newest = rows->int64(0, 1);
  if (count != newest) {
    return Error::corrupt("postgres: schema_version holds " + std::to_string(count) +
                          " migrations but the newest is " + std::to_string(newest) +
                          "; the schema was not created by Kaiban or was edited by hand");
  }
  return static_cast<int>(newest);
}

// Begins a transaction holding the migration lock of the current schema. Two orchestrators
// sharing a database but not a schema do not wait for each other.
Result<void> beginLocked(Connection& connection) {
  if (Result<void> begin = connection.run("BEGIN"); !begin) return begin;
  Result<Rows> locked = connection.execute(
      "SELECT pg_advisory_xact_lock(hashtextextended('kaiban.migrate:' || current_schema(), 0))");
  if (!locked) {
    (void)connection.run("ROLLBACK");
    return locked.error();
  }
  return ok();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

Result<int> migrate(Connection& connection, SystemTime now) {
  Result<Rows> schema = connection.execute("SELECT current_schema()");
  if (!schema) return schema.error();
  if (schema->isNull(0, 0)) {
    return Error::unavailable(
        "postgres: no schema to create the tables in: the search_path names none that exists "
        "(create it, or fix options=-csearch_path in postgres.url)");
  }
  const int known = kMigrations.back().version;
  for (const Migration& migration : kMigrations) {
    if (Result<void> begin = beginLocked(connection); !begin) return begin.error();
    Result<int> version = currentVersion(connection);
    if (!version) {
      (void)connection.run("ROLLBACK");
      return version.error();
    }
    if (*version > known) {
      (void)connection.run("ROLLBACK");
      return Error::corrupt("postgres: the database has schema version " +
                            std::to_string(*version) + " but this orchestrator knows only up to " +
                            std::to_string(known) +
                            "; run the newer orchestrator or restore a backup");
    }
    if (*version >= migration.version) {
      (void)connection.run("ROLLBACK");
      continue;
    }
    Result<void> applied = connection.run(migration.sql);
    if (applied) {
      Result<Rows> recorded = connection.execute(
          "INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)",
          Params().add(migration.version).add(migration.description).add(now));
      if (!recorded) applied = recorded.error();
    }
    if (!applied) {
      (void)connection.run("ROLLBACK");
      Error error = applied.error();
      error.message = "migration " + std::to_string(migration.version) + " (" +
                      std::string(migration.description) + ") failed: " + error.message;
      return error;
    }
    if (Result<void> commit = connection.run("COMMIT"); !commit) return commit.error();
  }
  // Every iteration checked the version, so the schema is exactly at the newest one.
  return known;
}

}  // namespace kaiban::orchestrator::pg
