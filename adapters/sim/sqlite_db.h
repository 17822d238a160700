#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

// A minimal RAII layer over the SQLite C API for the simulator's own database. SQLite
// failures inside the simulator are not expected (a full disk, a corrupt file): they throw
// SqliteError, which SimStore translates into a Result once, at its public boundary.
namespace kaiban::sim {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqliteDb;

// One prepared statement, borrowed from its connection's cache (prepared on first use, kept
// for the next Statement of the same SQL). Bind parameters are 1-based, as in SQLite. Not
// thread-safe: use it under the owner's lock.
class Statement {
 public:
  Statement(SqliteDb& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bindNull(int index);

  // Steps once: true when a row is available, false when the statement is done.
  bool step();
  // Steps to completion, for statements that return no rows.
  void run();

  std::string text(int column) const;  // "" for NULL
  std::int64_t integer(int column) const;
  bool isNull(int column) const;

 private:
  using Cached = std::map<std::string, sqlite3_stmt*, std::less<>>::node_type;
  SqliteDb& db_;
  Cached cached_;  // empty when the cache had none for this SQL
  sqlite3_stmt* statement_ = nullptr;
};

// An open database connection. Not thread-safe: the owner serialises access.
class SqliteDb {
 public:
  // Opens (creating if needed) the database file `path`. Throws SqliteError.
  explicit SqliteDb(const std::filesystem::path& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return nothing (one statement goes through the
  // statement cache: BEGIN, SAVEPOINT and COMMIT run for every request). Throws SqliteError.
  void exec(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

  sqlite3* handle() { return db_; }
  // "<what> failed: <sqlite message>".
  [[noreturn]] void fail(std::string_view what) const;

 private:
  friend class Statement;

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  // Prepared statements not in use, by SQL text. A Statement takes its entry out while it
  // lives, so two of the same SQL at once each get their own.
  std::map<std::string, sqlite3_stmt*, std::less<>> idle_statements_;
};

}  // namespace kaiban::sim
