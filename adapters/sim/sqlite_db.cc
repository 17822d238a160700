#include "adapters/sim/sqlite_db.h"

#include <sqlite3.h>

namespace kaiban::sim {

SqliteDb::SqliteDb(const std::filesystem::path& path) : path_(path) {
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError("cannot open database " + path.string() + ": " + reason);
  }
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, statement] : idle_statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

void SqliteDb::exec(std::string_view sql) {
  if (sql.find(';') == std::string_view::npos) {
    Statement(*this, sql).run();
    return;
  }
  char* message = nullptr;
  const std::string statement(sql);
  if (sqlite3_exec(db_, statement.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw SqliteError(path_.string() + ": " + statement.substr(0, 60) + " failed: " + reason);
  }
}

int SqliteDb::changes() const { return sqlite3_changes(db_); }

void SqliteDb::fail(std::string_view what) const {
  throw SqliteError(path_.string() + ": " + std::string(what) + " failed: " + sqlite3_errmsg(db_));
}

Statement::Statement(SqliteDb& db, std::string_view sql) : db_(db) {
  if (auto idle = db.idle_statements_.find(sql); idle != db.idle_statements_.end()) {
    cached_ = db.idle_statements_.extract(idle);
    statement_ = cached_.mapped();
    return;
  }
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &statement_, nullptr) != SQLITE_OK) {
    db.fail("preparing \"" + std::string(sql.substr(0, 60)) + "\"");
  }
}

Statement::~Statement() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  if (!cached_.empty()) {
    db_.idle_statements_.insert(std::move(cached_));
  } else if (!db_.idle_statements_.try_emplace(sqlite3_sql(statement_), statement_).second) {
    sqlite3_finalize(statement_);  // another of the same SQL was returned first
  }
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.fail("binding a parameter");
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) db_.fail("binding a parameter");
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) db_.fail("binding a parameter");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("running \"" + std::string(sqlite3_sql(statement_)).substr(0, 60) + "\"");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int column) const {
  const unsigned char* value = sqlite3_column_text(statement_, column);
  if (value == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(value),
                     static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

}  // namespace kaiban::sim
