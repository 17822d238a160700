#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "adapters/adapter.h"
#include "adapters/bank/bank_codec.h"
#include "adapters/transport/partner_client.h"
#include "core/clock.h"
#include "core/result.h"

namespace kaiban::adapters::bank {

inline constexpr std::string_view kBankPartner = "bank";
inline constexpr std::string_view kAccountOpeningPath = "/bank/v1/account-opening";
inline constexpr std::string_view kStatusPathPrefix = "/bank/v1/status/";  // + message id

// The account-opening request for the bank_account step: the application's enterprise,
// legal representative, finance officer, contact phone, bank and green-channel flag, with the
// USCC (required) and the seal codes (optional, comma-separated) from earlier steps' outputs
// (output::kUscc, output::kSealCodes). `now` stamps the message. kInvalidInput (field "uscc")
// when the inputs hold no USCC.
Result<AccountOpeningRequest> accountOpeningRequestFor(const StepRequest& request, SystemTime now);

// The bank_account step over the bank's ISO 20022 interface (docs/partner-wire.md,
// docs/partners/bank.md). Thread-safe: the codec is immutable and PartnerClient is
// thread-safe.
//
// dispatch: POST kAccountOpeningPath with the acmt.007 (validated before sending) and the
//   message id in X-Kaiban-Message-Id.
//     2xx + acmt.010 for this message id  -> Ack{partner_reference = the ack's MsgId};
//     422 + acmt.011 for this message id  -> kRejected "<CODE>: <reason>" (the form
//                                            adapters::refusalOf reads);
//     other statuses                      -> transport::errorForStatus (400 -> kInvalidInput,
//                                            5xx/408/429 -> kUnavailable, 409 -> kConflict);
//     an answer that is malformed, schema-invalid, of the wrong message type or about
//       another message id                -> kCorrupt;
//     transport failures pass through (kUnavailable, kTimeout, kCorrupt), and a request that
//       cannot be expressed is kInvalidInput before anything is sent.
// poll: GET kStatusPathPrefix + id. 200 + acmt.010 -> kPending, + acmt.011 -> kRejected,
//   + acmt.014 -> kDone with {"account_number"}; 404 -> kNotFound; otherwise as dispatch.
//   kInvalidInput for an id that is not a message id ([A-Za-z0-9-]{1,35}).
// decodeCallback: an acmt.014 or acmt.011 for some message id -> its outcome; anything else
//   (including an acmt.010, which is no result) -> kInvalidInput.
class BankAdapter final : public StepAdapter {
 public:
  // `client` (the bank's PartnerClient) and `clock` must outlive the adapter.
  BankAdapter(transport::PartnerClient& client, std::shared_ptr<const BankCodec> codec,
              const Clock& clock);
  // Loads the codec from `schema_dir` (adapters/schemas/iso20022). Throws std::runtime_error
  // naming the file and reason when a schema cannot be loaded: a start-up configuration error.
  BankAdapter(transport::PartnerClient& client, const std::filesystem::path& schema_dir,
              const Clock& clock);

  std::string_view partner() const override { return kBankPartner; }
  Result<Ack> dispatch(const StepRequest& request) override;
  Result<StepOutcome> poll(const MessageId& id) override;
  Result<StepOutcome> decodeCallback(std::string_view body) const override;

  const BankCodec& codec() const { return *codec_; }

 private:
  transport::PartnerClient& client_;
  std::shared_ptr<const BankCodec> codec_;
  const Clock& clock_;
};

}  // namespace kaiban::adapters::bank
