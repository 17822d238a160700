#include "adapters/partner_codec/partner_exchange.h"

#include <utility>

namespace kaiban::adapters {

namespace {

constexpr int kAccepted = 202;
constexpr int kBadRequest = 400;
constexpr int kNotFound = 404;
constexpr int kUnprocessable = 422;

bool isMessageId(std::string_view id) {
  if (id.empty() || id.size() > 35) return false;
  for (char c : id) {
    const bool allowed =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!allowed) return false;
  }
  return true;
}

}  // namespace

PartnerExchange::PartnerExchange(const PartnerCodec& codec, PartnerLink& link)
    : codec_(codec), link_(link) {}

Result<std::string> PartnerExchange::post(std::string_view operation, const MessageId& id,
                                          std::string_view body, int expected_status) const {
  const std::string path = "/" + partner() + "/v1/" + std::string(operation);
  return expect(link_.post(path, body, id), id, expected_status);
}

Result<std::string> PartnerExchange::status(const MessageId& id) const {
  // The id becomes part of a URL path: anything but a message id could change its meaning.
  if (!isMessageId(id)) {
    return Error::invalidInput("\"" + id + "\" is not a message id (1-35 of A-Z a-z 0-9 -)",
                               "message_id");
  }
  Result<transport::Response> response = link_.get("/" + partner() + "/v1/status/" + id);
  if (response.ok() && response->status == kNotFound) {
    return Error::notFound(partner() + " has no request with message id " + id);
  }
  return expect(response, id, kOk);
}

Result<std::string> PartnerExchange::expect(const Result<transport::Response>& response,
                                            const MessageId& id, int expected_status) const {
  if (!response.ok()) return response.error();
  const transport::Response& answer = *response;
  if (answer.status == expected_status) return answer.body;
  if (answer.status == kUnprocessable) {
    Result<Rejection> rejection = codec_.decodeRejection(answer.body);
    if (!rejection.ok()) return corrupt(rejection.error());
    if (Result<void> same = expectMessageId(rejection->message_id, id); !same.ok()) {
      return same.error();
    }
    return Error::rejected(rejection->refusal.reason_code + ": " + rejection->refusal.reason);
  }
  if (answer.status == kBadRequest) {
    Result<ErrorReport> report = codec_.decodeErrorReport(answer.body);
    if (!report.ok()) return corrupt(report.error());
    return Error::invalidInput(partner() + " refused message " + id +
                               " as invalid: " + report->reason);
  }
  if (answer.status >= 200 && answer.status < 300) {
    return Error::corrupt(partner() + " answered message " + id + " with HTTP " +
                          std::to_string(answer.status) + " where the protocol has " +
                          std::to_string(expected_status));
  }
  return transport::errorForStatus(answer.status, answer.body, partner());
}

Result<Ack> PartnerExchange::acknowledgement(std::string_view body, const MessageId& id) const {
  Result<Acknowledgement> ack = codec_.decodeAcknowledgement(body);
  if (!ack.ok()) return corrupt(ack.error());
  if (Result<void> same = expectMessageId(ack->message_id, id); !same.ok()) return same.error();
  return Ack{ack->partner_reference};
}

Error PartnerExchange::corrupt(const Error& decode_error) const {
  return Error::corrupt("unusable answer from " + partner() + ": " + decode_error.message);
}

Result<void> PartnerExchange::expectMessageId(const MessageId& answered,
                                              const MessageId& asked) const {
  if (answered == asked) return ok();
  return Error::corrupt(partner() + " answered about message " + answered + " when asked about " +
                        asked);
}

Refusal refusalOf(const Error& error) {
  const size_t colon = error.message.find(": ");
  if (error.code != ErrorCode::kRejected || colon == std::string::npos) {
    return Refusal{{}, error.message};
  }
  return Refusal{error.message.substr(0, colon), error.message.substr(colon + 2)};
}

PartnerStepAdapter::PartnerStepAdapter(const PartnerCodec& codec, std::string operation,
                                       PartnerLink& link)
    : exchange_(codec, link), operation_(std::move(operation)) {}

Result<Ack> PartnerStepAdapter::dispatch(const StepRequest& request) {
  Result<std::string> body = encodeRequest(request);
  if (!body.ok()) return body.error();
  Result<std::string> answer = exchange_.post(operation_, request.message_id, *body, kAccepted);
  if (!answer.ok()) return answer.error();
  return exchange_.acknowledgement(*answer, request.message_id);
}

Result<StepOutcome> PartnerStepAdapter::poll(const MessageId& id) {
  Result<std::string> answer = exchange_.status(id);
  if (!answer.ok()) return answer.error();
  Result<StepOutcome> outcome = decodeOutcome(*answer);
  if (!outcome.ok()) return exchange_.corrupt(outcome.error());
  if (Result<void> same = exchange_.expectMessageId(outcome->message_id, id); !same.ok()) {
    return same.error();
  }
  return outcome;
}

Result<StepOutcome> PartnerStepAdapter::decodeCallback(std::string_view body) const {
  Result<StepOutcome> outcome = decodeOutcome(body);
  if (!outcome.ok()) return outcome.error();
  if (outcome->kind == OutcomeKind::kPending) {
    return Error::invalidInput(exchange_.partner() +
                               " callback refused: it carries an Acknowledgement, not a result");
  }
  return outcome;
}

Result<std::string> PartnerStepAdapter::requiredInput(const StepRequest& request,
                                                      std::string_view key) {
  auto found = request.inputs.find(key);
  if (found == request.inputs.end() || found->second.empty()) {
    return Error::invalidInput("step " + request.step + " needs the output \"" + std::string(key) +
                                   "\" of an earlier step, which is missing",
                               "inputs." + std::string(key));
  }
  return found->second;
}

}  // namespace kaiban::adapters
