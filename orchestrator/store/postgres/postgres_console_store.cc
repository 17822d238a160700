#include "orchestrator/store/postgres/postgres_console_store.h"

#include <algorithm>

#include "orchestrator/store/postgres/migrations.h"
#include "orchestrator/store/postgres/transaction.h"

namespace kaiban::orchestrator {

using pg::Access;
using pg::Connection;
using pg::Params;
using pg::Rows;

namespace {

constexpr std::string_view kUserColumns =
    "name, display_name, role, scope, password_hash, disabled, failed_logins, locked_until, "
    "created_at, updated_at";

constexpr std::string_view kSessionColumns =
    "id_hash, user_name, csrf_token, created_at, last_seen_at, expires_at";

Result<UserRecord> readUser(const Rows& rows, int row) {
  UserRecord user;
  user.name = rows.text(row, 0);
  user.display_name = rows.text(row, 1);
  Result<UserRole> role = parseUserRole(rows.text(row, 2));
  if (!role) return Error::corrupt("console_users." + user.name + ": " + role.error().message);
  user.role = *role;
  user.scope = rows.text(row, 3);
  user.password_hash = rows.text(row, 4);
  user.disabled = rows.boolean(row, 5);
  user.failed_logins = rows.integer(row, 6);
  user.locked_until = rows.optionalTime(row, 7);
  user.created_at = rows.time(row, 8);
  user.updated_at = rows.time(row, 9);
  return user;
}

SessionRecord readSession(const Rows& rows, int row) {
  SessionRecord session;
  session.id_hash = rows.text(row, 0);
  session.user_name = rows.text(row, 1);
  session.csrf_token = rows.text(row, 2);
  session.created_at = rows.time(row, 3);
  session.last_seen_at = rows.time(row, 4);
  session.expires_at = rows.time(row, 5);
  return session;
}

// Queues `entry` for the audit chain in the caller's transaction; writeAudited publishes it.
Result<void> queueAuditEntry(Connection& db, const AuditInput& entry) {
  return pg::queueAudit(db, std::span(&entry, 1));
}

// Runs `body` in a write transaction and, once it has committed, publishes the audit entries
// it queued. A failed publish is not the change's failure: the entries stay pending and the
// next publish by any node moves them (transaction.h).
template <class T, class Body>
Result<T> writeAudited(pg::Pool& pool, Body&& body) {
  Result<T> result = pg::transact<T>(pool, Access::kWrite, std::forward<Body>(body));
  if (result) (void)pg::publish(pool, pg::Publish::kIfFree);
  return result;
}

Error unknownUser(std::string_view name) {
  return Error::notFound("no console user named \"" + std::string(name) + "\"");
}

Result<void> deleteSessionsOf(Connection& db, std::string_view name) {
  Result<Rows> removed =
      db.execute("DELETE FROM console_sessions WHERE user_name = $1", Params().add(name));
  if (!removed) return removed.error();
  return ok();
}

bool isDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::unique_ptr<PostgresConsoleStore>> PostgresConsoleStore::open(
    const std::string& url, const Clock& clock, int max_connections,
    std::chrono::milliseconds lock_timeout) {
  auto pool = std::make_unique<pg::Pool>(url, max_connections, lock_timeout);
  {
    Result<pg::Pool::Lease> lease = pool->acquire();
    if (!lease) return lease.error();
    if (Result<int> migrated = pg::migrate(**lease, clock.now()); !migrated) {
      return migrated.error();
    }
  }
  return std::unique_ptr<PostgresConsoleStore>(new PostgresConsoleStore(std::move(pool)));
}

PostgresConsoleStore::PostgresConsoleStore(std::unique_ptr<pg::Pool> pool)
    : pool_(std::move(pool)) {}

Result<void> PostgresConsoleStore::createUser(const UserRecord& user, const AuditInput& audit) {
  if (Result<void> valid = validateUser(user); !valid) return valid;
  return writeAudited<void>(*pool_, [&](Connection& db) -> Result<void> {
    Result<Rows> inserted = db.execute(
        "INSERT INTO console_users (name, display_name, role, scope, password_hash, disabled, "
        "failed_logins, locked_until, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, $7, $7)",
        Params()
            .add(user.name)
            .add(user.display_name)
            .add(toString(user.role))
            .add(user.scope)
            .add(user.password_hash)
            .add(user.disabled)
            .add(audit.at));
    if (!inserted) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Error::conflict("a console user named \"" + user.name + "\" exists already");
      }
      return inserted.error();
    }
    return queueAuditEntry(db, audit);
  });
}

Result<UserRecord> PostgresConsoleStore::findUser(std::string_view name) {
  Result<pg::Pool::Lease> lease = pool_->acquire();
  if (!lease) return lease.error();
  Result<Rows> rows = (*lease)->execute(
      "SELECT " + std::string(kUserColumns) + " FROM console_users WHERE name = $1",
      Params().add(name));
  if (!rows) return rows.error();
  if (rows->empty()) return unknownUser(name);
  return readUser(*rows, 0);
}

Result<std::vector<UserRecord>> PostgresConsoleStore::listUsers() {
  Result<pg::Pool::Lease> lease = pool_->acquire();
  if (!lease) return lease.error();
  Result<Rows> rows = (*lease)->execute("SELECT " + std::string(kUserColumns) +
                                        " FROM console_users ORDER BY name");
  if (!rows) return rows.error();
  std::vector<UserRecord> users;
  for (int row = 0; row < rows->size(); ++row) {
    Result<UserRecord> user = readUser(*rows, row);
    if (!user) return user.error();
    users.push_back(std::move(user).value());
  }
  return users;
}

Result<void> PostgresConsoleStore::setPassword(std::string_view name,
                                               std::string_view password_hash,
                                               const AuditInput& audit) {
  if (password_hash.empty()) return Error::invalidInput("a user needs a password", "password");
  return writeAudited<void>(*pool_, [&](Connection& db) -> Result<void> {
    Result<Rows> updated = db.execute(
        "UPDATE console_users SET password_hash = $1, failed_logins = 0, locked_until = NULL, "
        "updated_at = $2 WHERE name = $3",
        Params().add(password_hash).add(audit.at).add(name));
    if (!updated) return updated.error();
    if (updated->affected() == 0) return unknownUser(name);
    if (Result<void> ended = deleteSessionsOf(db, name); !ended) return ended;
    return queueAuditEntry(db, audit);
  });
}

Result<void> PostgresConsoleStore::setDisabled(std::string_view name, bool disabled,
                                               const AuditInput& audit) {
  return writeAudited<void>(*pool_, [&](Connection& db) -> Result<void> {
    // Enabling also forgives earlier failures: whoever re-enables the account vouches for it.
    Result<Rows> updated = db.execute(
        disabled ? "UPDATE console_users SET disabled = TRUE, updated_at = $1 WHERE name = $2"
                 : "UPDATE console_users SET disabled = FALSE, failed_logins = 0, "
                   "locked_until = NULL, updated_at = $1 WHERE name = $2",
        Params().add(audit.at).add(name));
    if (!updated) return updated.error();
    if (updated->affected() == 0) return unknownUser(name);
    if (disabled) {
      if (Result<void> ended = deleteSessionsOf(db, name); !ended) return ended;
    }
    return queueAuditEntry(db, audit);
  });
}

Result<FailedLogin> PostgresConsoleStore::recordFailedLogin(std::string_view name, SystemTime now,
                                                            int max_failures,
                                                            std::chrono::seconds lockout,
                                                            const AuditInput& audit) {
  return writeAudited<FailedLogin>(*pool_, [&](Connection& db) -> Result<FailedLogin> {
    // FOR UPDATE: concurrent failures from several nodes queue on the row, and each counts
    // on top of the one before.
    Result<Rows> rows = db.execute(
        "SELECT " + std::string(kUserColumns) + " FROM console_users WHERE name = $1 FOR UPDATE",
        Params().add(name));
    if (!rows) return rows.error();
    if (rows->empty()) return unknownUser(name);
    Result<UserRecord> found = readUser(*rows, 0);
    if (!found) return found.error();
    FailedLogin result{std::move(found).value(), false};
    UserRecord& user = result.user;
    user.failed_logins += 1;
    if (user.failed_logins >= std::max(max_failures, 1)) {
      user.failed_logins = 0;
      user.locked_until = now + lockout;
      result.locked = true;
    }
    Result<Rows> updated =
        db.execute("UPDATE console_users SET failed_logins = $1, locked_until = $2 WHERE name = $3",
                   Params().add(user.failed_logins).add(user.locked_until).add(name));
    if (!updated) return updated.error();
    AuditInput entry = audit;
    if (result.locked) entry.action += ".locked";
    if (Result<void> appended = queueAuditEntry(db, entry); !appended) {
      return appended.error();
    }
    return result;
  });
}

Result<void> PostgresConsoleStore::recordLogin(const SessionRecord& session,
                                               const std::optional<std::string>& rehashed,
                                               const AuditInput& audit) {
  return writeAudited<void>(*pool_, [&](Connection& db) -> Result<void> {
    Result<Rows> updated =
        rehashed ? db.execute(
                       "UPDATE console_users SET failed_logins = 0, locked_until = NULL, "
                       "password_hash = $1, updated_at = $2 WHERE name = $3",
                       Params().add(*rehashed).add(session.created_at).add(session.user_name))
                 : db.execute(
                       "UPDATE console_users SET failed_logins = 0, locked_until = NULL "
                       "WHERE name = $1",
                       Params().add(session.user_name));
    if (!updated) return updated.error();
    if (updated->affected() == 0) return unknownUser(session.user_name);
    Result<Rows> inserted =
        db.execute("INSERT INTO console_sessions (" + std::string(kSessionColumns) +
                       ") VALUES ($1, $2, $3, $4, $5, $6)",
                   Params()
                       .add(session.id_hash)
                       .add(session.user_name)
                       .add(session.csrf_token)
                       .add(session.created_at)
                       .add(session.last_seen_at)
                       .add(session.expires_at));
    if (!inserted) return inserted.error();
    return queueAuditEntry(db, audit);
  });
}

Result<SessionRecord> PostgresConsoleStore::findSession(std::string_view id_hash) {
  Result<pg::Pool::Lease> lease = pool_->acquire();
  if (!lease) return lease.error();
  Result<Rows> rows = (*lease)->execute(
      "SELECT " + std::string(kSessionColumns) + " FROM console_sessions WHERE id_hash = $1",
      Params().add(id_hash));
  if (!rows) return rows.error();
  if (rows->empty()) return Error::notFound("no such session");
  return readSession(*rows, 0);
}

Result<void> PostgresConsoleStore::touchSession(std::string_view id_hash, SystemTime at) {
  Result<pg::Pool::Lease> lease = pool_->acquire();
  if (!lease) return lease.error();
  Result<Rows> updated = (*lease)->execute(
      "UPDATE console_sessions SET last_seen_at = greatest(last_seen_at, $1) WHERE id_hash = $2",
      Params().add(at).add(id_hash));
  if (!updated) return updated.error();
  if (updated->affected() == 0) return Error::notFound("no such session");
  return ok();
}

Result<void> PostgresConsoleStore::deleteSession(std::string_view id_hash,
                                                 const AuditInput& audit) {
  return writeAudited<void>(*pool_, [&](Connection& db) -> Result<void> {
    Result<Rows> removed =
        db.execute("DELETE FROM console_sessions WHERE id_hash = $1", Params().add(id_hash));
    if (!removed) return removed.error();
    if (removed->affected() == 0) return Error::notFound("no such session");
    return queueAuditEntry(db, audit);
  });
}

Result<int> PostgresConsoleStore::purgeSessions(SystemTime now, std::chrono::seconds idle_timeout) {
  Result<pg::Pool::Lease> lease = pool_->acquire();
  if (!lease) return lease.error();
  Result<Rows> removed =
      (*lease)->execute("DELETE FROM console_sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                        Params().add(now).add(now - idle_timeout));
  if (!removed) return removed.error();
  return removed->affected();
}

Result<void> PostgresConsoleStore::appendAudit(const AuditInput& audit) {
  return writeAudited<void>(*pool_, [&](Connection& db) { return queueAuditEntry(db, audit); });
}

Result<std::vector<ApplicationTimeline>> PostgresConsoleStore::timelines(
    const TimelineFilter& filter) {
  if (!isDigits(filter.district) || filter.district.size() > 6) {
    return Error::invalidInput("district must be up to six digits", "district");
  }
  if (filter.limit < 1 || filter.limit > 1000000) {
    return Error::invalidInput("limit must be 1..1000000", "limit");
  }
  Params params;
  int next = 1;
  params.add(filter.submitted_since);
  std::string chosen = "SELECT id FROM applications WHERE (submitted_at >= $" +
                       std::to_string(next++) +
                       " OR state NOT IN ('completed', 'rejected', 'cancelled'))";
  if (!filter.district.empty()) {
    chosen += " AND district LIKE $" + std::to_string(next++);
    params.add(filter.district + "%");
  }
  if (!filter.bank_code.empty()) {
    chosen += " AND bank_code = $" + std::to_string(next++);
    params.add(filter.bank_code);
  }
  chosen += " ORDER BY submitted_at DESC, id DESC LIMIT $" + std::to_string(next++);
  params.add(filter.limit);
  const std::string query_sql =
      "SELECT a.id, a.kiosk_id, a.bank_code, a.district, a.state, a.green_channel, "
      "a.submitted_at, a.deadline_at, a.updated_at, a.flags, s.step_id, s.state, s.ready_at, "
      "s.finished_at, s.flags, s.failure, h.state "
      "FROM applications a "
      "LEFT JOIN steps s ON s.application_id = a.id "
      "LEFT JOIN human_tasks h ON h.application_id = a.id AND h.step_id = s.step_id "
      "WHERE a.id IN (" +
      chosen + ") ORDER BY a.submitted_at DESC, a.id DESC, s.step_id";
  return pg::transact<std::vector<ApplicationTimeline>>(
      *pool_, Access::kReadSnapshot,
      [&](Connection& db) -> Result<std::vector<ApplicationTimeline>> {
        Result<Rows> rows = db.execute(query_sql, params);
        if (!rows) return rows.error();
        std::vector<ApplicationTimeline> timelines;
        for (int row = 0; row < rows->size(); ++row) {
          const std::string id = rows->text(row, 0);
          if (timelines.empty() || timelines.back().id != id) {
            ApplicationTimeline timeline;
            timeline.id = id;
            timeline.kiosk_id = rows->text(row, 1);
            timeline.bank_code = rows->text(row, 2);
            timeline.district = rows->text(row, 3);
            Result<ApplicationState> state = parseApplicationState(rows->text(row, 4));
            if (!state) return Error::corrupt("applications." + id + ".state: bad value");
            timeline.state = *state;
            timeline.green_channel = rows->boolean(row, 5);
            timeline.submitted_at = rows->time(row, 6);
            timeline.deadline_at = rows->time(row, 7);
            timeline.updated_at = rows->time(row, 8);
            timeline.flags = static_cast<uint32_t>(rows->int64(row, 9));
            timelines.push_back(std::move(timeline));
          }
          if (rows->isNull(row, 10)) continue;  // an application without steps (none yet)
          StepTiming step;
          step.step_id = rows->text(row, 10);
          Result<StepState> step_state = parseStepState(rows->text(row, 11));
          if (!step_state) return Error::corrupt("steps." + id + ".state: bad value");
          step.state = *step_state;
          step.ready_at = rows->optionalTime(row, 12);
          step.finished_at = rows->optionalTime(row, 13);
          step.flags = static_cast<uint32_t>(rows->int64(row, 14));
          Result<FailureKind> failure = parseFailureKind(rows->text(row, 15));
          if (!failure) return Error::corrupt("steps." + id + ".failure: bad value");
          step.failure = *failure;
          if (!rows->isNull(row, 16)) {
            Result<HumanTaskState> task = parseHumanTaskState(rows->text(row, 16));
            if (!task) return Error::corrupt("human_tasks." + id + ".state: bad value");
            step.human_task = *task;
          }
          timelines.back().steps.push_back(std::move(step));
        }
        return timelines;
      });
}

Result<StoreCounts> PostgresConsoleStore::counts(SystemTime now) {
  return pg::transact<StoreCounts>(
      *pool_, Access::kReadSnapshot, [&](Connection& db) -> Result<StoreCounts> {
        StoreCounts counts;
        for (ApplicationState state :
             {ApplicationState::kSubmitted, ApplicationState::kInProgress,
              ApplicationState::kCompleted, ApplicationState::kNeedsAttention,
              ApplicationState::kRejected, ApplicationState::kCancelled}) {
          counts.applications[state] = 0;
        }
        Result<Rows> states = db.execute("SELECT state, count(*) FROM applications GROUP BY state");
        if (!states) return states.error();
        for (int row = 0; row < states->size(); ++row) {
          Result<ApplicationState> state = parseApplicationState(states->text(row, 0));
          if (!state) {
            return Error::corrupt("applications.state: bad value " + states->text(row, 0));
          }
          counts.applications[*state] = states->int64(row, 1);
        }
        // An application is breached when it or one of its unfinished steps is; at risk
        // likewise, unless breached (the dashboard counts the same way).
        Result<Rows> flags = db.execute(
            "SELECT count(*) FILTER (WHERE breached), count(*) FILTER (WHERE at_risk AND NOT "
            "breached) FROM (SELECT (a.flags & 2) <> 0 OR EXISTS (SELECT 1 FROM steps s WHERE "
            "s.application_id = a.id AND s.state <> 'done' AND (s.flags & 2) <> 0) AS breached, "
            "(a.flags & 1) <> 0 OR EXISTS (SELECT 1 FROM steps s WHERE s.application_id = a.id "
            "AND s.state <> 'done' AND (s.flags & 1) <> 0) AS at_risk FROM applications a "
            "WHERE a.state NOT IN ('completed', 'rejected', 'cancelled')) open");
        if (!flags) return flags.error();
        counts.breached = flags->int64(0, 0);
        counts.at_risk = flags->int64(0, 1);
        Result<Rows> outbox =
            db.execute("SELECT count(*), count(*) FILTER (WHERE next_attempt_at <= $1) FROM outbox",
                       Params().add(now));
        if (!outbox) return outbox.error();
        counts.outbox_messages = outbox->int64(0, 0);
        counts.outbox_due = outbox->int64(0, 1);
        Result<Rows> tasks =
            db.execute("SELECT count(*) FROM human_tasks WHERE state IN ('open', 'more_info')");
        if (!tasks) return tasks.error();
        counts.open_human_tasks = tasks->int64(0, 0);
        Result<Rows> done = db.execute(
            "SELECT step_id, ready_at, finished_at FROM steps WHERE state = 'done' "
            "AND ready_at IS NOT NULL AND finished_at IS NOT NULL");
        if (!done) return done.error();
        for (int row = 0; row < done->size(); ++row) {
          counts.done_steps.push_back(
              StepRun{done->text(row, 0), done->time(row, 1), done->time(row, 2)});
        }
        return counts;
      });
}

}  // namespace kaiban::orchestrator
