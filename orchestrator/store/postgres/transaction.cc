#include "orchestrator/store/postgres/transaction.h"

#include "core/crypto/hash.h"

namespace kaiban::orchestrator::pg {

Result<void> lockAppends(Connection& db) {
  Result<Rows> locked = db.execute("SELECT id FROM append_lock FOR UPDATE");
  if (!locked) return locked.error();
  if (locked->empty()) {
    return Error::corrupt(
        "postgres: the append_lock row is missing; restore it with "
        "INSERT INTO append_lock VALUES (TRUE)");
  }
  return ok();
}

Result<void> appendAudit(Connection& db, std::span<const AuditInput> entries) {
  if (entries.empty()) return ok();
  // The tail is read from the log itself, not from a cached head: a log cut short by hand
  // must go on from what is there, where verification will find the cut.
  Result<Rows> tail = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!tail) return tail.error();
  int64_t seq = 0;
  std::string previous_hash(kAuditGenesisHash);
  if (!tail->empty()) {
    seq = tail->int64(0, 0);
    previous_hash = tail->text(0, 1);
  }
  for (const AuditInput& entry : entries) {
    ++seq;
    const std::string canonical = auditCanonicalForm(
        seq, entry.at, entry.actor, entry.application_id, entry.action, entry.detail);
    std::string hash = crypto::AuditChain::entryHash(previous_hash, canonical);
    Result<Rows> inserted = db.execute(
        "INSERT INTO audit_log (seq, at, actor, application_id, action, detail, previous_hash, "
        "hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Params()
            .add(seq)
            .add(entry.at)
            .add(entry.actor)
            .add(entry.application_id)
            .add(entry.action)
            .add(entry.detail)
            .add(previous_hash)
            .add(hash));
    if (!inserted) return inserted.error();
    previous_hash = std::move(hash);
  }
  return ok();
}

}  // namespace kaiban::orchestrator::pg
