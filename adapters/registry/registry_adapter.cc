#include "adapters/registry/registry_adapter.h"

#include <string>

namespace kaiban::adapters {

namespace {
constexpr int kOk = 200;
}  // namespace

RegistryAdapter::RegistryAdapter(const RegistryCodec& codec, PartnerLink& link)
    : PartnerStepAdapter(codec, std::string(kOperation), link), codec_(codec) {}

Result<NameCheck> RegistryAdapter::checkName(std::string_view name,
                                             std::string_view division_code) {
  // A name check has no step to derive a stable id from, and a resent check may rightly
  // get a newer answer, so every check is a new message.
  const NameCheckRequest request{wire::randomMessageId("NC"), std::string(name),
                                 std::string(division_code)};
  Result<std::string> body = codec_.encode(request);
  if (!body.ok()) return body.error();
  Result<std::string> answer = exchange().post(kNameCheckOperation, request.message_id, *body, kOk);
  if (!answer.ok()) return answer.error();
  Result<NameCheckResult> result = codec_.decodeNameCheckResult(*answer);
  if (!result.ok()) return exchange().corrupt(result.error());
  if (Result<void> same = exchange().expectMessageId(result->message_id, request.message_id);
      !same.ok()) {
    return same.error();
  }
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
