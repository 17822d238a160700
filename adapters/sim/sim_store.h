#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sim/partner_sim.h"
#include "core/clock.h"
#include "core/result.h"

// The simulator's durable memory: every message it has answered (so a resend gets the first
// answer, even after a restart), the ledger of what the partners did, and the callbacks still
// to deliver. One SQLite file (WAL, synchronous=FULL), so an answer that was sent is on disk.
namespace kaiban::sim {

class SqliteDb;

enum class CallbackState {
  kNone,       // nothing to deliver (synchronous partner, or a refusal answered at once)
  kPending,    // to deliver once due, retried with backoff until the orchestrator takes it
  kDelivered,  // the orchestrator answered 2xx
  kDropped,    // a drop_callback fault struck: only a poll finds the result
};

std::string_view toString(CallbackState state);

struct StoredMessage {
  std::string partner;
  std::string message_id;
  std::string operation;
  int status = 0;
  std::string answer;
  std::string result;       // "" when there is none
  SystemTime result_due{};  // when polls start returning `result`, and the callback is due
  CallbackState callback = CallbackState::kNone;
  int callback_attempts = 0;
  std::string outcome;
  int duplicates = 0;  // resends answered from this record
};

// A message's answer, and whether it came from an earlier request with the same id.
struct Handled {
  StoredMessage message;
  bool duplicate = false;
};

struct DueCallback {
  std::string partner;
  std::string message_id;
  std::string body;
  int attempts = 0;  // delivery attempts before this one
};

// What each partner has done, for GET /effects.
struct PartnerEffects {
  std::map<std::string, int> effects_by_message;  // every stored message id, 0 if refused
                                                  // (only when asked for: effects(true))
  std::map<std::string, int> effects_by_kind;     // "uscc_issued" -> 3
  int effects = 0;
  int messages = 0;
  int duplicates_refused = 0;  // resends answered from the store instead of acting again
  int repeated_effects = 0;    // messages with more than one effect: must stay 0
  int callbacks_pending = 0;
  int callbacks_delivered = 0;
  int callbacks_dropped = 0;
};

// Thread-safe: one connection, one mutex; every method is one transaction.
// Errors: kInternal when SQLite fails (disk full, corrupt file), with SQLite's message.
class SimStore {
 public:
  // Opens or creates `file` (and its directory), sets WAL and synchronous=FULL, creates the
  // tables, and marks the seeded well-known enterprise names (青岛啤酒股份有限公司, ...) as
  // taken. kInternal if the file cannot be opened or is not the simulator's database.
  static Result<std::unique_ptr<SimStore>> open(const std::filesystem::path& file,
                                                const Clock& clock);
  ~SimStore();

  // The answer to message request.messageId() of `partner`: when the id was stored before,
  // the stored answer, counted as a refused duplicate (`request` is not consulted: a
  // resend never acts twice, whatever its body); otherwise request.decide() runs and its
  // Decision and ledger effects are stored in the same transaction. The result becomes due
  // `delay` after now when the decision asks for a callback, at once otherwise.
  // REQUIRES: request.changesState().
  Result<Handled> handle(std::string_view partner, std::string_view operation,
                         PartnerRequest& request, std::chrono::milliseconds delay);

  // Decides a lookup that changes nothing, with a read-only view of the ledger.
  Result<Decision> lookup(std::string_view partner, PartnerRequest& request);

  // The stored message, or nullopt when `partner` never received `message_id`.
  Result<std::optional<StoredMessage>> find(std::string_view partner, std::string_view message_id);

  // The pending callback due earliest among those due by now and not in `in_flight`
  // (keys "<partner>/<message id>"), or nullopt.
  Result<std::optional<DueCallback>> nextDueCallback(const std::set<std::string>& in_flight);
  // When the earliest pending callback is due, or nullopt when none is pending.
  Result<std::optional<SystemTime>> earliestPendingCallback();
  Result<void> callbackDelivered(std::string_view partner, std::string_view message_id);
  Result<void> callbackFailed(std::string_view partner, std::string_view message_id,
                              SystemTime retry_at, std::string_view error);
  Result<void> callbackDropped(std::string_view partner, std::string_view message_id);

  // What each partner did. `by_message` false leaves effects_by_message empty (the counts,
  // repeated_effects included, are filled either way).
  Result<std::map<std::string, PartnerEffects>> effects(bool by_message = true);

 private:
  SimStore(std::unique_ptr<SqliteDb> db, const Clock& clock);
  template <class T, class Work>
  Result<T> transact(std::string_view what, Work work);

  // Group commit, as the orchestrator's SqliteStore does it: transactions that arrive while
  // one is being made durable queue up; the next to run (the leader) takes the queue into one
  // IMMEDIATE transaction, each in its own SAVEPOINT (a failed one rolled back alone), and
  // COMMITs once. Every caller still returns only after its own COMMIT is on disk; many share
  // one fsync of the WAL.
  struct PendingWork;
  Result<void> transactGrouped(PendingWork& pending);
  void runBatch(const std::vector<PendingWork*>& batch);  // REQUIRES: the caller leads

  std::mutex mutex_;  // the connection: held by the leader for a batch, and by lookup()
  std::unique_ptr<SqliteDb> db_;
  std::mutex queue_mutex_;
  std::vector<PendingWork*> queue_;  // guarded by queue_mutex_
  bool leading_ = false;             // guarded by queue_mutex_
  const Clock& clock_;
};

}  // namespace kaiban::sim
