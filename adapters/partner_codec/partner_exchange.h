#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "adapters/adapter.h"
#include "adapters/partner_codec/partner_codec.h"
#include "adapters/partner_codec/partner_link.h"
#include "core/result.h"

// How every partner adapter talks HTTP (docs/partner-wire.md), written once.
namespace kaiban::adapters {

// Sends one partner's requests over a PartnerLink and turns the answers into Results.
// Thread-safe as long as the link is.
//
// Status mapping, the same for every partner:
//   the expected 2xx        -> the body, for the caller to decode
//   422 + Rejection         -> kRejected, message "<ReasonCode>: <reason>" (see refusalOf)
//   400 + Error             -> kInvalidInput, with the partner's reason
//   404 on a status poll    -> kNotFound
//   5xx, 408, 429           -> kUnavailable (retry later), as transport::errorForStatus
//   other 4xx               -> as transport::errorForStatus (409 kConflict, else
//                              kInvalidInput)
//   another 2xx, or a 422/400 body that is not the partner's Rejection/Error for this
//   message                 -> kCorrupt
// plus the link's own errors (kUnavailable, kTimeout, kCorrupt).
class PartnerExchange {
 public:
  // Keeps a copy of `codec`'s envelope part. `link` must outlive the exchange.
  PartnerExchange(const PartnerCodec& codec, PartnerLink& link);

  const std::string& partner() const { return codec_.partner(); }

  // POSTs `body` to /<partner>/v1/<operation>; the body of an `expected_status` answer.
  Result<std::string> post(std::string_view operation, const MessageId& id, std::string_view body,
                           int expected_status) const;

  // A synchronous exchange (name check, person lookup, text message): POSTs the encoded
  // request `body` for message `id` to /<partner>/v1/<operation>, expects 200 and returns
  // `decode(answer_body)`, a Result<T> whose document carries `message_id` (or a variant of
  // such documents). Errors: those of `body`, of post(), and kCorrupt when the answer does
  // not decode or answers another message.
  template <class T, class Decode>
  Result<T> ask(std::string_view operation, const MessageId& id, const Result<std::string>& body,
                Decode decode) const {
    if (!body.ok()) return body.error();
    Result<std::string> answer = post(operation, id, *body, kOk);
    if (!answer.ok()) return answer.error();
    Result<T> decoded = decode(*answer);
    if (!decoded.ok()) return corrupt(decoded.error());
    if (Result<void> same = expectMessageId(answeredId(*decoded), id); !same.ok()) {
      return same.error();
    }
    return decoded;
  }

  // GETs /<partner>/v1/status/<id>; the body of the 200 answer.
  // kInvalidInput when `id` is not a message id (at most 35 of [A-Za-z0-9-]).
  Result<std::string> status(const MessageId& id) const;

  // The Ack in an Acknowledgement `body` answering message `id`; kCorrupt when `body` is
  // not one, or acknowledges another message.
  Result<Ack> acknowledgement(std::string_view body, const MessageId& id) const;

  // The kCorrupt error for a partner answer whose body did not decode.
  Error corrupt(const Error& decode_error) const;
  // kCorrupt unless the answer's message id is the one asked about.
  Result<void> expectMessageId(const MessageId& answered, const MessageId& asked) const;

 private:
  static constexpr int kOk = 200;

  template <class T>
  static const MessageId& answeredId(const T& answer) {
    return answer.message_id;
  }
  template <class... Ts>
  static const MessageId& answeredId(const std::variant<Ts...>& answer) {
    return std::visit([](const auto& one) -> const MessageId& { return one.message_id; }, answer);
  }

  Result<std::string> expect(const Result<transport::Response>& response, const MessageId& id,
                             int expected_status) const;

  PartnerCodec codec_;
  PartnerLink& link_;
};

// The Refusal carried by a kRejected error from PartnerExchange: "NAME_TAKEN: 名称已被登记"
// gives {"NAME_TAKEN", "名称已被登记"}. An error in another form gives {"", message}.
Refusal refusalOf(const Error& error);

// The StepAdapter of an asynchronous partner operation: dispatch POSTs the request to
// /<partner>/v1/<operation> and expects 202 + Acknowledgement; poll GETs the status; both
// map answers as PartnerExchange does. A subclass supplies the request document and reads
// the result document (through its partner codec).
//
// Errors beyond PartnerExchange's: a 202 body that is not a valid Acknowledgement, a 200
// body that is not a valid result or Acknowledgement, or either naming another message id
// -> kCorrupt; decodeCallback
// refuses such a body with kInvalidInput, and also an Acknowledgement (a callback carries
// the final result).
class PartnerStepAdapter : public StepAdapter {
 public:
  PartnerStepAdapter(const PartnerStepAdapter&) = delete;
  PartnerStepAdapter& operator=(const PartnerStepAdapter&) = delete;

  std::string_view partner() const override { return exchange_.partner(); }
  Result<Ack> dispatch(const StepRequest& request) override;
  Result<StepOutcome> poll(const MessageId& id) override;
  Result<StepOutcome> decodeCallback(std::string_view body) const override;

 protected:
  // `link` must outlive the adapter.
  PartnerStepAdapter(const PartnerCodec& codec, std::string operation, PartnerLink& link);

  // The request document for `request`; kInvalidInput when it cannot be expressed.
  virtual Result<std::string> encodeRequest(const StepRequest& request) const = 0;
  // The outcome a result or Acknowledgement document states (the codec's decodeOutcome).
  virtual Result<StepOutcome> decodeOutcome(std::string_view body) const = 0;

  // The output `key` of an earlier step, or kInvalidInput naming the step and the key.
  static Result<std::string> requiredInput(const StepRequest& request, std::string_view key);

  // For a subclass's synchronous operations (the registry's name check).
  const PartnerExchange& exchange() const { return exchange_; }

 private:
  PartnerExchange exchange_;
  std::string operation_;
};

}  // namespace kaiban::adapters
