#pragma once

#include <span>
#include <string_view>

#include "core/result.h"
#include "orchestrator/store/postgres/pg.h"
#include "orchestrator/store/store.h"

// Internal to the PostgreSQL stores: how a unit of work becomes one transaction, and the
// ordered appends to the event stream and the audit chain that PostgresStore and
// PostgresConsoleStore share.
namespace kaiban::orchestrator::pg {

enum class Access {
  kWrite,         // READ COMMITTED: row locks and version checks do the isolating
  kReadSnapshot,  // REPEATABLE READ, READ ONLY: several statements see one instant
};

// How many times a transaction that lost a deadlock or serialisation race is run again.
inline constexpr int kTransactionAttempts = 4;

// Runs `body(Connection&)` (returning Result<T>) in one transaction on a pooled connection:
// COMMIT if it succeeds, ROLLBACK otherwise. A transaction that lost a deadlock race is run
// again from the start (nothing of it was kept); so is one whose pooled connection turns out
// dead at BEGIN (the server restarted meanwhile). A COMMIT whose answer was lost returns
// kUnavailable: it may or may not have committed, and the caller treats it as a crash at that
// point would be treated.
template <class T, class Body>
Result<T> transact(Pool& pool, Access access, Body&& body) {
  for (int attempt = 1;; ++attempt) {
    Result<Pool::Lease> lease = pool.acquire();
    if (!lease) return lease.error();
    Connection& db = **lease;
    Result<void> begun = db.run(
        access == Access::kWrite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (!begun) {
      lease->discard();
      if (attempt < kTransactionAttempts) continue;
      return begun.error();
    }
    Result<T> result = body(db);
    if (!result) {
      const bool race = db.lostRace();
      (void)db.run("ROLLBACK");
      if (race && attempt < kTransactionAttempts) continue;
      return result;
    }
    if (access == Access::kReadSnapshot) {
      (void)db.run("COMMIT");
      return result;
    }
    if (Result<void> committed = db.run("COMMIT"); !committed) {
      const bool race = db.lostRace();
      if (db.inTransaction()) (void)db.run("ROLLBACK");
      if (race && attempt < kTransactionAttempts) continue;
      return committed.error();
    }
    return result;
  }
}

// The event stream and the audit chain, across several orchestrators.
//
// A commit does not append to `events` or `audit_log` itself: it queues its events and audit
// entries in pending_events and pending_audit, in its own transaction, which thus never waits
// for another node's commit. After it commits, publish() moves what is pending: under one
// lock per schema (a transaction-scoped advisory lock, held until the publisher commits), it
// draws event seqs and chains audit entries onto the log's tail. Publishers run one at a time
// and each sees everything the one before it moved, so
// - event seqs increase in the order they became visible: a reader that has seen seq N never
//   later finds a smaller one (seqs drawn by a publisher that failed are skipped for good);
// - the audit chain has no gaps and no forks, whichever node wrote each entry;
// - one publisher moves whatever many concurrent commits queued: commits keep PostgreSQL's
//   group commit, and the serial part is one short transaction per batch.
// A node that dies between its commit and its publish leaves its entries pending; the next
// publish, by any node, moves them. Readers of the stream and the chain publish first
// (Publish::kWait), so they never miss what was committed before they asked.

// Queues `events` of application `application_id` and audit `entries`, in the caller's
// transaction.
Result<void> queueEvents(Connection& db, std::string_view application_id,
                         std::span<const EventRecord> events);
Result<void> queueAudit(Connection& db, std::span<const AuditInput> entries);

enum class Publish {
  // After a commit: publish unless another publisher is at work; it looks again when done
  // and takes what this caller committed. Never waits for the lock.
  kIfFree,
  // Before reading the stream or the chain: wait for the lock, so that everything committed
  // before the call is published when it returns.
  kWait,
};

// Moves everything pending (committed) into events and audit_log, as described above. Cheap
// when nothing is pending.
Result<void> publish(Pool& pool, Publish mode);

}  // namespace kaiban::orchestrator::pg
