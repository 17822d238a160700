#include "adapters/sim/partner_service.h"

namespace kaiban::sim {

struct PartnerService::Outcome {
  Reply reply;
  std::string message_id;
  std::string outcome;
  std::string fault;
  bool duplicate = false;
  bool hold = false;  // a timeout fault: hold the answer before sending it
};

PartnerService::PartnerService(const PartnerSim& sim, SimStore& store, FaultInjector& faults,
                               EventLog& log, const StopSignal& stop, const Clock& clock,
                               PartnerServiceOptions options,
                               std::function<void()> result_scheduled)
    : sim_(sim),
      store_(store),
      faults_(faults),
      log_(log),
      stop_(stop),
      clock_(clock),
      options_(std::move(options)),
      result_scheduled_(std::move(result_scheduled)),
      name_(sim.info().name) {}

bool isMessageId(std::string_view id) {
  if (id.empty() || id.size() > 35) return false;
  for (char c : id) {
    const bool allowed =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string malformedCopy(std::string_view document) {
  // Half a document never closes its root element; the stray '<' makes sure even a tiny one
  // cannot end well-formed.
  return std::string(document.substr(0, document.size() / 2)) + "<";
}

std::string schemaInvalidCopy(std::string_view document) {
  const size_t last_close = document.rfind("</");
  if (last_close == std::string_view::npos) return std::string(document) + "<Unexpected/>";
  return std::string(document.substr(0, last_close)) +
         "<SimulatorInjectedFault>schema_invalid</SimulatorInjectedFault>" +
         std::string(document.substr(last_close));
}

Reply PartnerService::error(int status, std::string_view message_id,
                            std::string_view reason) const {
  return Reply{status, sim_.errorDocument(isMessageId(message_id) ? message_id : "", reason)};
}

Reply PartnerService::handle(const PartnerCall& call) {
  const SteadyTime started = clock_.steadyNow();
  Outcome outcome;
  const std::string prefix = "/" + name_ + "/v1/";
  const std::string_view path = call.path;
  const std::string_view rest =
      path.starts_with(prefix) ? path.substr(prefix.size()) : std::string_view();
  constexpr std::string_view kStatus = "status/";

  if (!call.peer_error.empty() || call.peer_cn != options_.client_cn) {
    outcome.reply = error(403, call.message_id_header,
                          call.peer_error.empty() ? "this system serves " + options_.client_cn +
                                                        " only, not " + call.peer_cn
                                                  : call.peer_error);
    outcome.outcome = "forbidden";
  } else if (rest.empty()) {
    outcome.reply = error(404, call.message_id_header, "no such resource: " + call.path);
    outcome.outcome = "not_found";
  } else if (rest.starts_with(kStatus)) {
    if (call.method != "GET") {
      outcome.reply = error(405, call.message_id_header, "status is read with GET");
      outcome.outcome = "method_not_allowed";
    } else {
      outcome = status(rest.substr(kStatus.size()));
    }
  } else if (call.method != "POST") {
    outcome.reply = error(405, call.message_id_header, "requests are sent with POST");
    outcome.outcome = "method_not_allowed";
  } else {
    outcome = submit(call, rest);
  }

  if (outcome.hold) {
    // The client gives up waiting; the answer (already stored) goes out afterwards into a
    // closed connection, as a real slow partner's would.
    stop_.waitFor(options_.timeout_hold);
  }
  log_.request(RequestEvent{
      name_, call.method, call.path,
      outcome.message_id.empty() ? call.message_id_header : outcome.message_id,
      outcome.reply.status, outcome.outcome, outcome.fault, outcome.duplicate,
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steadyNow() - started).count()});
  return outcome.reply;
}

PartnerService::Outcome PartnerService::submit(const PartnerCall& call,
                                               std::string_view operation) {
  Outcome outcome;
  outcome.message_id = call.message_id_header;
  if (call.body_too_large) {
    outcome.reply =
        error(413, call.message_id_header,
              "the request is larger than " + std::to_string(kMaxRequestBytes) + " bytes");
    outcome.outcome = "too_large";
    return outcome;
  }
  const FaultSpec spec = faults_.spec(name_);
  if (spec.latency.count() > 0) stop_.waitFor(spec.latency);

  Result<std::unique_ptr<PartnerRequest>> parsed = sim_.parse(operation, call.body);
  if (!parsed.ok()) {
    const bool unknown = parsed.error().code == ErrorCode::kNotFound;
    outcome.reply = error(unknown ? 404 : 400, call.message_id_header, parsed.error().message);
    outcome.outcome = unknown ? "unknown_operation" : "invalid";
    return outcome;
  }
  PartnerRequest& request = **parsed;
  outcome.message_id = request.messageId();
  if (!call.message_id_header.empty() && call.message_id_header != request.messageId()) {
    outcome.reply = error(400, request.messageId(),
                          "the X-Kaiban-Message-Id header (" + call.message_id_header +
                              ") differs from the MessageId in the body");
    outcome.outcome = "invalid";
    return outcome;
  }

  const std::string fault_key = name_ + "/" + std::string(operation) + "/" + outcome.message_id;
  const int attempt = faults_.nextAttempt(fault_key);
  if (faults_.strikes(name_, FaultKind::kHttp500, fault_key, attempt)) {
    outcome.reply = error(500, outcome.message_id, "injected fault: internal server error");
    outcome.outcome = "not_processed";
    outcome.fault = toString(FaultKind::kHttp500);
    return outcome;
  }

  if (!request.changesState()) {
    Result<Decision> decision = store_.lookup(name_, request);
    if (!decision.ok()) {
      outcome.reply = error(500, outcome.message_id, decision.error().message);
      outcome.outcome = "error";
      return outcome;
    }
    outcome.reply = Reply{decision->status, std::move(decision->answer)};
    outcome.outcome = std::move(decision->outcome);
  } else {
    const auto delay = options_.delay;
    Result<Handled> handled = store_.handle(name_, operation, request, delay);
    if (!handled.ok()) {
      outcome.reply = error(500, outcome.message_id, handled.error().message);
      outcome.outcome = "error";
      return outcome;
    }
    outcome.reply = Reply{handled->message.status, handled->message.answer};
    outcome.duplicate = handled->duplicate;
    outcome.outcome =
        handled->duplicate ? "duplicate:" + handled->message.outcome : handled->message.outcome;
    if (!handled->duplicate && handled->message.callback == CallbackState::kPending &&
        result_scheduled_) {
      result_scheduled_();
    }
  }
  injectResponseFault(outcome, fault_key, attempt);
  return outcome;
}

PartnerService::Outcome PartnerService::status(std::string_view message_id) {
  Outcome outcome;
  outcome.message_id = std::string(message_id);
  if (!isMessageId(message_id)) {
    outcome.reply = error(400, "", "not a message id: at most 35 of A-Z a-z 0-9 -");
    outcome.outcome = "invalid";
    return outcome;
  }
  const FaultSpec spec = faults_.spec(name_);
  if (spec.latency.count() > 0) stop_.waitFor(spec.latency);

  const std::string fault_key = name_ + "/status/" + std::string(message_id);
  const int attempt = faults_.nextAttempt(fault_key);
  if (faults_.strikes(name_, FaultKind::kHttp500, fault_key, attempt)) {
    outcome.reply = error(500, message_id, "injected fault: internal server error");
    outcome.outcome = "not_processed";
    outcome.fault = toString(FaultKind::kHttp500);
    return outcome;
  }
  Result<std::optional<StoredMessage>> found = store_.find(name_, message_id);
  if (!found.ok()) {
    outcome.reply = error(500, message_id, found.error().message);
    outcome.outcome = "error";
    return outcome;
  }
  if (!found->has_value() || !sim_.info().asynchronous || (*found)->result.empty()) {
    outcome.reply = error(404, message_id, "no request with this message id");
    outcome.outcome = "unknown";
    return outcome;
  }
  const StoredMessage& message = **found;
  if (clock_.now() >= message.result_due) {
    outcome.reply = Reply{200, message.result};
    outcome.outcome = "result:" + message.outcome;
  } else {
    outcome.reply = Reply{200, message.answer};
    outcome.outcome = "pending";
  }
  injectResponseFault(outcome, fault_key, attempt);
  return outcome;
}

void PartnerService::injectResponseFault(Outcome& outcome, const std::string& fault_key,
                                         int attempt) {
  if (faults_.strikes(name_, FaultKind::kTimeout, fault_key, attempt)) {
    outcome.hold = true;
    outcome.fault = toString(FaultKind::kTimeout);
  } else if (faults_.strikes(name_, FaultKind::kMalformed, fault_key, attempt)) {
    outcome.reply.body = malformedCopy(outcome.reply.body);
    outcome.fault = toString(FaultKind::kMalformed);
  } else if (faults_.strikes(name_, FaultKind::kSchemaInvalid, fault_key, attempt)) {
    outcome.reply.body = schemaInvalidCopy(outcome.reply.body);
    outcome.fault = toString(FaultKind::kSchemaInvalid);
  }
}

}  // namespace kaiban::sim
