#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/partner_codec/partner_codec.h"
#include "core/application.h"

// The market-regulation registry's documents (adapters/schemas/registry.xsd, namespace
// urn:kaiban:partner:registry:1; examples in docs/partners/registry.md).
namespace kaiban::adapters {

// Can this name be registered in this area? Answered synchronously.
struct NameCheckRequest {
  MessageId message_id;
  std::string name;           // the full enterprise name, 2-50 characters
  std::string division_code;  // where the enterprise will be registered

  friend bool operator==(const NameCheckRequest&, const NameCheckRequest&) = default;
};

enum class NameVerdict {
  kAvailable,
  kConflicting,     // a registered enterprise has this or a confusingly similar name
  kProhibitedWord,  // the name holds a word no enterprise name may carry
};

struct NameCheck {
  NameVerdict verdict = NameVerdict::kAvailable;
  // The registered name it conflicts with (kConflicting), the prohibited word
  // (kProhibitedWord), or "" (kAvailable).
  std::string detail;

  friend bool operator==(const NameCheck&, const NameCheck&) = default;
};

struct NameCheckResult {
  MessageId message_id;
  NameCheck check;

  friend bool operator==(const NameCheckResult&, const NameCheckResult&) = default;
};

// Register this enterprise (企业设立登记).
struct RegistrationRequest {
  MessageId message_id;
  std::string application_id;
  Enterprise enterprise;
  Person legal_representative;
  std::vector<Shareholder> shareholders;  // 1-50, each ID number once
  std::optional<Person> supervisor;
  std::optional<Person> finance_officer;

  friend bool operator==(const RegistrationRequest&, const RegistrationRequest&) = default;
};

struct Registered {
  std::string uscc;               // the enterprise's Unified Social Credit Code
  std::string licence_ref;        // the e-business-licence number
  std::string registration_date;  // YYYY-MM-DD

  friend bool operator==(const Registered&, const Registered&) = default;
};

// Reason codes: NAME_TAKEN, NAME_PROHIBITED, INVALID_DOCUMENTS, PERSON_DISQUALIFIED,
// ADDRESS_REJECTED.
using RegistrationResult = StepResult<Registered>;

// Encodes and decodes every registry document; see PartnerCodec for the rules every encode
// and decode follows. Thread-safe; copies share the schema.
class RegistryCodec : public PartnerCodec {
 public:
  static constexpr std::string_view kPartner = "registry";
  static constexpr std::string_view kNameCheckRequest = "NameCheckRequest";
  static constexpr std::string_view kNameCheckResult = "NameCheckResult";
  static constexpr std::string_view kRegistrationRequest = "RegistrationRequest";
  static constexpr std::string_view kRegistrationResult = "RegistrationResult";

  // Loads <schema_dir>/registry.xsd (and partner-common.xsd beside it).
  static Result<RegistryCodec> load(const std::filesystem::path& schema_dir);

  using PartnerCodec::encode;
  Result<std::string> encode(const NameCheckRequest& request) const;
  Result<NameCheckRequest> decodeNameCheckRequest(std::string_view body) const;
  Result<std::string> encode(const NameCheckResult& result) const;
  Result<NameCheckResult> decodeNameCheckResult(std::string_view body) const;
  Result<std::string> encode(const RegistrationRequest& request) const;
  Result<RegistrationRequest> decodeRegistrationRequest(std::string_view body) const;
  Result<std::string> encode(const RegistrationResult& result) const;
  Result<RegistrationResult> decodeRegistrationResult(std::string_view body) const;

  // A RegistrationResult (kDone with outputs "uscc" and "licence_ref", or kRejected) or an
  // Acknowledgement (kPending), as a poll or callback delivers it.
  Result<StepOutcome> decodeOutcome(std::string_view body) const;

 private:
  explicit RegistryCodec(std::shared_ptr<const xml::Schema> schema);
};

}  // namespace kaiban::adapters
