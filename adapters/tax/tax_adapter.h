#pragma once

#include <string_view>

#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/tax/tax_codec.h"

namespace kaiban::adapters {

// The "tax_registration" step's partner operation. dispatch() needs input "uscc" and sends a
// TaxpayerRegistration (taxpayer type and invoices from the application, tax items from
// taxItemsFor) to POST /tax/v1/registration; the result carries output "taxpayer_id".
// Errors as PartnerStepAdapter describes; a missing "uscc" is kInvalidInput. Thread-safe.
class TaxRegistrationAdapter final : public PartnerStepAdapter {
 public:
  static constexpr std::string_view kOperation = "registration";

  // `link` must outlive the adapter.
  TaxRegistrationAdapter(const TaxCodec& codec, PartnerLink& link);

 private:
  Result<std::string> encodeRequest(const StepRequest& request) const override;
  Result<StepOutcome> decodeOutcome(std::string_view body) const override;

  TaxCodec codec_;
};

// The "tax_bank_agreement" step's partner operation. dispatch() needs inputs "uscc" and
// "account_number" (and uses "taxpayer_id" when present, else the USCC) and sends a
// PaymentAgreement for the application's bank to POST /tax/v1/agreement; the result carries
// output "agreement_ref". Errors as PartnerStepAdapter describes. Thread-safe.
class TaxAgreementAdapter final : public PartnerStepAdapter {
 public:
  static constexpr std::string_view kOperation = "agreement";

  // `link` must outlive the adapter.
  TaxAgreementAdapter(const TaxCodec& codec, PartnerLink& link);

 private:
  Result<std::string> encodeRequest(const StepRequest& request) const override;
  Result<StepOutcome> decodeOutcome(std::string_view body) const override;

  TaxCodec codec_;
};

}  // namespace kaiban::adapters
