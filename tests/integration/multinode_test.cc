#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "Poco/JSON/Object.h"
#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "core/application_json.h"
#include "orchestrator/store/postgres/pg.h"
#include "orchestrator/store/postgres/testing/test_schema.h"
#include "tests/integration/multinode_cluster.h"

// Issue 8, "Scale-out": three kaiban-orchestrator processes share one PostgreSQL database
// behind a TCP passthrough balancer. Three kiosks submit a few hundred applications through
// the balancer over mutual TLS, so submissions land on every node; kaiban-sim's callbacks
// land on every node too. Mid-way one node is killed with SIGKILL and not restarted: the
// claims it held must go to the others once their leases run out, every application must
// complete, and the simulators must show every partner effect exactly once.
//
// KAIBAN_MULTINODE_APPS (default 240) and KAIBAN_MULTINODE_SEED (default 20261127) change
// the run.
namespace kaiban::testing {
namespace {

using transport::HttpsClient;
using transport::Response;

constexpr int kNodes = 3;
// Leases short enough that the dead node's work resumes within the test's patience; longer
// than any partner call here (partners.read_timeout_ms=3000), as operations-scale-out.md says.
constexpr int kLeaseSeconds = 8;
const char* const kKiosks[][2] = {
    {"QD-SN-0001", "BOCQD"}, {"QD-SN-0002", "BOCQD"}, {"QD-LS-0001", "ICBCQD"}};

int envInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::atoi(value);
}

std::string chineseNumber(int number) {
  static const char* const kDigits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  std::string text;
  for (char digit : std::to_string(number)) text += kDigits[digit - '0'];
  return text;
}

std::string applicationBody(const std::string& kiosk, const std::string& bank, int number) {
  Application application = adapters::testing::sampleApplication();
  application.kiosk_id = kiosk;
  application.bank_code = bank;
  application.enterprise.name = "青岛多节点" + chineseNumber(number) + "号信息科技有限公司";
  std::ostringstream out;
  toJson(application)->stringify(out);
  return out.str();
}

// Rows still leased to `owner`'s dispatcher workers and timer loop.
int64_t leasesHeldBy(const std::string& url, const std::string& owner) {
  Result<std::unique_ptr<orchestrator::pg::Connection>> db =
      orchestrator::pg::Connection::open(url, std::chrono::milliseconds{0});
  if (!db) {
    ADD_FAILURE() << db.error();
    return -1;
  }
  Result<orchestrator::pg::Rows> rows = (*db)->execute(
      "SELECT (SELECT count(*) FROM outbox WHERE lease_owner = $1 OR starts_with(lease_owner, "
      "$2) OR starts_with(lease_owner, $3)) + (SELECT count(*) FROM timers WHERE lease_owner "
      "= $1 OR starts_with(lease_owner, $2) OR starts_with(lease_owner, $3))",
      orchestrator::pg::Params().add(owner).add(owner + "#").add(owner + "/"));
  if (!rows) {
    ADD_FAILURE() << rows.error();
    return -1;
  }
  return rows->int64(0, 0);
}

// What the simulated kiosks did.
struct Submissions {
  std::atomic<int> submitted{0};
  std::atomic<int> created{0};   // answered 201
  std::atomic<int> replayed{0};  // answered 200: a resend the orchestrator recognised
  std::atomic<int> resent{0};    // sent again after a cut connection or a 5xx
};

// Three kiosks, each in its own thread, submitting their share of `applications` through the
// cluster's balancer over mutual TLS. A submission whose connection was cut or that got a 5xx
// is sent again with the same Idempotency-Key, as the terminal agent does.
std::vector<std::thread> startKiosks(const MultinodeCluster& cluster, int applications,
                                     Submissions& submissions) {
  std::vector<std::thread> kiosks;
  for (int k = 0; k < 3; ++k) {
    kiosks.emplace_back([&cluster, &submissions, applications, k] {
      const std::string kiosk = kKiosks[k][0];
      const std::string bank = kKiosks[k][1];
      SystemClock clock;
      transport::ClientOptions options;
      options.read_timeout = std::chrono::seconds(30);
      const Poco::Net::Context::Ptr tls =
          transport::makeClientContext(transport::testing::TestPki::shared().kiosk(kiosk));
      std::unique_ptr<HttpsClient> client;
      int sent_on_client = 0;
      for (int i = k; i < applications; i += 3) {
        // A kiosk reconnects now and then (its keep-alive ends, it restarts): each new
        // connection goes to the next node, so every node takes submissions.
        if (!client || ++sent_on_client % 8 == 0) {
          client = std::make_unique<HttpsClient>(
              transport::Endpoint{"127.0.0.1", cluster.port(), "orchestrator"}, tls, options,
              clock);
        }
        const std::string body = applicationBody(kiosk, bank, i);
        transport::Headers headers = {{"Idempotency-Key", "multinode-" + std::to_string(i)}};
        bool done = false;
        for (int attempt = 0; attempt < 60 && !done; ++attempt) {
          if (attempt > 0) {
            ++submissions.resent;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
          }
          Result<Response> answer =
              client->post("/api/v1/applications", body, "application/json", headers);
          if (!answer || answer->status >= 500) continue;  // cut or unavailable: send again
          ASSERT_TRUE(answer->status == 201 || answer->status == 200)
              << answer->status << " " << answer->body;
          (answer->status == 201 ? submissions.created : submissions.replayed)++;
          done = true;
        }
        ASSERT_TRUE(done) << kiosk << " could not submit application " << i;
        ++submissions.submitted;
      }
    });
  }
  return kiosks;
}

// Approves every open KYC review every half second, from the command line, until stopped.
class Officer {
 public:
  explicit Officer(const MultinodeCluster& cluster)
      : thread_([this, &cluster] {
          while (running_) {
            cluster.cli({"task", "approve-all", "--actor", "multinode-officer"});
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
          }
        }) {}
  ~Officer() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> running_{true};
  std::thread thread_;
};

TEST(MultinodeTest, ThreeNodesOnOneDatabaseOneKilledLoseNothingAndRepeatNoEffect) {
  if (!orchestrator::pg::testing::available()) {
    GTEST_SKIP() << orchestrator::pg::testing::skipReason();
  }
  const int applications = envInt("KAIBAN_MULTINODE_APPS", 240);
  const int seed = envInt("KAIBAN_MULTINODE_SEED", 20261127);
  std::mt19937 random(static_cast<unsigned>(seed));
  const auto started = std::chrono::steady_clock::now();

  orchestrator::pg::testing::TestSchema schema;
  KaibanHarness harness;
  harness.startSim();
  MultinodeCluster cluster(harness, schema.url(), kNodes,
                           {"dispatcher.lease_seconds=" + std::to_string(kLeaseSeconds),
                            "timers.lease_seconds=" + std::to_string(kLeaseSeconds)});
  for (int node = 0; node < kNodes; ++node) ASSERT_NO_THROW(cluster.start(node)) << node;
  for (const auto& [kiosk, bank] : kKiosks) {
    ProcessResult added =
        cluster.cli({"kiosk", "add", kiosk, "--bank", bank, "--district", "370202"});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  }

  // Each kiosk submits its share through the balancer. A submission whose connection the
  // killed node cut is sent again with the same Idempotency-Key, as the terminal agent does.
  Submissions submissions;
  std::vector<std::thread> kiosks = startKiosks(cluster, applications, submissions);
  // Staff approve the KYC reviews now and then, from the command line (any node's database).
  Officer officer(cluster);

  // The kill: a seeded node, once a seeded share of the applications is in.
  const int victim = std::uniform_int_distribution<int>(0, kNodes - 1)(random);
  const int kill_after = applications * std::uniform_int_distribution<int>(30, 60)(random) / 100;
  // (EXPECT, not ASSERT: the kiosk and officer threads must be joined whatever happens.)
  EXPECT_TRUE(KaibanHarness::waitUntil([&] { return submissions.submitted >= kill_after; },
                                       std::chrono::seconds(120)))
      << submissions.submitted << " of " << kill_after << " submitted before the kill";
  cluster.kill(victim);
  const auto killed_at = std::chrono::steady_clock::now();
  const int64_t held_at_kill = leasesHeldBy(schema.url(), MultinodeCluster::owner(victim));

  // Everything the dead node had claimed goes to the survivors within a lease and the time a
  // survivor takes to look again, while the kiosks keep submitting.
  const bool taken_over = KaibanHarness::waitUntil(
      [&] { return leasesHeldBy(schema.url(), MultinodeCluster::owner(victim)) == 0; },
      std::chrono::seconds(kLeaseSeconds + 20));
  const double takeover_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  EXPECT_TRUE(taken_over) << "the dead node still holds "
                          << leasesHeldBy(schema.url(), MultinodeCluster::owner(victim))
                          << " claims";

  for (std::thread& kiosk : kiosks) kiosk.join();

  int completed = 0;
  const bool finished = KaibanHarness::waitUntil(
      [&] {
        completed = cluster.completed();
        return completed == applications;
      },
      std::chrono::seconds(240));
  officer.stop();
  EXPECT_TRUE(finished) << completed << " of " << applications << " completed\n"
                        << cluster.cli({"summary"}).out
                        << tailOf(cluster.logOf((victim + 1) % kNodes), 40);
  EXPECT_TRUE(harness.waitForTexts(2 * applications, std::chrono::seconds(60)));

  const std::vector<Poco::JSON::Object::Ptr> statuses = cluster.statuses();
  const Poco::JSON::Object::Ptr effects = harness.effects();
  EffectCounts counts = expectCompletedExactlyOnce(statuses, *effects, applications);
  ProcessResult audit = cluster.cli({"audit", "verify"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  // Each submission got one final answer: 201, or 200 for a resend whose first answer the
  // killed node never sent (a second application would show among the statuses above).
  EXPECT_EQ(submissions.created + submissions.replayed, applications);

  // Every node took connections (kiosks and callbacks) while it lived.
  const std::vector<int> forwarded = cluster.balancer().forwarded();
  for (int node = 0; node < kNodes; ++node) EXPECT_GT(forwarded[node], 0) << "node " << node;

  const int lost = applications - counts.completed;
  const int repeated = counts.partner_effects - 5 * applications;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  std::ostringstream report;
  report << "multinode test: " << applications << " applications from 3 kiosks through " << kNodes
         << " orchestrators on one PostgreSQL (seed " << seed << "); node " << victim
         << " SIGKILLed after " << kill_after << " submissions holding " << held_at_kill
         << " claims, taken over within " << static_cast<int>(takeover_seconds + 0.5)
         << " s (lease " << kLeaseSeconds << " s); lost " << lost << ", repeated partner effects "
         << repeated << " (" << counts.partner_effects << " effects, " << counts.sms
         << " SMS), submissions resent " << submissions.resent << " (answered as replays "
         << submissions.replayed << "), resends the partners recognised "
         << counts.duplicates_refused << "; connections per node";
  for (int count : forwarded) report << " " << count;
  report << "; " << seconds << " s";
  std::cout << report.str() << std::endl;
  RecordProperty("report", report.str());
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(repeated, 0);
}

// How fast the same load completes on one SQLite node, one PostgreSQL node and three
// PostgreSQL nodes: applications completed per second, from the first submission to the last
// completion. A measurement, run when KAIBAN_MULTINODE_THROUGHPUT names the number of
// applications per configuration (it takes minutes); each run must still lose nothing and
// repeat no effect. The figures are printed and recorded as the test's "report" property.
TEST(MultinodeTest, ThroughputOfSqliteAndPostgres) {
  const int applications = envInt("KAIBAN_MULTINODE_THROUGHPUT", 0);
  if (applications <= 0) {
    GTEST_SKIP() << "a measurement: set KAIBAN_MULTINODE_THROUGHPUT=<applications> to run it";
  }
  if (!orchestrator::pg::testing::available()) {
    GTEST_SKIP() << orchestrator::pg::testing::skipReason();
  }
  struct Setup {
    std::string name;
    bool postgres;
    int nodes;
  };
  std::ostringstream report;
  report << "throughput, " << applications << " applications from 3 kiosks:";
  for (const Setup& setup : {Setup{"sqlite x1", false, 1}, Setup{"postgres x1", true, 1},
                             Setup{"postgres x3", true, 3}}) {
    std::optional<orchestrator::pg::testing::TestSchema> schema;
    if (setup.postgres) schema.emplace();
    KaibanHarness harness;
    harness.startSim();
    MultinodeCluster cluster(harness, setup.postgres ? schema->url() : "", setup.nodes);
    for (int node = 0; node < setup.nodes; ++node) ASSERT_NO_THROW(cluster.start(node));
    for (const auto& [kiosk, bank] : kKiosks) {
      ASSERT_EQ(
          cluster.cli({"kiosk", "add", kiosk, "--bank", bank, "--district", "370202"}).exit_code,
          0);
    }
    const auto started = std::chrono::steady_clock::now();
    Submissions submissions;
    std::vector<std::thread> kiosks = startKiosks(cluster, applications, submissions);
    Officer officer(cluster);
    const bool finished = KaibanHarness::waitUntil(
        [&] { return cluster.completed() == applications; }, std::chrono::seconds(1200));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    officer.stop();
    for (std::thread& kiosk : kiosks) kiosk.join();
    EXPECT_TRUE(finished) << setup.name;
    EXPECT_TRUE(harness.waitForTexts(2 * applications, std::chrono::seconds(60)));
    EffectCounts counts =
        expectCompletedExactlyOnce(cluster.statuses(), *harness.effects(), applications);
    EXPECT_EQ(counts.completed, applications) << setup.name;
    report << " " << setup.name << " " << static_cast<int>(seconds + 0.5)
           << " s = " << static_cast<double>(static_cast<int>(applications / seconds * 100)) / 100
           << " applications/s;";
  }
  std::cout << report.str() << std::endl;
  RecordProperty("report", report.str());
}

}  // namespace
}  // namespace kaiban::testing
