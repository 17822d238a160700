#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/partner_codec/partner_codec.h"
#include "core/application.h"

// The public-security seal system's documents (adapters/schemas/seal.xsd, namespace
// urn:kaiban:partner:seal:1; examples in docs/partners/seal.md).
namespace kaiban::adapters {

enum class SealKind {
  kCompany,              // "company" 公章
  kFinance,              // "finance" 财务专用章
  kInvoice,              // "invoice" 发票专用章
  kLegalRepresentative,  // "legal_representative" 法定代表人名章
};
std::string_view toString(SealKind kind);
Result<SealKind> parseSealKind(std::string_view name);

// Engrave and file seals for a registered enterprise. The company seal is always ordered;
// company, finance and invoice seals carry the company name.
struct EngravingOrder {
  MessageId message_id;
  std::string uscc;
  std::string company_name;
  bool finance_seal = false;
  bool invoice_seal = false;
  // The name on the legal representative's seal; no such seal when absent.
  std::optional<std::string> legal_representative_seal;
  std::string shop;  // the engraving shop's code
  SealDelivery delivery = SealDelivery::kPickup;
  std::optional<Address> courier_address;  // exactly when delivery is kCourier
  std::string contact_phone;

  friend bool operator==(const EngravingOrder&, const EngravingOrder&) = default;
};

struct FiledSeal {
  SealKind kind = SealKind::kCompany;
  std::string code;  // 13 digits

  friend bool operator==(const FiledSeal&, const FiledSeal&) = default;
};

struct SealsFiled {
  std::string filing_date;       // YYYY-MM-DD
  std::vector<FiledSeal> seals;  // 1-4, each kind and code once

  friend bool operator==(const SealsFiled&, const SealsFiled&) = default;
};

// Reason codes: INVALID_USCC, NAME_MISMATCH, SHOP_UNKNOWN, ALREADY_FILED.
using FilingResult = StepResult<SealsFiled>;

// The "seal_codes" output of a filing: "<kind>:<code>" per seal in the result's order, joined
// by commas, e.g. "company:3702020012345,finance:3702020012346".
std::string sealCodesOutput(const SealsFiled& filed);

// Encodes and decodes every seal-system document; see PartnerCodec for the rules every
// encode and decode follows. Thread-safe; copies share the schema.
class SealCodec : public PartnerCodec {
 public:
  static constexpr std::string_view kPartner = "seal";
  static constexpr std::string_view kEngravingOrder = "EngravingOrder";
  static constexpr std::string_view kFilingResult = "FilingResult";

  // Loads <schema_dir>/seal.xsd (and partner-common.xsd beside it).
  static Result<SealCodec> load(const std::filesystem::path& schema_dir);

  using PartnerCodec::encode;
  Result<std::string> encode(const EngravingOrder& order) const;
  Result<EngravingOrder> decodeEngravingOrder(std::string_view body) const;
  Result<std::string> encode(const FilingResult& result) const;
  Result<FilingResult> decodeFilingResult(std::string_view body) const;

  // A FilingResult (kDone with output "seal_codes", or kRejected) or an Acknowledgement
  // (kPending).
  Result<StepOutcome> decodeOutcome(std::string_view body) const;

 private:
  explicit SealCodec(std::shared_ptr<const xml::Schema> schema);
};

}  // namespace kaiban::adapters
