#include "orchestrator/store/postgres/testing/test_schema.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>

#include "orchestrator/store/postgres/pg.h"

namespace kaiban::orchestrator::pg::testing {

namespace {

std::unique_ptr<Connection> connect(const std::string& url) {
  Result<std::unique_ptr<Connection>> connection =
      Connection::open(url, std::chrono::milliseconds{0});
  if (!connection) {
    ADD_FAILURE() << "cannot reach the test PostgreSQL server: " << connection.error();
    return nullptr;
  }
  return std::move(connection).value();
}

std::string uniqueSchemaName() {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  return "kt_" + std::to_string(::getpid()) + "_" + std::to_string(salt % 100000) + "_" +
         std::to_string(++counter);
}

}  // namespace

std::string serverUrl() {
  const char* url = std::getenv("KAIBAN_TEST_POSTGRES_URL");
  return url == nullptr ? std::string() : std::string(url);
}

std::string skipReason() {
  return "KAIBAN_TEST_POSTGRES_URL is not set: the PostgreSQL tests did NOT run. ./kaiban test "
         "starts a throw-away server and sets it; by hand: "
         "orchestrator/store/postgres/local-postgres.sh start /tmp/kaiban-pg, then export the "
         "URL it prints.";
}

bool available() {
  if (!serverUrl().empty()) return true;
  static std::once_flag warned;
  std::call_once(warned, [] {
    std::cerr << "\n*** SKIPPING POSTGRESQL TESTS *** " << skipReason() << "\n\n";
  });
  return false;
}

std::string schemaUrl(const std::string& server_url, const std::string& schema) {
  const bool uri =
      server_url.rfind("postgresql://", 0) == 0 || server_url.rfind("postgres://", 0) == 0;
  if (uri) {
    const char separator = server_url.find('?') == std::string::npos ? '?' : '&';
    return server_url + separator + "options=-csearch_path%3D" + schema +
           "&application_name=" + schema;
  }
  return server_url + " options='-csearch_path=" + schema + "' application_name=" + schema;
}

TestSchema::TestSchema() : name_(uniqueSchemaName()) {
  url_ = schemaUrl(serverUrl(), name_);
  std::unique_ptr<Connection> connection = connect(serverUrl());
  if (!connection) return;
  Result<void> created = connection->run("CREATE SCHEMA " + name_);
  EXPECT_TRUE(created) << created.error();
}

TestSchema::~TestSchema() {
  std::unique_ptr<Connection> connection = connect(serverUrl());
  if (!connection) return;
  Result<void> dropped = connection->run("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  EXPECT_TRUE(dropped) << dropped.error();
}

void TestSchema::execute(std::string_view sql) const {
  std::unique_ptr<Connection> connection = connect(url_);
  if (!connection) return;
  Result<void> ran = connection->run(sql);
  EXPECT_TRUE(ran) << ran.error() << " in: " << sql;
}

std::string TestSchema::storedValues() const {
  std::unique_ptr<Connection> connection = connect(url_);
  if (!connection) return {};
  Result<Rows> tables = connection->execute(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 "
      "ORDER BY table_name",
      Params().add(name_));
  if (!tables) {
    ADD_FAILURE() << tables.error();
    return {};
  }
  std::string out;
  for (int table = 0; table < tables->size(); ++table) {
    Result<Rows> rows =
        connection->executeBinary("SELECT * FROM \"" + tables->text(table, 0) + "\"");
    if (!rows) {
      ADD_FAILURE() << rows.error();
      return {};
    }
    for (int row = 0; row < rows->size(); ++row) {
      for (int column = 0; column < rows->columns(); ++column) {
        out += rows->text(row, column);
        out += '\n';
      }
    }
  }
  return out;
}

}  // namespace kaiban::orchestrator::pg::testing
