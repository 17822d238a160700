#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "adapters/sim/event_log.h"
#include "adapters/sim/faults.h"
#include "adapters/sim/partner_sim.h"
#include "adapters/sim/sim_store.h"
#include "adapters/sim/stop_signal.h"
#include "core/clock.h"

// One simulated partner's HTTP behaviour (docs/partner-wire.md, docs/simulators.md), apart
// from HTTP itself: routing, the client check, validation, deduplication through the
// SimStore, fault injection, status polls and logging. PartnerHandlerFactory adapts it to
// POCO.
namespace kaiban::sim {

// One HTTP request as the service needs it.
struct PartnerCall {
  std::string method;
  std::string path;
  std::string message_id_header;  // X-Kaiban-Message-Id, "" when absent
  std::string body;
  bool body_too_large = false;
  std::string peer_cn;     // the verified client certificate's CN
  std::string peer_error;  // why there is no verified client identity, "" when there is
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/xml";
};

struct PartnerServiceOptions {
  std::chrono::milliseconds delay{2000};          // until the result is due
  std::chrono::milliseconds timeout_hold{15000};  // how long a timeout fault holds the answer
  std::string client_cn = "kaiban-orchestrator";
};

inline constexpr size_t kMaxRequestBytes = size_t{1} << 20;

// Thread-safe. Everything passed by reference must outlive the service.
class PartnerService {
 public:
  PartnerService(const PartnerSim& sim, SimStore& store, FaultInjector& faults, EventLog& log,
                 const StopSignal& stop, const Clock& clock, PartnerServiceOptions options,
                 std::function<void()> result_scheduled);

  // Answers one request. Blocks for injected latency and held (timeout) answers, both cut
  // short when `stop` fires.
  //   POST /<partner>/v1/<operation>: 400 + error document (unreadable, schema-invalid, or
  //     header and body message ids differ), 404 unknown operation, 413 too large; else the
  //     partner's answer (202/200/422), the first one again for a known message id.
  //   GET /<partner>/v1/status/<id>: asynchronous partners only; 200 + the result once due,
  //     200 + the acknowledgement before; 404 for an unknown id.
  //   403 for a client other than options.client_cn; 404/405 for other paths and methods.
  // Faults: http500 answers 500 before anything is done; timeout, malformed and
  // schema_invalid act on the answer after the work is done and stored, so a resend gets
  // the stored answer and never a second effect.
  Reply handle(const PartnerCall& call);

  const PartnerSim& sim() const { return sim_; }
  EventLog& log() const { return log_; }

 private:
  struct Outcome;
  Outcome submit(const PartnerCall& call, std::string_view operation);
  Outcome status(std::string_view message_id);
  // Applies the response faults that strike this attempt.
  void injectResponseFault(Outcome& outcome, const std::string& fault_key, int attempt);
  Reply error(int status, std::string_view message_id, std::string_view reason) const;

  const PartnerSim& sim_;
  SimStore& store_;
  FaultInjector& faults_;
  EventLog& log_;
  const StopSignal& stop_;
  const Clock& clock_;
  const PartnerServiceOptions options_;
  const std::function<void()> result_scheduled_;
  const std::string name_;
};

// Corrupts a serialised XML document the way the malformed fault does: cut in the middle,
// so it is no longer well-formed.
std::string malformedCopy(std::string_view document);
// Makes a well-formed document invalid against its schema, as the schema_invalid fault does:
// an element no schema allows, as the root's last child.
std::string schemaInvalidCopy(std::string_view document);

// True for 1-35 characters of [A-Za-z0-9-] (adapters::MessageId).
bool isMessageId(std::string_view id);

}  // namespace kaiban::sim
