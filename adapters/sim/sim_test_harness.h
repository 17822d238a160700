#pragma once

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/partner_codec/partner_link.h"
#include "adapters/sim/event_log.h"
#include "adapters/sim/faults.h"
#include "adapters/sim/partner_service.h"
#include "adapters/sim/partner_sims.h"
#include "adapters/sim/people_dataset.h"
#include "adapters/sim/sim_store.h"
#include "adapters/sim/stop_signal.h"
#include "core/timestamp.h"
#include "tests/testing/test_env.h"

// The simulator's partners without HTTP, for unit tests: every real PartnerSim behind its
// PartnerService, over a SimStore in a temporary directory, with a ManualClock. ServiceLink
// lets the real adapters talk to them in-process.
namespace kaiban::sim::testing {

inline constexpr std::chrono::milliseconds kDelay{1000};

class SimHarness {
 public:
  SimHarness() : log_(log_text_, clock_), faults_(7), people_(generatePeople(30)) {
    store_ = SimStore::open(dir_.path() / "sim.db", clock_).value();
    sims_ = makePartnerSims(kaiban::testing::repoFile("adapters/schemas"), people_, clock_);
    for (const auto& sim : sims_) {
      PartnerServiceOptions options;
      options.delay = kDelay;
      options.timeout_hold = std::chrono::milliseconds(1);
      services_.emplace(
          std::string(sim->info().name),
          std::make_unique<PartnerService>(*sim, *store_, faults_, log_, stop_, clock_, options,
                                           [this] { ++scheduled_; }));
    }
  }

  PartnerService& service(const std::string& partner) { return *services_.at(partner); }
  Reply call(const std::string& partner, PartnerCall call) { return service(partner).handle(call); }
  // A request from the orchestrator's certificate.
  static PartnerCall post(std::string path, std::string body, std::string message_id = "") {
    return PartnerCall{"POST",
                       std::move(path),
                       std::move(message_id),
                       std::move(body),
                       false,
                       "kaiban-orchestrator",
                       ""};
  }
  static PartnerCall get(std::string path) {
    return PartnerCall{"GET", std::move(path), "", "", false, "kaiban-orchestrator", ""};
  }

  ManualClock& clock() { return clock_; }
  SimStore& store() { return *store_; }
  FaultInjector& faults() { return faults_; }
  int scheduled() const { return scheduled_; }
  std::string logText() const { return log_text_.str(); }
  PartnerEffects effects(const std::string& partner) {
    std::map<std::string, PartnerEffects> all = store_->effects().value();
    return all[partner];
  }

 private:
  kaiban::testing::TempDir dir_;
  ManualClock clock_{shanghaiTime(2026, 3, 2, 10, 0, 0)};
  std::ostringstream log_text_;
  EventLog log_;
  StopSignal stop_;
  FaultInjector faults_;
  PeopleRegister people_;
  std::unique_ptr<SimStore> store_;
  std::vector<std::unique_ptr<PartnerSim>> sims_;
  std::map<std::string, std::unique_ptr<PartnerService>> services_;
  int scheduled_ = 0;
};

// A PartnerLink that hands each request to the harness's service for the partner named by
// the path's first segment, as the orchestrator's certificate.
class ServiceLink final : public adapters::PartnerLink {
 public:
  explicit ServiceLink(SimHarness& harness) : harness_(harness) {}

  Result<transport::Response> post(std::string_view path, std::string_view body,
                                   const adapters::MessageId& id) override {
    return answer(SimHarness::post(std::string(path), std::string(body), id));
  }
  Result<transport::Response> get(std::string_view path) override {
    return answer(SimHarness::get(std::string(path)));
  }

 private:
  Result<transport::Response> answer(const PartnerCall& call) {
    const std::string partner = call.path.substr(1, call.path.find('/', 1) - 1);
    Reply reply = harness_.call(partner, call);
    return transport::Response{reply.status, reply.body, {}};
  }

  SimHarness& harness_;
};

}  // namespace kaiban::sim::testing
