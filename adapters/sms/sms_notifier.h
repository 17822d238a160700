#pragma once

#include <string_view>

#include "adapters/adapter.h"
#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/sms/sms_codec.h"

namespace kaiban::adapters {

// Notifier over the SMS gateway: POST /sms/v1/send with a Notification carrying the
// caller's message id, answered at once with Accepted. The gateway deduplicates on the id,
// so the caller may resend after a timeout.
// Errors: kInvalidInput when the id, phone or text cannot be sent (text 1-500 characters,
// phone a mainland mobile number) or the gateway answers 400; kRejected on 422 (e.g.
// "PHONE_OPTED_OUT: ..."); kUnavailable / kTimeout (resend later with the same id);
// kCorrupt when the answer is unusable. Thread-safe.
class SmsNotifier final : public Notifier {
 public:
  static constexpr std::string_view kOperation = "send";

  // `link` must outlive the notifier.
  SmsNotifier(const SmsCodec& codec, PartnerLink& link);

  Result<void> notify(const MessageId& id, std::string_view phone, std::string_view text) override;

 private:
  SmsCodec codec_;
  PartnerExchange exchange_;
};

}  // namespace kaiban::adapters
