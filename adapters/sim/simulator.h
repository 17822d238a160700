#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "adapters/sim/callback_sender.h"
#include "adapters/sim/control_service.h"
#include "adapters/sim/event_log.h"
#include "adapters/sim/faults.h"
#include "adapters/sim/partner_service.h"
#include "adapters/sim/partner_sim.h"
#include "adapters/sim/people_dataset.h"
#include "adapters/sim/sim_options.h"
#include "adapters/sim/sim_store.h"
#include "adapters/sim/stop_signal.h"
#include "adapters/transport/https_server.h"
#include "core/clock.h"

// kaiban-sim wired together: the partner sims, their mTLS listeners, the store, the fault
// injector, the callback sender and the control listener. Holds no behaviour of its own.
namespace kaiban::sim {

class Simulator {
 public:
  // Loads the PKI, schemas and people data, opens the store and binds every listener (so
  // ports() is final), without accepting yet. Throws std::runtime_error naming the file,
  // option or port at fault: a start-up configuration error. `clock` and `log` must outlive
  // the simulator.
  Simulator(const SimOptions& options, const Clock& clock, std::ostream& log);
  // Calls stop().
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Starts accepting and delivering callbacks, then writes the ports file (atomically:
  // written aside, then renamed) when one was asked for. Throws std::runtime_error if the
  // ports file cannot be written.
  void start();

  // Ends injected waits, stops the listeners (requests in progress finish), then the
  // callback sender. Idempotent.
  void stop();

  // "registry", "seal", "bank", "tax", "people", "sms" and "control" to their bound ports.
  std::map<std::string, int> ports() const;

 private:
  const SimOptions options_;
  const Clock& clock_;
  EventLog log_;
  StopSignal stop_;
  FaultInjector faults_;
  std::unique_ptr<PeopleRegister> people_;
  std::unique_ptr<SimStore> store_;
  std::vector<std::unique_ptr<PartnerSim>> sims_;
  std::unique_ptr<CallbackSender> callbacks_;
  std::vector<std::unique_ptr<PartnerService>> services_;
  std::vector<std::unique_ptr<transport::HttpsServer>> servers_;
  std::unique_ptr<ControlService> control_;
  std::unique_ptr<transport::HttpsServer> control_server_;
  bool stopped_ = false;
};

}  // namespace kaiban::sim
