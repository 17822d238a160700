#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/kaiban_harness.h"

// Issue 3, "Crash safety": a few hundred applications in flight, the orchestrator killed with
// SIGKILL at random (seeded) moments and restarted each time, the submitting process killed
// once mid-way and run again, KYC reviews approved throughout. At the end every application
// must be completed, and the simulator must show every partner effect exactly once.
//
// KAIBAN_CRASH_APPS (default 200), KAIBAN_CRASH_KILLS (default 10) and KAIBAN_CRASH_SEED
// (default 20261127) change the run.
namespace kaiban::testing {
namespace {

int envInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::atoi(value);
}

TEST(OrchestratorCrashTest, SigkillAtRandomMomentsLosesNothingAndRepeatsNoEffect) {
  const int applications = envInt("KAIBAN_CRASH_APPS", 200);
  const int kills = envInt("KAIBAN_CRASH_KILLS", 10);
  const int seed = envInt("KAIBAN_CRASH_SEED", 20261127);
  std::mt19937 random(static_cast<unsigned>(seed));
  const auto started = std::chrono::steady_clock::now();

  KaibanHarness harness;
  harness.startSim();
  harness.startOrchestrator();

  // The applications arrive in batches, one before each kill, so that every kill finds work
  // in flight: some steps being sent, callbacks arriving, KYC reviews waiting.
  // The first batch is a quarter of them, large enough to kill its submitter mid-way.
  const int first_batch_size = kills == 0 ? applications : std::max(1, applications / 4);
  const int batch_size = (applications - first_batch_size + kills - 1) / std::max(kills, 1);
  auto submitArguments = [&](int batch) {
    const int first = batch == 0 ? 0 : first_batch_size + (batch - 1) * batch_size;
    const int count =
        std::max(0, std::min(batch == 0 ? first_batch_size : batch_size, applications - first));
    const std::filesystem::path file =
        harness.dir() / ("applications-" + std::to_string(batch) + ".json");
    std::ofstream(file) << applicationsJson(count, first);
    std::vector<std::string> arguments = harness.commonArguments();
    for (const char* argument : {"submit", "--file", file.c_str(), "--kiosk", "QD-SN-0001"}) {
      arguments.emplace_back(argument);
    }
    return arguments;
  };

  // The submitting process dies mid-way too, once it has stored a random part of its batch;
  // running it again must submit the rest, and nothing twice (the idempotency keys come from
  // the bodies).
  const std::vector<std::string> first_batch = submitArguments(0);
  const int kill_submitter_after =
      std::uniform_int_distribution<int>(1, std::max(1, first_batch_size - 1))(random);
  {
    const std::filesystem::path output = harness.dir() / "submit-killed.out";
    ChildProcess first(harness.orchestratorBinary(), first_batch, output);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!first.exited() && std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(output);
      const auto lines =
          std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
      if (lines >= kill_submitter_after) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    first.signal(SIGKILL);
    first.waitFor(std::chrono::seconds(30));
  }
  ProcessResult resubmitted = runProcess(harness.orchestratorBinary(), first_batch);
  ASSERT_EQ(resubmitted.exit_code, 0) << resubmitted.err << resubmitted.out;
  int created_again = 0;
  {
    std::istringstream lines(resubmitted.out);
    for (std::string line; std::getline(lines, line);) {
      if (parseObject(line)->getValue<bool>("created")) ++created_again;
    }
  }

  // Kills at random moments while the work flows; staff approve KYC reviews now and then.
  for (int kill = 0; kill < kills; ++kill) {
    const auto kill_at =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 2000)(random));
    ChildProcess submitter(harness.orchestratorBinary(), submitArguments(kill + 1),
                           harness.dir() / "submit.out");
    if (std::uniform_int_distribution<int>(0, 1)(random) == 1) {
      harness.cli({"task", "approve-all", "--actor", "crash-officer"});
    }
    std::this_thread::sleep_until(kill_at);
    harness.killOrchestrator();
    ASSERT_EQ(submitter.waitFor(std::chrono::seconds(120)), 0)
        << "batch " << kill + 1 << ":\n"
        << tailOf(harness.dir() / "submit.out");
    ASSERT_NO_THROW(harness.startOrchestrator()) << "restart " << kill + 1;
  }

  // How much was still in flight when the last kill came: a kill after everything finished
  // would prove little.
  int completed = 0;
  {
    Poco::JSON::Object::Ptr states = harness.summary()->getObject("by_state");
    completed = states->has("completed") ? states->getValue<int>("completed") : 0;
  }
  const int in_flight_after_kills = applications - completed;

  // Then everything must finish.
  const bool finished = KaibanHarness::waitUntil(
      [&] {
        harness.cli({"task", "approve-all", "--actor", "crash-officer"});
        Poco::JSON::Object::Ptr states = harness.summary()->getObject("by_state");
        completed = states->has("completed") ? states->getValue<int>("completed") : 0;
        return completed == applications;
      },
      std::chrono::seconds(240));
  EXPECT_TRUE(finished) << completed << " of " << applications << " completed\n"
                        << harness.cli({"summary"}).out
                        << tailOf(harness.dir() / "orchestrator.log", 60);

  EXPECT_TRUE(harness.waitForTexts(2 * applications, std::chrono::seconds(60)));

  const std::vector<Poco::JSON::Object::Ptr> statuses = harness.statuses();
  const Poco::JSON::Object::Ptr effects = harness.effects();
  EffectCounts counts = expectCompletedExactlyOnce(statuses, *effects, applications);
  ProcessResult audit = harness.cli({"audit", "verify"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;

  const int lost = applications - counts.completed;
  const int repeated = counts.partner_effects - 5 * applications;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  std::ostringstream report;
  report << "crash test: " << applications << " applications, " << kills
         << " SIGKILLs of the orchestrator + 1 of the submitter (seed " << seed << "), "
         << created_again << " submitted by the second run, " << in_flight_after_kills
         << " still in flight after the last kill; lost " << lost << ", repeated partner effects "
         << repeated << " (" << counts.partner_effects << " effects, " << counts.sms
         << " SMS), resends the partners recognised " << counts.duplicates_refused << "; "
         << seconds << " s";
  std::cout << report.str() << std::endl;
  RecordProperty("report", report.str());
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(repeated, 0);
}

}  // namespace
}  // namespace kaiban::testing
