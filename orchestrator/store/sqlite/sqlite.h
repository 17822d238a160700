#pragma once

// Internal to the SQLite store: a connection with a statement cache and typed statements.
// Every SQLite error is translated into an Error here, once.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.h"
#include "core/result.h"

namespace kaiban::orchestrator::sqlite {

// The Error for SQLite result code `code` while doing `what`: BUSY/LOCKED/IOERR/FULL/CANTOPEN
// -> kUnavailable (retry later), CONSTRAINT -> kConflict, CORRUPT/NOTADB -> kCorrupt, anything
// else -> kInternal. The message carries SQLite's own text.
Error translate(int code, std::string_view sqlite_message, std::string_view what);

// Instants are stored as INTEGER microseconds since the Unix epoch (UTC).
int64_t toMicros(SystemTime t);
SystemTime fromMicros(int64_t micros);

class Connection;

// A prepared statement borrowed from a Connection's cache; reset and unbound when destroyed,
// so the next user finds it clean. Parameters are 1-based, columns 0-based.
class Statement {
 public:
  Statement(Connection* connection, sqlite3_stmt* stmt) : connection_(connection), stmt_(stmt) {}
  Statement(Statement&& other) noexcept
      : connection_(other.connection_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, std::string_view text);  // TEXT
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bindBlob(int index, std::string_view bytes);  // BLOB (NULL when empty)
  Statement& bind(int index, SystemTime t) { return bind(index, toMicros(t)); }
  Statement& bind(int index, const std::optional<SystemTime>& t);  // NULL when absent
  Statement& bindNull(int index);

  // Runs one step: true when a row is available, false when done.
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Result<void> run();
  // Rows changed by the last run().
  int changes() const;

  bool isNull(int column) const;
  int64_t int64(int column) const;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  std::string text(int column) const;  // "" for NULL
  std::string blob(int column) const;  // "" for NULL
  SystemTime time(int column) const { return fromMicros(int64(column)); }
  std::optional<SystemTime> optionalTime(int column) const;

 private:
  Connection* connection_;
  sqlite3_stmt* stmt_;
  Result<void> bind_error_;  // the first bind failure, reported by step()
};

// One SQLite connection, used by one thread at a time (SQLITE_OPEN_NOMUTEX: the store
// serialises access). Owns its prepared statements.
class Connection {
 public:
  // Opens (creating if needed) the database at `path` and applies the connection settings
  // every Kaiban connection uses: WAL, synchronous=FULL, foreign_keys=ON, the busy timeout.
  static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& path,
                                                  std::chrono::milliseconds busy_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached statement for `sql`, prepared on first use.
  Result<Statement> prepare(std::string_view sql);

  // Runs one or more statements without parameters (schema, pragmas, BEGIN/COMMIT). A single
  // statement (no ';') is prepared once and cached like prepare().
  Result<void> execute(std::string_view sql);

  Error lastError(int code, std::string_view what) const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace kaiban::orchestrator::sqlite
