#include "adapters/seal/seal_adapter.h"

#include <string>

namespace kaiban::adapters {

SealAdapter::SealAdapter(const SealCodec& codec, PartnerLink& link)
    : PartnerStepAdapter(codec, std::string(kOperation), link), codec_(codec) {}

Result<std::string> SealAdapter::encodeRequest(const StepRequest& request) const {
  Result<std::string> uscc = requiredInput(request, output::kUscc);
  if (!uscc.ok()) return uscc.error();
  const Application& application = request.application;
  // Every new enterprise needs all four seals to open its account and buy invoices; the
  // one-stop service orders them together.
  return codec_.encode(EngravingOrder{request.message_id, *uscc, application.enterprise.name, true,
                                      true, application.legal_representative.name,
                                      application.seal.shop, application.seal.delivery,
                                      application.seal.courier_address, application.contact_phone});
}

Result<StepOutcome> SealAdapter::decodeOutcome(std::string_view body) const {
  return codec_.decodeOutcome(body);
}

}  // namespace kaiban::adapters
