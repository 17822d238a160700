#include "adapters/bank/bank_adapter.h"

#include <stdexcept>
#include <utility>

#include "adapters/transport/https_client.h"

namespace kaiban::adapters::bank {

namespace {

constexpr std::string_view kXmlContentType = "application/xml";
constexpr int kHttpUnprocessable = 422;
constexpr int kHttpNotFound = 404;

std::string_view trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> splitSealCodes(std::string_view list) {
  std::vector<std::string> codes;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view code = trimmed(list.substr(0, comma));
    if (!code.empty()) codes.emplace_back(code);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return codes;
}

std::shared_ptr<const BankCodec> loadCodecOrThrow(const std::filesystem::path& schema_dir) {
  Result<std::shared_ptr<const BankCodec>> codec = BankCodec::load(schema_dir);
  if (!codec.ok()) {
    throw std::runtime_error("cannot load the bank's ISO 20022 schemas from " +
                             schema_dir.string() + ": " + codec.error().message);
  }
  return std::move(*codec);
}

// The bank answered, but not in a way we can trust: the same request may get a sound answer
// when sent again, so this is kCorrupt (retryable), never a business outcome.
Error corruptAnswer(std::string_view what, const MessageId& id, const Error& cause) {
  return Error::corrupt("bank sent " + std::string(what) + " for message " + id +
                        " that cannot be used: " + cause.message);
}

Error answerForOtherMessage(std::string_view what, const MessageId& expected,
                            const MessageId& got) {
  return Error::corrupt("bank sent " + std::string(what) + " for message " + got +
                        " in answer to message " + expected);
}

transport::Headers messageIdHeaders(const MessageId& id) {
  return transport::Headers{{std::string(transport::kMessageIdHeader), id}};
}

}  // namespace

Result<AccountOpeningRequest> accountOpeningRequestFor(const StepRequest& request, SystemTime now) {
  auto uscc = request.inputs.find(output::kUscc);
  if (uscc == request.inputs.end() || uscc->second.empty()) {
    return Error::invalidInput(
        "the bank account step needs the USCC that registration issued; it is missing from the "
        "step's inputs",
        std::string(output::kUscc));
  }
  const Application& application = request.application;
  AccountOpeningRequest result;
  result.message_id = request.message_id;
  result.application_id = request.application_id;
  result.created_at = now;
  result.bank_code = application.bank_code;
  result.company_name = application.enterprise.name;
  result.uscc = uscc->second;
  result.registered_address = application.enterprise.registered_address;
  result.legal_representative = application.legal_representative;
  result.finance_officer = application.finance_officer;
  result.contact_phone = application.contact_phone;
  result.urgent = application.green_channel;
  if (auto seals = request.inputs.find(output::kSealCodes); seals != request.inputs.end()) {
    result.seal_codes = splitSealCodes(seals->second);
  }
  return result;
}

BankAdapter::BankAdapter(transport::PartnerClient& client, std::shared_ptr<const BankCodec> codec,
                         const Clock& clock)
    : client_(client), codec_(std::move(codec)), clock_(clock) {
  if (!codec_) throw std::invalid_argument("BankAdapter needs a codec");
}

BankAdapter::BankAdapter(transport::PartnerClient& client, const std::filesystem::path& schema_dir,
                         const Clock& clock)
    : BankAdapter(client, loadCodecOrThrow(schema_dir), clock) {}

Result<Ack> BankAdapter::dispatch(const StepRequest& request) {
  Result<AccountOpeningRequest> opening = accountOpeningRequestFor(request, clock_.now());
  if (!opening.ok()) return opening.error();
  Result<std::string> body = codec_->encodeAccountOpeningRequest(*opening);
  if (!body.ok()) return body.error();

  Result<transport::Response> response = client_.post(kAccountOpeningPath, *body, kXmlContentType,
                                                      messageIdHeaders(request.message_id));
  if (!response.ok()) return response.error();

  if (response->status >= 200 && response->status < 300) {
    Result<AccountRequestAcknowledgement> ack = codec_->decodeAcknowledgement(response->body);
    if (!ack.ok()) return corruptAnswer("an acknowledgement", request.message_id, ack.error());
    if (ack->refs.request_message_id != request.message_id) {
      return answerForOtherMessage("an acknowledgement", request.message_id,
                                   ack->refs.request_message_id);
    }
    return Ack{ack->refs.message_id};
  }
  if (response->status == kHttpUnprocessable) {
    Result<AccountRequestRejection> rejection = codec_->decodeRejection(response->body);
    if (!rejection.ok()) return corruptAnswer("a rejection", request.message_id, rejection.error());
    if (rejection->refs.request_message_id != request.message_id) {
      return answerForOtherMessage("a rejection", request.message_id,
                                   rejection->refs.request_message_id);
    }
    // "<CODE>: <reason>", the form every partner adapter uses for kRejected, so the engine
    // reads the code back the same way for each (adapters::refusalOf).
    StepOutcome outcome = toOutcome(BankAnswer(std::move(*rejection)));
    return Error::rejected(outcome.reason_code + ": " + outcome.reason);
  }
  return transport::errorForStatus(response->status, response->body, kBankPartner);
}

Result<StepOutcome> BankAdapter::poll(const MessageId& id) {
  if (!isValidMessageId(id)) {
    return Error::invalidInput(
        "message id must be 1-35 characters of A-Z, a-z, 0-9 and '-', got '" + id + "'");
  }
  Result<transport::Response> response =
      client_.get(std::string(kStatusPathPrefix) + id, messageIdHeaders(id));
  if (!response.ok()) return response.error();
  if (response->status == kHttpNotFound) {
    return Error::notFound("bank has no account opening request with message id " + id);
  }
  if (response->status < 200 || response->status >= 300) {
    return transport::errorForStatus(response->status, response->body, kBankPartner);
  }
  Result<BankAnswer> answer = codec_->decodeAnswer(response->body);
  if (!answer.ok()) return corruptAnswer("a status", id, answer.error());
  StepOutcome outcome = toOutcome(*answer);
  if (outcome.message_id != id) return answerForOtherMessage("a status", id, outcome.message_id);
  return outcome;
}

Result<StepOutcome> BankAdapter::decodeCallback(std::string_view body) const {
  Result<BankAnswer> answer = codec_->decodeAnswer(body);
  if (!answer.ok()) return answer.error();
  if (std::holds_alternative<AccountRequestAcknowledgement>(*answer)) {
    return Error::invalidInput(
        "a bank callback must carry a result (acmt.014 account report or acmt.011 rejection), "
        "not an acknowledgement (acmt.010)");
  }
  return toOutcome(*answer);
}

}  // namespace kaiban::adapters::bank
