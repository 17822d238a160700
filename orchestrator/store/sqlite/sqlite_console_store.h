#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/clock.h"
#include "orchestrator/store/console_store.h"
#include "orchestrator/store/sqlite/sqlite.h"

namespace kaiban::orchestrator {

// The ConsoleStore over the orchestrator's SQLite database (tables console_users and
// console_sessions of migration 3; the audit chain and the application tables it shares with
// SqliteStore). It has its own connections to the file: one writer, whose BEGIN IMMEDIATE
// transactions SQLite serialises with SqliteStore's (so both append to one audit chain
// without a gap or a fork), and one reader for the dashboard's bulk reads. Console traffic is
// small next to the flow's, so one connection of each suffices. Thread-safe.
class SqliteConsoleStore final : public ConsoleStore {
 public:
  // Opens the database at `path` (creating it if missing) and applies pending migrations,
  // stamped with `clock`, so it can be opened before or after SqliteStore. Errors as
  // SqliteStore::open.
  static Result<std::unique_ptr<SqliteConsoleStore>> open(
      const std::filesystem::path& path, const Clock& clock,
      std::chrono::milliseconds busy_timeout = std::chrono::milliseconds{5000});

  Result<void> createUser(const UserRecord& user, const AuditInput& audit) override;
  Result<UserRecord> findUser(std::string_view name) override;
  Result<std::vector<UserRecord>> listUsers() override;
  Result<void> setPassword(std::string_view name, std::string_view password_hash,
                           const AuditInput& audit) override;
  Result<void> setDisabled(std::string_view name, bool disabled, const AuditInput& audit) override;
  Result<FailedLogin> recordFailedLogin(std::string_view name, SystemTime now, int max_failures,
                                        std::chrono::seconds lockout,
                                        const AuditInput& audit) override;
  Result<void> recordLogin(const SessionRecord& session, const std::optional<std::string>& rehashed,
                           const AuditInput& audit) override;
  Result<SessionRecord> findSession(std::string_view id_hash) override;
  Result<void> touchSession(std::string_view id_hash, SystemTime at) override;
  Result<void> deleteSession(std::string_view id_hash, const AuditInput& audit) override;
  Result<int> purgeSessions(SystemTime now, std::chrono::seconds idle_timeout) override;
  Result<void> appendAudit(const AuditInput& audit) override;
  Result<std::vector<ApplicationTimeline>> timelines(const TimelineFilter& filter) override;
  Result<StoreCounts> counts(SystemTime now) override;

 private:
  SqliteConsoleStore(std::unique_ptr<sqlite::Connection> writer,
                     std::unique_ptr<sqlite::Connection> reader);

  // Runs `body` in a BEGIN IMMEDIATE transaction on the writer: COMMIT if it succeeds,
  // ROLLBACK otherwise.
  template <class T, class Body>
  Result<T> write(Body&& body);
  // Runs `body` in a read transaction on the reader.
  template <class T, class Body>
  Result<T> read(Body&& body);

  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;  // guarded by write_mutex_
  std::mutex read_mutex_;
  std::unique_ptr<sqlite::Connection> reader_;  // guarded by read_mutex_
};

}  // namespace kaiban::orchestrator
