#pragma once

#include <string_view>

#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/registry/registry_codec.h"

namespace kaiban::adapters {

// The "registration" step's partner, the market-regulation registry, and the kiosk's inline
// name check. dispatch() sends a RegistrationRequest built from the application to
// POST /registry/v1/registration; the result carries outputs "uscc" and "licence_ref".
// Errors as PartnerStepAdapter describes. Thread-safe.
class RegistryAdapter final : public PartnerStepAdapter {
 public:
  static constexpr std::string_view kOperation = "registration";
  static constexpr std::string_view kNameCheckOperation = "name-check";

  // `link` must outlive the adapter.
  RegistryAdapter(const RegistryCodec& codec, PartnerLink& link);

  // Asks the registry whether `name` can be registered in the area of `division_code`
  // (POST /registry/v1/name-check, answered at once with a NameCheckResult).
  // Errors: kInvalidInput when the name or code cannot be sent (not 2-50 characters, no
  // plausible division code) or the registry answers 400; kRejected on 422;
  // kUnavailable / kTimeout (retry); kCorrupt when the answer is unusable.
  Result<NameCheck> checkName(std::string_view name, std::string_view division_code);

 private:
  Result<std::string> encodeRequest(const StepRequest& request) const override;
  Result<StepOutcome> decodeOutcome(std::string_view body) const override;

  RegistryCodec codec_;
};

}  // namespace kaiban::adapters
