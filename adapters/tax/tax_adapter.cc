#include "adapters/tax/tax_adapter.h"

#include <string>

namespace kaiban::adapters {

TaxRegistrationAdapter::TaxRegistrationAdapter(const TaxCodec& codec, PartnerLink& link)
    : PartnerStepAdapter(codec, std::string(kOperation), link), codec_(codec) {}

Result<std::string> TaxRegistrationAdapter::encodeRequest(const StepRequest& request) const {
  Result<std::string> uscc = requiredInput(request, output::kUscc);
  if (!uscc.ok()) return uscc.error();
  const Application& application = request.application;
  const Enterprise& enterprise = application.enterprise;
  return codec_.encode(TaxpayerRegistration{
      request.message_id, *uscc, enterprise.name, enterprise.type, enterprise.registered_address,
      application.tax.taxpayer_type, taxItemsFor(enterprise.type), application.tax.invoices,
      application.legal_representative, application.finance_officer});
}

Result<StepOutcome> TaxRegistrationAdapter::decodeOutcome(std::string_view body) const {
  return codec_.decodeRegistrationOutcome(body);
}

TaxAgreementAdapter::TaxAgreementAdapter(const TaxCodec& codec, PartnerLink& link)
    : PartnerStepAdapter(codec, std::string(kOperation), link), codec_(codec) {}

Result<std::string> TaxAgreementAdapter::encodeRequest(const StepRequest& request) const {
  Result<std::string> uscc = requiredInput(request, output::kUscc);
  if (!uscc.ok()) return uscc.error();
  Result<std::string> account = requiredInput(request, output::kAccountNumber);
  if (!account.ok()) return account.error();
  // Enterprises registered since 2015 use their USCC as taxpayer id; the tax step's own
  // answer is preferred when the flow passes it on.
  Result<std::string> taxpayer_id = requiredInput(request, output::kTaxpayerId);
  const Application& application = request.application;
  return codec_.encode(PaymentAgreement{request.message_id, *uscc, taxpayer_id.valueOr(*uscc),
                                        application.bank_code, *account,
                                        application.enterprise.name});
}

Result<StepOutcome> TaxAgreementAdapter::decodeOutcome(std::string_view body) const {
  return codec_.decodeAgreementOutcome(body);
}

}  // namespace kaiban::adapters
