#include "orchestrator/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <optional>

#include "core/crypto/hash.h"
#include "orchestrator/store/list_input.h"
#include "orchestrator/store/sqlite/migrations.h"
#include "orchestrator/store/store_columns.h"

namespace kaiban::orchestrator {

using sqlite::Connection;
using sqlite::Statement;

using columns::sql;

namespace {

// Reads the application columns (columns::kApplication) starting at column `first`.
Result<ApplicationRecord> readApplication(const Statement& row, int first = 0) {
  ApplicationRecord record;
  record.id = row.text(first + 0);
  record.kiosk_id = row.text(first + 1);
  record.bank_code = row.text(first + 2);
  record.district = row.text(first + 3);
  record.flow_version = row.integer(first + 4);
  Result<ApplicationState> state = parseApplicationState(row.text(first + 5));
  if (!state) return Error::corrupt("application " + record.id + ": " + state.error().message);
  record.state = *state;
  record.green_channel = row.int64(first + 6) != 0;
  record.submitted_at = row.time(first + 7);
  record.deadline_at = row.time(first + 8);
  record.updated_at = row.time(first + 9);
  record.flags = static_cast<uint32_t>(row.int64(first + 10));
  record.version = row.int64(first + 11);
  record.sealed_application = row.blob(first + 12);
  record.legal_representative_index = row.text(first + 13);
  return record;
}

Result<StepRecord> readStep(const Statement& row) {
  StepRecord step;
  step.step_id = row.text(0);
  Result<StepState> state = parseStepState(row.text(1));
  if (!state) return Error::corrupt("step " + step.step_id + ": " + state.error().message);
  step.state = *state;
  step.attempts = row.integer(2);
  step.revision = row.integer(3);
  step.polls = row.integer(4);
  step.message_id = row.text(5);
  step.ready_at = row.optionalTime(6);
  step.dispatched_at = row.optionalTime(7);
  step.budget_due_at = row.optionalTime(8);
  step.finished_at = row.optionalTime(9);
  step.flags = static_cast<uint32_t>(row.int64(10));
  Result<FailureKind> failure = parseFailureKind(row.text(11));
  if (!failure) return Error::corrupt("step " + step.step_id + ": " + failure.error().message);
  step.failure = *failure;
  step.reason_code = row.text(12);
  step.reason = row.text(13);
  step.partner_reference = row.text(14);
  step.sealed_outputs = row.blob(15);
  return step;
}

Result<HumanTaskRecord> readHumanTask(const Statement& row, int first = 0) {
  HumanTaskRecord task;
  task.step_id = row.text(first + 0);
  task.kind = row.text(first + 1);
  task.role = row.text(first + 2);
  Result<HumanTaskState> state = parseHumanTaskState(row.text(first + 3));
  if (!state) return Error::corrupt("human task " + task.step_id + ": " + state.error().message);
  task.state = *state;
  task.decided_by = row.text(first + 4);
  task.reason = row.text(first + 5);
  task.opened_at = row.time(first + 6);
  task.decided_at = row.optionalTime(first + 7);
  return task;
}

EventRecord readEvent(const Statement& row) {
  EventRecord event;
  event.seq = row.int64(0);
  event.application_id = row.text(1);
  event.step_id = row.text(2);
  event.type = row.text(3);
  event.actor = row.text(4);
  event.at = row.time(5);
  event.detail = row.text(6);
  return event;
}

Result<OutboxMessage> readOutbox(const Statement& row) {
  OutboxMessage message;
  message.id = row.int64(0);
  message.message_id = row.text(1);
  message.application_id = row.text(2);
  message.step_id = row.text(3);
  Result<OutboxKind> kind = parseOutboxKind(row.text(4));
  if (!kind) return kind.error();
  message.kind = *kind;
  message.attempts = row.integer(5);
  message.next_attempt_at = row.time(6);
  message.payload = row.text(7);
  message.lease_owner = row.text(8);
  message.lease_until = row.optionalTime(9);
  return message;
}

Result<TimerRecord> readTimer(const Statement& row) {
  TimerRecord timer;
  timer.id = row.int64(0);
  timer.application_id = row.text(1);
  timer.step_id = row.text(2);
  Result<TimerKind> kind = parseTimerKind(row.text(3));
  if (!kind) return kind.error();
  timer.kind = *kind;
  timer.due_at = row.time(4);
  timer.fired = row.int64(5) != 0;
  timer.lease_owner = row.text(6);
  timer.lease_until = row.optionalTime(7);
  return timer;
}

// Collects every row of `statement` through `reader` (returning Result<T> or T).
template <class T, class Reader>
Result<std::vector<T>> collect(Statement& statement, Reader reader) {
  std::vector<T> rows;
  while (true) {
    Result<bool> row = statement.step();
    if (!row) return row.error();
    if (!*row) return rows;
    Result<T> value = reader(statement);
    if (!value) return value.error();
    rows.push_back(std::move(value).value());
  }
}

// Appends `entries` to the audit chain. The chain's tail is read inside the caller's write
// transaction: no other writer can append between reading it and appending to it.
Result<void> appendAudit(Connection& db, std::span<const AuditInput> entries) {
  if (entries.empty()) return ok();
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
  for (const AuditInput& entry : entries) {
    ++seq;
    const std::string canonical = auditCanonicalForm(
        seq, entry.at, entry.actor, entry.application_id, entry.action, entry.detail);
    std::string hash = crypto::AuditChain::entryHash(previous_hash, canonical);
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
        .bind(8, hash);
    if (Result<void> ran = insert->run(); !ran) return ran;
    previous_hash = std::move(hash);
  }
  return ok();
}

KioskRecord readKiosk(const Statement& row) {
  KioskRecord kiosk;
  kiosk.kiosk_id = row.text(0);
  kiosk.bank_code = row.text(1);
  kiosk.district = row.text(2);
  kiosk.name = row.text(3);
  kiosk.enabled = row.int64(4) != 0;
  kiosk.registered_at = row.time(5);
  kiosk.revoked_at = row.optionalTime(6);
  kiosk.last_heartbeat_at = row.optionalTime(7);
  kiosk.last_heartbeat = row.text(8);
  return kiosk;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                       const Clock& clock, Options options) {
  Result<std::unique_ptr<Connection>> writer = Connection::open(path, options.busy_timeout);
  if (!writer) return writer.error();
  Result<int> version = sqlite::migrate(**writer, clock.now());
  if (!version) return version.error();
  Result<std::unique_ptr<Connection>> checkpointer = Connection::open(path, options.busy_timeout);
  if (!checkpointer) return checkpointer.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(writer).value(),
                                                      std::move(checkpointer).value(), *version));
}

SqliteStore::SqliteStore(std::filesystem::path path, Options options,
                         std::unique_ptr<Connection> writer,
                         std::unique_ptr<Connection> checkpointer, int schema_version)
    : path_(std::move(path)),
      options_(options),
      schema_version_(schema_version),
      writer_(std::move(writer)),
      checkpointer_(std::move(checkpointer)) {
  // Replaces the writer's automatic checkpoint (sqlite3_wal_hook takes its place).
  sqlite3_wal_hook(writer_->raw(), &SqliteStore::onWalCommit, this);
  checkpoint_thread_ = std::thread([this] { checkpointLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wanted_.notify_one();
  checkpoint_thread_.join();
}

// Pages in the WAL that make a checkpoint due: SQLite's own default threshold.
constexpr int kCheckpointPages = 1000;

int SqliteStore::onWalCommit(void* store, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) {
    auto* self = static_cast<SqliteStore*>(store);
    {
      std::lock_guard lock(self->checkpoint_mutex_);
      self->checkpoint_due_ = true;
    }
    self->checkpoint_wanted_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::checkpointLoop() {
  std::unique_lock lock(checkpoint_mutex_);
  while (true) {
    checkpoint_wanted_.wait(lock, [&] { return checkpoint_due_ || stopping_; });
    if (stopping_) return;
    checkpoint_due_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs without blocking readers or the writer. A
    // busy or failed checkpoint only leaves the WAL longer; the next commit asks again.
    (void)sqlite3_wal_checkpoint_v2(checkpointer_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                    nullptr, nullptr);
    lock.lock();
  }
}

// Most writes one batch may take: keeps a transaction (and the wait of the writers at the
// end of the queue) bounded when hundreds of writers arrive at once.
constexpr std::size_t kMaxBatch = 512;

struct SqliteStore::PendingWrite {
  std::string_view what;
  std::function<Result<void>(Connection&)> body;
  Result<void> outcome;
  bool done = false;  // guarded by queue_mutex_
  // Wakes this writer alone: when its batch is done, or when it is first in the queue and may
  // lead the next one (waking every waiter after each batch would cost a context switch each).
  std::condition_variable wake;
};

template <class T, class Body>
Result<T> SqliteStore::write(std::string_view what, Body&& body) {
  // The body's value is kept aside and handed out only once the batch has committed.
  std::optional<Result<T>> produced;
  PendingWrite pending;
  pending.what = what;
  pending.body = [&](Connection& db) -> Result<void> {
    Result<T> result = body(db);
    if (!result) return result.error();
    produced.emplace(std::move(result));
    return ok();
  };
  if (Result<void> written = writeGrouped(pending); !written) return written.error();
  return std::move(*produced);
}

Result<void> SqliteStore::writeGrouped(PendingWrite& pending) {
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&pending);
  while (!pending.done) {
    if (leading_) {
      pending.wake.wait(lock);
      continue;
    }
    // Lead one batch: everything queued now (this write included), the oldest first.
    leading_ = true;
    const std::size_t taken = std::min(queue_.size(), kMaxBatch);
    std::vector<PendingWrite*> batch(queue_.begin(), queue_.begin() + taken);
    queue_.erase(queue_.begin(), queue_.begin() + taken);
    lock.unlock();
    runBatch(batch);
    lock.lock();
    leading_ = false;
    for (PendingWrite* member : batch) {
      member->done = true;
      if (member != &pending) member->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  return pending.outcome;
}

void SqliteStore::runBatch(const std::vector<PendingWrite*>& batch) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  std::size_t next = 0;
  while (next < batch.size()) {
    if (Result<void> begin = db.execute("BEGIN IMMEDIATE"); !begin) {
      for (std::size_t i = next; i < batch.size(); ++i) batch[i]->outcome = begin.error();
      return;
    }
    std::vector<PendingWrite*> members;  // applied in this transaction, waiting for COMMIT
    bool transaction_lost = false;
    for (; next < batch.size() && !transaction_lost; ++next) {
      PendingWrite& write = *batch[next];
      if (Result<void> savepoint = db.execute("SAVEPOINT grouped_write"); !savepoint) {
        write.outcome = savepoint.error();
        transaction_lost = sqlite3_get_autocommit(db.raw()) != 0;
        continue;
      }
      Result<void> applied = [&]() -> Result<void> {
        try {
          return write.body(db);
        } catch (const std::exception& bug) {
          // A bug in one write must not leave the others of the batch waiting forever.
          return Error::internal("sqlite: writing " + std::string(write.what) +
                                 " threw: " + bug.what());
        }
      }();
      if (applied) {
        (void)db.execute("RELEASE grouped_write");
        members.push_back(&write);
        continue;
      }
      write.outcome = applied.error();
      if (sqlite3_get_autocommit(db.raw()) != 0) {
        // SQLite rolled the whole transaction back itself (I/O error, disk full): the writes
        // applied before this one are gone too. The rest of the batch gets a new transaction.
        transaction_lost = true;
        continue;
      }
      (void)db.execute("ROLLBACK TO grouped_write");
      (void)db.execute("RELEASE grouped_write");
    }
    if (transaction_lost) {
      for (PendingWrite* member : members) {
        member->outcome = Error::unavailable(
            "sqlite: the transaction holding " + std::string(member->what) +
            " was rolled back by an error of the database; nothing was written, try again");
      }
      continue;
    }
    if (members.empty()) {
      (void)db.execute("ROLLBACK");
      continue;
    }
    Result<void> committed = db.execute("COMMIT");
    if (!committed) (void)db.execute("ROLLBACK");
    for (PendingWrite* member : members) {
      if (committed) {
        member->outcome = ok();
      } else {
        Error error = committed.error();
        error.message += " while committing " + std::string(member->what);
        member->outcome = error;
      }
    }
  }
}

template <class T, class Body>
Result<T> SqliteStore::read(Body&& body) {
  std::unique_ptr<Connection> db;
  {
    std::unique_lock lock(readers_mutex_);
    reader_returned_.wait(lock, [&] {
      return !idle_readers_.empty() || open_readers_ < std::max(options_.max_readers, 1);
    });
    if (!idle_readers_.empty()) {
      db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    } else {
      ++open_readers_;
    }
  }
  if (!db) {
    Result<std::unique_ptr<Connection>> opened = Connection::open(path_, options_.busy_timeout);
    if (!opened) {
      std::lock_guard lock(readers_mutex_);
      --open_readers_;
      reader_returned_.notify_one();
      return opened.error();
    }
    db = std::move(opened).value();
  }
  Result<T> result = [&]() -> Result<T> {
    if (Result<void> begin = db->execute("BEGIN"); !begin) return begin.error();
    Result<T> body_result = body(*db);
    // A read transaction has nothing to keep; ending it releases the WAL snapshot.
    (void)db->execute("COMMIT");
    return body_result;
  }();
  {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(db));
  }
  reader_returned_.notify_one();
  return result;
}

Result<void> SqliteStore::commit(std::string_view id, int64_t expected_version,
                                 const Change& change, std::span<const OutboxMessage> outgoing) {
  if (change.application.id != id) {
    return Error::internal("commit for application " + std::string(id) +
                           " carries the row of application " + change.application.id);
  }
  if (expected_version < 0) return Error::internal("negative expected version");
  Result<std::monostate> committed = write<std::monostate>(
      "application " + std::string(id), [&](Connection& db) -> Result<std::monostate> {
        Result<void> applied = applyChange(db, id, expected_version, change, outgoing);
        if (!applied) return applied.error();
        return std::monostate{};
      });
  if (!committed) return committed.error();
  return ok();
}

Result<void> SqliteStore::applyChange(Connection& db, std::string_view id, int64_t expected_version,
                                      const Change& change,
                                      std::span<const OutboxMessage> outgoing) {
  const ApplicationRecord& app = change.application;
  if (expected_version == 0) {
    Result<Statement> insert =
        db.prepare(sql({"INSERT INTO applications (", columns::kApplication,
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"}));
    if (!insert) return insert.error();
    insert->bind(1, id)
        .bind(2, app.kiosk_id)
        .bind(3, app.bank_code)
        .bind(4, app.district)
        .bind(5, app.flow_version)
        .bind(6, toString(app.state))
        .bind(7, app.green_channel)
        .bind(8, app.submitted_at)
        .bind(9, app.deadline_at)
        .bind(10, app.updated_at)
        .bind(11, static_cast<int64_t>(app.flags))
        .bindBlob(12, app.sealed_application)
        .bind(13, app.legal_representative_index);
    Result<void> inserted = insert->run();
    if (!inserted) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Error::conflict("application " + std::string(id) + " already exists");
      }
      return inserted;
    }
  } else {
    // The version check and the update are one statement: no other commit can slip between.
    const std::string_view update_sql =
        change.rewrite_sealed_application
            ? "UPDATE applications SET state = ?, flags = ?, updated_at = ?, deadline_at = ?, "
              "version = version + 1, sealed_application = ?, legal_representative_index = ? "
              "WHERE id = ? AND version = ?"
            : "UPDATE applications SET state = ?, flags = ?, updated_at = ?, deadline_at = ?, "
              "version = version + 1 WHERE id = ? AND version = ?";
    Result<Statement> update = db.prepare(update_sql);
    if (!update) return update.error();
    update->bind(1, toString(app.state))
        .bind(2, static_cast<int64_t>(app.flags))
        .bind(3, app.updated_at)
        .bind(4, app.deadline_at);
    int next = 5;
    if (change.rewrite_sealed_application) {
      update->bindBlob(5, app.sealed_application).bind(6, app.legal_representative_index);
      next = 7;
    }
    update->bind(next, id).bind(next + 1, expected_version);
    if (Result<void> ran = update->run(); !ran) return ran;
    if (update->changes() == 0) {
      Result<Statement> exists = db.prepare("SELECT version FROM applications WHERE id = ?");
      if (!exists) return exists.error();
      exists->bind(1, id);
      Result<bool> row = exists->step();
      if (!row) return row.error();
      if (!*row) return Error::notFound("no application " + std::string(id));
      return Error::conflict("application " + std::string(id) + " changed meanwhile (version " +
                             std::to_string(exists->int64(0)) + ", expected " +
                             std::to_string(expected_version) + ")");
    }
  }

  for (const StepRecord& step : change.steps) {
    Result<Statement> upsert =
        db.prepare(sql({"INSERT OR REPLACE INTO steps (application_id, ", columns::kStep,
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"}));
    if (!upsert) return upsert.error();
    upsert->bind(1, id)
        .bind(2, step.step_id)
        .bind(3, toString(step.state))
        .bind(4, step.attempts)
        .bind(5, step.revision)
        .bind(6, step.polls);
    if (step.message_id.empty()) {
      upsert->bindNull(7);
    } else {
      upsert->bind(7, step.message_id);
    }
    upsert->bind(8, step.ready_at)
        .bind(9, step.dispatched_at)
        .bind(10, step.budget_due_at)
        .bind(11, step.finished_at)
        .bind(12, static_cast<int64_t>(step.flags))
        .bind(13, toString(step.failure))
        .bind(14, step.reason_code)
        .bind(15, step.reason)
        .bind(16, step.partner_reference)
        .bindBlob(17, step.sealed_outputs);
    if (Result<void> ran = upsert->run(); !ran) return ran;
  }

  for (const HumanTaskRecord& task : change.human_tasks) {
    Result<Statement> upsert =
        db.prepare(sql({"INSERT OR REPLACE INTO human_tasks (application_id, ", columns::kHumanTask,
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"}));
    if (!upsert) return upsert.error();
    upsert->bind(1, id)
        .bind(2, task.step_id)
        .bind(3, task.kind)
        .bind(4, task.role)
        .bind(5, toString(task.state))
        .bind(6, task.decided_by)
        .bind(7, task.reason)
        .bind(8, task.opened_at)
        .bind(9, task.decided_at);
    if (Result<void> ran = upsert->run(); !ran) return ran;
  }

  for (const EventRecord& event : change.events) {
    Result<Statement> insert = db.prepare(
        "INSERT INTO events (application_id, step_id, type, actor, at, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, id)
        .bind(2, event.step_id)
        .bind(3, event.type)
        .bind(4, event.actor)
        .bind(5, event.at)
        .bind(6, event.detail.empty() ? std::string_view("{}") : std::string_view(event.detail));
    if (Result<void> ran = insert->run(); !ran) return ran;
  }

  if (Result<void> appended = appendAudit(db, change.audit); !appended) return appended;

  // Timers: fired marks first (they stay as history), then cancellations, then new timers,
  // so one change may cancel a step's timers and set new ones.
  for (int64_t timer_id : change.fired_timers) {
    Result<Statement> fire = db.prepare(
        "UPDATE timers SET fired = 1, lease_owner = '', lease_until = NULL "
        "WHERE id = ? AND application_id = ?");
    if (!fire) return fire.error();
    if (Result<void> ran = fire->bind(1, timer_id).bind(2, id).run(); !ran) return ran;
  }
  if (change.cancel_all_timers) {
    // "+fired": without statistics SQLite chose timers_due (fired, due_at) for this and
    // visited every unfired timer of every application (the profile of kaiban-bench showed it
    // at 100 thousand timers); the unary plus keeps it on timers_by_application.
    Result<Statement> cancel =
        db.prepare("DELETE FROM timers WHERE application_id = ? AND +fired = 0");
    if (!cancel) return cancel.error();
    if (Result<void> ran = cancel->bind(1, id).run(); !ran) return ran;
  }
  for (const std::string& step_id : change.cancel_timers_of) {
    Result<Statement> cancel =
        db.prepare("DELETE FROM timers WHERE application_id = ? AND step_id = ? AND fired = 0");
    if (!cancel) return cancel.error();
    if (Result<void> ran = cancel->bind(1, id).bind(2, step_id).run(); !ran) return ran;
  }
  for (const TimerRecord& timer : change.new_timers) {
    Result<Statement> insert = db.prepare(
        "INSERT INTO timers (application_id, step_id, kind, due_at, fired, lease_owner, "
        "lease_until) VALUES (?, ?, ?, ?, 0, '', NULL)");
    if (!insert) return insert.error();
    insert->bind(1, id).bind(2, timer.step_id).bind(3, toString(timer.kind)).bind(4, timer.due_at);
    if (Result<void> ran = insert->run(); !ran) return ran;
  }

  // Outbox: settle claimed rows, drop superseded ones, then queue the new messages.
  for (const OutboxSettlement& settlement : change.settle_outbox) {
    Result<Statement> settle =
        settlement.remove
            ? db.prepare(
                  "DELETE FROM outbox WHERE id = ? AND application_id = ? AND lease_owner = ?")
            : db.prepare(
                  "UPDATE outbox SET next_attempt_at = ?, attempts = ?, lease_owner = '', "
                  "lease_until = NULL WHERE id = ? AND application_id = ? AND lease_owner = ?");
    if (!settle) return settle.error();
    int next = 1;
    if (!settlement.remove) {
      settle->bind(1, settlement.next_attempt_at).bind(2, settlement.attempts);
      next = 3;
    }
    settle->bind(next, settlement.outbox_id)
        .bind(next + 1, id)
        .bind(next + 2, settlement.lease_owner);
    // A row that is gone or leased to another worker is left alone: whoever holds it now
    // settles it.
    if (Result<void> ran = settle->run(); !ran) return ran;
  }
  if (change.drop_all_step_outbox) {
    Result<Statement> drop =
        db.prepare("DELETE FROM outbox WHERE application_id = ? AND kind != 'notify'");
    if (!drop) return drop.error();
    if (Result<void> ran = drop->bind(1, id).run(); !ran) return ran;
  }
  for (const std::string& step_id : change.drop_outbox_of) {
    Result<Statement> drop = db.prepare(
        "DELETE FROM outbox WHERE application_id = ? AND step_id = ? AND kind != 'notify'");
    if (!drop) return drop.error();
    if (Result<void> ran = drop->bind(1, id).bind(2, step_id).run(); !ran) return ran;
  }
  for (const OutboxMessage& message : outgoing) {
    Result<Statement> insert = db.prepare(
        "INSERT INTO outbox (message_id, application_id, step_id, kind, attempts, "
        "next_attempt_at, payload, lease_owner, lease_until, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, '', NULL, ?) "
        "ON CONFLICT (message_id, kind) DO UPDATE SET attempts = excluded.attempts, "
        "next_attempt_at = excluded.next_attempt_at, payload = excluded.payload, "
        "lease_owner = '', lease_until = NULL");
    if (!insert) return insert.error();
    insert->bind(1, message.message_id)
        .bind(2, id)
        .bind(3, message.step_id)
        .bind(4, toString(message.kind))
        .bind(5, message.attempts)
        .bind(6, message.next_attempt_at)
        .bind(7, message.payload)
        .bind(8, app.updated_at);
    if (Result<void> ran = insert->run(); !ran) return ran;
  }

  if (change.idempotency) {
    const IdempotencyRecord& key = *change.idempotency;
    Result<Statement> insert = db.prepare(
        "INSERT INTO idempotency_keys (scope, key, request_hash, application_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bind(1, key.scope)
        .bind(2, key.key)
        .bind(3, key.request_hash)
        .bind(4, key.application_id)
        .bind(5, key.created_at);
    if (Result<void> ran = insert->run(); !ran) {
      if (ran.error().code == ErrorCode::kConflict) {
        return Error::conflict("idempotency key '" + key.key + "' of " + key.scope +
                               " is already used");
      }
      return ran;
    }
  }
  return ok();
}

Result<ApplicationSnapshot> SqliteStore::load(std::string_view id) {
  return read<ApplicationSnapshot>([&](Connection& db) -> Result<ApplicationSnapshot> {
    ApplicationSnapshot snapshot;
    {
      Result<Statement> query =
          db.prepare(sql({"SELECT ", columns::kApplication, " FROM applications WHERE id = ?"}));
      if (!query) return query.error();
      query->bind(1, id);
      Result<bool> row = query->step();
      if (!row) return row.error();
      if (!*row) return Error::notFound("no application " + std::string(id));
      Result<ApplicationRecord> application = readApplication(*query);
      if (!application) return application.error();
      snapshot.application = std::move(application).value();
    }
    {
      Result<Statement> query = db.prepare(sql(
          {"SELECT ", columns::kStep, " FROM steps WHERE application_id = ? ORDER BY step_id"}));
      if (!query) return query.error();
      query->bind(1, id);
      Result<std::vector<StepRecord>> steps = collect<StepRecord>(*query, readStep);
      if (!steps) return steps.error();
      snapshot.steps = std::move(steps).value();
    }
    {
      Result<Statement> query = db.prepare(sql({"SELECT ", columns::kHumanTask,
                                                " FROM human_tasks WHERE application_id = ? "
                                                "ORDER BY step_id"}));
      if (!query) return query.error();
      query->bind(1, id);
      Result<std::vector<HumanTaskRecord>> tasks =
          collect<HumanTaskRecord>(*query, [](const Statement& row) { return readHumanTask(row); });
      if (!tasks) return tasks.error();
      snapshot.human_tasks = std::move(tasks).value();
    }
    return snapshot;
  });
}

Result<std::optional<IdempotencyRecord>> SqliteStore::findIdempotencyKey(std::string_view scope,
                                                                         std::string_view key) {
  using Found = std::optional<IdempotencyRecord>;
  return read<Found>([&](Connection& db) -> Result<Found> {
    Result<Statement> query = db.prepare(
        "SELECT request_hash, application_id, created_at FROM idempotency_keys "
        "WHERE scope = ? AND key = ?");
    if (!query) return query.error();
    query->bind(1, scope).bind(2, key);
    Result<bool> row = query->step();
    if (!row) return row.error();
    if (!*row) return Found{};
    return Found{IdempotencyRecord{std::string(scope), std::string(key), query->text(0),
                                   query->text(1), query->time(2)}};
  });
}

Result<void> SqliteStore::putIdempotencyKey(const IdempotencyRecord& record) {
  Result<std::monostate> done = write<std::monostate>(
      "idempotency key of " + record.scope, [&](Connection& db) -> Result<std::monostate> {
        {
          // Checked first so that the two constraint failures get different codes.
          Result<Statement> exists = db.prepare("SELECT 1 FROM applications WHERE id = ?");
          if (!exists) return exists.error();
          exists->bind(1, record.application_id);
          Result<bool> row = exists->step();
          if (!row) return row.error();
          if (!*row) return Error::notFound("no application " + record.application_id);
        }
        Result<Statement> insert = db.prepare(
            "INSERT INTO idempotency_keys (scope, key, request_hash, application_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)");
        if (!insert) return insert.error();
        insert->bind(1, record.scope)
            .bind(2, record.key)
            .bind(3, record.request_hash)
            .bind(4, record.application_id)
            .bind(5, record.created_at);
        if (Result<void> ran = insert->run(); !ran) {
          if (ran.error().code == ErrorCode::kConflict) {
            return Error::conflict("idempotency key '" + record.key + "' of " + record.scope +
                                   " is already used");
          }
          return ran.error();
        }
        return std::monostate{};
      });
  if (!done) return done.error();
  return ok();
}

Result<std::optional<MessageOwner>> SqliteStore::findMessage(std::string_view message_id) {
  using Found = std::optional<MessageOwner>;
  return read<Found>([&](Connection& db) -> Result<Found> {
    Result<Statement> query =
        db.prepare("SELECT application_id, step_id, revision FROM steps WHERE message_id = ?");
    if (!query) return query.error();
    query->bind(1, message_id);
    Result<bool> row = query->step();
    if (!row) return row.error();
    if (!*row) return Found{};
    return Found{MessageOwner{query->text(0), query->text(1), query->integer(2)}};
  });
}

Result<std::vector<std::string>> SqliteStore::findByLegalRepresentative(std::string_view index) {
  using Ids = std::vector<std::string>;
  return read<Ids>([&](Connection& db) -> Result<Ids> {
    Result<Statement> query = db.prepare(
        "SELECT id FROM applications WHERE legal_representative_index = ? "
        "ORDER BY submitted_at, id");
    if (!query) return query.error();
    query->bind(1, index);
    return collect<std::string>(
        *query, [](const Statement& row) { return Result<std::string>(row.text(0)); });
  });
}

Result<ApplicationPage> SqliteStore::listApplications(const ListFilter& filter) {
  if (filter.limit < 1 || filter.limit > 500) {
    return Error::invalidInput("limit must be 1..500", "limit");
  }
  if (Result<void> district = checkDistrict(filter.district); !district) return district.error();
  std::optional<ListCursor> cursor;
  if (!filter.cursor.empty()) {
    Result<ListCursor> parsed = parseListCursor(filter.cursor);
    if (!parsed) return parsed.error();
    cursor = std::move(parsed).value();
  }
  // Only the presence of each filter changes the text, so at most 2^5 statements are cached.
  std::string query_sql = sql({"SELECT ", columns::kApplication, " FROM applications WHERE 1"});
  if (!filter.kiosk_id.empty()) query_sql += " AND kiosk_id = ?";
  if (!filter.bank_code.empty()) query_sql += " AND bank_code = ?";
  if (filter.state) query_sql += " AND state = ?";
  if (!filter.district.empty()) query_sql += " AND district LIKE ?";
  if (cursor) query_sql += " AND (submitted_at < ? OR (submitted_at = ? AND id < ?))";
  query_sql += " ORDER BY submitted_at DESC, id DESC LIMIT ?";

  return read<ApplicationPage>([&](Connection& db) -> Result<ApplicationPage> {
    Result<Statement> query = db.prepare(query_sql);
    if (!query) return query.error();
    int next = 1;
    if (!filter.kiosk_id.empty()) query->bind(next++, filter.kiosk_id);
    if (!filter.bank_code.empty()) query->bind(next++, filter.bank_code);
    if (filter.state) query->bind(next++, toString(*filter.state));
    if (!filter.district.empty()) query->bind(next++, filter.district + "%");
    if (cursor) {
      query->bind(next, cursor->submitted_at)
          .bind(next + 1, cursor->submitted_at)
          .bind(next + 2, cursor->id);
      next += 3;
    }
    // One row more than asked tells whether another page follows.
    query->bind(next++, filter.limit + 1);
    Result<std::vector<ApplicationRecord>> rows = collect<ApplicationRecord>(
        *query, [](const Statement& row) { return readApplication(row); });
    if (!rows) return rows.error();
    ApplicationPage page;
    page.applications = std::move(rows).value();
    if (static_cast<int>(page.applications.size()) > filter.limit) {
      page.applications.resize(filter.limit);
      const ApplicationRecord& last = page.applications.back();
      page.next_cursor = listCursor(sqlite::toMicros(last.submitted_at), last.id);
    }
    for (ApplicationRecord& record : page.applications) record.sealed_application.clear();
    return page;
  });
}

Result<std::vector<EventRecord>> SqliteStore::history(std::string_view id) {
  using Events = std::vector<EventRecord>;
  return read<Events>([&](Connection& db) -> Result<Events> {
    Result<Statement> query = db.prepare(
        sql({"SELECT ", columns::kEvent, " FROM events WHERE application_id = ? ORDER BY seq"}));
    if (!query) return query.error();
    query->bind(1, id);
    return collect<EventRecord>(
        *query, [](const Statement& row) { return Result<EventRecord>(readEvent(row)); });
  });
}

Result<std::vector<EventRecord>> SqliteStore::eventsSince(int64_t after_seq, int limit) {
  using Events = std::vector<EventRecord>;
  if (limit < 1) return Error::invalidInput("limit must be at least 1", "limit");
  // SQLite has one writer and assigns seq inside its transaction, so seq order is commit
  // order and a reader can never see seq N+1 before seq N.
  return read<Events>([&](Connection& db) -> Result<Events> {
    Result<Statement> query = db.prepare(
        sql({"SELECT ", columns::kEvent, " FROM events WHERE seq > ? ORDER BY seq LIMIT ?"}));
    if (!query) return query.error();
    query->bind(1, after_seq).bind(2, limit);
    return collect<EventRecord>(
        *query, [](const Statement& row) { return Result<EventRecord>(readEvent(row)); });
  });
}

Result<std::vector<HumanTaskView>> SqliteStore::listHumanTasks(const HumanTaskFilter& filter) {
  using Views = std::vector<HumanTaskView>;
  std::string query_sql =
      "SELECT a.id, a.bank_code, a.kiosk_id, a.district, a.state, t.step_id, t.kind, t.role, "
      "t.state, t.decided_by, t.reason, t.opened_at, t.decided_at FROM human_tasks t "
      "JOIN applications a ON a.id = t.application_id WHERE 1";
  if (!filter.bank_code.empty()) query_sql += " AND a.bank_code = ?";
  if (filter.state) query_sql += " AND t.state = ?";
  query_sql += " ORDER BY t.opened_at, a.id LIMIT ?";
  return read<Views>([&](Connection& db) -> Result<Views> {
    Result<Statement> query = db.prepare(query_sql);
    if (!query) return query.error();
    int next = 1;
    if (!filter.bank_code.empty()) query->bind(next++, filter.bank_code);
    if (filter.state) query->bind(next++, toString(*filter.state));
    query->bind(next++, std::max(filter.limit, 1));
    return collect<HumanTaskView>(*query, [](const Statement& row) -> Result<HumanTaskView> {
      HumanTaskView view;
      view.application_id = row.text(0);
      view.bank_code = row.text(1);
      view.kiosk_id = row.text(2);
      view.district = row.text(3);
      Result<ApplicationState> state = parseApplicationState(row.text(4));
      if (!state) return Error::corrupt(state.error().message);
      view.application_state = *state;
      Result<HumanTaskRecord> task = readHumanTask(row, 5);
      if (!task) return task.error();
      view.task = std::move(task).value();
      return view;
    });
  });
}

Result<std::vector<OutboxMessage>> SqliteStore::claimDueOutbox(SystemTime now, int limit,
                                                               std::string_view lease_owner,
                                                               SystemTime lease_until) {
  using Messages = std::vector<OutboxMessage>;
  if (limit < 1) return Messages{};
  return write<Messages>("outbox claim", [&](Connection& db) -> Result<Messages> {
    Messages claimed;
    {
      Result<Statement> due = db.prepare(sql(
          {"SELECT ", columns::kOutbox,
           " FROM outbox WHERE next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
           " ORDER BY next_attempt_at, id LIMIT ?"}));
      if (!due) return due.error();
      due->bind(1, now).bind(2, now).bind(3, limit);
      Result<Messages> rows = collect<OutboxMessage>(*due, readOutbox);
      if (!rows) return rows.error();
      claimed = std::move(rows).value();
    }
    for (OutboxMessage& message : claimed) {
      Result<Statement> lease =
          db.prepare("UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?");
      if (!lease) return lease.error();
      if (Result<void> ran =
              lease->bind(1, lease_owner).bind(2, lease_until).bind(3, message.id).run();
          !ran) {
        return ran.error();
      }
      message.lease_owner = std::string(lease_owner);
      message.lease_until = lease_until;
    }
    return claimed;
  });
}

Result<std::vector<TimerRecord>> SqliteStore::claimDueTimers(SystemTime now, int limit,
                                                             std::string_view lease_owner,
                                                             SystemTime lease_until) {
  using Timers = std::vector<TimerRecord>;
  if (limit < 1) return Timers{};
  return write<Timers>("timer claim", [&](Connection& db) -> Result<Timers> {
    Timers claimed;
    {
      Result<Statement> due = db.prepare(
          sql({"SELECT ", columns::kTimer,
               " FROM timers WHERE fired = 0 AND due_at <= ? AND (lease_until IS NULL OR "
               "lease_until <= ?) ORDER BY due_at, id LIMIT ?"}));
      if (!due) return due.error();
      due->bind(1, now).bind(2, now).bind(3, limit);
      Result<Timers> rows = collect<TimerRecord>(*due, readTimer);
      if (!rows) return rows.error();
      claimed = std::move(rows).value();
    }
    for (TimerRecord& timer : claimed) {
      Result<Statement> lease =
          db.prepare("UPDATE timers SET lease_owner = ?, lease_until = ? WHERE id = ?");
      if (!lease) return lease.error();
      if (Result<void> ran =
              lease->bind(1, lease_owner).bind(2, lease_until).bind(3, timer.id).run();
          !ran) {
        return ran.error();
      }
      timer.lease_owner = std::string(lease_owner);
      timer.lease_until = lease_until;
    }
    return claimed;
  });
}

Result<int> SqliteStore::releaseLeases(std::string_view owner) {
  return write<int>("lease release", [&](Connection& db) -> Result<int> {
    int released = 0;
    for (std::string_view table : {"outbox", "timers"}) {
      // substr() instead of LIKE: an owner name may contain '%' or '_'.
      Result<Statement> release =
          db.prepare(sql({"UPDATE ", table,
                          " SET lease_owner = '', lease_until = NULL WHERE lease_owner = ? OR "
                          "substr(lease_owner, 1, length(?)) = ?"}));
      if (!release) return release.error();
      const std::string prefix = std::string(owner) + "#";
      if (Result<void> ran = release->bind(1, owner).bind(2, prefix).bind(3, prefix).run(); !ran) {
        return ran.error();
      }
      released += release->changes();
    }
    return released;
  });
}

Result<std::vector<OutboxMessage>> SqliteStore::outboxOf(std::string_view id) {
  using Messages = std::vector<OutboxMessage>;
  return read<Messages>([&](Connection& db) -> Result<Messages> {
    Result<Statement> query = db.prepare(
        sql({"SELECT ", columns::kOutbox, " FROM outbox WHERE application_id = ? ORDER BY id"}));
    if (!query) return query.error();
    query->bind(1, id);
    return collect<OutboxMessage>(*query, readOutbox);
  });
}

Result<std::vector<TimerRecord>> SqliteStore::timersOf(std::string_view id) {
  using Timers = std::vector<TimerRecord>;
  return read<Timers>([&](Connection& db) -> Result<Timers> {
    Result<Statement> query = db.prepare(
        sql({"SELECT ", columns::kTimer, " FROM timers WHERE application_id = ? ORDER BY id"}));
    if (!query) return query.error();
    query->bind(1, id);
    return collect<TimerRecord>(*query, readTimer);
  });
}

Result<std::vector<AuditRecord>> SqliteStore::auditLog(int64_t after_seq, int limit) {
  using Records = std::vector<AuditRecord>;
  if (limit < 1) return Error::invalidInput("limit must be at least 1", "limit");
  return read<Records>([&](Connection& db) -> Result<Records> {
    Result<Statement> query = db.prepare(
        "SELECT seq, at, actor, application_id, action, detail, previous_hash, hash "
        "FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?");
    if (!query) return query.error();
    query->bind(1, after_seq).bind(2, limit);
    return collect<AuditRecord>(*query, [](const Statement& row) -> Result<AuditRecord> {
      return AuditRecord{row.int64(0), row.time(1), row.text(2), row.text(3),
                         row.text(4),  row.text(5), row.text(6), row.text(7)};
    });
  });
}

Result<std::vector<int>> SqliteStore::flowVersionsInUse() {
  using Versions = std::vector<int>;
  return read<Versions>([&](Connection& db) -> Result<Versions> {
    Result<Statement> query = db.prepare(
        "SELECT DISTINCT flow_version FROM applications "
        "WHERE state NOT IN ('completed', 'rejected', 'cancelled') ORDER BY flow_version");
    if (!query) return query.error();
    return collect<int>(*query, [](const Statement& row) { return Result<int>(row.integer(0)); });
  });
}

Result<bool> SqliteStore::upsertKiosk(const KioskRecord& kiosk, const AuditInput& audit) {
  if (kiosk.kiosk_id.empty()) return Error::invalidInput("a kiosk needs an id", "kiosk_id");
  if (kiosk.bank_code.empty()) return Error::invalidInput("a kiosk needs a bank code", "bank_code");
  if (Result<void> district = checkDistrict(kiosk.district); !district) return district.error();
  return write<bool>("kiosk " + kiosk.kiosk_id, [&](Connection& db) -> Result<bool> {
    bool created = false;
    {
      Result<Statement> exists = db.prepare("SELECT 1 FROM kiosks WHERE kiosk_id = ?");
      if (!exists) return exists.error();
      exists->bind(1, kiosk.kiosk_id);
      Result<bool> row = exists->step();
      if (!row) return row.error();
      created = !*row;
    }
    Result<Statement> upsert = db.prepare(
        "INSERT INTO kiosks (kiosk_id, bank_code, district, name, enabled, registered_at, "
        "revoked_at, last_heartbeat_at, last_heartbeat) VALUES (?, ?, ?, ?, 1, ?, NULL, NULL, '') "
        "ON CONFLICT (kiosk_id) DO UPDATE SET bank_code = excluded.bank_code, "
        "district = excluded.district, name = excluded.name, enabled = 1, revoked_at = NULL");
    if (!upsert) return upsert.error();
    upsert->bind(1, kiosk.kiosk_id)
        .bind(2, kiosk.bank_code)
        .bind(3, kiosk.district)
        .bind(4, kiosk.name)
        .bind(5, audit.at);
    if (Result<void> ran = upsert->run(); !ran) return ran.error();
    if (Result<void> appended = appendAudit(db, std::span(&audit, 1)); !appended) {
      return appended.error();
    }
    return created;
  });
}

Result<void> SqliteStore::setKioskEnabled(std::string_view kiosk_id, bool enabled,
                                          const AuditInput& audit) {
  Result<std::monostate> done = write<std::monostate>(
      "kiosk " + std::string(kiosk_id), [&](Connection& db) -> Result<std::monostate> {
        // Only a change of state moves revoked_at: revoking twice keeps the first time.
        Result<Statement> update = db.prepare(
            "UPDATE kiosks SET revoked_at = CASE WHEN ? THEN NULL WHEN enabled = 1 THEN ? "
            "ELSE revoked_at END, enabled = ? WHERE kiosk_id = ?");
        if (!update) return update.error();
        update->bind(1, enabled).bind(2, audit.at).bind(3, enabled).bind(4, kiosk_id);
        if (Result<void> ran = update->run(); !ran) return ran.error();
        if (update->changes() == 0) {
          return Error::notFound("no kiosk " + std::string(kiosk_id) +
                                 " is registered (kaiban-orchestrator kiosk list)");
        }
        if (Result<void> appended = appendAudit(db, std::span(&audit, 1)); !appended) {
          return appended.error();
        }
        return std::monostate{};
      });
  if (!done) return done.error();
  return ok();
}

Result<KioskRecord> SqliteStore::findKiosk(std::string_view kiosk_id) {
  return read<KioskRecord>([&](Connection& db) -> Result<KioskRecord> {
    Result<Statement> query =
        db.prepare(sql({"SELECT ", columns::kKiosk, " FROM kiosks WHERE kiosk_id = ?"}));
    if (!query) return query.error();
    query->bind(1, kiosk_id);
    Result<bool> row = query->step();
    if (!row) return row.error();
    if (!*row) return Error::notFound("no kiosk " + std::string(kiosk_id) + " is registered");
    return readKiosk(*query);
  });
}

Result<std::vector<KioskRecord>> SqliteStore::listKiosks(const KioskFilter& filter) {
  using Kiosks = std::vector<KioskRecord>;
  if (Result<void> district = checkDistrict(filter.district); !district) return district.error();
  std::string query_sql = sql({"SELECT ", columns::kKiosk, " FROM kiosks WHERE 1"});
  if (!filter.bank_code.empty()) query_sql += " AND bank_code = ?";
  if (!filter.district.empty()) query_sql += " AND district LIKE ?";
  query_sql += " ORDER BY kiosk_id";
  return read<Kiosks>([&](Connection& db) -> Result<Kiosks> {
    Result<Statement> query = db.prepare(query_sql);
    if (!query) return query.error();
    int next = 1;
    if (!filter.bank_code.empty()) query->bind(next++, filter.bank_code);
    if (!filter.district.empty()) query->bind(next++, filter.district + "%");
    return collect<KioskRecord>(
        *query, [](const Statement& row) { return Result<KioskRecord>(readKiosk(row)); });
  });
}

Result<void> SqliteStore::recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                                          std::string_view heartbeat_json) {
  Result<std::monostate> done = write<std::monostate>(
      "heartbeat of " + std::string(kiosk_id), [&](Connection& db) -> Result<std::monostate> {
        Result<Statement> update = db.prepare(
            "UPDATE kiosks SET last_heartbeat_at = ?, last_heartbeat = ? WHERE kiosk_id = ?");
        if (!update) return update.error();
        update->bind(1, at).bind(2, heartbeat_json).bind(3, kiosk_id);
        if (Result<void> ran = update->run(); !ran) return ran.error();
        if (update->changes() == 0) {
          return Error::notFound("no kiosk " + std::string(kiosk_id) + " is registered");
        }
        return std::monostate{};
      });
  if (!done) return done.error();
  return ok();
}

}  // namespace kaiban::orchestrator
