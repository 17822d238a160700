#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "adapters/sim/event_log.h"
#include "adapters/sim/faults.h"
#include "adapters/sim/partner_service.h"
#include "adapters/sim/people_dataset.h"
#include "adapters/sim/sim_store.h"

// The control endpoint (plain HTTP on 127.0.0.1): what tests and demos ask the simulator.
//   GET  /effects          what every partner has done, per message id (JSON, see below);
//                          ?by_message=0 leaves the per-message lists out (large runs)
//   GET  /faults           the faults in force and the seed
//   POST /faults           body: fault syntax (faults.h); changes the partners it names
//   GET  /people?limit=N   the first N people of the people-data set (default 10)
//   GET  /ports            the listening ports, as in the ports file
//   GET  /healthz          "ok"
// /effects: {"partners": {"bank": {"messages": 2, "effects": 2, "duplicates_refused": 1,
//   "repeated_effects": 0, "by_message": {"<id>": 1, ...}, "by_kind": {"account_opened": 2},
//   "callbacks": {"pending": 0, "delivered": 2, "dropped": 0}}, ...},
//   "totals": {"messages": .., "effects": .., "duplicates_refused": .., "repeated_effects": ..}}
// Thread-safe.
namespace kaiban::sim {

class ControlService {
 public:
  // Everything passed by reference must outlive the service. `ports` returns the listening
  // ports (asked at each request: they are known once the listeners are bound).
  ControlService(SimStore& store, FaultInjector& faults, const PeopleRegister& people,
                 EventLog& log, std::function<std::map<std::string, int>()> ports);

  Reply handle(std::string_view method, std::string_view uri, std::string_view body);
  EventLog& log() const { return log_; }

 private:
  Reply effects(bool by_message);
  Reply faults();
  Reply people(std::string_view query);
  Reply ports();

  SimStore& store_;
  FaultInjector& faults_;
  const PeopleRegister& people_;
  EventLog& log_;
  std::function<std::map<std::string, int>()> ports_;
};

// {"registry": 9001, ..., "control": 9010} as one line of JSON.
std::string portsJson(const std::map<std::string, int>& ports);

}  // namespace kaiban::sim
