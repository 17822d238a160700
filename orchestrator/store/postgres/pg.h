#pragma once

// Internal to the PostgreSQL store: libpq connections, parameters, result rows and a small
// connection pool. Every libpq and server error is translated into an Error here, once.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

struct pg_conn;
struct pg_result;

namespace kaiban::orchestrator::pg {

// The Error for a server error with SQLSTATE `sqlstate` while doing `what`:
//   23xxx (integrity: unique, foreign key, check)                      -> kConflict
//   08xxx (connection), 40001/40P01 (serialisation, deadlock), 53xxx (resources), 55P03 (lock
//   timeout), 57014 (statement timeout), 57P0x (server shutting down)  -> kUnavailable
//   XX001/XX002 (data or index corrupted)                              -> kCorrupt
//   anything else                                                      -> kInternal
// The message carries the server's own text.
Error translate(std::string_view sqlstate, std::string_view server_message, std::string_view what);

// Instants are stored as BIGINT microseconds since the Unix epoch (UTC), as in SQLite, so a
// value reads back exactly and both backends share one representation.
int64_t toMicros(SystemTime t);
SystemTime fromMicros(int64_t micros);

// The parameters of one statement, $1, $2, ... in the order added. Text values go in text
// format; byte strings (BYTEA) in binary format, so no escaping is involved anywhere.
class Params {
 public:
  Params& add(std::string_view text);
  Params& add(const char* text) { return add(std::string_view(text)); }
  Params& add(const std::string& text) { return add(std::string_view(text)); }
  Params& add(int64_t value);
  Params& add(int value) { return add(static_cast<int64_t>(value)); }
  Params& add(bool value);
  Params& add(SystemTime t) { return add(toMicros(t)); }
  Params& add(const std::optional<SystemTime>& t);  // NULL when absent
  Params& addBytes(std::string_view bytes);         // BYTEA
  Params& addNull();
  // Text, or NULL when empty (a column whose uniqueness ignores NULLs).
  Params& addOrNull(std::string_view text);

  int size() const { return static_cast<int>(values_.size()); }
  // The arrays libpq takes, valid while this object lives and is not changed.
  std::vector<const char*> values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// The rows of one statement (text format). Columns are 0-based.
class Rows {
 public:
  explicit Rows(pg_result* result);
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  // Rows an INSERT/UPDATE/DELETE changed.
  int affected() const;

  bool isNull(int row, int column) const;
  std::string text(int row, int column) const;  // "" for NULL
  int64_t int64(int row, int column) const;     // 0 for NULL
  int integer(int row, int column) const { return static_cast<int>(int64(row, column)); }
  bool boolean(int row, int column) const;
  std::string bytes(int row, int column) const;  // a BYTEA's bytes; "" for NULL
  SystemTime time(int row, int column) const { return fromMicros(int64(row, column)); }
  std::optional<SystemTime> optionalTime(int row, int column) const;

 private:
  pg_result* result_;
};

// One libpq connection, used by one thread at a time (the Pool hands it out). Statements
// with parameters are prepared once per connection and reused.
class Connection {
 public:
  // Connects to `url` (a libpq connection URI or key=value string) and sets what every
  // Kaiban session uses: UTC, READ COMMITTED, `lock_timeout` (how long a statement waits
  // for a row lock held by another transaction; 0 waits forever). kUnavailable if the server
  // cannot be reached or refuses the login; kInvalidInput for a malformed URL.
  static Result<std::unique_ptr<Connection>> open(const std::string& url,
                                                  std::chrono::milliseconds lock_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with parameters (prepared on first use, then reused).
  Result<Rows> execute(std::string_view sql, const Params& params = {});
  // Runs one statement with parameters without preparing it: for statements whose text
  // varies too much to be worth keeping (a batch of any size).
  Result<Rows> executeOnce(std::string_view sql, const Params& params = {});
  // Runs one statement with parameters and returns its rows in binary format (every value
  // as the server stores it: BYTEA raw, TEXT as UTF-8). Not cached. For test tools.
  Result<Rows> executeBinary(std::string_view sql, const Params& params = {});
  // Runs statements without parameters (BEGIN/COMMIT, schema): libpq's simple protocol.
  Result<void> run(std::string_view sql);

  // Whether the connection was lost; a broken connection is not given out again.
  bool broken() const;
  // Whether a transaction is open (or failed and not yet rolled back).
  bool inTransaction() const;
  // Whether the last statement failed because its transaction lost a serialisation or
  // deadlock race (SQLSTATE 40001, 40P01): the whole transaction can simply run again.
  bool lostRace() const { return last_sqlstate_ == "40001" || last_sqlstate_ == "40P01"; }

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  Result<Rows> check(pg_result* result, std::string_view what);

  pg_conn* conn_;
  std::map<std::string, std::string, std::less<>> prepared_;  // sql -> statement name
  std::string last_sqlstate_;  // of the last failed statement; "" after a success
};

// Up to `max_connections` connections to one database, opened on demand and reused. A caller
// that finds every connection busy waits for one. Thread-safe.
class Pool {
 public:
  Pool(std::string url, int max_connections, std::chrono::milliseconds lock_timeout);
  ~Pool();

  // A connection returned to the pool when the lease is destroyed (or dropped if broken).
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }
    // Closes this connection instead of returning it (it is broken or in an unknown state).
    void discard() { connection_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // An idle connection, or a new one while fewer than max_connections exist. kUnavailable if
  // a new one cannot be opened.
  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<Connection> connection);

  const std::string url_;
  const int max_connections_;
  const std::chrono::milliseconds lock_timeout_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  int open_ = 0;                                   // guarded by mutex_
};

// `url` with any password replaced by "***", for messages and logs.
std::string redactUrl(std::string_view url);

}  // namespace kaiban::orchestrator::pg
