#include "adapters/sms/sms_notifier.h"

#include <string>

namespace kaiban::adapters {

SmsNotifier::SmsNotifier(const SmsCodec& codec, PartnerLink& link)
    : codec_(codec), exchange_(codec, link) {}

Result<void> SmsNotifier::notify(const MessageId& id, std::string_view phone,
                                 std::string_view text) {
  Result<Accepted> accepted = exchange_.ask<Accepted>(
      kOperation, id, codec_.encode(Notification{id, std::string(phone), std::string(text)}),
      [this](std::string_view body) { return codec_.decodeAccepted(body); });
  if (!accepted.ok()) return accepted.error();
  return ok();
}

}  // namespace kaiban::adapters
