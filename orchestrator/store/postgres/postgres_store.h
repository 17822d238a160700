#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "orchestrator/store/postgres/pg.h"
#include "orchestrator/store/postgres/transaction.h"
#include "orchestrator/store/store.h"

namespace kaiban::orchestrator {

// The Store over PostgreSQL, for several orchestrators sharing one database
// (docs/operations-scale-out.md). Same tables, same migrations, same contract as SqliteStore
// (store_contract_test.h).
//
// Isolation: every commit is ONE transaction at READ COMMITTED. The optimistic version check
// is the UPDATE itself (`... WHERE id = $ AND version = $`): a second writer of the same
// application blocks on the row until the first commits, then finds the version moved and
// gets kConflict; creation races end on the primary key. Nothing else in a commit reads what
// it writes, so SERIALIZABLE (and its retry loop) would buy nothing here. Transactions that
// still lose a deadlock race are rerun (transaction.h).
//
// Ordering across orchestrators: a commit queues its events and audit entries, and once it has
// committed they are published (transaction.h): one publisher at a time draws event seqs and
// chains audit entries, so seqs increase in the order events become visible and eventsSince
// never returns seq N after a reader has seen a larger one. Seqs may skip numbers (a
// publisher that drew some and then failed); a reader remembers the last seq it saw and asks
// for what follows, and a skipped number is never filled in later. The audit chain gets no
// gaps and no forks. When commit() returns, its events and entries are published unless the
// publish failed; then the next publish (any node's commit, or any read of the stream, the
// history or the audit log) publishes them.
//
// Work claims: claimDueOutbox and claimDueTimers pick due rows with `FOR UPDATE SKIP LOCKED`
// and lease them (lease_owner, lease_until) in the same statement, so concurrent claimers on
// any node never get the same row, never wait for each other, and rows a dead node had
// claimed become claimable when their lease runs out. Leases compare instants from the
// claimers' clocks: keep the nodes' clocks synchronised (NTP) far below the lease lengths.
//
// Thread-safe: a pool of connections, each used by one thread at a time.
class PostgresStore final : public Store {
 public:
  struct Options {
    // Connections to the server, opened on demand. Size it for the dispatcher's threads plus
    // the listeners' concurrent requests.
    int max_connections = 8;
    // How long a statement waits for a row lock another transaction holds before giving up
    // with kUnavailable.
    std::chrono::milliseconds lock_timeout{5000};
  };

  // Connects to `url` (postgresql://user@host:port/database; options=-csearch_path%3D<schema>
  // picks a schema other than public) and applies pending migrations, stamped with `clock`.
  // Errors: kInvalidInput for a malformed URL; kUnavailable if the server cannot be reached;
  // kCorrupt if the schema is newer than this binary or was not created by Kaiban.
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url, const Clock& clock,
                                                     Options options);
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url, const Clock& clock) {
    return open(url, clock, Options{});
  }

  ~PostgresStore() override;

  // The schema version after migrations.
  int schemaVersion() const { return schema_version_; }
  // The connection URL without its password, for messages.
  const std::string& displayUrl() const { return display_url_; }

  Result<void> commit(std::string_view id, int64_t expected_version, const Change& change,
                      std::span<const OutboxMessage> outgoing) override;
  Result<ApplicationSnapshot> load(std::string_view id) override;
  Result<std::optional<IdempotencyRecord>> findIdempotencyKey(std::string_view scope,
                                                              std::string_view key) override;
  Result<void> putIdempotencyKey(const IdempotencyRecord& record) override;
  Result<std::optional<MessageOwner>> findMessage(std::string_view message_id) override;
  Result<std::vector<std::string>> findByLegalRepresentative(std::string_view index) override;
  Result<ApplicationPage> listApplications(const ListFilter& filter) override;
  Result<std::vector<EventRecord>> history(std::string_view id) override;
  Result<std::vector<EventRecord>> eventsSince(int64_t after_seq, int limit) override;
  Result<std::vector<HumanTaskView>> listHumanTasks(const HumanTaskFilter& filter) override;
  Result<std::vector<OutboxMessage>> claimDueOutbox(SystemTime now, int limit,
                                                    std::string_view lease_owner,
                                                    SystemTime lease_until) override;
  Result<std::vector<TimerRecord>> claimDueTimers(SystemTime now, int limit,
                                                  std::string_view lease_owner,
                                                  SystemTime lease_until) override;
  Result<int> releaseLeases(std::string_view owner) override;
  Result<std::vector<OutboxMessage>> outboxOf(std::string_view id) override;
  Result<std::vector<TimerRecord>> timersOf(std::string_view id) override;
  Result<std::vector<AuditRecord>> auditLog(int64_t after_seq, int limit) override;
  Result<std::vector<int>> flowVersionsInUse() override;
  Result<bool> upsertKiosk(const KioskRecord& kiosk, const AuditInput& audit) override;
  Result<void> setKioskEnabled(std::string_view kiosk_id, bool enabled,
                               const AuditInput& audit) override;
  Result<KioskRecord> findKiosk(std::string_view kiosk_id) override;
  Result<std::vector<KioskRecord>> listKiosks(const KioskFilter& filter) override;
  Result<void> recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                               std::string_view heartbeat_json) override;

 private:
  PostgresStore(std::unique_ptr<pg::Pool> pool, std::string display_url, int schema_version);

  // Publishes pending events and audit entries (transaction.h); see the .cc for why its
  // failure is not reported.
  void publishNow(pg::Publish mode);
  // Runs one reading statement outside an explicit transaction. A pooled connection that
  // turns out dead (the server restarted) is replaced and the statement tried again.
  Result<pg::Rows> read(std::string_view sql, const pg::Params& params = {});
  // Runs one writing statement as its own transaction. Not tried again: if the connection
  // breaks, whether it committed is unknown and the caller decides.
  Result<pg::Rows> write(std::string_view sql, const pg::Params& params);

  std::unique_ptr<pg::Pool> pool_;
  const std::string display_url_;
  const int schema_version_;
};

}  // namespace kaiban::orchestrator
