#include "orchestrator/store/postgres/postgres_store.h"

#include <algorithm>

#include "orchestrator/store/list_input.h"
#include "orchestrator/store/postgres/migrations.h"
#include "orchestrator/store/postgres/transaction.h"
#include "orchestrator/store/store_columns.h"

namespace kaiban::orchestrator {

using pg::Access;
using pg::Connection;
using pg::Params;
using pg::Rows;

using columns::sql;

namespace {

Result<ApplicationRecord> readApplication(const Rows& rows, int row) {
  ApplicationRecord record;
  record.id = rows.text(row, 0);
  record.kiosk_id = rows.text(row, 1);
  record.bank_code = rows.text(row, 2);
  record.district = rows.text(row, 3);
  record.flow_version = rows.integer(row, 4);
  Result<ApplicationState> state = parseApplicationState(rows.text(row, 5));
  if (!state) return Error::corrupt("application " + record.id + ": " + state.error().message);
  record.state = *state;
  record.green_channel = rows.boolean(row, 6);
  record.submitted_at = rows.time(row, 7);
  record.deadline_at = rows.time(row, 8);
  record.updated_at = rows.time(row, 9);
  record.flags = static_cast<uint32_t>(rows.int64(row, 10));
  record.version = rows.int64(row, 11);
  record.sealed_application = rows.bytes(row, 12);
  record.legal_representative_index = rows.text(row, 13);
  return record;
}

Result<StepRecord> readStep(const Rows& rows, int row) {
  StepRecord step;
  step.step_id = rows.text(row, 0);
  Result<StepState> state = parseStepState(rows.text(row, 1));
  if (!state) return Error::corrupt("step " + step.step_id + ": " + state.error().message);
  step.state = *state;
  step.attempts = rows.integer(row, 2);
  step.revision = rows.integer(row, 3);
  step.polls = rows.integer(row, 4);
  step.message_id = rows.text(row, 5);
  step.ready_at = rows.optionalTime(row, 6);
  step.dispatched_at = rows.optionalTime(row, 7);
  step.budget_due_at = rows.optionalTime(row, 8);
  step.finished_at = rows.optionalTime(row, 9);
  step.flags = static_cast<uint32_t>(rows.int64(row, 10));
  Result<FailureKind> failure = parseFailureKind(rows.text(row, 11));
  if (!failure) return Error::corrupt("step " + step.step_id + ": " + failure.error().message);
  step.failure = *failure;
  step.reason_code = rows.text(row, 12);
  step.reason = rows.text(row, 13);
  step.partner_reference = rows.text(row, 14);
  step.sealed_outputs = rows.bytes(row, 15);
  return step;
}

Result<HumanTaskRecord> readHumanTask(const Rows& rows, int row, int first = 0) {
  HumanTaskRecord task;
  task.step_id = rows.text(row, first + 0);
  task.kind = rows.text(row, first + 1);
  task.role = rows.text(row, first + 2);
  Result<HumanTaskState> state = parseHumanTaskState(rows.text(row, first + 3));
  if (!state) return Error::corrupt("human task " + task.step_id + ": " + state.error().message);
  task.state = *state;
  task.decided_by = rows.text(row, first + 4);
  task.reason = rows.text(row, first + 5);
  task.opened_at = rows.time(row, first + 6);
  task.decided_at = rows.optionalTime(row, first + 7);
  return task;
}

Result<EventRecord> readEvent(const Rows& rows, int row) {
  EventRecord event;
  event.seq = rows.int64(row, 0);
  event.application_id = rows.text(row, 1);
  event.step_id = rows.text(row, 2);
  event.type = rows.text(row, 3);
  event.actor = rows.text(row, 4);
  event.at = rows.time(row, 5);
  event.detail = rows.text(row, 6);
  return event;
}

Result<OutboxMessage> readOutbox(const Rows& rows, int row) {
  OutboxMessage message;
  message.id = rows.int64(row, 0);
  message.message_id = rows.text(row, 1);
  message.application_id = rows.text(row, 2);
  message.step_id = rows.text(row, 3);
  Result<OutboxKind> kind = parseOutboxKind(rows.text(row, 4));
  if (!kind) return kind.error();
  message.kind = *kind;
  message.attempts = rows.integer(row, 5);
  message.next_attempt_at = rows.time(row, 6);
  message.payload = rows.text(row, 7);
  message.lease_owner = rows.text(row, 8);
  message.lease_until = rows.optionalTime(row, 9);
  return message;
}

Result<TimerRecord> readTimer(const Rows& rows, int row) {
  TimerRecord timer;
  timer.id = rows.int64(row, 0);
  timer.application_id = rows.text(row, 1);
  timer.step_id = rows.text(row, 2);
  Result<TimerKind> kind = parseTimerKind(rows.text(row, 3));
  if (!kind) return kind.error();
  timer.kind = *kind;
  timer.due_at = rows.time(row, 4);
  timer.fired = rows.boolean(row, 5);
  timer.lease_owner = rows.text(row, 6);
  timer.lease_until = rows.optionalTime(row, 7);
  return timer;
}

Result<KioskRecord> readKiosk(const Rows& rows, int row) {
  KioskRecord kiosk;
  kiosk.kiosk_id = rows.text(row, 0);
  kiosk.bank_code = rows.text(row, 1);
  kiosk.district = rows.text(row, 2);
  kiosk.name = rows.text(row, 3);
  kiosk.enabled = rows.boolean(row, 4);
  kiosk.registered_at = rows.time(row, 5);
  kiosk.revoked_at = rows.optionalTime(row, 6);
  kiosk.last_heartbeat_at = rows.optionalTime(row, 7);
  kiosk.last_heartbeat = rows.text(row, 8);
  return kiosk;
}

// Every row of `rows` through `reader(rows, row)`.
template <class T, class Reader>
Result<std::vector<T>> collect(const Rows& rows, Reader reader) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (int row = 0; row < rows.size(); ++row) {
    Result<T> value = reader(rows, row);
    if (!value) return value.error();
    out.push_back(std::move(value).value());
  }
  return out;
}

// Runs `sql` on `db` and collects its rows.
template <class T, class Reader>
Result<std::vector<T>> select(Connection& db, std::string_view sql, const Params& params,
                              Reader reader) {
  Result<Rows> rows = db.execute(sql, params);
  if (!rows) return rows.error();
  return collect<T>(*rows, reader);
}

// A `RETURNING` claim's rows come in no particular order: earliest due first, then by id.
template <class T, class Due>
void sortClaimed(std::vector<T>& claimed, Due due) {
  std::sort(claimed.begin(), claimed.end(), [&](const T& a, const T& b) {
    return due(a) != due(b) ? due(a) < due(b) : a.id < b.id;
  });
}

Result<void> applyChange(Connection& db, std::string_view id, int64_t expected_version,
                         const Change& change, std::span<const OutboxMessage> outgoing) {
  const ApplicationRecord& app = change.application;
  if (expected_version == 0) {
    Result<Rows> inserted =
        db.execute(sql({"INSERT INTO applications (", columns::kApplication,
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13)"}),
                   Params()
                       .add(id)
                       .add(app.kiosk_id)
                       .add(app.bank_code)
                       .add(app.district)
                       .add(app.flow_version)
                       .add(toString(app.state))
                       .add(app.green_channel)
                       .add(app.submitted_at)
                       .add(app.deadline_at)
                       .add(app.updated_at)
                       .add(static_cast<int64_t>(app.flags))
                       .addBytes(app.sealed_application)
                       .add(app.legal_representative_index));
    if (!inserted) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Error::conflict("application " + std::string(id) + " already exists");
      }
      return inserted.error();
    }
  } else {
    // The version check and the update are one statement: a concurrent writer of the same row
    // waits for ours to commit, then finds the version moved.
    Params params;
    params.add(toString(app.state))
        .add(static_cast<int64_t>(app.flags))
        .add(app.updated_at)
        .add(app.deadline_at);
    std::string update_sql;
    if (change.rewrite_sealed_application) {
      params.addBytes(app.sealed_application).add(app.legal_representative_index);
      update_sql =
          "UPDATE applications SET state = $1, flags = $2, updated_at = $3, deadline_at = $4, "
          "version = version + 1, sealed_application = $5, legal_representative_index = $6 "
          "WHERE id = $7 AND version = $8";
    } else {
      update_sql =
          "UPDATE applications SET state = $1, flags = $2, updated_at = $3, deadline_at = $4, "
          "version = version + 1 WHERE id = $5 AND version = $6";
    }
    params.add(id).add(expected_version);
    Result<Rows> updated = db.execute(update_sql, params);
    if (!updated) return updated.error();
    if (updated->affected() == 0) {
      Result<Rows> exists =
          db.execute("SELECT version FROM applications WHERE id = $1", Params().add(id));
      if (!exists) return exists.error();
      if (exists->empty()) return Error::notFound("no application " + std::string(id));
      return Error::conflict("application " + std::string(id) + " changed meanwhile (version " +
                             std::to_string(exists->int64(0, 0)) + ", expected " +
                             std::to_string(expected_version) + ")");
    }
  }

  for (const StepRecord& step : change.steps) {
    Result<Rows> upserted = db.execute(
        sql({"INSERT INTO steps (application_id, ", columns::kStep,
             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
             "$17) ON CONFLICT (application_id, step_id) DO UPDATE SET state = excluded.state, "
             "attempts = excluded.attempts, revision = excluded.revision, "
             "polls = excluded.polls, message_id = excluded.message_id, "
             "ready_at = excluded.ready_at, dispatched_at = excluded.dispatched_at, "
             "budget_due_at = excluded.budget_due_at, finished_at = excluded.finished_at, "
             "flags = excluded.flags, failure = excluded.failure, "
             "reason_code = excluded.reason_code, reason = excluded.reason, "
             "partner_reference = excluded.partner_reference, "
             "sealed_outputs = excluded.sealed_outputs"}),
        Params()
            .add(id)
            .add(step.step_id)
            .add(toString(step.state))
            .add(step.attempts)
            .add(step.revision)
            .add(step.polls)
            .addOrNull(step.message_id)
            .add(step.ready_at)
            .add(step.dispatched_at)
            .add(step.budget_due_at)
            .add(step.finished_at)
            .add(static_cast<int64_t>(step.flags))
            .add(toString(step.failure))
            .add(step.reason_code)
            .add(step.reason)
            .add(step.partner_reference)
            .addBytes(step.sealed_outputs));
    if (!upserted) return upserted.error();
  }

  for (const HumanTaskRecord& task : change.human_tasks) {
    Result<Rows> upserted = db.execute(
        sql({"INSERT INTO human_tasks (application_id, ", columns::kHumanTask,
             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id, step_id) "
             "DO UPDATE SET kind = excluded.kind, role = excluded.role, state = excluded.state, "
             "decided_by = excluded.decided_by, reason = excluded.reason, "
             "opened_at = excluded.opened_at, decided_at = excluded.decided_at"}),
        Params()
            .add(id)
            .add(task.step_id)
            .add(task.kind)
            .add(task.role)
            .add(toString(task.state))
            .add(task.decided_by)
            .add(task.reason)
            .add(task.opened_at)
            .add(task.decided_at));
    if (!upserted) return upserted.error();
  }

  // Timers: fired marks first (they stay as history), then cancellations, then new timers,
  // so one change may cancel a step's timers and set new ones.
  for (int64_t timer_id : change.fired_timers) {
    Result<Rows> fired = db.execute(
        "UPDATE timers SET fired = TRUE, lease_owner = '', lease_until = NULL "
        "WHERE id = $1 AND application_id = $2",
        Params().add(timer_id).add(id));
    if (!fired) return fired.error();
  }
  if (change.cancel_all_timers) {
    Result<Rows> cancelled =
        db.execute("DELETE FROM timers WHERE application_id = $1 AND NOT fired", Params().add(id));
    if (!cancelled) return cancelled.error();
  }
  for (const std::string& step_id : change.cancel_timers_of) {
    Result<Rows> cancelled =
        db.execute("DELETE FROM timers WHERE application_id = $1 AND step_id = $2 AND NOT fired",
                   Params().add(id).add(step_id));
    if (!cancelled) return cancelled.error();
  }
  for (const TimerRecord& timer : change.new_timers) {
    Result<Rows> inserted = db.execute(
        "INSERT INTO timers (application_id, step_id, kind, due_at, fired, lease_owner, "
        "lease_until) VALUES ($1, $2, $3, $4, FALSE, '', NULL)",
        Params().add(id).add(timer.step_id).add(toString(timer.kind)).add(timer.due_at));
    if (!inserted) return inserted.error();
  }

  // Outbox: settle claimed rows, drop superseded ones, then queue the new messages.
  for (const OutboxSettlement& settlement : change.settle_outbox) {
    // A row that is gone or leased to another worker is left alone: whoever holds it now
    // settles it.
    Result<Rows> settled =
        settlement.remove
            ? db.execute(
                  "DELETE FROM outbox WHERE id = $1 AND application_id = $2 AND lease_owner = $3",
                  Params().add(settlement.outbox_id).add(id).add(settlement.lease_owner))
            : db.execute(
                  "UPDATE outbox SET next_attempt_at = $1, attempts = $2, lease_owner = '', "
                  "lease_until = NULL WHERE id = $3 AND application_id = $4 AND lease_owner = $5",
                  Params()
                      .add(settlement.next_attempt_at)
                      .add(settlement.attempts)
                      .add(settlement.outbox_id)
                      .add(id)
                      .add(settlement.lease_owner));
    if (!settled) return settled.error();
  }
  if (change.drop_all_step_outbox) {
    Result<Rows> dropped = db.execute(
        "DELETE FROM outbox WHERE application_id = $1 AND kind <> 'notify'", Params().add(id));
    if (!dropped) return dropped.error();
  }
  for (const std::string& step_id : change.drop_outbox_of) {
    Result<Rows> dropped = db.execute(
        "DELETE FROM outbox WHERE application_id = $1 AND step_id = $2 AND kind <> 'notify'",
        Params().add(id).add(step_id));
    if (!dropped) return dropped.error();
  }
  for (const OutboxMessage& message : outgoing) {
    Result<Rows> queued = db.execute(
        "INSERT INTO outbox (message_id, application_id, step_id, kind, attempts, "
        "next_attempt_at, payload, lease_owner, lease_until, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, '', NULL, $8) "
        "ON CONFLICT (message_id, kind) DO UPDATE SET attempts = excluded.attempts, "
        "next_attempt_at = excluded.next_attempt_at, payload = excluded.payload, "
        "lease_owner = '', lease_until = NULL",
        Params()
            .add(message.message_id)
            .add(id)
            .add(message.step_id)
            .add(toString(message.kind))
            .add(message.attempts)
            .add(message.next_attempt_at)
            .add(message.payload)
            .add(app.updated_at));
    if (!queued) return queued.error();
  }

  if (change.idempotency) {
    const IdempotencyRecord& key = *change.idempotency;
    Result<Rows> inserted = db.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, application_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params()
            .add(key.scope)
            .add(key.key)
            .add(key.request_hash)
            .add(key.application_id)
            .add(key.created_at));
    if (!inserted) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Error::conflict("idempotency key '" + key.key + "' of " + key.scope +
                               " is already used");
      }
      return inserted.error();
    }
  }

  // The event stream and the audit chain are published after the commit (transaction.h).
  if (Result<void> queued = pg::queueEvents(db, id, change.events); !queued) return queued;
  return pg::queueAudit(db, change.audit);
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           const Clock& clock, Options options) {
  auto pool = std::make_unique<pg::Pool>(url, options.max_connections, options.lock_timeout);
  int version = 0;
  {
    Result<pg::Pool::Lease> lease = pool->acquire();
    if (!lease) return lease.error();
    Result<int> migrated = pg::migrate(**lease, clock.now());
    if (!migrated) return migrated.error();
    version = *migrated;
  }
  auto store = std::unique_ptr<PostgresStore>(
      new PostgresStore(std::move(pool), pg::redactUrl(url), version));
  // What a node that died between a commit and its publish left pending.
  store->publishNow(pg::Publish::kIfFree);
  return store;
}

PostgresStore::PostgresStore(std::unique_ptr<pg::Pool> pool, std::string display_url,
                             int schema_version)
    : pool_(std::move(pool)),
      display_url_(std::move(display_url)),
      schema_version_(schema_version) {}

PostgresStore::~PostgresStore() = default;

Result<Rows> PostgresStore::read(std::string_view sql_text, const Params& params) {
  for (int attempt = 1;; ++attempt) {
    Result<pg::Pool::Lease> lease = pool_->acquire();
    if (!lease) return lease.error();
    Result<Rows> rows = (*lease)->execute(sql_text, params);
    if (rows || !(*lease)->broken() || attempt == pg::kTransactionAttempts) return rows;
  }
}

Result<Rows> PostgresStore::write(std::string_view sql_text, const Params& params) {
  Result<pg::Pool::Lease> lease = pool_->acquire();
  if (!lease) return lease.error();
  return (*lease)->execute(sql_text, params);
}

Result<void> PostgresStore::commit(std::string_view id, int64_t expected_version,
                                   const Change& change, std::span<const OutboxMessage> outgoing) {
  if (change.application.id != id) {
    return Error::internal("commit for application " + std::string(id) +
                           " carries the row of application " + change.application.id);
  }
  if (expected_version < 0) return Error::internal("negative expected version");
  Result<void> committed = pg::transact<void>(*pool_, Access::kWrite, [&](Connection& db) {
    return applyChange(db, id, expected_version, change, outgoing);
  });
  if (committed) publishNow(pg::Publish::kIfFree);
  return committed;
}

void PostgresStore::publishNow(pg::Publish mode) {
  // A commit is committed whatever happens here, and a reader still reads what is published:
  // what stays pending goes with the next publish of any node, and every reader of the stream
  // or the chain publishes first. So a failure here is nobody's to report.
  (void)pg::publish(*pool_, mode);
}

Result<ApplicationSnapshot> PostgresStore::load(std::string_view id) {
  return pg::transact<ApplicationSnapshot>(
      *pool_, Access::kReadSnapshot, [&](Connection& db) -> Result<ApplicationSnapshot> {
        ApplicationSnapshot snapshot;
        Result<Rows> application =
            db.execute(sql({"SELECT ", columns::kApplication, " FROM applications WHERE id = $1"}),
                       Params().add(id));
        if (!application) return application.error();
        if (application->empty()) return Error::notFound("no application " + std::string(id));
        Result<ApplicationRecord> record = readApplication(*application, 0);
        if (!record) return record.error();
        snapshot.application = std::move(record).value();
        Result<std::vector<StepRecord>> steps =
            select<StepRecord>(db,
                               sql({"SELECT ", columns::kStep,
                                    " FROM steps WHERE application_id = $1 ORDER BY step_id"}),
                               Params().add(id), readStep);
        if (!steps) return steps.error();
        snapshot.steps = std::move(steps).value();
        Result<std::vector<HumanTaskRecord>> tasks = select<HumanTaskRecord>(
            db,
            sql({"SELECT ", columns::kHumanTask,
                 " FROM human_tasks WHERE application_id = $1 ORDER BY step_id"}),
            Params().add(id), [](const Rows& rows, int row) { return readHumanTask(rows, row); });
        if (!tasks) return tasks.error();
        snapshot.human_tasks = std::move(tasks).value();
        return snapshot;
      });
}

Result<std::optional<IdempotencyRecord>> PostgresStore::findIdempotencyKey(std::string_view scope,
                                                                           std::string_view key) {
  using Found = std::optional<IdempotencyRecord>;
  Result<Rows> rows = read(
      "SELECT request_hash, application_id, created_at FROM idempotency_keys "
      "WHERE scope = $1 AND key = $2",
      Params().add(scope).add(key));
  if (!rows) return rows.error();
  if (rows->empty()) return Found{};
  return Found{IdempotencyRecord{std::string(scope), std::string(key), rows->text(0, 0),
                                 rows->text(0, 1), rows->time(0, 2)}};
}

Result<void> PostgresStore::putIdempotencyKey(const IdempotencyRecord& record) {
  return pg::transact<void>(*pool_, Access::kWrite, [&](Connection& db) -> Result<void> {
    // Checked first so that the two constraint failures get different codes.
    Result<Rows> exists =
        db.execute("SELECT 1 FROM applications WHERE id = $1", Params().add(record.application_id));
    if (!exists) return exists.error();
    if (exists->empty()) return Error::notFound("no application " + record.application_id);
    Result<Rows> inserted = db.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, application_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params()
            .add(record.scope)
            .add(record.key)
            .add(record.request_hash)
            .add(record.application_id)
            .add(record.created_at));
    if (!inserted) {
      if (inserted.error().code == ErrorCode::kConflict) {
        return Error::conflict("idempotency key '" + record.key + "' of " + record.scope +
                               " is already used");
      }
      return inserted.error();
    }
    return ok();
  });
}

Result<std::optional<MessageOwner>> PostgresStore::findMessage(std::string_view message_id) {
  using Found = std::optional<MessageOwner>;
  Result<Rows> rows =
      read("SELECT application_id, step_id, revision FROM steps WHERE message_id = $1",
           Params().add(message_id));
  if (!rows) return rows.error();
  if (rows->empty()) return Found{};
  return Found{MessageOwner{rows->text(0, 0), rows->text(0, 1), rows->integer(0, 2)}};
}

Result<std::vector<std::string>> PostgresStore::findByLegalRepresentative(std::string_view index) {
  Result<Rows> rows = read(
      "SELECT id FROM applications WHERE legal_representative_index = $1 "
      "ORDER BY submitted_at, id",
      Params().add(index));
  if (!rows) return rows.error();
  return collect<std::string>(
      *rows, [](const Rows& r, int row) { return Result<std::string>(r.text(row, 0)); });
}

Result<ApplicationPage> PostgresStore::listApplications(const ListFilter& filter) {
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
  // Only the presence of each filter changes the text, so at most 2^5 statements are
  // prepared per connection.
  std::string query_sql = sql({"SELECT ", columns::kApplication, " FROM applications WHERE TRUE"});
  Params params;
  int next = 1;
  auto placeholder = [&] { return "$" + std::to_string(next++); };
  if (!filter.kiosk_id.empty()) {
    query_sql += " AND kiosk_id = " + placeholder();
    params.add(filter.kiosk_id);
  }
  if (!filter.bank_code.empty()) {
    query_sql += " AND bank_code = " + placeholder();
    params.add(filter.bank_code);
  }
  if (filter.state) {
    query_sql += " AND state = " + placeholder();
    params.add(toString(*filter.state));
  }
  if (!filter.district.empty()) {
    query_sql += " AND district LIKE " + placeholder();
    params.add(filter.district + "%");
  }
  if (cursor) {
    const std::string at = placeholder();
    const std::string same_at = placeholder();
    const std::string after_id = placeholder();
    query_sql += " AND (submitted_at < " + at + " OR (submitted_at = " + same_at + " AND id < " +
                 after_id + "))";
    params.add(cursor->submitted_at).add(cursor->submitted_at).add(cursor->id);
  }
  // One row more than asked tells whether another page follows.
  query_sql += " ORDER BY submitted_at DESC, id DESC LIMIT " + placeholder();
  params.add(filter.limit + 1);

  Result<Rows> rows = read(query_sql, params);
  if (!rows) return rows.error();
  Result<std::vector<ApplicationRecord>> records =
      collect<ApplicationRecord>(*rows, readApplication);
  if (!records) return records.error();
  ApplicationPage page;
  page.applications = std::move(records).value();
  if (static_cast<int>(page.applications.size()) > filter.limit) {
    page.applications.resize(filter.limit);
    const ApplicationRecord& last = page.applications.back();
    page.next_cursor = listCursor(pg::toMicros(last.submitted_at), last.id);
  }
  for (ApplicationRecord& record : page.applications) record.sealed_application.clear();
  return page;
}

Result<std::vector<EventRecord>> PostgresStore::history(std::string_view id) {
  publishNow(pg::Publish::kWait);
  Result<Rows> rows =
      read(sql({"SELECT ", columns::kEvent, " FROM events WHERE application_id = $1 ORDER BY seq"}),
           Params().add(id));
  if (!rows) return rows.error();
  return collect<EventRecord>(*rows, readEvent);
}

Result<std::vector<EventRecord>> PostgresStore::eventsSince(int64_t after_seq, int limit) {
  if (limit < 1) return Error::invalidInput("limit must be at least 1", "limit");
  // Seqs are drawn by one publisher at a time (transaction.h): what a reader sees after
  // `after_seq` can never be preceded later by a smaller seq.
  publishNow(pg::Publish::kWait);
  Result<Rows> rows =
      read(sql({"SELECT ", columns::kEvent, " FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"}),
           Params().add(after_seq).add(limit));
  if (!rows) return rows.error();
  return collect<EventRecord>(*rows, readEvent);
}

Result<std::vector<HumanTaskView>> PostgresStore::listHumanTasks(const HumanTaskFilter& filter) {
  std::string query_sql =
      "SELECT a.id, a.bank_code, a.kiosk_id, a.district, a.state, t.step_id, t.kind, t.role, "
      "t.state, t.decided_by, t.reason, t.opened_at, t.decided_at FROM human_tasks t "
      "JOIN applications a ON a.id = t.application_id WHERE TRUE";
  Params params;
  int next = 1;
  if (!filter.bank_code.empty()) {
    query_sql += " AND a.bank_code = $" + std::to_string(next++);
    params.add(filter.bank_code);
  }
  if (filter.state) {
    query_sql += " AND t.state = $" + std::to_string(next++);
    params.add(toString(*filter.state));
  }
  query_sql += " ORDER BY t.opened_at, a.id LIMIT $" + std::to_string(next++);
  params.add(std::max(filter.limit, 1));
  Result<Rows> rows = read(query_sql, params);
  if (!rows) return rows.error();
  return collect<HumanTaskView>(*rows, [](const Rows& r, int row) -> Result<HumanTaskView> {
    HumanTaskView view;
    view.application_id = r.text(row, 0);
    view.bank_code = r.text(row, 1);
    view.kiosk_id = r.text(row, 2);
    view.district = r.text(row, 3);
    Result<ApplicationState> state = parseApplicationState(r.text(row, 4));
    if (!state) return Error::corrupt(state.error().message);
    view.application_state = *state;
    Result<HumanTaskRecord> task = readHumanTask(r, row, 5);
    if (!task) return task.error();
    view.task = std::move(task).value();
    return view;
  });
}

Result<std::vector<OutboxMessage>> PostgresStore::claimDueOutbox(SystemTime now, int limit,
                                                                 std::string_view lease_owner,
                                                                 SystemTime lease_until) {
  using Messages = std::vector<OutboxMessage>;
  if (limit < 1) return Messages{};
  // One statement: pick due, unleased rows nobody else is locking (SKIP LOCKED: concurrent
  // claimers on other nodes take other rows instead of waiting) and lease them. A row another
  // claimer leased after our snapshot is re-checked against the lease condition when locked.
  Result<Rows> rows = write(
      sql({"UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id IN (SELECT id FROM "
           "outbox WHERE next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3) "
           "ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING ",
           columns::kOutbox}),
      Params().add(lease_owner).add(lease_until).add(now).add(limit));
  if (!rows) return rows.error();
  Result<Messages> claimed = collect<OutboxMessage>(*rows, readOutbox);
  if (!claimed) return claimed.error();
  sortClaimed(*claimed, [](const OutboxMessage& m) { return m.next_attempt_at; });
  return claimed;
}

Result<std::vector<TimerRecord>> PostgresStore::claimDueTimers(SystemTime now, int limit,
                                                               std::string_view lease_owner,
                                                               SystemTime lease_until) {
  using Timers = std::vector<TimerRecord>;
  if (limit < 1) return Timers{};
  Result<Rows> rows = write(
      sql({"UPDATE timers SET lease_owner = $1, lease_until = $2 WHERE id IN (SELECT id FROM "
           "timers WHERE NOT fired AND due_at <= $3 AND (lease_until IS NULL OR lease_until <= "
           "$3) ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING ",
           columns::kTimer}),
      Params().add(lease_owner).add(lease_until).add(now).add(limit));
  if (!rows) return rows.error();
  Result<Timers> claimed = collect<TimerRecord>(*rows, readTimer);
  if (!claimed) return claimed.error();
  sortClaimed(*claimed, [](const TimerRecord& t) { return t.due_at; });
  return claimed;
}

Result<int> PostgresStore::releaseLeases(std::string_view owner) {
  return pg::transact<int>(*pool_, Access::kWrite, [&](Connection& db) -> Result<int> {
    int released = 0;
    const std::string prefix = std::string(owner) + "#";
    for (std::string_view table : {"outbox", "timers"}) {
      // starts_with instead of LIKE: an owner name may contain '%' or '_'.
      Result<Rows> freed = db.execute(sql({"UPDATE ", table,
                                           " SET lease_owner = '', lease_until = NULL WHERE "
                                           "lease_owner = $1 OR starts_with(lease_owner, $2)"}),
                                      Params().add(owner).add(prefix));
      if (!freed) return freed.error();
      released += freed->affected();
    }
    return released;
  });
}

Result<std::vector<OutboxMessage>> PostgresStore::outboxOf(std::string_view id) {
  Result<Rows> rows =
      read(sql({"SELECT ", columns::kOutbox, " FROM outbox WHERE application_id = $1 ORDER BY id"}),
           Params().add(id));
  if (!rows) return rows.error();
  return collect<OutboxMessage>(*rows, readOutbox);
}

Result<std::vector<TimerRecord>> PostgresStore::timersOf(std::string_view id) {
  Result<Rows> rows =
      read(sql({"SELECT ", columns::kTimer, " FROM timers WHERE application_id = $1 ORDER BY id"}),
           Params().add(id));
  if (!rows) return rows.error();
  return collect<TimerRecord>(*rows, readTimer);
}

Result<std::vector<AuditRecord>> PostgresStore::auditLog(int64_t after_seq, int limit) {
  if (limit < 1) return Error::invalidInput("limit must be at least 1", "limit");
  publishNow(pg::Publish::kWait);
  Result<Rows> rows = read(
      "SELECT seq, at, actor, application_id, action, detail, previous_hash, hash "
      "FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
      Params().add(after_seq).add(limit));
  if (!rows) return rows.error();
  return collect<AuditRecord>(*rows, [](const Rows& r, int row) -> Result<AuditRecord> {
    return AuditRecord{r.int64(row, 0), r.time(row, 1), r.text(row, 2), r.text(row, 3),
                       r.text(row, 4),  r.text(row, 5), r.text(row, 6), r.text(row, 7)};
  });
}

Result<std::vector<int>> PostgresStore::flowVersionsInUse() {
  Result<Rows> rows = read(
      "SELECT DISTINCT flow_version FROM applications "
      "WHERE state NOT IN ('completed', 'rejected', 'cancelled') ORDER BY flow_version");
  if (!rows) return rows.error();
  return collect<int>(*rows, [](const Rows& r, int row) { return Result<int>(r.integer(row, 0)); });
}

Result<bool> PostgresStore::upsertKiosk(const KioskRecord& kiosk, const AuditInput& audit) {
  if (kiosk.kiosk_id.empty()) return Error::invalidInput("a kiosk needs an id", "kiosk_id");
  if (kiosk.bank_code.empty()) return Error::invalidInput("a kiosk needs a bank code", "bank_code");
  if (Result<void> district = checkDistrict(kiosk.district); !district) return district.error();
  Result<bool> created = pg::transact<
      bool>(*pool_, Access::kWrite, [&](Connection& db) -> Result<bool> {
    // xmax is 0 on a row version this statement inserted, and set on one it updated.
    Result<Rows> upserted = db.execute(
        "INSERT INTO kiosks (kiosk_id, bank_code, district, name, enabled, registered_at, "
        "revoked_at, last_heartbeat_at, last_heartbeat) VALUES ($1, $2, $3, $4, TRUE, $5, NULL, "
        "NULL, '') ON CONFLICT (kiosk_id) DO UPDATE SET bank_code = excluded.bank_code, "
        "district = excluded.district, name = excluded.name, enabled = TRUE, revoked_at = NULL "
        "RETURNING xmax = 0",
        Params()
            .add(kiosk.kiosk_id)
            .add(kiosk.bank_code)
            .add(kiosk.district)
            .add(kiosk.name)
            .add(audit.at));
    if (!upserted) return upserted.error();
    if (Result<void> queued = pg::queueAudit(db, std::span(&audit, 1)); !queued) {
      return queued.error();
    }
    return upserted->boolean(0, 0);
  });
  if (created) publishNow(pg::Publish::kIfFree);
  return created;
}

Result<void> PostgresStore::setKioskEnabled(std::string_view kiosk_id, bool enabled,
                                            const AuditInput& audit) {
  Result<void> changed =
      pg::transact<void>(*pool_, Access::kWrite, [&](Connection& db) -> Result<void> {
        // Only a change of state moves revoked_at: revoking twice keeps the first time.
        Result<Rows> updated = db.execute(
            "UPDATE kiosks SET revoked_at = CASE WHEN $1::boolean THEN NULL WHEN enabled THEN $2 "
            "ELSE revoked_at END, enabled = $1::boolean WHERE kiosk_id = $3",
            Params().add(enabled).add(audit.at).add(kiosk_id));
        if (!updated) return updated.error();
        if (updated->affected() == 0) {
          return Error::notFound("no kiosk " + std::string(kiosk_id) +
                                 " is registered (kaiban-orchestrator kiosk list)");
        }
        return pg::queueAudit(db, std::span(&audit, 1));
      });
  if (changed) publishNow(pg::Publish::kIfFree);
  return changed;
}

Result<KioskRecord> PostgresStore::findKiosk(std::string_view kiosk_id) {
  Result<Rows> rows = read(sql({"SELECT ", columns::kKiosk, " FROM kiosks WHERE kiosk_id = $1"}),
                           Params().add(kiosk_id));
  if (!rows) return rows.error();
  if (rows->empty()) return Error::notFound("no kiosk " + std::string(kiosk_id) + " is registered");
  return readKiosk(*rows, 0);
}

Result<std::vector<KioskRecord>> PostgresStore::listKiosks(const KioskFilter& filter) {
  if (Result<void> district = checkDistrict(filter.district); !district) return district.error();
  std::string query_sql = sql({"SELECT ", columns::kKiosk, " FROM kiosks WHERE TRUE"});
  Params params;
  int next = 1;
  if (!filter.bank_code.empty()) {
    query_sql += " AND bank_code = $" + std::to_string(next++);
    params.add(filter.bank_code);
  }
  if (!filter.district.empty()) {
    query_sql += " AND district LIKE $" + std::to_string(next++);
    params.add(filter.district + "%");
  }
  query_sql += " ORDER BY kiosk_id";
  Result<Rows> rows = read(query_sql, params);
  if (!rows) return rows.error();
  return collect<KioskRecord>(*rows, readKiosk);
}

Result<void> PostgresStore::recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                                            std::string_view heartbeat_json) {
  Result<Rows> updated =
      write("UPDATE kiosks SET last_heartbeat_at = $1, last_heartbeat = $2 WHERE kiosk_id = $3",
            Params().add(at).add(heartbeat_json).add(kiosk_id));
  if (!updated) return updated.error();
  if (updated->affected() == 0) {
    return Error::notFound("no kiosk " + std::string(kiosk_id) + " is registered");
  }
  return ok();
}

}  // namespace kaiban::orchestrator
