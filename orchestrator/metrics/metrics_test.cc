#include "orchestrator/metrics/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include <sqlite3.h>

#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "adapters/transport/https_server.h"
#include "core/timestamp.h"
#include "orchestrator/api/http_common/route_handler_factory.h"
#include "orchestrator/store/sqlite/sqlite_console_store.h"
#include "orchestrator/store/sqlite/sqlite_store.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator::metrics {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const SystemTime kT0 = parseIso8601("2026-03-10T10:00:00+08:00").value();

bool contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

// Runs `promtool check metrics` on `text`: "" when it passes, its complaint otherwise, or
// nullopt when promtool is not installed.
std::optional<std::string> promtoolCheck(const std::string& text,
                                         const std::filesystem::path& dir) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) return std::nullopt;
  const std::filesystem::path input = dir / "metrics.txt";
  const std::filesystem::path output = dir / "promtool.txt";
  std::ofstream(input) << text;
  const std::string command =
      "promtool check metrics < '" + input.string() + "' > '" + output.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return status == 0 ? std::string() : testing::readFile(output);
}

class StoreCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = SqliteStore::open(dir_.path() / "kaiban.db", clock_).value();
    console_ = SqliteConsoleStore::open(dir_.path() / "kaiban.db", clock_).value();
  }

  void addApplication(const std::string& id, ApplicationState state, uint32_t flags,
                      std::vector<StepRecord> steps) {
    Change change;
    change.application.id = id;
    change.application.kiosk_id = "QD-SN-0001";
    change.application.bank_code = "QDBANK";
    change.application.district = "370202";
    change.application.flow_version = 1;
    change.application.state = state;
    change.application.submitted_at = kT0;
    change.application.deadline_at = kT0 + hours{72};
    change.application.updated_at = kT0;
    change.application.flags = flags;
    change.application.sealed_application = "sealed";
    change.application.legal_representative_index = "index-" + id;
    change.steps = std::move(steps);
    ASSERT_TRUE(store_->commit(id, 0, change, {}));
  }

  static StepRecord done(const std::string& id, minutes took) {
    StepRecord step;
    step.step_id = id;
    step.state = StepState::kDone;
    step.ready_at = kT0;
    step.finished_at = kT0 + took;
    return step;
  }

  testing::TempDir dir_;
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteConsoleStore> console_;
};

TEST_F(StoreCollectorTest, ReportsTheStoredStateInTheTextFormat) {
  addApplication("A1", ApplicationState::kCompleted, 0,
                 {done("registration", minutes{10}), done("seal", minutes{90})});
  addApplication("A2", ApplicationState::kInProgress, kFlagAtRisk,
                 {done("registration", minutes{3})});
  addApplication("A3", ApplicationState::kNeedsAttention, kFlagBreached, {});
  ASSERT_TRUE(
      store_->upsertKiosk(KioskRecord{"QD-SN-0001", "QDBANK", "370202", "", true, {}, {}, {}, ""},
                          AuditInput{kT0, "admin:test", "", "kiosk.added", "{}"}));
  ASSERT_TRUE(
      store_->upsertKiosk(KioskRecord{"QD-SN-0002", "QDBANK", "370202", "", true, {}, {}, {}, ""},
                          AuditInput{kT0, "admin:test", "", "kiosk.added", "{}"}));
  ASSERT_TRUE(store_->recordHeartbeat("QD-SN-0001", kT0 - minutes{1}, "{}"));

  auto collector = std::make_shared<StoreCollector>(*console_, *store_, clock_);
  const std::string text = exposition({collector});
  EXPECT_TRUE(contains(text, "kaiban_store_up 1\n")) << text;
  EXPECT_TRUE(contains(text, "kaiban_applications{state=\"completed\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "kaiban_applications{state=\"in_progress\"} 1\n"));
  EXPECT_TRUE(contains(text, "kaiban_applications{state=\"rejected\"} 0\n"));
  EXPECT_TRUE(contains(text, "kaiban_sla_applications{level=\"at_risk\"} 1\n"));
  EXPECT_TRUE(contains(text, "kaiban_sla_applications{level=\"breached\"} 1\n"));
  EXPECT_TRUE(contains(text, "# TYPE kaiban_step_duration_seconds histogram\n"));
  EXPECT_TRUE(contains(text, "kaiban_step_duration_seconds_count{step=\"registration\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text, "kaiban_step_duration_seconds_sum{step=\"registration\"} 780\n"));
  EXPECT_TRUE(contains(text, "kaiban_step_duration_seconds_bucket{step=\"seal\",le=\"3600\"} 0\n"));
  EXPECT_TRUE(contains(text, "kaiban_step_duration_seconds_bucket{step=\"seal\",le=\"7200\"} 1\n"));
  EXPECT_TRUE(contains(text, "kaiban_kiosks{status=\"online\"} 1\n"));
  EXPECT_TRUE(contains(text, "kaiban_kiosks{status=\"never\"} 1\n"));
  EXPECT_TRUE(contains(text,
                       "kaiban_kiosk_last_heartbeat_timestamp_seconds{bank=\"QDBANK\",district="
                       "\"370202\",kiosk=\"QD-SN-0001\"} 1773107940\n"))
      << text;

  // Within reuse_for the reading is kept; after it, the store is read again.
  addApplication("A4", ApplicationState::kSubmitted, 0, {});
  EXPECT_TRUE(contains(exposition({collector}), "kaiban_applications{state=\"submitted\"} 0\n"));
  clock_.advance(std::chrono::seconds{5});
  EXPECT_TRUE(contains(exposition({collector}), "kaiban_applications{state=\"submitted\"} 1\n"));

  std::optional<std::string> complaint = promtoolCheck(text, dir_.path());
  if (!complaint) GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  EXPECT_EQ(*complaint, "");
}

TEST_F(StoreCollectorTest, AStoreThatCannotBeReadIsReportedDownNotAsAFailedScrape) {
  auto collector = std::make_shared<StoreCollector>(*console_, *store_, clock_);
  // Someone with access to the file breaks it behind the orchestrator's back.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "kaiban.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE outbox", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const std::string text = exposition({collector});
  EXPECT_TRUE(contains(text, "kaiban_store_up 0\n")) << text;
  EXPECT_FALSE(contains(text, "kaiban_applications"));
}

// Every metric the shipped Grafana dashboard queries is one this orchestrator exports.
TEST_F(StoreCollectorTest, TheGrafanaDashboardQueriesOnlyExportedMetrics) {
  Metrics metrics;
  metrics.observeHttp("admin", "/metrics", "GET", 200, std::chrono::milliseconds{2});
  Error timeout = Error::timeout("slow");
  metrics.observePartnerCall("bank", "bank.dispatch", &timeout, std::chrono::milliseconds{5});
  auto collector = std::make_shared<StoreCollector>(*console_, *store_, clock_);
  const std::string text = exposition({metrics.registry(), collector});

  const std::string dashboard = testing::readFile(testing::repoFile("docs/grafana-dashboard.json"));
  const std::regex name("kaiban_[a-z_]+");
  std::set<std::string> queried;
  for (auto it = std::sregex_iterator(dashboard.begin(), dashboard.end(), name);
       it != std::sregex_iterator(); ++it) {
    std::string metric = it->str();
    for (const char* suffix : {"_bucket", "_count", "_sum"}) {
      const std::string end(suffix);
      if (metric.size() > end.size() && metric.ends_with(end) &&
          !contains(text, "# TYPE " + metric + " ")) {
        metric.resize(metric.size() - end.size());
      }
    }
    queried.insert(metric);
  }
  EXPECT_GE(queried.size(), 10u);
  for (const std::string& metric : queried) {
    EXPECT_TRUE(contains(text, "# TYPE " + metric + " ")) << metric << " is not exported";
  }
}

class Adapter final : public adapters::StepAdapter {
 public:
  std::string_view partner() const override { return "bank"; }
  Result<adapters::Ack> dispatch(const adapters::StepRequest&) override {
    if (fail) return Error::timeout("no answer in 5 s");
    return adapters::Ack{"REF-1"};
  }
  Result<adapters::StepOutcome> poll(const adapters::MessageId&) override {
    return adapters::StepOutcome{};
  }
  Result<adapters::StepOutcome> decodeCallback(std::string_view) const override {
    return Error::invalidInput("not used");
  }
  bool fail = false;
};

class People final : public adapters::PeopleDirectory {
 public:
  Result<adapters::PersonRecord> lookup(std::string_view id) override {
    if (id == "unknown") return Error::notFound("no such person");
    return Error::unavailable("down");
  }
};

TEST(MeteredAdaptersTest, CountCallsErrorsAndLatencyByPartner) {
  Metrics metrics;
  ManualClock clock(kT0);
  Adapter bank;
  MeteredStepAdapter metered(bank, "bank", metrics, clock);
  EXPECT_EQ(metered.partner(), "bank");
  EXPECT_TRUE(metered.dispatch(adapters::StepRequest{}));
  bank.fail = true;
  Result<adapters::Ack> failed = metered.dispatch(adapters::StepRequest{});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kTimeout);  // errors pass through unchanged
  EXPECT_TRUE(metered.poll("m-1"));
  People people;
  MeteredPeopleDirectory directory(people, metrics, clock);
  EXPECT_FALSE(directory.lookup("unknown"));  // an answer, not an error
  EXPECT_FALSE(directory.lookup("someone"));

  const std::string text = exposition({metrics.registry()});
  EXPECT_TRUE(contains(
      text, "kaiban_partner_requests_total{operation=\"bank.dispatch\",partner=\"bank\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "kaiban_partner_errors_total{code=\"timeout\",operation=\"bank.dispatch\","
                       "partner=\"bank\"} 1\n"));
  EXPECT_TRUE(
      contains(text,
               "kaiban_partner_request_duration_seconds_count{operation=\"bank.poll\",partner="
               "\"bank\"} 1\n"));
  EXPECT_TRUE(
      contains(text, "kaiban_partner_requests_total{operation=\"lookup\",partner=\"people\"} 2\n"));
  EXPECT_TRUE(contains(text,
                       "kaiban_partner_errors_total{code=\"unavailable\",operation=\"lookup\","
                       "partner=\"people\"} 1\n"));
  EXPECT_FALSE(contains(text, "code=\"not_found\""));
}

class Sms final : public adapters::Notifier {
 public:
  Result<void> notify(const adapters::MessageId&, std::string_view, std::string_view) override {
    return Error::unavailable("gateway down");
  }
};

TEST(MeteredAdaptersTest, MeteredPartnersWrapEveryAdapterUnderItsFlowName) {
  Metrics metrics;
  ManualClock clock(kT0);
  Adapter bank;
  Adapter tax_agreement;  // two flow adapters may share one partner
  Sms sms;
  People people;
  MeteredPartners partners({{"bank", &bank}, {"tax_agreement", &tax_agreement}}, sms, people,
                           metrics, clock);
  ASSERT_EQ(partners.stepAdapters().size(), 2u);
  EXPECT_TRUE(partners.stepAdapters().at("tax_agreement")->dispatch(adapters::StepRequest{}));
  EXPECT_FALSE(partners.notifier().notify("m", "13800138000", "hello"));
  EXPECT_FALSE(partners.people().lookup("unknown"));
  const std::string text = exposition({metrics.registry()});
  EXPECT_TRUE(contains(text,
                       "kaiban_partner_requests_total{operation=\"tax_agreement.dispatch\","
                       "partner=\"bank\"} 1\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "kaiban_partner_errors_total{code=\"unavailable\",operation=\"notify\","
                       "partner=\"sms\"} 1\n"));
  EXPECT_TRUE(
      contains(text, "kaiban_partner_requests_total{operation=\"lookup\",partner=\"people\"} 1\n"));
}

class Echo final : public api::RouteHandler {
 public:
  api::HttpReply handle(const api::RouteRequest& request) override {
    return request.param("id") == "missing"
               ? api::HttpReply::error(Error::notFound("no such thing"))
               : api::HttpReply::text(200, "ok");
  }
};

int get(int port, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response).ignore(1 << 20);
  return static_cast<int>(response.getStatus());
}

TEST(MeteredHandlerFactoryTest, CountsRequestsByRoutePatternAndStatusAndServesMetrics) {
  SystemClock clock;
  Metrics metrics;
  auto routes = std::make_shared<api::RouteTable>();
  routes->add("GET", "/things/{id}", std::make_shared<Echo>());
  addMetricsRoute(*routes, {metrics.registry()});
  transport::HttpsServer server(
      new MeteredHandlerFactory(new api::RouteHandlerFactory(routes, "test.http", clock), routes,
                                "admin", metrics, clock),
      nullptr, transport::ServerOptions{});
  server.start();
  EXPECT_EQ(get(server.port(), "/things/1"), 200);
  EXPECT_EQ(get(server.port(), "/things/2"), 200);
  EXPECT_EQ(get(server.port(), "/things/missing"), 404);
  EXPECT_EQ(get(server.port(), "/nowhere"), 404);

  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/metrics",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string text(std::istreambuf_iterator<char>(session.receiveResponse(response)), {});
  server.stop();
  EXPECT_EQ(response.getContentType(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(contains(text,
                       "kaiban_http_requests_total{listener=\"admin\",method=\"GET\",route=\"/"
                       "things/{id}\",status=\"200\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "kaiban_http_requests_total{listener=\"admin\",method=\"GET\",route=\"/"
                       "things/{id}\",status=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text,
                       "kaiban_http_requests_total{listener=\"admin\",method=\"GET\",route="
                       "\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_FALSE(contains(text, "things/1"));
}

}  // namespace
}  // namespace kaiban::orchestrator::metrics
