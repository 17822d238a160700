#include "adapters/registry/registry_adapter.h"

#include <string>

namespace kaiban::adapters {

RegistryAdapter::RegistryAdapter(const RegistryCodec& codec, PartnerLink& link)
    : PartnerStepAdapter(codec, std::string(kOperation), link), codec_(codec) {}

Result<NameCheck> RegistryAdapter::checkName(std::string_view name,
                                             std::string_view division_code) {
  // A name check has no step to derive a stable id from, and a resent check may rightly
  // get a newer answer, so every check is a new message.
  const NameCheckRequest request{wire::randomMessageId("NC"), std::string(name),
                                 std::string(division_code)};
  Result<NameCheckResult> result = exchange().ask<NameCheckResult>(
      kNameCheckOperation, request.message_id, codec_.encode(request),
      [this](std::string_view body) { return codec_.decodeNameCheckResult(body); });
  if (!result.ok()) return result.error();
  return result->check;
}

Result<std::string> RegistryAdapter::encodeRequest(const StepRequest& request) const {
  const Application& application = request.application;
  return codec_.encode(RegistrationRequest{request.message_id, request.application_id,
                                           application.enterprise, application.legal_representative,
                                           application.shareholders, application.supervisor,
                                           application.finance_officer});
}

Result<StepOutcome> RegistryAdapter::decodeOutcome(std::string_view body) const {
  return codec_.decodeOutcome(body);
}

}  // namespace kaiban::adapters
