#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/sim/ledger.h"
#include "adapters/sim/partners.h"
#include "core/clock.h"
#include "core/result.h"

// The seam between kaiban-sim's machinery (HTTP, deduplication, faults, callbacks) and the
// behaviour of one partner system, which decodes, decides and encodes with the partner's own
// codec (the same codec the orchestrator's adapter uses).
namespace kaiban::sim {

// What a partner answers to a message it sees for the first time. Stored, so that a resend
// of the message gets exactly this answer again.
struct Decision {
  int status = 202;    // 202 accepted (result later), 200 synchronous answer, 422 refused
  std::string answer;  // body of the synchronous answer
  // Asynchronous partners: the result document that status polls return once it is due
  // (before that they return `answer`), and that the callback delivers. For a 422 refusal,
  // the same refusal as a result document, due at once, so a poll reports it. "" for
  // synchronous partners.
  std::string result;
  bool callback = false;  // deliver `result` by callback once due (after the partner's delay)
  std::string outcome;    // for logs and reports: "accepted", "refused:INVALID_USCC", ...
};

// One decoded, schema-valid request.
class PartnerRequest {
 public:
  virtual ~PartnerRequest() = default;

  virtual const std::string& messageId() const = 0;

  // False for lookups that change nothing (name check, person lookup): they are decided
  // afresh every time and never stored.
  virtual bool changesState() const { return true; }

  // Decides the answer. For requests that change state: called at most once per (partner,
  // message id), ever, inside a transaction; what it writes through `ledger` commits
  // together with the stored Decision. For lookups `ledger` reads only.
  // Errors are bugs or a broken encoder (kInternal/kInvalidInput): answered 500, nothing kept.
  virtual Result<Decision> decide(Ledger& ledger, SystemTime now) = 0;
};

// One simulated partner system. Implementations are immutable after construction and
// thread-safe.
class PartnerSim {
 public:
  virtual ~PartnerSim() = default;

  virtual const PartnerInfo& info() const = 0;

  // Decodes the body of POST /<partner>/v1/<operation>, validating it against the partner's
  // schema. kNotFound for an operation the partner does not have; kInvalidInput (answered
  // 400 with errorDocument) when the body is malformed, schema-invalid or of the wrong type
  // for the operation.
  virtual Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                        std::string_view body) const = 0;

  // The partner's 400 error document for a request it could not read; `message_id` is ""
  // when none could be read.
  virtual std::string errorDocument(std::string_view message_id, std::string_view reason) const = 0;
};

}  // namespace kaiban::sim
