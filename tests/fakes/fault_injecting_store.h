#pragma once

#include <mutex>

#include "orchestrator/store/store.h"

namespace kaiban::fakes {

// Forwards to a real Store and fails a chosen commit, the way a crash or a lost connection
// would (STYLE.md: fault injection around the real store):
//   kBeforeWrite: the commit returns kUnavailable and nothing is written (the process died, or
//                 the database was unreachable, before the transaction committed);
//   kAfterWrite:  the commit IS written, then kUnavailable is returned (the process died, or the
//                 connection broke, after COMMIT but before the caller heard of it).
// Everything else is forwarded untouched. Thread-safe.
class FaultInjectingStore final : public orchestrator::Store {
 public:
  enum class Fault { kBeforeWrite, kAfterWrite };

  explicit FaultInjectingStore(orchestrator::Store& target) : target_(target) {}

  // The `n`-th commit from now (1 = the next one) fails with `fault`. One fault at a time.
  void failCommit(int n, Fault fault);
  // Commits attempted through this store so far.
  int commits() const;
  // Whether the scheduled fault has happened.
  bool faultFired() const;

  Result<void> commit(std::string_view id, int64_t expected_version,
                      const orchestrator::Change& change,
                      std::span<const orchestrator::OutboxMessage> outgoing) override;
  Result<orchestrator::ApplicationSnapshot> load(std::string_view id) override {
    return target_.load(id);
  }
  Result<std::optional<orchestrator::IdempotencyRecord>> findIdempotencyKey(
      std::string_view scope, std::string_view key) override {
    return target_.findIdempotencyKey(scope, key);
  }
  Result<void> putIdempotencyKey(const orchestrator::IdempotencyRecord& record) override {
    return target_.putIdempotencyKey(record);
  }
  Result<std::optional<orchestrator::MessageOwner>> findMessage(
      std::string_view message_id) override {
    return target_.findMessage(message_id);
  }
  Result<std::vector<std::string>> findByLegalRepresentative(std::string_view index) override {
    return target_.findByLegalRepresentative(index);
  }
  Result<orchestrator::ApplicationPage> listApplications(
      const orchestrator::ListFilter& filter) override {
    return target_.listApplications(filter);
  }
  Result<std::vector<orchestrator::EventRecord>> history(std::string_view id) override {
    return target_.history(id);
  }
  Result<std::vector<orchestrator::EventRecord>> eventsSince(int64_t after_seq,
                                                             int limit) override {
    return target_.eventsSince(after_seq, limit);
  }
  Result<std::vector<orchestrator::HumanTaskView>> listHumanTasks(
      const orchestrator::HumanTaskFilter& filter) override {
    return target_.listHumanTasks(filter);
  }
  Result<std::vector<orchestrator::OutboxMessage>> claimDueOutbox(SystemTime now, int limit,
                                                                  std::string_view lease_owner,
                                                                  SystemTime lease_until) override {
    return target_.claimDueOutbox(now, limit, lease_owner, lease_until);
  }
  Result<std::vector<orchestrator::TimerRecord>> claimDueTimers(SystemTime now, int limit,
                                                                std::string_view lease_owner,
                                                                SystemTime lease_until) override {
    return target_.claimDueTimers(now, limit, lease_owner, lease_until);
  }
  Result<int> releaseLeases(std::string_view owner) override {
    return target_.releaseLeases(owner);
  }
  Result<std::vector<orchestrator::OutboxMessage>> outboxOf(std::string_view id) override {
    return target_.outboxOf(id);
  }
  Result<std::vector<orchestrator::TimerRecord>> timersOf(std::string_view id) override {
    return target_.timersOf(id);
  }
  Result<std::vector<orchestrator::AuditRecord>> auditLog(int64_t after_seq, int limit) override {
    return target_.auditLog(after_seq, limit);
  }
  Result<std::vector<int>> flowVersionsInUse() override { return target_.flowVersionsInUse(); }
  Result<bool> upsertKiosk(const orchestrator::KioskRecord& kiosk,
                           const orchestrator::AuditInput& audit) override {
    return target_.upsertKiosk(kiosk, audit);
  }
  Result<void> setKioskEnabled(std::string_view kiosk_id, bool enabled,
                               const orchestrator::AuditInput& audit) override {
    return target_.setKioskEnabled(kiosk_id, enabled, audit);
  }
  Result<orchestrator::KioskRecord> findKiosk(std::string_view kiosk_id) override {
    return target_.findKiosk(kiosk_id);
  }
  Result<std::vector<orchestrator::KioskRecord>> listKiosks(
      const orchestrator::KioskFilter& filter) override {
    return target_.listKiosks(filter);
  }
  Result<void> recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                               std::string_view heartbeat_json) override {
    return target_.recordHeartbeat(kiosk_id, at, heartbeat_json);
  }

 private:
  orchestrator::Store& target_;
  mutable std::mutex mutex_;
  int commits_ = 0;
  int fail_at_ = 0;  // commit number that fails; 0 = none
  Fault fault_ = Fault::kBeforeWrite;
  bool fired_ = false;
};

}  // namespace kaiban::fakes
