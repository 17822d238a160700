#include "terminal-agent/queue/submission_queue.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <system_error>
#include <utility>

#include <Poco/Logger.h>

#include "core/crypto/hash.h"
#include "core/crypto/random.h"
#include "terminal-agent/queue/sqlite_db.h"

namespace kaiban::agent {
namespace {

constexpr int kSchemaVersion = 1;
constexpr size_t kLocalIdChars = 12;
// Error texts come from the link and the orchestrator; a bound keeps a pathological one from
// filling the kiosk disk.
constexpr size_t kMaxErrorTextBytes = 1000;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE submissions (
  sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
  local_id        TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'forwarded', 'failed_permanent')),
  body            BLOB,
  body_digest     BLOB NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  application_id  TEXT NOT NULL DEFAULT '',
  enqueued_at     INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  settled_at      INTEGER,
  CHECK ((state = 'pending') = (body IS NOT NULL))
);
CREATE INDEX submissions_by_state ON submissions (state, sequence);
PRAGMA user_version = 1;
)sql";

constexpr std::string_view kRecordColumns =
    "local_id, sequence, idempotency_key, state, attempts, last_error, application_id, "
    "enqueued_at, settled_at, body IS NOT NULL";

Poco::Logger& logger() { return Poco::Logger::get("agent.queue"); }

int64_t toMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SystemTime fromMicros(int64_t micros) {
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::microseconds(micros)));
}

std::string bodyAssociatedData(std::string_view key) {
  return "agent.queue/body/" + std::string(key);
}

std::string digestAssociatedData(std::string_view key) {
  return "agent.queue/digest/" + std::string(key);
}

Result<SubmissionState> parseState(std::string_view name) {
  for (SubmissionState state : {SubmissionState::kPending, SubmissionState::kForwarded,
                                SubmissionState::kFailedPermanent}) {
    if (toString(state) == name) return state;
  }
  return Error::corrupt("submission queue: unknown state '" + std::string(name) + "'");
}

// At most kMaxErrorTextBytes, cut at a UTF-8 character boundary.
std::string boundedErrorText(const Error& error) {
  std::string text = error.toString();
  if (text.size() <= kMaxErrorTextBytes) return text;
  size_t cut = kMaxErrorTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

Result<void> validateKey(std::string_view key) {
  if (key.empty() || key.size() > SubmissionQueue::kMaxIdempotencyKeyChars) {
    return Error::invalidInput("idempotency key must be 1-" +
                                   std::to_string(SubmissionQueue::kMaxIdempotencyKeyChars) +
                                   " characters",
                               "idempotency_key");
  }
  for (char c : key) {
    if (c <= 0x20 || c >= 0x7f) {
      return Error::invalidInput("idempotency key must be printable ASCII without spaces",
                                 "idempotency_key");
    }
  }
  return ok();
}

// The queue holds personal data (sealed, but still): only the agent's user may read it. The
// file is created 0600 before SQLite sees it, and SQLite gives its -wal and -shm files the
// database file's mode.
Result<void> prepareFile(const std::filesystem::path& path) {
  std::error_code error;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
      return Error::unavailable("submission queue: cannot create " + path.parent_path().string() +
                                ": " + error.message());
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::unavailable("submission queue: cannot create " + path.string() + ": " +
                              std::strerror(errno));
  }
  ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::filesystem::path file = path.string() + suffix;
    if (!std::filesystem::exists(file, error)) continue;
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace, error);
    if (error) {
      return Error::unavailable("submission queue: cannot make " + file.string() +
                                " private (chmod 600): " + error.message());
    }
  }
  return ok();
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it fails.
Result<void> inTransaction(sqlite::Database& db, const std::function<Result<void>()>& body) {
  if (Result<void> begin = db.execute("BEGIN IMMEDIATE"); !begin) return begin.error();
  Result<void> result = body();
  if (!result.ok()) {
    // The original failure is what the caller needs to see; a failed rollback leaves the
    // transaction to be rolled back when the connection closes.
    (void)db.execute("ROLLBACK");
    return result;
  }
  if (Result<void> commit = db.execute("COMMIT"); !commit) {
    (void)db.execute("ROLLBACK");
    return commit.error();
  }
  return result;
}

// The connection settings every queue connection needs; each is checked, not assumed.
Result<void> configure(sqlite::Database& db, const std::filesystem::path& path) {
  // WAL + synchronous=FULL: a commit is in the fsynced WAL before the call returns, so
  // "received" on screen means on disk. secure_delete: deleted personal data is overwritten
  // with zeros rather than left in free pages.
  if (Result<void> pragmas = db.execute(
          "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;");
      !pragmas) {
    return pragmas.error();
  }
  Result<sqlite::Statement> mode = db.prepare("PRAGMA journal_mode = WAL");
  if (!mode) return mode.error();
  Result<bool> mode_row = mode->step();
  if (!mode_row) return mode_row.error();
  if (!*mode_row || mode->text(0) != "wal") {
    return Error::unavailable("submission queue " + path.string() +
                              " cannot use write-ahead logging; is it on a network file system?");
  }
  Result<sqlite::Statement> secure = db.prepare("PRAGMA secure_delete");
  if (!secure) return secure.error();
  Result<bool> secure_row = secure->step();
  if (!secure_row) return secure_row.error();
  if (!*secure_row || secure->int64(0) != 1) {
    return Error::unavailable("submission queue: this SQLite cannot turn on secure_delete");
  }

  return ok();
}

// Creates the schema in a new file; accepts a file at kSchemaVersion; refuses anything else.
Result<void> initialiseSchema(sqlite::Database& db, const std::filesystem::path& path) {
  Result<void> done = inTransaction(db, [&]() -> Result<void> {
    Result<sqlite::Statement> version = db.prepare("PRAGMA user_version");
    if (!version) return version.error();
    Result<bool> row = version->step();
    if (!row) return row.error();
    const int64_t found = *row ? version->int64(0) : 0;
    if (found == kSchemaVersion) return ok();
    if (found > kSchemaVersion) {
      return Error::corrupt("submission queue " + path.string() + " has schema version " +
                            std::to_string(found) + ", newer than this agent's " +
                            std::to_string(kSchemaVersion) + "; upgrade the agent");
    }
    Result<sqlite::Statement> tables = db.prepare("SELECT count(*) FROM sqlite_master");
    if (!tables) return tables.error();
    Result<bool> counted = tables->step();
    if (!counted) return counted.error();
    if (tables->int64(0) != 0) {
      return Error::corrupt("submission queue " + path.string() +
                            " is an SQLite database of something else; point the agent at a "
                            "new file");
    }
    if (Result<void> created = db.execute(kSchema); !created) return created.error();
    return ok();
  });
  return done;
}

Result<SubmissionRecord> recordFrom(const sqlite::Statement& row) {
  SubmissionRecord record;
  record.local_id = row.text(0);
  record.sequence = row.int64(1);
  record.idempotency_key = row.text(2);
  Result<SubmissionState> state = parseState(row.text(3));
  if (!state) return state.error();
  record.state = *state;
  record.attempts = static_cast<int>(row.int64(4));
  record.last_error = row.text(5);
  record.application_id = row.text(6);
  record.enqueued_at = fromMicros(row.int64(7));
  if (!row.isNull(8)) record.settled_at = fromMicros(row.int64(8));
  record.body_stored = row.int64(9) != 0;
  return record;
}

}  // namespace

std::string_view toString(SubmissionState state) {
  switch (state) {
    case SubmissionState::kPending:
      return "pending";
    case SubmissionState::kForwarded:
      return "forwarded";
    case SubmissionState::kFailedPermanent:
      return "failed_permanent";
  }
  return "pending";
}

Result<std::unique_ptr<SubmissionQueue>> SubmissionQueue::open(const std::filesystem::path& path,
                                                               const crypto::PiiCipher& cipher,
                                                               const Clock& clock) {
  if (Result<void> file = prepareFile(path); !file) return file.error();
  Result<std::unique_ptr<sqlite::Database>> db = sqlite::Database::open(path);
  if (!db) return db.error();

  if (Result<void> configured = configure(**db, path); !configured) {
    return configured.error();
  }
  Result<void> schema = initialiseSchema(**db, path);
  if (!schema) return schema.error();

  std::unique_ptr<SubmissionQueue> queue(new SubmissionQueue(std::move(*db), cipher, clock));
  // A previous run may have stopped between a settle and its checkpoint.
  std::lock_guard lock(queue->mutex_);
  (void)queue->scrubLocked();
  return queue;
}

SubmissionQueue::SubmissionQueue(std::unique_ptr<sqlite::Database> db,
                                 const crypto::PiiCipher& cipher, const Clock& clock)
    : db_(std::move(db)), cipher_(cipher), clock_(clock) {}

SubmissionQueue::~SubmissionQueue() = default;

Result<QueuedSubmission> SubmissionQueue::enqueue(std::string_view idempotency_key,
                                                  std::string_view json_body) {
  if (Result<void> key = validateKey(idempotency_key); !key) return key.error();
  if (json_body.empty() || json_body.size() > kMaxBodyBytes) {
    return Error::invalidInput(
        "submission body must be 1-" + std::to_string(kMaxBodyBytes) + " bytes", "body");
  }
  const std::string digest = crypto::sha256Hex(json_body);

  std::lock_guard lock(mutex_);
  Result<sqlite::Statement> existing = db_->prepare(
      "SELECT local_id, sequence, body_digest FROM submissions WHERE idempotency_key = ?");
  if (!existing) return existing.error();
  existing->bindText(1, idempotency_key);
  Result<bool> found = existing->step();
  if (!found) return found.error();
  if (*found) {
    Result<std::string> stored =
        cipher_.open(existing->blob(2), digestAssociatedData(idempotency_key));
    if (!stored) {
      return Error::corrupt("submission queue: the record of submission " + existing->text(0) +
                            " does not open: " + stored.error().message);
    }
    if (*stored != digest) {
      return Error::conflict(
          "this idempotency key was already used for a different submission (local id " +
          existing->text(0) + ")");
    }
    return QueuedSubmission{existing->text(0), existing->int64(1)};
  }

  const std::string sealed_body = cipher_.seal(json_body, bodyAssociatedData(idempotency_key));
  const std::string sealed_digest = cipher_.seal(digest, digestAssociatedData(idempotency_key));
  const int64_t now = toMicros(clock_.now());
  // A fresh local id collides with one in use about once in 2^60 tries; a second draw ends it.
  for (int attempt = 0;; ++attempt) {
    const std::string local_id = crypto::randomBase32Id(kLocalIdChars);
    Result<sqlite::Statement> insert = db_->prepare(
        "INSERT INTO submissions (local_id, idempotency_key, state, body, body_digest, "
        "enqueued_at, next_attempt_at) VALUES (?, ?, 'pending', ?, ?, ?, ?)");
    if (!insert) return insert.error();
    insert->bindText(1, local_id)
        .bindText(2, idempotency_key)
        .bindBlob(3, sealed_body)
        .bindBlob(4, sealed_digest)
        .bind(5, now)
        .bind(6, now);
    Result<void> inserted = insert->run();
    if (inserted) {
      return QueuedSubmission{local_id, sqlite3_last_insert_rowid(db_->raw())};
    }
    if (inserted.error().code != ErrorCode::kConflict || attempt == 2) return inserted.error();
  }
}

Result<std::optional<PendingSubmission>> SubmissionQueue::nextPending() {
  std::lock_guard lock(mutex_);
  Result<sqlite::Statement> head = db_->prepare(
      "SELECT local_id, sequence, idempotency_key, body, attempts, last_error, enqueued_at, "
      "next_attempt_at FROM submissions WHERE state = 'pending' ORDER BY sequence LIMIT 1");
  if (!head) return head.error();
  Result<bool> row = head->step();
  if (!row) return row.error();
  if (!*row) return std::optional<PendingSubmission>();

  PendingSubmission pending;
  pending.local_id = head->text(0);
  pending.sequence = head->int64(1);
  pending.idempotency_key = head->text(2);
  Result<std::string> body =
      cipher_.open(head->blob(3), bodyAssociatedData(pending.idempotency_key));
  if (!body) {
    return Error::corrupt(
        "submission queue: the body of submission " + pending.local_id +
        " does not open (is this the kiosk's key file?): " + body.error().message);
  }
  pending.body = std::move(*body);
  pending.attempts = static_cast<int>(head->int64(4));
  pending.last_error = head->text(5);
  pending.enqueued_at = fromMicros(head->int64(6));
  pending.next_attempt_at = fromMicros(head->int64(7));
  return std::optional<PendingSubmission>(std::move(pending));
}

Result<void> SubmissionQueue::markForwarded(std::string_view local_id,
                                            std::string_view application_id) {
  if (application_id.empty()) {
    return Error::invalidInput("the orchestrator's application id is empty", "application_id");
  }
  return settle(local_id, SubmissionState::kForwarded, application_id, {});
}

Result<void> SubmissionQueue::markFailedPermanent(std::string_view local_id, const Error& error) {
  return settle(local_id, SubmissionState::kFailedPermanent, {}, boundedErrorText(error));
}

Result<void> SubmissionQueue::settle(std::string_view local_id, SubmissionState state,
                                     std::string_view application_id, std::string_view reason) {
  std::lock_guard lock(mutex_);
  Result<void> settled = inTransaction(*db_, [&]() -> Result<void> {
    Result<sqlite::Statement> current =
        db_->prepare("SELECT state, application_id FROM submissions WHERE local_id = ?");
    if (!current) return current.error();
    current->bindText(1, local_id);
    Result<bool> row = current->step();
    if (!row) return row.error();
    if (!*row) {
      return Error::notFound("no queued submission with local id " + std::string(local_id));
    }
    Result<SubmissionState> now_state = parseState(current->text(0));
    if (!now_state) return now_state.error();
    if (*now_state != SubmissionState::kPending) {
      // Settling twice the same way is a repeat, not a contradiction.
      if (*now_state == state && current->text(1) == application_id) return ok();
      return Error::conflict("submission " + std::string(local_id) + " is already " +
                             std::string(toString(*now_state)) +
                             (current->text(1).empty() ? "" : " as " + current->text(1)));
    }
    Result<sqlite::Statement> update = db_->prepare(
        "UPDATE submissions SET state = ?, body = NULL, application_id = ?, "
        "last_error = CASE WHEN ?3 = '' THEN last_error ELSE ?3 END, settled_at = ? "
        "WHERE local_id = ?");
    if (!update) return update.error();
    update->bindText(1, toString(state))
        .bindText(2, application_id)
        .bindText(3, reason)
        .bind(4, toMicros(clock_.now()))
        .bindText(5, local_id);
    if (Result<void> done = update->run(); !done) return done.error();
    return ok();
  });
  if (!settled) return settled;
  if (Result<void> scrubbed = scrubLocked(); !scrubbed) {
    // The settle is committed; the old bytes go at the next successful checkpoint.
    logger().warning("submission queue: checkpoint after settling %s failed: %s",
                     std::string(local_id), scrubbed.error().message);
  }
  return ok();
}

Result<void> SubmissionQueue::markAttemptFailed(std::string_view local_id, const Error& error,
                                                SystemTime next_attempt_at) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Statement> update = db_->prepare(
      "UPDATE submissions SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
      "WHERE local_id = ? AND state = 'pending'");
  if (!update) return update.error();
  update->bindText(1, boundedErrorText(error))
      .bind(2, toMicros(next_attempt_at))
      .bindText(3, local_id);
  if (Result<void> done = update->run(); !done) return done.error();
  if (db_->changes() == 1) return ok();
  Result<SubmissionRecord> record = findWhere("local_id", local_id);
  if (!record) return record.error();
  return Error::conflict("submission " + std::string(local_id) + " is already " +
                         std::string(toString(record->state)));
}

Result<int64_t> SubmissionQueue::depth() {
  std::lock_guard lock(mutex_);
  Result<sqlite::Statement> count =
      db_->prepare("SELECT count(*) FROM submissions WHERE state = 'pending'");
  if (!count) return count.error();
  Result<bool> row = count->step();
  if (!row) return row.error();
  return count->int64(0);
}

Result<int64_t> SubmissionQueue::pendingOlderThan(SystemTime::duration age) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Statement> count =
      db_->prepare("SELECT count(*) FROM submissions WHERE state = 'pending' AND enqueued_at < ?");
  if (!count) return count.error();
  count->bind(1, toMicros(clock_.now() - age));
  Result<bool> row = count->step();
  if (!row) return row.error();
  return count->int64(0);
}

Result<SubmissionRecord> SubmissionQueue::find(std::string_view local_id) {
  std::lock_guard lock(mutex_);
  return findWhere("local_id", local_id);
}

Result<SubmissionRecord> SubmissionQueue::findByIdempotencyKey(std::string_view idempotency_key) {
  std::lock_guard lock(mutex_);
  return findWhere("idempotency_key", idempotency_key);
}

Result<SubmissionRecord> SubmissionQueue::findWhere(std::string_view column,
                                                    std::string_view value) {
  // `column` is one of the two literals above, never input.
  Result<sqlite::Statement> select =
      db_->prepare("SELECT " + std::string(kRecordColumns) + " FROM submissions WHERE " +
                   std::string(column) + " = ?");
  if (!select) return select.error();
  select->bindText(1, value);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::notFound("no queued submission with that " + std::string(column));
  return recordFrom(*select);
}

Result<int64_t> SubmissionQueue::purgeSettledBefore(SystemTime cutoff) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Statement> purge =
      db_->prepare("DELETE FROM submissions WHERE state != 'pending' AND settled_at < ?");
  if (!purge) return purge.error();
  purge->bind(1, toMicros(cutoff));
  if (Result<void> done = purge->run(); !done) return done.error();
  const int64_t purged = db_->changes();
  (void)scrubLocked();
  return purged;
}

Result<void> SubmissionQueue::scrub() {
  std::lock_guard lock(mutex_);
  return scrubLocked();
}

Result<void> SubmissionQueue::scrubLocked() {
  Result<sqlite::Statement> checkpoint = db_->prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!checkpoint) return checkpoint.error();
  Result<bool> row = checkpoint->step();
  if (!row) return row.error();
  if (*row && checkpoint->int64(0) != 0) {
    return Error::unavailable("submission queue: checkpoint blocked by another reader");
  }
  return ok();
}

}  // namespace kaiban::agent
