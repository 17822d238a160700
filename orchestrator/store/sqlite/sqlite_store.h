#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "orchestrator/store/sqlite/sqlite.h"
#include "orchestrator/store/store.h"

namespace kaiban::orchestrator {

// The embedded Store: one SQLite database file in WAL mode with synchronous=FULL, so a commit
// is on disk when commit() returns and survives a crash or power loss of the machine.
//
// Concurrency: every write (commit, claims) goes through ONE connection, with group commit:
// writes that arrive while a transaction is being made durable queue up, and the next one to
// run takes the whole queue into one BEGIN IMMEDIATE transaction, each write in its own
// SAVEPOINT (a write that fails is rolled back alone; the others see the writes before them,
// exactly as if they ran one after the other), then COMMITs once. So many writers share one
// fsync of the WAL, and still no write returns before its COMMIT is on disk. Checkpoints run
// on a background thread with a connection of their own, never inside a COMMIT.
// Reads use a small pool of other connections and run beside the writer (WAL), each in its
// own read transaction so a multi-table read sees one instant.
//
// Only one process should write to a database file at a time (the orchestrator); other
// processes may read it. Thread-safe.
class SqliteStore final : public Store {
 public:
  struct Options {
    // How long a statement waits for a lock held by another connection or process.
    std::chrono::milliseconds busy_timeout{5000};
    // Connections for reads, opened on demand.
    int max_readers = 4;
  };

  // Opens the database at `path`, creating it if missing, and applies pending migrations
  // (`clock` stamps them). Errors: kUnavailable if the file cannot be opened or cannot use
  // WAL; kCorrupt if it is not a SQLite database or has a newer schema than this binary.
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                   const Clock& clock, Options options);
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                   const Clock& clock) {
    return open(path, clock, Options{});
  }

  ~SqliteStore() override;

  // The schema version after migrations.
  int schemaVersion() const { return schema_version_; }
  const std::filesystem::path& path() const { return path_; }

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
  SqliteStore(std::filesystem::path path, Options options,
              std::unique_ptr<sqlite::Connection> writer,
              std::unique_ptr<sqlite::Connection> checkpointer, int schema_version);

  // Runs `body` in a write transaction on the writer connection, within its own savepoint of
  // a group commit (see the class comment): returns once that transaction is committed, or
  // with the body's error (its savepoint rolled back) or the commit's. The one write path.
  template <class T, class Body>
  Result<T> write(std::string_view what, Body&& body);

  // Group commit. A writer queues its PendingWrite; if no batch is running it leads: takes
  // the queue, runs it with runBatch and wakes the others; otherwise it waits until its write
  // is done or it is its turn to lead.
  struct PendingWrite;
  Result<void> writeGrouped(PendingWrite& pending);
  // REQUIRES: the caller is the leader. Sets every member's outcome.
  void runBatch(const std::vector<PendingWrite*>& batch);

  // Runs `body` in a read transaction on a pooled reader connection.
  template <class T, class Body>
  Result<T> read(Body&& body);

  Result<void> applyChange(sqlite::Connection& db, std::string_view id, int64_t expected_version,
                           const Change& change, std::span<const OutboxMessage> outgoing);

  const std::filesystem::path path_;
  const Options options_;
  const int schema_version_;

  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;  // guarded by write_mutex_

  std::mutex queue_mutex_;
  std::vector<PendingWrite*> queue_;  // guarded by queue_mutex_: writes waiting for a batch
  bool leading_ = false;              // guarded by queue_mutex_: a batch is running

  // Checkpoints (copying the WAL back into the database file) run on a connection and a
  // thread of their own, beside the writer: SQLite's automatic checkpoint would run inside a
  // COMMIT and stall every write of the batch behind it. A commit that leaves at least
  // kCheckpointPages in the WAL wakes the thread (onWalCommit, the writer's WAL hook).
  static int onWalCommit(void* store, sqlite3* db, const char* database, int pages);
  void checkpointLoop();
  std::unique_ptr<sqlite::Connection> checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_due_ = false;  // guarded by checkpoint_mutex_
  bool stopping_ = false;        // guarded by checkpoint_mutex_
  std::thread checkpoint_thread_;

  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;  // guarded by readers_mutex_
  int open_readers_ = 0;                                           // guarded by readers_mutex_
};

}  // namespace kaiban::orchestrator
