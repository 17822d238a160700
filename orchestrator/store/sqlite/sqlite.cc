#include "orchestrator/store/sqlite/sqlite.h"

namespace kaiban::orchestrator::sqlite {

Error translate(int code, std::string_view sqlite_message, std::string_view what) {
  std::string message = "sqlite: " + std::string(sqlite_message) + " (" + std::string(what) + ")";
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Error::unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Error::conflict(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_MISMATCH:
      return Error::corrupt(std::move(message));
    default:
      return Error::internal(std::move(message));
  }
}

int64_t toMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SystemTime fromMicros(int64_t micros) {
  return SystemTime{
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::microseconds{micros})};
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {

// Records the first failed bind; binds only fail on a bad index or out of memory, both
// bugs, but they must not pass silently.
void noteBind(Result<void>& first, int code, sqlite3* db, int index) {
  if (code == SQLITE_OK || !first.ok()) return;
  first = translate(code, sqlite3_errmsg(db), "binding parameter " + std::to_string(index));
}

}  // namespace

Statement& Statement::bind(int index, int64_t value) {
  noteBind(bind_error_, sqlite3_bind_int64(stmt_, index, value), connection_->raw(), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  noteBind(
      bind_error_,
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      connection_->raw(), index);
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  if (bytes.empty()) return bindNull(index);
  noteBind(bind_error_,
           sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT),
           connection_->raw(), index);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<SystemTime>& t) {
  return t ? bind(index, *t) : bindNull(index);
}

Statement& Statement::bindNull(int index) {
  noteBind(bind_error_, sqlite3_bind_null(stmt_, index), connection_->raw(), index);
  return *this;
}

Result<bool> Statement::step() {
  if (!bind_error_.ok()) return bind_error_.error();
  const int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  return connection_->lastError(code, sqlite3_sql(stmt_));
}

Result<void> Statement::run() {
  while (true) {
    Result<bool> row = step();
    if (!row) return row.error();
    if (!*row) return ok();
  }
}

int Statement::changes() const { return sqlite3_changes(connection_->raw()); }

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<SystemTime> Statement::optionalTime(int column) const {
  if (isNull(column)) return std::nullopt;
  return time(column);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& path,
                                                     std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  const int code = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (code != SQLITE_OK) {
    Error error = translate(code, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code),
                            "opening " + path.string());
    sqlite3_close_v2(db);
    return error;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // WAL lets readers run beside the one writer; synchronous=FULL makes every commit durable
  // when it returns (fsync of the WAL), which the outbox's exactly-once promise relies on.
  // An 8 MB page cache (SQLite's default is 2 MB) per connection keeps the interior pages of
  // a million-application store's indexes in memory; a store opens at most six connections,
  // so it stays well inside the orchestrator's memory budget. temp_store=MEMORY keeps the
  // savepoint journals of a group commit in memory: as files they were created and deleted
  // for every batch (their contents never need to survive a crash; the WAL does).
  Result<void> settings = connection->execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA "
      "cache_size=-8192; PRAGMA temp_store=MEMORY;");
  if (!settings) return settings.error();
  Result<Statement> mode = connection->prepare("PRAGMA journal_mode");
  if (!mode) return mode.error();
  Result<bool> row = mode->step();
  if (!row) return row.error();
  if (!*row || mode->text(0) != "wal") {
    return Error::unavailable(
        "sqlite: " + path.string() + " cannot use write-ahead logging (journal_mode is '" +
        (*row ? mode->text(0) : std::string("?")) + "'); is it on a network file system?");
  }
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int code = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (code != SQLITE_OK) return lastError(code, "preparing: " + std::string(sql));
    it = statements_.emplace(std::string(sql), stmt).first;
  }
  return Statement(this, it->second);
}

Result<void> Connection::execute(std::string_view sql) {
  // One statement (BEGIN, SAVEPOINT, RELEASE, COMMIT run for every write and read) is
  // prepared once and kept: parsing them each time was a visible share of the store's CPU.
  if (sql.find(';') == std::string_view::npos) {
    Result<Statement> statement = prepare(sql);
    if (!statement) return statement.error();
    return statement->run();
  }
  char* message = nullptr;
  const int code = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (code == SQLITE_OK) return ok();
  Error error = translate(code, message != nullptr ? message : sqlite3_errstr(code), sql);
  sqlite3_free(message);
  return error;
}

Error Connection::lastError(int code, std::string_view what) const {
  return translate(code, sqlite3_errmsg(db_), what);
}

}  // namespace kaiban::orchestrator::sqlite
