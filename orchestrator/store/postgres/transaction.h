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

// Takes the append lock (table append_lock) for the rest of the caller's transaction. Every
// transaction that appends events or audit entries takes it after all its other writes and
// holds it until it commits, so appends happen in commit order across every orchestrator:
// event seqs increase in commit order and each audit entry chains onto the one committed
// before it. Nothing is locked after it, so it cannot take part in a deadlock.
Result<void> lockAppends(Connection& db);

// Appends `entries` to the audit chain after its current tail (read from audit_log itself).
// REQUIRES: the caller holds the append lock.
Result<void> appendAudit(Connection& db, std::span<const AuditInput> entries);

}  // namespace kaiban::orchestrator::pg
