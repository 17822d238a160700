#include "orchestrator/store/postgres/transaction.h"

#include <algorithm>

#include "core/crypto/hash.h"

namespace kaiban::orchestrator::pg {

namespace {

// "($1, $2, $3), ($4, $5, $6)" for `rows` rows of `columns` parameters: one statement (one
// round trip) for a whole batch.
std::string valuesList(size_t rows, int columns) {
  std::string out;
  int next = 1;
  for (size_t row = 0; row < rows; ++row) {
    out += row == 0 ? "(" : ", (";
    for (int column = 0; column < columns; ++column) {
      if (column > 0) out += ", ";
      out += "$" + std::to_string(next++);
    }
    out += ")";
  }
  return out;
}

// Moves every committed pending event into `events`, drawing seqs in the order they were
// written. REQUIRES: the caller holds the publish lock.
Result<void> moveEvents(Connection& db) {
  Result<Rows> moved = db.execute(
      "WITH moved AS (DELETE FROM pending_events RETURNING *) "
      "INSERT INTO events (application_id, step_id, type, actor, at, detail) "
      "SELECT application_id, step_id, type, actor, at, detail FROM moved ORDER BY id");
  if (!moved) return moved.error();
  return ok();
}

// Chains every committed pending audit entry onto the log, in the order they were written.
// REQUIRES: the caller holds the publish lock.
Result<void> moveAudit(Connection& db) {
  Result<Rows> pending = db.execute(
      "DELETE FROM pending_audit RETURNING id, at, actor, application_id, action, detail");
  if (!pending) return pending.error();
  if (pending->empty()) return ok();
  std::vector<int> order(pending->size());
  for (int row = 0; row < pending->size(); ++row) order[row] = row;
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return pending->int64(a, 0) < pending->int64(b, 0); });
  // The tail is read from the log itself, not from a cached head: a log cut short by hand
  // goes on from what is there, where verification will find the cut.
  Result<Rows> tail = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!tail) return tail.error();
  int64_t seq = 0;
  std::string previous_hash(kAuditGenesisHash);
  if (!tail->empty()) {
    seq = tail->int64(0, 0);
    previous_hash = tail->text(0, 1);
  }
  // In chunks: a statement takes at most 65535 parameters.
  constexpr size_t kChunk = 1000;
  for (size_t first = 0; first < order.size(); first += kChunk) {
    const size_t count = std::min(kChunk, order.size() - first);
    Params params;
    for (size_t i = first; i < first + count; ++i) {
      const int row = order[i];
      ++seq;
      const SystemTime at = pending->time(row, 1);
      const std::string actor = pending->text(row, 2);
      const std::string application_id = pending->text(row, 3);
      const std::string action = pending->text(row, 4);
      const std::string detail = pending->text(row, 5);
      std::string hash = crypto::AuditChain::entryHash(
          previous_hash, auditCanonicalForm(seq, at, actor, application_id, action, detail));
      params.add(seq).add(at).add(actor).add(application_id).add(action).add(detail);
      params.add(previous_hash).add(hash);
      previous_hash = std::move(hash);
    }
    // Not prepared: a publisher's batch has any size.
    Result<Rows> inserted = db.executeOnce(
        "INSERT INTO audit_log (seq, at, actor, application_id, action, detail, previous_hash, "
        "hash) VALUES " +
            valuesList(count, 8),
        params);
    if (!inserted) return inserted.error();
  }
  return ok();
}

}  // namespace

Result<void> queueEvents(Connection& db, std::string_view application_id,
                         std::span<const EventRecord> events) {
  if (events.empty()) return ok();
  Params params;
  for (const EventRecord& event : events) {
    params.add(application_id)
        .add(event.step_id)
        .add(event.type)
        .add(event.actor)
        .add(event.at)
        .add(event.detail.empty() ? std::string_view("{}") : std::string_view(event.detail));
  }
  Result<Rows> inserted = db.execute(
      "INSERT INTO pending_events (application_id, step_id, type, actor, at, detail) VALUES " +
          valuesList(events.size(), 6),
      params);
  if (!inserted) return inserted.error();
  return ok();
}

Result<void> queueAudit(Connection& db, std::span<const AuditInput> entries) {
  if (entries.empty()) return ok();
  Params params;
  for (const AuditInput& entry : entries) {
    params.add(entry.at)
        .add(entry.actor)
        .add(entry.application_id)
        .add(entry.action)
        .add(entry.detail);
  }
  Result<Rows> inserted =
      db.execute("INSERT INTO pending_audit (at, actor, application_id, action, detail) VALUES " +
                     valuesList(entries.size(), 5),
                 params);
  if (!inserted) return inserted.error();
  return ok();
}

Result<void> publish(Pool& pool, Publish mode) {
  // A writer that finds the lock taken leaves: the holder looks again once it is done, and
  // sees this writer's rows, which committed before the writer tried. The holder stops after
  // a few rounds so that its own caller is not kept under sustained load; what is left then
  // goes with the next publish.
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    {
      // Most calls find nothing to do: asking first keeps them away from the lock.
      Result<Pool::Lease> lease = pool.acquire();
      if (!lease) return lease.error();
      Result<Rows> pending = (*lease)->execute(
          "SELECT EXISTS (SELECT 1 FROM pending_events) OR EXISTS (SELECT 1 FROM pending_audit)");
      if (!pending) return pending.error();
      if (!pending->boolean(0, 0)) return ok();
    }
    Result<bool> published =
        transact<bool>(pool, Access::kWrite, [mode](Connection& db) -> Result<bool> {
          // Transaction-scoped and keyed by the schema: held until COMMIT, so the next
          // publisher sees all this one moved.
          Result<Rows> locked = db.execute(
              mode == Publish::kWait
                  ? "SELECT pg_advisory_xact_lock(hashtextextended('kaiban.publish:' || "
                    "current_schema(), 0))"
                  : "SELECT pg_try_advisory_xact_lock(hashtextextended('kaiban.publish:' || "
                    "current_schema(), 0))");
          if (!locked) return locked.error();
          if (mode == Publish::kIfFree && !locked->boolean(0, 0)) return false;
          if (Result<void> events = moveEvents(db); !events) return events.error();
          if (Result<void> audit = moveAudit(db); !audit) return audit.error();
          return true;
        });
    if (!published) return published.error();
    if (!*published || mode == Publish::kWait) return ok();
  }
  return ok();
}

}  // namespace kaiban::orchestrator::pg
