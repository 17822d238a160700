#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/application.h"
#include "core/result.h"

// The seams between the orchestrator and the partner systems. Domain types in and out:
// XML never leaves adapters/. Implementations: one per partner system (registry/, seal/,
// bank/, tax/, people/, sms/) over the mTLS transport, and fakes in tests/fakes/.
namespace kaiban::adapters {

// Identifies one logical partner request. Stable across resends: derived from
// (application id, step id), never from the attempt, so a partner (and each simulator)
// deduplicates on it and a resend never has a second effect. At most 35 characters of
// [A-Za-z0-9-] so it also fits ISO 20022 Max35Text.
using MessageId = std::string;

// Outputs of completed steps that later steps use, by well-known key.
namespace output {
inline constexpr std::string_view kUscc = "uscc";                     // registration
inline constexpr std::string_view kLicenceRef = "licence_ref";        // registration
inline constexpr std::string_view kSealCodes = "seal_codes";          // seal, comma-separated
inline constexpr std::string_view kTaxpayerId = "taxpayer_id";        // tax_registration
inline constexpr std::string_view kAccountNumber = "account_number";  // bank_account
inline constexpr std::string_view kAgreementRef = "agreement_ref";    // tax_bank_agreement
}  // namespace output

using Outputs = std::map<std::string, std::string, std::less<>>;

// What a step hands its partner: the whole application and what earlier steps produced.
struct StepRequest {
  MessageId message_id;
  std::string application_id;
  std::string step;  // step id from the flow definition, e.g. "bank_account"
  Application application;
  Outputs inputs;  // outputs of the steps this one waits for
};

// The partner's synchronous acknowledgement: it has the request and will answer later.
struct Ack {
  std::string partner_reference;  // the partner's own id for the request, for support calls
};

enum class OutcomeKind {
  kPending,   // poll only: the partner is still working on it
  kDone,      // finished; `outputs` holds what it produced
  kRejected,  // a business refusal a person must act on (name taken, KYC failed)
  kFailed,    // the partner could not process it (technical); retrying may help
};

// A step's result, from a callback or a poll.
struct StepOutcome {
  MessageId message_id;
  OutcomeKind kind = OutcomeKind::kPending;
  Outputs outputs;
  std::string reason_code;  // partner's machine code for kRejected/kFailed, e.g. "NAME_TAKEN"
  std::string reason;       // a sentence a person can act on
};

// One partner operation that a flow step calls. Implementations are thread-safe.
class StepAdapter {
 public:
  virtual ~StepAdapter() = default;

  // The partner system this adapter talks to ("registry", "seal", "bank", "tax"); callbacks
  // arriving with that partner's certificate are decoded by this adapter.
  virtual std::string_view partner() const = 0;

  // Sends `request`. Returns the Ack once the partner has accepted it for processing.
  // Errors: kUnavailable / kTimeout — send again later with the same message id;
  //         kRejected — the partner refused the request itself (permanent, with a reason);
  //         kInvalidInput — the request cannot be expressed (bad data: not retryable);
  //         kCorrupt — the partner's answer was malformed or schema-invalid (retryable).
  virtual Result<Ack> dispatch(const StepRequest& request) = 0;

  // Asks the partner for the outcome of an earlier request (when a callback is late).
  // Same errors as dispatch; kNotFound if the partner never received that message id.
  virtual Result<StepOutcome> poll(const MessageId& id) = 0;

  // Decodes a callback body this partner sent us. kInvalidInput if it is malformed or not
  // valid against the partner's schema (the callback is refused, the partner resends).
  virtual Result<StepOutcome> decodeCallback(std::string_view body) const = 0;
};

// A person as the state already knows them (people-data platform): pre-fills the kiosk.
struct PersonRecord {
  std::string id_number;
  std::string name;
  std::string sex;         // "male" | "female"
  std::string birth_date;  // YYYY-MM-DD
  std::string address;
};

class PeopleDirectory {
 public:
  virtual ~PeopleDirectory() = default;
  // kNotFound if the platform has no such person; kUnavailable / kTimeout as above.
  virtual Result<PersonRecord> lookup(std::string_view id_number) = 0;
};

// Milestone notifications to the applicant's phone. Deduplicated by message id.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual Result<void> notify(const MessageId& id, std::string_view phone,
                              std::string_view text) = 0;
};

}  // namespace kaiban::adapters
