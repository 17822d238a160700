#include <gtest/gtest.h>

#include <fstream>

#include "orchestrator/app/config.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator::app {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    sources_.var_dir = dir_.path() / "var";
    sources_.resource_dir = "/src/kaiban";
  }

  std::filesystem::path writeFile(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_.path());
    std::filesystem::path path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }

  Error errorOf(const Result<OrchestratorConfig>& config) {
    EXPECT_FALSE(config) << "accepted";
    return config ? Error{} : config.error();
  }

  kaiban::testing::TempDir dir_;
  ConfigSources sources_;
};

TEST_F(ConfigTest, DefaultsDeriveFromVarPkiAndResources) {
  Result<OrchestratorConfig> config = loadConfig(sources_);
  ASSERT_TRUE(config) << config.error();
  const std::filesystem::path var = dir_.path() / "var";
  EXPECT_FALSE(config->config_file);
  EXPECT_EQ(config->pki_dir, var / "pki");
  EXPECT_EQ(config->api.host, "0.0.0.0");
  EXPECT_EQ(config->api.port, 8443);
  EXPECT_EQ(config->admin.host, "127.0.0.1");
  EXPECT_EQ(config->admin.port, 9464);
  EXPECT_EQ(config->tls_ca, var / "pki" / "ca.crt");
  EXPECT_EQ(config->tls_server_certificate, var / "pki" / "orchestrator" / "server.crt");
  EXPECT_EQ(config->tls_crl, var / "pki" / "ca.crl");
  EXPECT_EQ(config->tls_client_key, var / "pki" / "orchestrator" / "client.key");
  EXPECT_EQ(config->key_file, var / "pki" / "keys" / "orchestrator.key");
  EXPECT_EQ(config->database, var / "orchestrator.db");
  EXPECT_EQ(config->ports_file, var / "run" / "orchestrator.ports.json");
  EXPECT_EQ(config->calendar_dir, std::filesystem::path("/src/kaiban/data/calendar"));
  EXPECT_EQ(config->flows_dir, std::filesystem::path("/src/kaiban/orchestrator/flows"));
  EXPECT_EQ(config->flow_schema, std::filesystem::path("/src/kaiban/orchestrator/flows/flow.xsd"));
  EXPECT_EQ(config->schema_dir, std::filesystem::path("/src/kaiban/adapters/schemas"));
  EXPECT_EQ(config->partners.at("registry").port, 9001);
  EXPECT_EQ(config->partners.at("sms").port, 9006);
  EXPECT_EQ(config->dispatcher_lease, std::chrono::seconds(120));
  EXPECT_EQ(config->dispatcher_owner.rfind("orchestrator@", 0), 0u) << config->dispatcher_owner;
  EXPECT_TRUE(config->notifications);
  EXPECT_FALSE(config->log_file);
}

TEST_F(ConfigTest, PkiFlagMovesEveryTlsDefault) {
  sources_.pki_dir = "/etc/kaiban/pki";
  Result<OrchestratorConfig> config = loadConfig(sources_);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->tls_ca, std::filesystem::path("/etc/kaiban/pki/ca.crt"));
  EXPECT_EQ(config->key_file, std::filesystem::path("/etc/kaiban/pki/keys/orchestrator.key"));
}

TEST_F(ConfigTest, ReadsTheDefaultFileAndOverridesWin) {
  std::filesystem::create_directories(dir_.path() / "var");
  std::ofstream(dir_.path() / "var" / "orchestrator.properties")
      << "# test\napi.port = 18443\npartners.bank.port = 19003\nresources.dir = /r\n"
         "flows.dir = /flows\ndispatcher.lease_seconds = 7\ntls.crl = none\n"
         "engine.notifications = false\nlog.file = /tmp/o.log\n";
  sources_.overrides = {"api.port=28443", "admin.port = 0"};
  Result<OrchestratorConfig> config = loadConfig(sources_);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->config_file, dir_.path() / "var" / "orchestrator.properties");
  EXPECT_EQ(config->api.port, 28443);
  EXPECT_EQ(config->admin.port, 0);
  EXPECT_EQ(config->partners.at("bank").port, 19003);
  EXPECT_EQ(config->calendar_dir, std::filesystem::path("/r/data/calendar"));
  EXPECT_EQ(config->flows_dir, std::filesystem::path("/flows"));
  EXPECT_EQ(config->flow_schema, std::filesystem::path("/flows/flow.xsd"));
  EXPECT_EQ(config->dispatcher_lease, std::chrono::seconds(7));
  EXPECT_FALSE(config->tls_crl);
  EXPECT_FALSE(config->notifications);
  EXPECT_EQ(config->log_file, std::filesystem::path("/tmp/o.log"));
}

TEST_F(ConfigTest, ReadsAnIniFile) {
  sources_.config_file =
      writeFile("orchestrator.ini", "[api]\nport = 1234\n[store]\npath = x.db\n");
  Result<OrchestratorConfig> config = loadConfig(sources_);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->api.port, 1234);
  EXPECT_EQ(config->database, std::filesystem::path("x.db"));
}

TEST_F(ConfigTest, RefusesAMissingExplicitFile) {
  sources_.config_file = dir_.path() / "absent.properties";
  EXPECT_NE(errorOf(loadConfig(sources_)).message.find("does not exist"), std::string::npos);
}

TEST_F(ConfigTest, RefusesUnknownKeysNamingWhereTheyCameFrom) {
  sources_.config_file = writeFile("o.properties", "api.prot = 1\n");
  Error error = errorOf(loadConfig(sources_));
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
  EXPECT_NE(error.message.find("'api.prot'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("o.properties"), std::string::npos) << error.message;

  sources_.config_file.reset();
  sources_.overrides = {"partners.fax.port=1"};
  error = errorOf(loadConfig(sources_));
  EXPECT_NE(error.message.find("'partners.fax.port' (from --set)"), std::string::npos)
      << error.message;
}

TEST_F(ConfigTest, RefusesBadValuesNamingTheKey) {
  sources_.overrides = {"api.port=http"};
  Error error = errorOf(loadConfig(sources_));
  EXPECT_EQ(error.field, "api.port");
  EXPECT_NE(error.message.find("not a whole number"), std::string::npos) << error.message;

  sources_.overrides = {"api.port=70000"};
  EXPECT_NE(errorOf(loadConfig(sources_)).message.find("out of range 0..65535"), std::string::npos);
  sources_.overrides = {"dispatcher.threads=0"};
  EXPECT_EQ(errorOf(loadConfig(sources_)).field, "dispatcher.threads");
  sources_.overrides = {"engine.notifications=maybe"};
  EXPECT_EQ(errorOf(loadConfig(sources_)).field, "engine.notifications");
  sources_.overrides = {"log.level=loud"};
  EXPECT_EQ(errorOf(loadConfig(sources_)).field, "log.level");
  sources_.overrides = {"store.path="};
  EXPECT_NE(errorOf(loadConfig(sources_)).message.find("must not be empty"), std::string::npos);
  sources_.overrides = {"dispatcher.owner=a#b"};
  EXPECT_EQ(errorOf(loadConfig(sources_)).field, "dispatcher.owner");
  sources_.overrides = {"no-equals-sign"};
  EXPECT_NE(errorOf(loadConfig(sources_)).message.find("key=value"), std::string::npos);
}

TEST_F(ConfigTest, KeepsTheAdminListenerOnLoopback) {
  sources_.overrides = {"admin.host=0.0.0.0"};
  Error error = errorOf(loadConfig(sources_));
  EXPECT_EQ(error.field, "admin.host");
  EXPECT_NE(error.message.find("loopback"), std::string::npos);
  for (const char* host : {"127.0.0.1", "::1", "localhost", "127.0.0.2"}) {
    sources_.overrides = {std::string("admin.host=") + host};
    EXPECT_TRUE(loadConfig(sources_)) << host;
  }
}

TEST_F(ConfigTest, PicksTheStoreBackend) {
  OrchestratorConfig defaults = loadConfig(sources_).value();
  EXPECT_EQ(defaults.store_backend, StoreBackend::kSqlite);
  sources_.overrides = {"store=postgres", "postgres.url=postgresql://kaiban@db:5432/kaiban",
                        "postgres.max_connections=24"};
  OrchestratorConfig postgres = loadConfig(sources_).value();
  EXPECT_EQ(postgres.store_backend, StoreBackend::kPostgres);
  EXPECT_EQ(postgres.postgres_url, "postgresql://kaiban@db:5432/kaiban");
  EXPECT_EQ(postgres.postgres_max_connections, 24);

  sources_.overrides = {"store=postgres"};
  EXPECT_EQ(errorOf(loadConfig(sources_)).field, "postgres.url");
  sources_.overrides = {"store=mysql"};
  Error error = errorOf(loadConfig(sources_));
  EXPECT_EQ(error.field, "store");
  EXPECT_NE(error.message.find("sqlite or postgres"), std::string::npos) << error;
}

TEST_F(ConfigTest, EveryDocumentedKeyIsAccepted) {
  for (const ConfigKey& key : configKeys()) {
    if (std::string_view(key.name).find('<') != std::string_view::npos) continue;
    sources_.overrides = {std::string(key.name) + "=1"};
    Result<OrchestratorConfig> config = loadConfig(sources_);
    // "1" is a valid value for most keys; what matters is that none is unknown.
    if (!config) {
      EXPECT_EQ(config.error().message.find("unknown"), std::string::npos) << config.error();
    }
  }
}

}  // namespace
}  // namespace kaiban::orchestrator::app
