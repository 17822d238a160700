#include "orchestrator/store/sqlite/sqlite_console_store.h"

#include <algorithm>

#include "core/crypto/hash.h"
#include "orchestrator/store/sqlite/migrations.h"

namespace kaiban::orchestrator {

using sqlite::Connection;
using sqlite::Statement;

namespace {

constexpr std::string_view kUserColumns =
    "name, display_name, role, scope, password_hash, disabled, failed_logins, locked_until, "
    "created_at, updated_at";

constexpr std::string_view kSessionColumns =
    "id_hash, user_name, csrf_token, created_at, last_seen_at, expires_at";

Result<UserRecord> readUser(const Statement& row) {
  UserRecord user;
  user.name = row.text(0);
  user.display_name = row.text(1);
  Result<UserRole> role = parseUserRole(row.text(2));
  if (!role) return Error::corrupt("console_users." + user.name + ": " + role.error().message);
  user.role = *role;
  user.scope = row.text(3);
  user.password_hash = row.text(4);
  user.disabled = row.int64(5) != 0;
  user.failed_logins = row.integer(6);
  user.locked_until = row.optionalTime(7);
  user.created_at = row.time(8);
  user.updated_at = row.time(9);
  return user;
}

SessionRecord readSession(const Statement& row) {
  SessionRecord session;
  session.id_hash = row.text(0);
  session.user_name = row.text(1);
  session.csrf_token = row.text(2);
  session.created_at = row.time(3);
  session.last_seen_at = row.time(4);
  session.expires_at = row.time(5);
  return session;
}

// Appends one entry to the audit chain. The tail is read inside the caller's BEGIN IMMEDIATE
// transaction, which excludes every other writer of the file (SqliteStore's included), so
// no entry can slip in between reading the tail and appending after it.
Result<void> appendAuditEntry(Connection& db, const AuditInput& entry) {
  int64_t seq = 0;
  std::string previous_hash(kAuditGenesisHash);
  {
    Result<Statement> tail =
        db.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!tail) return tail.error();
    Result<bool> row = tail->step();
    if (!row) return row.error();
    if (*row) {
      seq = tail->int64(0);
      previous_hash = tail->text(1);
    }
  }
  ++seq;
  const std::string canonical = auditCanonicalForm(seq, entry.at, entry.actor, entry.application_id,
                                                   entry.action, entry.detail);
  Result<Statement> insert = db.prepare(
      "INSERT INTO audit_log (seq, at, actor, application_id, action, detail, previous_hash, "
      "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, seq)
      .bind(2, entry.at)
      .bind(3, entry.actor)
      .bind(4, entry.application_id)
      .bind(5, entry.action)
      .bind(6, entry.detail)
      .bind(7, previous_hash)
      .bind(8, crypto::AuditChain::entryHash(previous_hash, canonical));
  return insert->run();
}

Result<std::optional<UserRecord>> loadUser(Connection& db, std::string_view name) {
  Result<Statement> query =
      db.prepare("SELECT " + std::string(kUserColumns) + " FROM console_users WHERE name = ?");
  if (!query) return query.error();
  query->bind(1, name);
  Result<bool> row = query->step();
  if (!row) return row.error();
  if (!*row) return std::optional<UserRecord>();
  Result<UserRecord> user = readUser(*query);
  if (!user) return user.error();
  return std::optional<UserRecord>(std::move(user).value());
}

Error unknownUser(std::string_view name) {
  return Error::notFound("no console user named \"" + std::string(name) + "\"");
}

Result<void> deleteSessionsOf(Connection& db, std::string_view name) {
  Result<Statement> remove = db.prepare("DELETE FROM console_sessions WHERE user_name = ?");
  if (!remove) return remove.error();
  remove->bind(1, name);
  return remove->run();
}

bool isDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::unique_ptr<SqliteConsoleStore>> SqliteConsoleStore::open(
    const std::filesystem::path& path, const Clock& clock, std::chrono::milliseconds busy_timeout) {
  Result<std::unique_ptr<Connection>> writer = Connection::open(path, busy_timeout);
  if (!writer) return writer.error();
  if (Result<int> migrated = sqlite::migrate(**writer, clock.now()); !migrated) {
    return migrated.error();
  }
  Result<std::unique_ptr<Connection>> reader = Connection::open(path, busy_timeout);
  if (!reader) return reader.error();
  return std::unique_ptr<SqliteConsoleStore>(
      new SqliteConsoleStore(std::move(writer).value(), std::move(reader).value()));
}

SqliteConsoleStore::SqliteConsoleStore(std::unique_ptr<Connection> writer,
                                       std::unique_ptr<Connection> reader)
    : writer_(std::move(writer)), reader_(std::move(reader)) {}

template <class T, class Body>
Result<T> SqliteConsoleStore::write(Body&& body) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  if (Result<void> begin = db.execute("BEGIN IMMEDIATE"); !begin) return begin.error();
  Result<T> result = body(db);
  if (!result) {
    (void)db.execute("ROLLBACK");
    return result;
  }
  if (Result<void> committed = db.execute("COMMIT"); !committed) {
    (void)db.execute("ROLLBACK");
    return committed.error();
  }
  return result;
}

template <class T, class Body>
Result<T> SqliteConsoleStore::read(Body&& body) {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  if (Result<void> begin = db.execute("BEGIN"); !begin) return begin.error();
  Result<T> result = body(db);
  // A read transaction has nothing to keep; ending it releases the WAL snapshot.
  (void)db.execute("COMMIT");
  return result;
}

Result<void> SqliteConsoleStore::createUser(const UserRecord& user, const AuditInput& audit) {
  if (Result<void> valid = validateUser(user); !valid) return valid;
  return write<void>([&](Connection& db) -> Result<void> {
    Result<Statement> insert = db.prepare(
        "INSERT INTO console_users (name, display_name, role, scope, password_hash, disabled, "
        "failed_logins, locked_until, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, user.name)
        .bind(2, user.display_name)
        .bind(3, toString(user.role))
        .bind(4, user.scope)
        .bind(5, user.password_hash)
        .bind(6, user.disabled)
        .bind(7, audit.at)
        .bind(8, audit.at);
    if (Result<void> ran = insert->run(); !ran) {
      if (ran.error().code == ErrorCode::kConflict) {
        return Error::conflict("a console user named \"" + user.name + "\" exists already");
      }
      return ran;
    }
    return appendAuditEntry(db, audit);
  });
}

Result<UserRecord> SqliteConsoleStore::findUser(std::string_view name) {
  return read<UserRecord>([&](Connection& db) -> Result<UserRecord> {
    Result<std::optional<UserRecord>> user = loadUser(db, name);
    if (!user) return user.error();
    if (!*user) return unknownUser(name);
    return std::move(**user);
  });
}

Result<std::vector<UserRecord>> SqliteConsoleStore::listUsers() {
  return read<std::vector<UserRecord>>([&](Connection& db) -> Result<std::vector<UserRecord>> {
    Result<Statement> query =
        db.prepare("SELECT " + std::string(kUserColumns) + " FROM console_users ORDER BY name");
    if (!query) return query.error();
    std::vector<UserRecord> users;
    while (true) {
      Result<bool> row = query->step();
      if (!row) return row.error();
      if (!*row) return users;
      Result<UserRecord> user = readUser(*query);
      if (!user) return user.error();
      users.push_back(std::move(user).value());
    }
  });
}

Result<void> SqliteConsoleStore::setPassword(std::string_view name, std::string_view password_hash,
                                             const AuditInput& audit) {
  if (password_hash.empty()) return Error::invalidInput("a user needs a password", "password");
  return write<void>([&](Connection& db) -> Result<void> {
    Result<Statement> update = db.prepare(
        "UPDATE console_users SET password_hash = ?, failed_logins = 0, locked_until = NULL, "
        "updated_at = ? WHERE name = ?");
    if (!update) return update.error();
    update->bind(1, password_hash).bind(2, audit.at).bind(3, name);
    if (Result<void> ran = update->run(); !ran) return ran;
    if (update->changes() == 0) return unknownUser(name);
    if (Result<void> ended = deleteSessionsOf(db, name); !ended) return ended;
    return appendAuditEntry(db, audit);
  });
}

Result<void> SqliteConsoleStore::setDisabled(std::string_view name, bool disabled,
                                             const AuditInput& audit) {
  return write<void>([&](Connection& db) -> Result<void> {
    // Enabling also forgives earlier failures: whoever re-enables the account vouches for it.
    Result<Statement> update = db.prepare(
        disabled ? "UPDATE console_users SET disabled = 1, updated_at = ? WHERE name = ?"
                 : "UPDATE console_users SET disabled = 0, failed_logins = 0, locked_until = NULL, "
                   "updated_at = ? WHERE name = ?");
    if (!update) return update.error();
    update->bind(1, audit.at).bind(2, name);
    if (Result<void> ran = update->run(); !ran) return ran;
    if (update->changes() == 0) return unknownUser(name);
    if (disabled) {
      if (Result<void> ended = deleteSessionsOf(db, name); !ended) return ended;
    }
    return appendAuditEntry(db, audit);
  });
}

Result<FailedLogin> SqliteConsoleStore::recordFailedLogin(std::string_view name, SystemTime now,
                                                          int max_failures,
                                                          std::chrono::seconds lockout,
                                                          const AuditInput& audit) {
  return write<FailedLogin>([&](Connection& db) -> Result<FailedLogin> {
    Result<std::optional<UserRecord>> found = loadUser(db, name);
    if (!found) return found.error();
    if (!*found) return unknownUser(name);
    FailedLogin result{std::move(**found), false};
    UserRecord& user = result.user;
    user.failed_logins += 1;
    if (user.failed_logins >= std::max(max_failures, 1)) {
      user.failed_logins = 0;
      user.locked_until = now + lockout;
      result.locked = true;
    }
    Result<Statement> update =
        db.prepare("UPDATE console_users SET failed_logins = ?, locked_until = ? WHERE name = ?");
    if (!update) return update.error();
    update->bind(1, user.failed_logins).bind(2, user.locked_until).bind(3, name);
    if (Result<void> ran = update->run(); !ran) return ran.error();
    AuditInput entry = audit;
    if (result.locked) entry.action += ".locked";
    if (Result<void> appended = appendAuditEntry(db, entry); !appended) return appended.error();
    return result;
  });
}

Result<void> SqliteConsoleStore::recordLogin(const SessionRecord& session,
                                             const std::optional<std::string>& rehashed,
                                             const AuditInput& audit) {
  return write<void>([&](Connection& db) -> Result<void> {
    Result<Statement> update =
        db.prepare(rehashed ? "UPDATE console_users SET failed_logins = 0, locked_until = NULL, "
                              "password_hash = ?, updated_at = ? WHERE name = ?"
                            : "UPDATE console_users SET failed_logins = 0, locked_until = NULL "
                              "WHERE name = ?");
    if (!update) return update.error();
    if (rehashed) {
      update->bind(1, *rehashed).bind(2, session.created_at).bind(3, session.user_name);
    } else {
      update->bind(1, session.user_name);
    }
    if (Result<void> ran = update->run(); !ran) return ran;
    if (update->changes() == 0) return unknownUser(session.user_name);
    Result<Statement> insert =
        db.prepare("INSERT INTO console_sessions (" + std::string(kSessionColumns) +
                   ") VALUES (?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, session.id_hash)
        .bind(2, session.user_name)
        .bind(3, session.csrf_token)
        .bind(4, session.created_at)
        .bind(5, session.last_seen_at)
        .bind(6, session.expires_at);
    if (Result<void> ran = insert->run(); !ran) return ran;
    return appendAuditEntry(db, audit);
  });
}

Result<SessionRecord> SqliteConsoleStore::findSession(std::string_view id_hash) {
  return read<SessionRecord>([&](Connection& db) -> Result<SessionRecord> {
    Result<Statement> query = db.prepare("SELECT " + std::string(kSessionColumns) +
                                         " FROM console_sessions WHERE id_hash = ?");
    if (!query) return query.error();
    query->bind(1, id_hash);
    Result<bool> row = query->step();
    if (!row) return row.error();
    if (!*row) return Error::notFound("no such session");
    return readSession(*query);
  });
}

Result<void> SqliteConsoleStore::touchSession(std::string_view id_hash, SystemTime at) {
  return write<void>([&](Connection& db) -> Result<void> {
    Result<Statement> update = db.prepare(
        "UPDATE console_sessions SET last_seen_at = max(last_seen_at, ?) WHERE id_hash = ?");
    if (!update) return update.error();
    update->bind(1, at).bind(2, id_hash);
    if (Result<void> ran = update->run(); !ran) return ran;
    if (update->changes() == 0) return Error::notFound("no such session");
    return ok();
  });
}

Result<void> SqliteConsoleStore::deleteSession(std::string_view id_hash, const AuditInput& audit) {
  return write<void>([&](Connection& db) -> Result<void> {
    Result<Statement> remove = db.prepare("DELETE FROM console_sessions WHERE id_hash = ?");
    if (!remove) return remove.error();
    remove->bind(1, id_hash);
    if (Result<void> ran = remove->run(); !ran) return ran;
    if (remove->changes() == 0) return Error::notFound("no such session");
    return appendAuditEntry(db, audit);
  });
}

Result<int> SqliteConsoleStore::purgeSessions(SystemTime now, std::chrono::seconds idle_timeout) {
  return write<int>([&](Connection& db) -> Result<int> {
    Result<Statement> remove =
        db.prepare("DELETE FROM console_sessions WHERE expires_at <= ? OR last_seen_at <= ?");
    if (!remove) return remove.error();
    remove->bind(1, now).bind(2, now - idle_timeout);
    if (Result<void> ran = remove->run(); !ran) return ran.error();
    return remove->changes();
  });
}

Result<void> SqliteConsoleStore::appendAudit(const AuditInput& audit) {
  return write<void>([&](Connection& db) { return appendAuditEntry(db, audit); });
}

Result<std::vector<ApplicationTimeline>> SqliteConsoleStore::timelines(
    const TimelineFilter& filter) {
  if (!isDigits(filter.district) || filter.district.size() > 6) {
    return Error::invalidInput("district must be up to six digits", "district");
  }
  if (filter.limit < 1 || filter.limit > 1000000) {
    return Error::invalidInput("limit must be 1..1000000", "limit");
  }
  std::string chosen =
      "SELECT id FROM applications WHERE (submitted_at >= ? OR state NOT IN ('completed', "
      "'rejected', 'cancelled'))";
  if (!filter.district.empty()) chosen += " AND district LIKE ?";
  if (!filter.bank_code.empty()) chosen += " AND bank_code = ?";
  chosen += " ORDER BY submitted_at DESC, id DESC LIMIT ?";
  const std::string sql =
      "SELECT a.id, a.kiosk_id, a.bank_code, a.district, a.state, a.green_channel, "
      "a.submitted_at, a.deadline_at, a.updated_at, a.flags, s.step_id, s.state, s.ready_at, "
      "s.finished_at, s.flags, s.failure, h.state "
      "FROM applications a "
      "LEFT JOIN steps s ON s.application_id = a.id "
      "LEFT JOIN human_tasks h ON h.application_id = a.id AND h.step_id = s.step_id "
      "WHERE a.id IN (" +
      chosen + ") ORDER BY a.submitted_at DESC, a.id DESC, s.step_id";
  return read<std::vector<ApplicationTimeline>>(
      [&](Connection& db) -> Result<std::vector<ApplicationTimeline>> {
        Result<Statement> query = db.prepare(sql);
        if (!query) return query.error();
        int next = 1;
        query->bind(next++, filter.submitted_since);
        if (!filter.district.empty()) query->bind(next++, filter.district + "%");
        if (!filter.bank_code.empty()) query->bind(next++, filter.bank_code);
        query->bind(next++, filter.limit);
        std::vector<ApplicationTimeline> timelines;
        while (true) {
          Result<bool> row = query->step();
          if (!row) return row.error();
          if (!*row) return timelines;
          const std::string id = query->text(0);
          if (timelines.empty() || timelines.back().id != id) {
            ApplicationTimeline timeline;
            timeline.id = id;
            timeline.kiosk_id = query->text(1);
            timeline.bank_code = query->text(2);
            timeline.district = query->text(3);
            Result<ApplicationState> state = parseApplicationState(query->text(4));
            if (!state) return Error::corrupt("applications." + id + ".state: bad value");
            timeline.state = *state;
            timeline.green_channel = query->int64(5) != 0;
            timeline.submitted_at = query->time(6);
            timeline.deadline_at = query->time(7);
            timeline.updated_at = query->time(8);
            timeline.flags = static_cast<uint32_t>(query->int64(9));
            timelines.push_back(std::move(timeline));
          }
          if (query->isNull(10)) continue;  // an application without steps (none yet)
          StepTiming step;
          step.step_id = query->text(10);
          Result<StepState> step_state = parseStepState(query->text(11));
          if (!step_state) return Error::corrupt("steps." + id + ".state: bad value");
          step.state = *step_state;
          step.ready_at = query->optionalTime(12);
          step.finished_at = query->optionalTime(13);
          step.flags = static_cast<uint32_t>(query->int64(14));
          Result<FailureKind> failure = parseFailureKind(query->text(15));
          if (!failure) return Error::corrupt("steps." + id + ".failure: bad value");
          step.failure = *failure;
          if (!query->isNull(16)) {
            Result<HumanTaskState> task = parseHumanTaskState(query->text(16));
            if (!task) return Error::corrupt("human_tasks." + id + ".state: bad value");
            step.human_task = *task;
          }
          timelines.back().steps.push_back(std::move(step));
        }
      });
}

Result<StoreCounts> SqliteConsoleStore::counts(SystemTime now) {
  return read<StoreCounts>([&](Connection& db) -> Result<StoreCounts> {
    StoreCounts counts;
    for (ApplicationState state : {ApplicationState::kSubmitted, ApplicationState::kInProgress,
                                   ApplicationState::kCompleted, ApplicationState::kNeedsAttention,
                                   ApplicationState::kRejected, ApplicationState::kCancelled}) {
      counts.applications[state] = 0;
    }
    Result<Statement> states =
        db.prepare("SELECT state, count(*) FROM applications GROUP BY state");
    if (!states) return states.error();
    while (true) {
      Result<bool> row = states->step();
      if (!row) return row.error();
      if (!*row) break;
      Result<ApplicationState> state = parseApplicationState(states->text(0));
      if (!state) return Error::corrupt("applications.state: bad value " + states->text(0));
      counts.applications[*state] = states->int64(1);
    }
    // An application is breached when it or one of its unfinished steps is; at risk likewise,
    // unless breached (the dashboard counts the same way).
    Result<Statement> flags = db.prepare(
        "SELECT (a.flags & 2) != 0 OR EXISTS (SELECT 1 FROM steps s WHERE s.application_id = a.id "
        "AND s.state != 'done' AND (s.flags & 2) != 0), "
        "(a.flags & 1) != 0 OR EXISTS (SELECT 1 FROM steps s WHERE s.application_id = a.id "
        "AND s.state != 'done' AND (s.flags & 1) != 0) "
        "FROM applications a WHERE a.state NOT IN ('completed', 'rejected', 'cancelled')");
    if (!flags) return flags.error();
    while (true) {
      Result<bool> row = flags->step();
      if (!row) return row.error();
      if (!*row) break;
      if (flags->int64(0) != 0) {
        ++counts.breached;
      } else if (flags->int64(1) != 0) {
        ++counts.at_risk;
      }
    }
    Result<Statement> outbox =
        db.prepare("SELECT count(*), coalesce(sum(next_attempt_at <= ?), 0) FROM outbox");
    if (!outbox) return outbox.error();
    outbox->bind(1, now);
    if (Result<bool> row = outbox->step(); !row) return row.error();
    counts.outbox_messages = outbox->int64(0);
    counts.outbox_due = outbox->int64(1);
    Result<Statement> tasks =
        db.prepare("SELECT count(*) FROM human_tasks WHERE state IN ('open', 'more_info')");
    if (!tasks) return tasks.error();
    if (Result<bool> row = tasks->step(); !row) return row.error();
    counts.open_human_tasks = tasks->int64(0);
    Result<Statement> done = db.prepare(
        "SELECT step_id, ready_at, finished_at FROM steps WHERE state = 'done' "
        "AND ready_at IS NOT NULL AND finished_at IS NOT NULL");
    if (!done) return done.error();
    while (true) {
      Result<bool> row = done->step();
      if (!row) return row.error();
      if (!*row) break;
      counts.done_steps.push_back(StepRun{done->text(0), done->time(1), done->time(2)});
    }
    return counts;
  });
}

}  // namespace kaiban::orchestrator
