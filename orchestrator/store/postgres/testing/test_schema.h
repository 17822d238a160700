#pragma once

#include <string>
#include <string_view>

// Test support for everything that runs against PostgreSQL: a fresh schema per test on the
// server KAIBAN_TEST_POSTGRES_URL names (./kaiban test starts a throw-away one and sets it).
namespace kaiban::orchestrator::pg::testing {

// KAIBAN_TEST_POSTGRES_URL, or "" when it is unset.
std::string serverUrl();

// Why a PostgreSQL test did not run, for GTEST_SKIP(); also printed once to standard error
// so that a partial run cannot pass quietly without them.
std::string skipReason();

// Whether serverUrl() is set. When it is not, the first call prints skipReason() loudly.
bool available();

// A schema of its own on the test server, created empty and dropped (with everything in it)
// on destruction, so tests are hermetic and may run in parallel against one server.
// Construction fails the calling test (ADD_FAILURE) if the server cannot be reached.
// REQUIRES: available().
class TestSchema {
 public:
  TestSchema();
  ~TestSchema();
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;

  const std::string& name() const { return name_; }
  // The server URL with search_path and application_name set to the schema's name: what a
  // store under test opens (schemaUrl).
  const std::string& url() const { return url_; }

  // Runs `sql` (one or more statements) in the schema on a connection of its own, as a
  // person with database access would; fails the test if the server refuses it.
  void execute(std::string_view sql) const;

  // Every value of every row of every table in the schema, in the server's binary form (BYTEA
  // and TEXT as their raw bytes), concatenated: what the database holds, for tests that look
  // for data that must never be stored in clear.
  std::string storedValues() const;

 private:
  std::string name_;
  std::string url_;
};

// `server_url` (URI or key=value form) with options=-csearch_path=<schema> and
// application_name=<schema> added, so the schema's connections can be told apart in
// pg_stat_activity.
std::string schemaUrl(const std::string& server_url, const std::string& schema);

}  // namespace kaiban::orchestrator::pg::testing
