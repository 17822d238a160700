#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/adapter.h"
#include "adapters/partner_codec/partner_codec.h"

// The SMS gateway's documents (adapters/schemas/sms.xsd, namespace urn:kaiban:partner:sms:1;
// examples in docs/partners/sms.md).
namespace kaiban::adapters {

struct Notification {
  MessageId message_id;
  std::string phone;  // mainland mobile number
  std::string text;   // 1-500 characters

  friend bool operator==(const Notification&, const Notification&) = default;
};

// The gateway took the text for delivery (at most once per message id).
struct Accepted {
  MessageId message_id;
  std::string partner_reference;

  friend bool operator==(const Accepted&, const Accepted&) = default;
};

// Encodes and decodes every SMS-gateway document; see PartnerCodec for the rules every
// encode and decode follows. Rejection reason codes: PHONE_UNREACHABLE, PHONE_OPTED_OUT,
// CONTENT_REFUSED. Thread-safe; copies share the schema.
class SmsCodec : public PartnerCodec {
 public:
  static constexpr std::string_view kPartner = "sms";
  static constexpr std::string_view kNotification = "Notification";
  static constexpr std::string_view kAccepted = "Accepted";

  // Loads <schema_dir>/sms.xsd (and partner-common.xsd beside it).
  static Result<SmsCodec> load(const std::filesystem::path& schema_dir);

  using PartnerCodec::encode;
  Result<std::string> encode(const Notification& notification) const;
  Result<Notification> decodeNotification(std::string_view body) const;
  Result<std::string> encode(const Accepted& accepted) const;
  Result<Accepted> decodeAccepted(std::string_view body) const;

 private:
  explicit SmsCodec(std::shared_ptr<const xml::Schema> schema);
};

}  // namespace kaiban::adapters
