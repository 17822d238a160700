#pragma once

// Internal to the queue: a thin RAII layer over the SQLite C API. Every SQLite error becomes
// an Error here, once, with SQLite's own text and what was being done.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace kaiban::agent::sqlite {

// BUSY/LOCKED/IOERR/FULL/CANTOPEN/READONLY -> kUnavailable (the disk or another process is in
// the way; retry later), CONSTRAINT -> kConflict, CORRUPT/NOTADB -> kCorrupt, anything else
// -> kInternal.
Error translate(int code, std::string_view sqlite_message, std::string_view what);

// A prepared statement; finalized on destruction. Parameters are 1-based, columns 0-based.
// Binding copies the value (SQLITE_TRANSIENT), so arguments may be temporaries.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bindText(int index, std::string_view text);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindNull(int index);

  // One step: true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Steps to the end, ignoring rows.
  Result<void> run();

  bool isNull(int column) const;
  int64_t int64(int column) const;
  std::string text(int column) const;  // "" for NULL
  std::string blob(int column) const;  // "" for NULL

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  int bind_code_ = SQLITE_OK;  // the first bind failure, reported by step()
};

// One connection. Not thread-safe: the owner serialises calls.
class Database {
 public:
  // Opens, creating if needed, the database file at `path`.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<Statement> prepare(std::string_view sql);
  // Runs statements without parameters (pragmas, schema, BEGIN/COMMIT).
  Result<void> execute(std::string_view sql);
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  int64_t changes() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace kaiban::agent::sqlite
