#include "adapters/sim/identifiers.h"
#include "adapters/sim/partner_sims.h"
#include "adapters/sms/sms_codec.h"
#include "core/timestamp.h"

namespace kaiban::sim {
namespace {

using adapters::Accepted;
using adapters::Notification;
using adapters::Refusal;
using adapters::Rejection;
using adapters::SmsCodec;

// Phone numbers are masked in effect details: 138****0000.
std::string maskedPhone(std::string_view phone) {
  if (phone.size() < 7) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 7, '*') +
         std::string(phone.substr(phone.size() - 4));
}

class SendSim final : public PartnerRequest {
 public:
  SendSim(const SmsCodec& codec, Notification notification)
      : codec_(codec), notification_(std::move(notification)) {}

  const std::string& messageId() const override { return notification_.message_id; }

  Result<Decision> decide(Ledger& ledger, SystemTime now) override {
    // The simulated operators know no subscriber whose number ends in 0000, so tests and
    // demos can provoke a refusal.
    if (notification_.phone.ends_with("0000")) {
      Result<std::string> answer =
          encoded(codec_.encode(Rejection{
                      notification_.message_id,
                      Refusal{"PHONE_UNREACHABLE", "该号码无法送达 (no such subscriber): " +
                                                       maskedPhone(notification_.phone)}}),
                  "a Rejection");
      if (!answer.ok()) return answer.error();
      return Decision{422, std::move(*answer), "", false, "refused:PHONE_UNREACHABLE"};
    }
    const std::string reference = partnerReferenceFor(
        "SMS", shanghaiDate(now), static_cast<std::uint64_t>(ledger.nextSequence("sms.reference")));
    ledger.recordEffect("sms_sent", maskedPhone(notification_.phone));
    Result<std::string> answer =
        encoded(codec_.encode(Accepted{notification_.message_id, reference}), "an Accepted");
    if (!answer.ok()) return answer.error();
    return Decision{200, std::move(*answer), "", false, "sent:" + reference};
  }

 private:
  const SmsCodec& codec_;
  Notification notification_;
};

class SmsSim final : public PartnerSim {
 public:
  explicit SmsSim(SmsCodec codec) : codec_(std::move(codec)) {}

  const PartnerInfo& info() const override { return partnerInfo("sms"); }

  Result<std::unique_ptr<PartnerRequest>> parse(std::string_view operation,
                                                std::string_view body) const override {
    if (operation != "send") {
      return Error::notFound("the SMS gateway has no operation '" + std::string(operation) +
                             "' (send)");
    }
    Result<Notification> notification = codec_.decodeNotification(body);
    if (!notification.ok()) return notification.error();
    return std::unique_ptr<PartnerRequest>(
        std::make_unique<SendSim>(codec_, std::move(*notification)));
  }

  std::string errorDocument(std::string_view message_id, std::string_view reason) const override {
    return errorDocumentOf(codec_, message_id, reason);
  }

 private:
  SmsCodec codec_;
};

}  // namespace

std::unique_ptr<PartnerSim> makeSmsSim(const std::filesystem::path& schema_dir) {
  return std::make_unique<SmsSim>(loadedOrThrow(SmsCodec::load(schema_dir), SmsCodec::kPartner));
}

}  // namespace kaiban::sim
