#include "adapters/sim/sim_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <system_error>

#include "adapters/sim/identifiers.h"
#include "adapters/sim/sqlite_db.h"
#include "core/uscc.h"

namespace kaiban::sim {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS messages (
  partner TEXT NOT NULL,
  message_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  status INTEGER NOT NULL,
  answer TEXT NOT NULL,
  result TEXT NOT NULL,
  result_due_ms INTEGER NOT NULL,
  callback TEXT NOT NULL,
  callback_attempts INTEGER NOT NULL DEFAULT 0,
  next_callback_ms INTEGER,
  callback_error TEXT,
  outcome TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  duplicates INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (partner, message_id)
);
CREATE INDEX IF NOT EXISTS messages_callbacks ON messages (callback, next_callback_ms);
CREATE TABLE IF NOT EXISTS effects (
  partner TEXT NOT NULL,
  message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS effects_message ON effects (partner, message_id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS enterprises (
  uscc TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  division_code TEXT NOT NULL,
  licence_reference TEXT NOT NULL,
  registered_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seals (
  code TEXT PRIMARY KEY,
  uscc TEXT NOT NULL,
  kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS seals_uscc ON seals (uscc);
CREATE TABLE IF NOT EXISTS accounts (
  account_number TEXT PRIMARY KEY,
  bank_code TEXT NOT NULL,
  uscc TEXT NOT NULL UNIQUE,
  holder_name TEXT NOT NULL,
  opened_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS taxpayers (
  taxpayer_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  authority_code TEXT NOT NULL,
  registered_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS agreements (
  agreement_number TEXT PRIMARY KEY,
  taxpayer_id TEXT NOT NULL UNIQUE,
  account_number TEXT NOT NULL,
  signed_ms INTEGER NOT NULL
);
)sql";

// Enterprises that exist before the simulator registers anything, so that a demo can show a
// taken name at once. Their organisation codes come from sequences far above any the
// simulator issues itself.
struct WellKnown {
  std::string_view name;
  std::string_view division_code;
  std::uint64_t sequence;
};
constexpr WellKnown kWellKnown[] = {
    {"青岛啤酒股份有限公司", "370202", 800'000'001},
    {"海尔集团公司", "370212", 800'000'002},
    {"海信集团有限公司", "370202", 800'000'003},
    {"青岛海蓝科技发展有限公司", "370202", 800'000'004},
};

std::int64_t toMs(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

SystemTime fromMs(std::int64_t ms) {
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

CallbackState parseCallbackState(std::string_view text) {
  if (text == "pending") return CallbackState::kPending;
  if (text == "delivered") return CallbackState::kDelivered;
  if (text == "dropped") return CallbackState::kDropped;
  return CallbackState::kNone;
}

constexpr std::string_view kSelectMessage =
    "SELECT partner, message_id, operation, status, answer, result, result_due_ms, callback, "
    "callback_attempts, outcome, duplicates FROM messages WHERE partner = ?1 AND message_id = ?2";

StoredMessage readMessage(const Statement& row) {
  StoredMessage message;
  message.partner = row.text(0);
  message.message_id = row.text(1);
  message.operation = row.text(2);
  message.status = static_cast<int>(row.integer(3));
  message.answer = row.text(4);
  message.result = row.text(5);
  message.result_due = fromMs(row.integer(6));
  message.callback = parseCallbackState(row.text(7));
  message.callback_attempts = static_cast<int>(row.integer(8));
  message.outcome = row.text(9);
  message.duplicates = static_cast<int>(row.integer(10));
  return message;
}

std::optional<StoredMessage> selectMessage(SqliteDb& db, std::string_view partner,
                                           std::string_view message_id) {
  Statement select(db, kSelectMessage);
  select.bind(1, partner).bind(2, message_id);
  if (!select.step()) return std::nullopt;
  return readMessage(select);
}

void seedWellKnown(SqliteDb& db, std::int64_t now_ms) {
  for (const WellKnown& known : kWellKnown) {
    const std::string uscc = usccFor(known.division_code, known.sequence).value();
    Statement insert(db,
                     "INSERT OR IGNORE INTO enterprises (uscc, name, division_code, "
                     "licence_reference, registered_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, uscc)
        .bind(2, known.name)
        .bind(3, known.division_code)
        .bind(4, "AMR" + std::string(known.division_code) + "-19840101-000001")
        .bind(5, now_ms)
        .run();
  }
}

}  // namespace

std::string_view toString(CallbackState state) {
  switch (state) {
    case CallbackState::kNone:
      return "none";
    case CallbackState::kPending:
      return "pending";
    case CallbackState::kDelivered:
      return "delivered";
    case CallbackState::kDropped:
      return "dropped";
  }
  return "none";
}

// Most transactions one batch takes, so a burst of callers waits a bounded time.
constexpr std::size_t kMaxBatch = 256;

struct SimStore::PendingWork {
  std::string_view what;
  std::function<Result<void>(SqliteDb&)> work;
  Result<void> outcome;
  bool done = false;  // guarded by queue_mutex_
  // Wakes this writer alone: when its batch is done, or when it is first in the queue and may
  // lead the next one (waking every waiter after each batch would cost a context switch each).
  std::condition_variable wake;
};

// Runs `work` in an IMMEDIATE transaction (shared with the other callers of the moment, in a
// savepoint of its own): committed when it returns a value, rolled back when it returns an
// error or SQLite fails (translated to kInternal here).
template <class T, class Work>
Result<T> SimStore::transact(std::string_view what, Work work) {
  // The value waits here until the batch has committed.
  std::optional<Result<T>> produced;
  PendingWork pending;
  pending.what = what;
  pending.work = [&](SqliteDb& db) -> Result<void> {
    Result<T> result = work(db);
    if (!result.ok()) return result.error();
    produced.emplace(std::move(result));
    return ok();
  };
  if (Result<void> done = transactGrouped(pending); !done.ok()) return done.error();
  return std::move(*produced);
}

Result<void> SimStore::transactGrouped(PendingWork& pending) {
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&pending);
  while (!pending.done) {
    if (leading_) {
      pending.wake.wait(lock);
      continue;
    }
    // Lead one batch: everything queued now (this write included), the oldest first.
    leading_ = true;
    const std::size_t taken = std::min(queue_.size(), kMaxBatch);
    std::vector<PendingWork*> batch(queue_.begin(), queue_.begin() + taken);
    queue_.erase(queue_.begin(), queue_.begin() + taken);
    lock.unlock();
    runBatch(batch);
    lock.lock();
    leading_ = false;
    for (PendingWork* member : batch) {
      member->done = true;
      if (member != &pending) member->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  return pending.outcome;
}

void SimStore::runBatch(const std::vector<PendingWork*>& batch) {
  std::lock_guard lock(mutex_);
  auto failure = [](const PendingWork& work, const std::exception& error) {
    return Error::internal("simulator database: " + std::string(work.what) + ": " + error.what());
  };
  std::size_t next = 0;
  while (next < batch.size()) {
    try {
      db_->exec("BEGIN IMMEDIATE");
    } catch (const SqliteError& error) {
      for (std::size_t i = next; i < batch.size(); ++i)
        batch[i]->outcome = failure(*batch[i], error);
      return;
    }
    std::vector<PendingWork*> members;  // done in this transaction, waiting for COMMIT
    bool transaction_lost = false;
    for (; next < batch.size() && !transaction_lost; ++next) {
      PendingWork& work = *batch[next];
      try {
        db_->exec("SAVEPOINT grouped_work");
        Result<void> done = work.work(*db_);
        if (done.ok()) {
          db_->exec("RELEASE grouped_work");
          members.push_back(&work);
          continue;
        }
        work.outcome = done.error();
      } catch (const std::exception& error) {
        // SqliteError, or a bug in one request's work: it must not stall the batch.
        work.outcome = failure(work, error);
      }
      try {
        if (sqlite3_get_autocommit(db_->handle()) != 0) {
          // SQLite rolled the whole transaction back itself: the members before are gone.
          transaction_lost = true;
          continue;
        }
        db_->exec("ROLLBACK TO grouped_work");
        db_->exec("RELEASE grouped_work");
      } catch (const SqliteError&) {
        transaction_lost = true;
      }
    }
    if (transaction_lost) {
      if (sqlite3_get_autocommit(db_->handle()) == 0) {
        try {
          db_->exec("ROLLBACK");
        } catch (const SqliteError&) {
          // Nothing more can be done here; the members below are told.
        }
      }
      for (PendingWork* member : members) {
        member->outcome = Error::internal("simulator database: " + std::string(member->what) +
                                          ": rolled back with the rest of its transaction");
      }
      continue;
    }
    try {
      db_->exec(members.empty() ? "ROLLBACK" : "COMMIT");
      for (PendingWork* member : members) member->outcome = ok();
    } catch (const SqliteError& error) {
      try {
        db_->exec("ROLLBACK");
      } catch (const SqliteError&) {
        // The COMMIT's error is what the members report.
      }
      for (PendingWork* member : members) member->outcome = failure(*member, error);
    }
  }
}

Result<std::unique_ptr<SimStore>> SimStore::open(const std::filesystem::path& file,
                                                 const Clock& clock) {
  std::error_code error;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    return Error::internal("cannot create " + file.parent_path().string() + ": " + error.message());
  }
  try {
    auto db = std::make_unique<SqliteDb>(file);
    db->exec("PRAGMA busy_timeout = 5000");
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA synchronous = FULL");
    db->exec("BEGIN IMMEDIATE");
    db->exec(kSchema);
    seedWellKnown(*db, toMs(clock.now()));
    db->exec("COMMIT");
    return std::unique_ptr<SimStore>(new SimStore(std::move(db), clock));
  } catch (const SqliteError& failure) {
    return Error::internal(std::string("simulator database: ") + failure.what());
  }
}

SimStore::SimStore(std::unique_ptr<SqliteDb> db, const Clock& clock)
    : db_(std::move(db)), clock_(clock) {}

SimStore::~SimStore() = default;

Result<Handled> SimStore::handle(std::string_view partner, std::string_view operation,
                                 PartnerRequest& request, std::chrono::milliseconds delay) {
  return transact<Handled>("handling a message", [&](SqliteDb& db) -> Result<Handled> {
    const std::string& id = request.messageId();
    if (std::optional<StoredMessage> earlier = selectMessage(db, partner, id)) {
      Statement count(db,
                      "UPDATE messages SET duplicates = duplicates + 1 "
                      "WHERE partner = ?1 AND message_id = ?2");
      count.bind(1, partner).bind(2, id).run();
      ++earlier->duplicates;
      return Handled{std::move(*earlier), true};
    }
    const SystemTime now = clock_.now();
    Ledger ledger(db, std::string(partner), id, now);
    Result<Decision> decision = request.decide(ledger, now);
    if (!decision.ok()) return decision.error();

    StoredMessage message;
    message.partner = std::string(partner);
    message.message_id = id;
    message.operation = std::string(operation);
    message.status = decision->status;
    message.answer = std::move(decision->answer);
    message.result = std::move(decision->result);
    message.result_due = decision->callback ? now + delay : now;
    message.callback = decision->callback ? CallbackState::kPending : CallbackState::kNone;
    message.outcome = std::move(decision->outcome);

    Statement insert(db,
                     "INSERT INTO messages (partner, message_id, operation, status, answer, "
                     "result, result_due_ms, callback, next_callback_ms, outcome, received_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    insert.bind(1, message.partner)
        .bind(2, message.message_id)
        .bind(3, message.operation)
        .bind(4, std::int64_t{message.status})
        .bind(5, message.answer)
        .bind(6, message.result)
        .bind(7, toMs(message.result_due))
        .bind(8, toString(message.callback));
    if (decision->callback) {
      insert.bind(9, toMs(message.result_due));
    } else {
      insert.bindNull(9);
    }
    insert.bind(10, message.outcome).bind(11, toMs(now)).run();
    return Handled{std::move(message), false};
  });
}

Result<Decision> SimStore::lookup(std::string_view partner, PartnerRequest& request) {
  // A transaction that is always rolled back: the lookup sees a consistent ledger and
  // whatever it might write is discarded.
  std::lock_guard lock(mutex_);
  try {
    db_->exec("BEGIN");
    Ledger ledger(*db_, std::string(partner), request.messageId(), clock_.now());
    Result<Decision> decision = [&]() -> Result<Decision> {
      try {
        return request.decide(ledger, clock_.now());
      } catch (...) {
        db_->exec("ROLLBACK");
        throw;
      }
    }();
    db_->exec("ROLLBACK");
    return decision;
  } catch (const SqliteError& error) {
    return Error::internal(std::string("simulator database: lookup: ") + error.what());
  }
}

Result<std::optional<StoredMessage>> SimStore::find(std::string_view partner,
                                                    std::string_view message_id) {
  return transact<std::optional<StoredMessage>>(
      "reading a message", [&](SqliteDb& db) -> Result<std::optional<StoredMessage>> {
        return selectMessage(db, partner, message_id);
      });
}

Result<std::optional<DueCallback>> SimStore::nextDueCallback(
    const std::set<std::string>& in_flight) {
  return transact<std::optional<DueCallback>>(
      "finding due callbacks", [&](SqliteDb& db) -> Result<std::optional<DueCallback>> {
        Statement select(db,
                         "SELECT partner, message_id, result, callback_attempts FROM messages "
                         "WHERE callback = 'pending' AND next_callback_ms <= ?1 "
                         "ORDER BY next_callback_ms");
        select.bind(1, toMs(clock_.now()));
        while (select.step()) {
          DueCallback due{select.text(0), select.text(1), select.text(2),
                          static_cast<int>(select.integer(3))};
          if (!in_flight.contains(due.partner + "/" + due.message_id)) {
            return std::optional<DueCallback>(std::move(due));
          }
        }
        return std::optional<DueCallback>();
      });
}

Result<std::optional<SystemTime>> SimStore::earliestPendingCallback() {
  return transact<std::optional<SystemTime>>(
      "finding pending callbacks", [&](SqliteDb& db) -> Result<std::optional<SystemTime>> {
        Statement select(db,
                         "SELECT MIN(next_callback_ms) FROM messages WHERE callback = 'pending'");
        if (!select.step() || select.isNull(0)) return std::optional<SystemTime>();
        return std::optional<SystemTime>(fromMs(select.integer(0)));
      });
}

Result<void> SimStore::callbackDelivered(std::string_view partner, std::string_view message_id) {
  Result<bool> done =
      transact<bool>("recording a delivered callback", [&](SqliteDb& db) -> Result<bool> {
        Statement update(db,
                         "UPDATE messages SET callback = 'delivered', next_callback_ms = NULL, "
                         "callback_attempts = callback_attempts + 1, callback_error = NULL "
                         "WHERE partner = ?1 AND message_id = ?2");
        update.bind(1, partner).bind(2, message_id).run();
        return true;
      });
  if (!done.ok()) return done.error();
  return ok();
}

Result<void> SimStore::callbackFailed(std::string_view partner, std::string_view message_id,
                                      SystemTime retry_at, std::string_view error) {
  Result<bool> done =
      transact<bool>("recording a failed callback", [&](SqliteDb& db) -> Result<bool> {
        Statement update(db,
                         "UPDATE messages SET next_callback_ms = ?3, callback_error = ?4, "
                         "callback_attempts = callback_attempts + 1 "
                         "WHERE partner = ?1 AND message_id = ?2");
        update.bind(1, partner).bind(2, message_id).bind(3, toMs(retry_at)).bind(4, error).run();
        return true;
      });
  if (!done.ok()) return done.error();
  return ok();
}

Result<void> SimStore::callbackDropped(std::string_view partner, std::string_view message_id) {
  Result<bool> done =
      transact<bool>("recording a dropped callback", [&](SqliteDb& db) -> Result<bool> {
        Statement update(db,
                         "UPDATE messages SET callback = 'dropped', next_callback_ms = NULL "
                         "WHERE partner = ?1 AND message_id = ?2");
        update.bind(1, partner).bind(2, message_id).run();
        return true;
      });
  if (!done.ok()) return done.error();
  return ok();
}

Result<std::map<std::string, PartnerEffects>> SimStore::effects(bool by_message) {
  using Report = std::map<std::string, PartnerEffects>;
  // Counted by SQLite over the (partner, message_id) index: after a long benchmark the ledger
  // holds hundreds of thousands of messages, and the per-message map is built only on request.
  return transact<Report>("reporting effects", [&](SqliteDb& db) -> Result<Report> {
    Report report;
    Statement messages(db,
                       "SELECT partner, COUNT(*), SUM(duplicates), SUM(callback = 'pending'), "
                       "SUM(callback = 'delivered'), SUM(callback = 'dropped') FROM messages "
                       "GROUP BY partner");
    while (messages.step()) {
      PartnerEffects& partner = report[messages.text(0)];
      partner.messages = static_cast<int>(messages.integer(1));
      partner.duplicates_refused = static_cast<int>(messages.integer(2));
      partner.callbacks_pending = static_cast<int>(messages.integer(3));
      partner.callbacks_delivered = static_cast<int>(messages.integer(4));
      partner.callbacks_dropped = static_cast<int>(messages.integer(5));
    }
    Statement kinds(db, "SELECT partner, kind, COUNT(*) FROM effects GROUP BY partner, kind");
    while (kinds.step()) {
      PartnerEffects& partner = report[kinds.text(0)];
      const int count = static_cast<int>(kinds.integer(2));
      partner.effects_by_kind[kinds.text(1)] = count;
      partner.effects += count;
    }
    // A message's second effect makes it a repeated one; a third changes nothing more.
    Statement repeated(db,
                       "SELECT partner, COUNT(*) FROM (SELECT partner FROM effects "
                       "GROUP BY partner, message_id HAVING COUNT(*) > 1) GROUP BY partner");
    while (repeated.step()) {
      report[repeated.text(0)].repeated_effects = static_cast<int>(repeated.integer(1));
    }
    if (by_message) {
      Statement ids(db, "SELECT partner, message_id FROM messages");
      while (ids.step()) report[ids.text(0)].effects_by_message[ids.text(1)] += 0;
      Statement counts(db,
                       "SELECT partner, message_id, COUNT(*) FROM effects "
                       "GROUP BY partner, message_id");
      while (counts.step()) {
        report[counts.text(0)].effects_by_message[counts.text(1)] =
            static_cast<int>(counts.integer(2));
      }
    }
    return report;
  });
}

}  // namespace kaiban::sim
