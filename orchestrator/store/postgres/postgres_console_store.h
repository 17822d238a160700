#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "orchestrator/store/console_store.h"
#include "orchestrator/store/postgres/pg.h"

namespace kaiban::orchestrator {

// The ConsoleStore over the orchestrators' PostgreSQL database (tables console_users and
// console_sessions of migration 3; the audit chain and the application tables it shares with
// PostgresStore). Its audit entries are queued and published like PostgresStore's
// (transaction.h), so console and flow entries from every node form one chain. Its own small
// pool of connections; console traffic is small next to the flow's. Thread-safe.
class PostgresConsoleStore final : public ConsoleStore {
 public:
  // Connects to `url` (as PostgresStore::open) and applies pending migrations, so it can be
  // opened before or after PostgresStore. Errors as PostgresStore::open.
  static Result<std::unique_ptr<PostgresConsoleStore>> open(
      const std::string& url, const Clock& clock, int max_connections = 2,
      std::chrono::milliseconds lock_timeout = std::chrono::milliseconds{5000});

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
  explicit PostgresConsoleStore(std::unique_ptr<pg::Pool> pool);

  std::unique_ptr<pg::Pool> pool_;
};

}  // namespace kaiban::orchestrator
