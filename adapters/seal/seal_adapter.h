#pragma once

#include <string_view>

#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/seal/seal_codec.h"

namespace kaiban::adapters {

// The "seal" step's partner, the public-security seal system. dispatch() needs input "uscc"
// (from registration) and sends an EngravingOrder for all four seals (company, finance,
// invoice, and the legal representative's name seal) to the shop and delivery the applicant
// chose, to POST /seal/v1/engraving; the result carries output "seal_codes" (see
// sealCodesOutput). Errors as PartnerStepAdapter describes; a missing "uscc" is
// kInvalidInput. Thread-safe.
class SealAdapter final : public PartnerStepAdapter {
 public:
  static constexpr std::string_view kOperation = "engraving";

  // `link` must outlive the adapter.
  SealAdapter(const SealCodec& codec, PartnerLink& link);

 private:
  Result<std::string> encodeRequest(const StepRequest& request) const override;
  Result<StepOutcome> decodeOutcome(std::string_view body) const override;

  SealCodec codec_;
};

}  // namespace kaiban::adapters
