#include "terminal-agent/queue/sqlite_db.h"

#include <utility>

namespace kaiban::agent::sqlite {

Error translate(int code, std::string_view sqlite_message, std::string_view what) {
  std::string message = "sqlite: " + std::string(what) + ": " + std::string(sqlite_message);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Error::unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Error::conflict(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error::corrupt(std::move(message));
    default:
      return Error::internal(std::move(message));
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bind_code_(other.bind_code_) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, int64_t value) {
  const int code = sqlite3_bind_int64(stmt_, index, value);
  if (bind_code_ == SQLITE_OK) bind_code_ = code;
  return *this;
}

Statement& Statement::bindText(int index, std::string_view text) {
  // An empty string_view may have a null data(), which SQLite would store as NULL.
  const int code = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_code_ == SQLITE_OK) bind_code_ = code;
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  // A zero-length blob, not NULL (as for text): the caller binds NULL when it means NULL.
  const int code = sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(),
                                       bytes.size(), SQLITE_TRANSIENT);
  if (bind_code_ == SQLITE_OK) bind_code_ = code;
  return *this;
}

Statement& Statement::bindNull(int index) {
  const int code = sqlite3_bind_null(stmt_, index);
  if (bind_code_ == SQLITE_OK) bind_code_ = code;
  return *this;
}

Result<bool> Statement::step() {
  if (bind_code_ != SQLITE_OK) return translate(bind_code_, sqlite3_errstr(bind_code_), sql_);
  const int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  return translate(code, sqlite3_errmsg(db_), sql_);
}

Result<void> Statement::run() {
  for (;;) {
    Result<bool> row = step();
    if (!row) return row.error();
    if (!*row) return ok();
  }
}

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

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  const int code = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (code != SQLITE_OK) {
    Error error = translate(code, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code),
                            "opening " + path.string());
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() { sqlite3_close_v2(db_); }

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int code =
      sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (code != SQLITE_OK) return translate(code, sqlite3_errmsg(db_), sql);
  return Statement(db_, stmt, std::string(sql));
}

Result<void> Database::execute(std::string_view sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (code == SQLITE_OK) return ok();
  Error error = translate(code, message != nullptr ? message : sqlite3_errstr(code), sql);
  sqlite3_free(message);
  return error;
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }

}  // namespace kaiban::agent::sqlite
