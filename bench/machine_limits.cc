#include "bench/machine_limits.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "bench/measure.h"

namespace kaiban::bench {

namespace {

// ---------------------------------------------------------------- SQLite

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalize {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalize>;

Error sqliteError(sqlite3* db, const std::string& what) {
  return Error::unavailable("raw SQLite measurement: " + what + ": " + sqlite3_errmsg(db));
}

Result<void> exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Error::unavailable("raw SQLite measurement: " + sql + ": " + text);
  }
  return ok();
}

// Inserts rows of `payload` for `each`, `rows_per_commit` per transaction (1: autocommit).
// Rows per second.
Result<double> insertRate(sqlite3* db, sqlite3_stmt* insert, const std::string& payload,
                          int rows_per_commit, std::chrono::milliseconds each) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + each;
  long long rows = 0;
  while (Clock::now() < deadline) {
    if (rows_per_commit > 1) {
      if (Result<void> begun = exec(db, "BEGIN"); !begun) return begun.error();
    }
    for (int i = 0; i < rows_per_commit; ++i) {
      sqlite3_bind_blob(insert, 1, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) return sqliteError(db, "insert");
      sqlite3_reset(insert);
    }
    if (rows_per_commit > 1) {
      if (Result<void> committed = exec(db, "COMMIT"); !committed) return committed.error();
    }
    rows += rows_per_commit;
  }
  return static_cast<double>(rows) / secondsSince(start);
}

// ---------------------------------------------------------------- TLS

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct SessionFree {
  void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;

std::string openSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no reason given" : text;
}

// True when `result` of an SSL call only means "the other side must move first".
bool wouldBlock(SSL* ssl, int result) {
  const int code = SSL_get_error(ssl, result);
  return code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE;
}

// One connection between the two contexts over a BIO pair: the handshake, a request and an
// answer (which also carries the server's session ticket to the client). With `resume`, the
// client offers it. Returns the client's session for the next connection.
Result<SessionPtr> connectOnce(SSL_CTX* server_context, SSL_CTX* client_context,
                               SSL_SESSION* resume, bool& resumed) {
  SslPtr server(SSL_new(server_context));
  SslPtr client(SSL_new(client_context));
  if (!server || !client) return Error::internal("SSL_new: " + openSslErrors());
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) {
    return Error::internal("BIO_new_bio_pair: " + openSslErrors());
  }
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_bio(server.get(), server_bio, server_bio);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  // The orchestrator's certificate names localhost, as kiosks check it.
  SSL_set1_host(client.get(), "localhost");
  SSL_set_tlsext_host_name(client.get(), "localhost");
  if (resume != nullptr) SSL_set_session(client.get(), resume);

  bool client_done = false;
  bool server_done = false;
  for (int round = 0; !(client_done && server_done); ++round) {
    if (round > 32) return Error::internal("TLS handshake does not finish");
    if (!client_done) {
      const int result = SSL_do_handshake(client.get());
      if (result == 1) {
        client_done = true;
      } else if (!wouldBlock(client.get(), result)) {
        return Error::invalidInput("client handshake: " + openSslErrors());
      }
    }
    if (!server_done) {
      const int result = SSL_do_handshake(server.get());
      if (result == 1) {
        server_done = true;
      } else if (!wouldBlock(server.get(), result)) {
        return Error::invalidInput("server handshake: " + openSslErrors());
      }
    }
  }
  char buffer[64];
  static constexpr char kRequest[] = "GET /api/v1/applications?limit=1 HTTP/1.1\r\n\r\n";
  static constexpr char kAnswer[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  if (SSL_write(client.get(), kRequest, sizeof kRequest - 1) <= 0 ||
      SSL_read(server.get(), buffer, sizeof buffer) <= 0 ||
      SSL_write(server.get(), kAnswer, sizeof kAnswer - 1) <= 0 ||
      SSL_read(client.get(), buffer, sizeof buffer) <= 0) {
    return Error::invalidInput("request over TLS: " + openSslErrors());
  }
  resumed = SSL_session_reused(client.get()) == 1;
  // Closed with close_notify both ways, as a keep-alive connection ends: OpenSSL drops the
  // session from the server's cache when a connection is freed without it.
  SSL_shutdown(client.get());
  SSL_shutdown(server.get());
  return SessionPtr(SSL_get1_session(client.get()));
}

// Connections per second over `threads` threads for `each`, resuming sessions or not.
Result<double> handshakeRate(SSL_CTX* server_context, SSL_CTX* client_context, bool resume,
                             int threads, std::chrono::milliseconds each) {
  std::atomic<long long> connections{0};
  std::atomic<long long> not_resumed{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + each;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      SessionPtr session;
      bool resumed = false;
      while (Clock::now() < deadline) {
        Result<SessionPtr> next =
            connectOnce(server_context, client_context, resume ? session.get() : nullptr, resumed);
        if (!next) {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = next.error();
          return;
        }
        if (resume && session && !resumed) ++not_resumed;
        session = std::move(next).value();
        ++connections;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  if (first_error) return *first_error;
  if (resume && not_resumed.load() > connections.load() / 100) {
    return Error::internal("TLS sessions were not resumed (" + std::to_string(not_resumed.load()) +
                           " of " + std::to_string(connections.load()) + " connections)");
  }
  return static_cast<double>(connections.load()) / secondsSince(start);
}

}  // namespace

Result<SqliteLimits> measureSqlite(const std::filesystem::path& dir, int row_bytes,
                                   std::chrono::milliseconds each) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "raw-commits.db";
  std::filesystem::remove(file);
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    SqlitePtr closer(raw);
    return sqliteError(raw, "open " + file.string());
  }
  SqlitePtr db(raw);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"}) {
    if (Result<void> done = exec(db.get(), sql); !done) return done.error();
  }
  sqlite3_stmt* prepared = nullptr;
  if (sqlite3_prepare_v2(db.get(), "INSERT INTO rows (body) VALUES (?)", -1, &prepared, nullptr) !=
      SQLITE_OK) {
    return sqliteError(db.get(), "prepare");
  }
  StatementPtr insert(prepared);
  // Random bytes, as sealed (encrypted) application data is.
  std::string payload(static_cast<std::size_t>(row_bytes), '\0');
  std::mt19937 random(7);
  for (char& byte : payload) byte = static_cast<char>(random());

  SqliteLimits limits;
  limits.row_bytes = row_bytes;
  Result<double> durable = insertRate(db.get(), insert.get(), payload, 1, each);
  if (!durable) return durable.error();
  limits.durable_commits_per_s = *durable;
  Result<double> batched = insertRate(db.get(), insert.get(), payload, 100, each);
  if (!batched) return batched.error();
  limits.batched_rows_per_s = *batched;
  if (Result<void> normal = exec(db.get(), "PRAGMA synchronous=NORMAL"); !normal) {
    return normal.error();
  }
  Result<double> relaxed = insertRate(db.get(), insert.get(), payload, 1, each);
  if (!relaxed) return relaxed.error();
  limits.normal_commits_per_s = *relaxed;
  insert.reset();
  db.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(file.string() + suffix);
  }
  return limits;
}

Result<TlsLimits> measureTls(const transport::TlsFiles& server, const transport::TlsFiles& client,
                             int threads, std::chrono::milliseconds each) {
  Poco::Net::Context::Ptr server_context;
  Poco::Net::Context::Ptr client_context;
  try {
    server_context = transport::makeServerContext(server, transport::ClientCertificates::kRequired);
    client_context = transport::makeClientContext(client);
  } catch (const std::runtime_error& error) {
    return Error::invalidInput(error.what());
  }
  TlsLimits limits;
  limits.threads = threads;
  Result<double> full = handshakeRate(server_context->sslContext(), client_context->sslContext(),
                                      false, threads, each);
  if (!full) return full.error();
  limits.full_handshakes_per_s = *full;
  Result<double> resumed = handshakeRate(server_context->sslContext(), client_context->sslContext(),
                                         true, threads, each);
  if (!resumed) return resumed.error();
  limits.resumed_handshakes_per_s = *resumed;
  return limits;
}

Result<double> measureXmlParseValidate(const std::filesystem::path& xsd,
                                       const std::string& document,
                                       std::chrono::milliseconds each) {
  xmlInitParser();
  // Read here and compiled from memory: kaiban_xml installs an external-entity loader that
  // opens no file it has not checked itself, and this measurement goes around kaiban_xml.
  std::ifstream in(xsd, std::ios::binary);
  const std::string schema_text((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (schema_text.empty()) return Error::invalidInput("cannot read " + xsd.string());
  std::unique_ptr<xmlSchemaParserCtxt, decltype(&xmlSchemaFreeParserCtxt)> parser(
      xmlSchemaNewMemParserCtxt(schema_text.data(), static_cast<int>(schema_text.size())),
      xmlSchemaFreeParserCtxt);
  if (!parser) return Error::invalidInput("cannot read " + xsd.string());
  std::unique_ptr<xmlSchema, decltype(&xmlSchemaFree)> schema(xmlSchemaParse(parser.get()),
                                                              xmlSchemaFree);
  if (!schema) return Error::invalidInput("cannot compile " + xsd.string());
  std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> validator(
      xmlSchemaNewValidCtxt(schema.get()), xmlSchemaFreeValidCtxt);
  if (!validator) return Error::internal("xmlSchemaNewValidCtxt failed");

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + each;
  long long documents = 0;
  while (Clock::now() < deadline) {
    xmlDocPtr doc = xmlReadMemory(document.data(), static_cast<int>(document.size()), "message.xml",
                                  nullptr, XML_PARSE_NONET);
    if (doc == nullptr) return Error::invalidInput("the document does not parse");
    const int valid = xmlSchemaValidateDoc(validator.get(), doc);
    xmlFreeDoc(doc);
    if (valid != 0) return Error::invalidInput("the document is not valid against " + xsd.string());
    ++documents;
  }
  return static_cast<double>(documents) / secondsSince(start);
}

}  // namespace kaiban::bench
