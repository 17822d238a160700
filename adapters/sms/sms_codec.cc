#include "adapters/sms/sms_codec.h"

#include <utility>

namespace kaiban::adapters {

namespace {
using wire::text;
}  // namespace

SmsCodec::SmsCodec(std::shared_ptr<const xml::Schema> schema)
    : PartnerCodec(std::string(kPartner), std::move(schema)) {}

Result<SmsCodec> SmsCodec::load(const std::filesystem::path& schema_dir) {
  Result<std::shared_ptr<const xml::Schema>> schema = loadSchema(schema_dir, kPartner);
  if (!schema.ok()) return schema.error();
  return SmsCodec(std::move(schema).value());
}

Result<std::string> SmsCodec::encode(const Notification& notification) const {
  return build(kNotification, notification.message_id, [&](xml::Element root) {
    root.appendChild("Phone", notification.phone);
    root.appendChild("Text", notification.text);
  });
}

Result<Notification> SmsCodec::decodeNotification(std::string_view body) const {
  return decodeAs<Notification>(body, kNotification, [](const xml::Element& root) {
    return Notification{text(root, {"MessageId"}), text(root, {"Phone"}), text(root, {"Text"})};
  });
}

Result<std::string> SmsCodec::encode(const Accepted& accepted) const {
  return build(kAccepted, accepted.message_id, [&](xml::Element root) {
    root.appendChild("PartnerReference", accepted.partner_reference);
  });
}

Result<Accepted> SmsCodec::decodeAccepted(std::string_view body) const {
  return decodeAs<Accepted>(body, kAccepted, [](const xml::Element& root) {
    return Accepted{text(root, {"MessageId"}), text(root, {"PartnerReference"})};
  });
}

}  // namespace kaiban::adapters
