#include "orchestrator/store/postgres/pg.h"

#include <libpq-fe.h>

#include <charconv>

namespace kaiban::orchestrator::pg {

Error translate(std::string_view sqlstate, std::string_view server_message, std::string_view what) {
  std::string message = "postgres: " + std::string(server_message);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  message += " (" + std::string(what) + ")";
  const std::string_view klass = sqlstate.substr(0, 2);
  if (klass == "23") return Error::conflict(std::move(message));
  if (klass == "08" || klass == "53" || klass == "57" || sqlstate == "40001" ||
      sqlstate == "40P01" || sqlstate == "55P03") {
    return Error::unavailable(std::move(message));
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") return Error::corrupt(std::move(message));
  return Error::internal(std::move(message));
}

int64_t toMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SystemTime fromMicros(int64_t micros) {
  return SystemTime{
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::microseconds{micros})};
}

Params& Params::add(std::string_view text) {
  values_.emplace_back(std::string(text));
  lengths_.push_back(static_cast<int>(text.size()));
  formats_.push_back(0);
  return *this;
}

Params& Params::add(int64_t value) { return add(std::string_view(std::to_string(value))); }

Params& Params::add(bool value) { return add(std::string_view(value ? "true" : "false")); }

Params& Params::add(const std::optional<SystemTime>& t) { return t ? add(*t) : addNull(); }

Params& Params::addBytes(std::string_view bytes) {
  values_.emplace_back(std::string(bytes));
  lengths_.push_back(static_cast<int>(bytes.size()));
  formats_.push_back(1);
  return *this;
}

Params& Params::addNull() {
  values_.emplace_back(std::nullopt);
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

Params& Params::addOrNull(std::string_view text) { return text.empty() ? addNull() : add(text); }

std::vector<const char*> Params::values() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const std::optional<std::string>& value : values_) {
    pointers.push_back(value ? value->data() : nullptr);
  }
  return pointers;
}

Rows::Rows(pg_result* result) : result_(result) {}

Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

int Rows::size() const { return PQntuples(result_); }

int Rows::columns() const { return PQnfields(result_); }

int Rows::affected() const {
  const char* count = PQcmdTuples(result_);
  int value = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), value);
  return value;
}

bool Rows::isNull(int row, int column) const { return PQgetisnull(result_, row, column) == 1; }

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column), PQgetlength(result_, row, column));
}

int64_t Rows::int64(int row, int column) const {
  const char* value = PQgetvalue(result_, row, column);
  int64_t number = 0;
  std::from_chars(value, value + PQgetlength(result_, row, column), number);
  return number;
}

bool Rows::boolean(int row, int column) const {
  return PQgetlength(result_, row, column) > 0 && PQgetvalue(result_, row, column)[0] == 't';
}

std::string Rows::bytes(int row, int column) const {
  if (isNull(row, column)) return {};
  size_t length = 0;
  unsigned char* decoded = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)), &length);
  if (decoded == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(decoded), length);
  PQfreemem(decoded);
  return out;
}

std::optional<SystemTime> Rows::optionalTime(int row, int column) const {
  if (isNull(row, column)) return std::nullopt;
  return time(row, column);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url,
                                                     std::chrono::milliseconds lock_timeout) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string message = parse_error != nullptr ? parse_error : "cannot parse it";
    PQfreemem(parse_error);
    return Error::invalidInput("postgres: bad connection URL " + redactUrl(url) + ": " + message,
                               "postgres.url");
  }
  PQconninfoFree(parsed);

  pg_conn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return Error::unavailable("postgres: out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error::unavailable("postgres: cannot connect to " + redactUrl(url) + ": " + message);
  }
  std::unique_ptr<Connection> connection(new Connection(conn));
  // Times are BIGINT micros, so the session time zone matters only to people reading with
  // psql; READ COMMITTED is what the store's locking is designed for (postgres_store.h).
  const std::string setup =
      "SET TIME ZONE 'UTC'; SET default_transaction_isolation = 'read committed'; "
      "SET lock_timeout = " +
      std::to_string(lock_timeout.count()) + "; SET client_min_messages = warning";
  if (Result<void> set = connection->run(setup); !set) return set.error();
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::inTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Result<Rows> Connection::check(pg_result* result, std::string_view what) {
  Rows rows(result);
  last_sqlstate_.clear();
  const ExecStatusType status = PQresultStatus(result);
  if (result != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return rows;
  if (result == nullptr || broken()) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error::unavailable("postgres: connection lost: " + message + " (" + std::string(what) +
                              ")");
  }
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  last_sqlstate_ = sqlstate != nullptr ? sqlstate : "";
  return translate(last_sqlstate_, PQresultErrorMessage(result), what);
}

Result<Rows> Connection::execute(std::string_view sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    const std::string name = "k" + std::to_string(prepared_.size() + 1);
    Result<Rows> prepared = check(
        PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr), "preparing " + name);
    if (!prepared) {
      Error error = prepared.error();
      error.message += ": " + std::string(sql);
      return error;
    }
    found = prepared_.emplace(std::string(sql), name).first;
  }
  const std::vector<const char*> values = params.values();
  return check(PQexecPrepared(conn_, found->second.c_str(), params.size(), values.data(),
                              params.lengths(), params.formats(), 0),
               sql);
}

Result<Rows> Connection::executeOnce(std::string_view sql, const Params& params) {
  const std::vector<const char*> values = params.values();
  return check(PQexecParams(conn_, std::string(sql).c_str(), params.size(), nullptr, values.data(),
                            params.lengths(), params.formats(), 0),
               sql);
}

Result<Rows> Connection::executeBinary(std::string_view sql, const Params& params) {
  const std::vector<const char*> values = params.values();
  return check(PQexecParams(conn_, std::string(sql).c_str(), params.size(), nullptr, values.data(),
                            params.lengths(), params.formats(), 1),
               sql);
}

Result<void> Connection::run(std::string_view sql) {
  Result<Rows> done = check(PQexec(conn_, std::string(sql).c_str()), sql);
  if (!done) return done.error();
  return ok();
}

Pool::Pool(std::string url, int max_connections, std::chrono::milliseconds lock_timeout)
    : url_(std::move(url)),
      max_connections_(std::max(max_connections, 1)),
      lock_timeout_(lock_timeout) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->release(std::move(connection_));
}

Result<Pool::Lease> Pool::acquire() {
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;
  }
  Result<std::unique_ptr<Connection>> opened = Connection::open(url_, lock_timeout_);
  if (!opened) {
    release(nullptr);
    return opened.error();
  }
  return Lease(this, std::move(opened).value());
}

void Pool::release(std::unique_ptr<Connection> connection) {
  // A connection that broke, or that a failure left inside a transaction, is closed rather
  // than handed to the next caller.
  if (connection && (connection->broken() || connection->inTransaction())) connection.reset();
  {
    std::lock_guard lock(mutex_);
    if (connection) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
}

std::string redactUrl(std::string_view url) {
  // postgresql://user:password@host/...: the password sits between the first ':' after the
  // scheme and the '@'.
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    const size_t at = url.find('@', scheme + 3);
    const size_t colon = url.find(':', scheme + 3);
    if (at != std::string_view::npos && colon != std::string_view::npos && colon < at) {
      return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
    }
    return std::string(url);
  }
  // key=value form: hide the value of password=.
  std::string out(url);
  const size_t key = out.find("password=");
  if (key != std::string::npos) {
    size_t end = out.find(' ', key);
    if (end == std::string::npos) end = out.size();
    out.replace(key + 9, end - key - 9, "***");
  }
  return out;
}

}  // namespace kaiban::orchestrator::pg
