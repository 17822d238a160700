#include "adapters/seal/seal_codec.h"

#include <utility>

namespace kaiban::adapters {

namespace {

using wire::text;

constexpr wire::NameTable<SealKind, 4> kKindNames = {{
    {SealKind::kCompany, "company"},
    {SealKind::kFinance, "finance"},
    {SealKind::kInvoice, "invoice"},
    {SealKind::kLegalRepresentative, "legal_representative"},
}};

void writeSeals(xml::Element root, const EngravingOrder& order) {
  xml::Element seals = root.appendChild("Seals");
  seals.appendChild("CompanySeal");
  if (order.finance_seal) seals.appendChild("FinanceSeal");
  if (order.invoice_seal) seals.appendChild("InvoiceSeal");
  if (order.legal_representative_seal) {
    seals.appendChild("LegalRepresentativeSeal")
        .appendChild("Name", *order.legal_representative_seal);
  }
}

void writeDelivery(xml::Element root, const EngravingOrder& order) {
  xml::Element delivery = root.appendChild("Delivery");
  if (order.delivery == SealDelivery::kPickup) {
    delivery.appendChild("Pickup");
    // A pick-up order with an address is contradictory: the schema refuses it this way.
    if (order.courier_address) wire::appendAddress(delivery, "Address", *order.courier_address);
    return;
  }
  xml::Element courier = delivery.appendChild("Courier");
  if (order.courier_address) wire::appendAddress(courier, "Address", *order.courier_address);
}

EngravingOrder readOrder(const xml::Element& root) {
  const std::string ns = root.namespaceUri();
  EngravingOrder order;
  order.message_id = text(root, {"MessageId"});
  order.uscc = text(root, {"Uscc"});
  order.company_name = text(root, {"CompanyName"});
  const xml::Element seals = *root.child(ns, "Seals");
  order.finance_seal = wire::has(seals, "FinanceSeal");
  order.invoice_seal = wire::has(seals, "InvoiceSeal");
  if (wire::has(seals, "LegalRepresentativeSeal")) {
    order.legal_representative_seal = text(seals, {"LegalRepresentativeSeal", "Name"});
  }
  order.shop = text(root, {"ShopCode"});
  const xml::Element delivery = *root.child(ns, "Delivery");
  if (std::optional<xml::Element> courier = delivery.child(ns, "Courier")) {
    order.delivery = SealDelivery::kCourier;
    order.courier_address = wire::readAddress(*courier->child(ns, "Address"));
  }
  order.contact_phone = text(root, {"ContactPhone"});
  return order;
}

SealsFiled readFiled(const xml::Element& root) {
  const std::string ns = root.namespaceUri();
  const xml::Element filed = *root.child(ns, "Filed");
  SealsFiled result{text(filed, {"FilingDate"}), {}};
  for (const xml::Element& seal : filed.children(ns, "Seal")) {
    // The schema admits exactly the names parseSealKind accepts.
    result.seals.push_back(FiledSeal{
        parseSealKind(text(seal, {"Kind"})).valueOr(SealKind::kCompany), text(seal, {"Code"})});
  }
  return result;
}

Outputs filedOutputs(const SealsFiled& filed) {
  return Outputs{{std::string(output::kSealCodes), sealCodesOutput(filed)}};
}

}  // namespace

std::string_view toString(SealKind kind) { return wire::nameIn(kKindNames, kind); }

Result<SealKind> parseSealKind(std::string_view name) {
  return wire::valueIn(kKindNames, name, "seal kind");
}

std::string sealCodesOutput(const SealsFiled& filed) {
  std::string codes;
  for (const FiledSeal& seal : filed.seals) {
    if (!codes.empty()) codes += ',';
    codes += std::string(toString(seal.kind)) + ":" + seal.code;
  }
  return codes;
}

SealCodec::SealCodec(std::shared_ptr<const xml::Schema> schema)
    : PartnerCodec(std::string(kPartner), std::move(schema)) {}

Result<SealCodec> SealCodec::load(const std::filesystem::path& schema_dir) {
  Result<std::shared_ptr<const xml::Schema>> schema = loadSchema(schema_dir, kPartner);
  if (!schema.ok()) return schema.error();
  return SealCodec(std::move(schema).value());
}

Result<std::string> SealCodec::encode(const EngravingOrder& order) const {
  return build(kEngravingOrder, order.message_id, [&](xml::Element root) {
    root.appendChild("Uscc", order.uscc);
    root.appendChild("CompanyName", order.company_name);
    writeSeals(root, order);
    root.appendChild("ShopCode", order.shop);
    writeDelivery(root, order);
    root.appendChild("ContactPhone", order.contact_phone);
  });
}

Result<EngravingOrder> SealCodec::decodeEngravingOrder(std::string_view body) const {
  return decodeAs<EngravingOrder>(body, kEngravingOrder, readOrder);
}

Result<std::string> SealCodec::encode(const FilingResult& result) const {
  return encodeResult(kFilingResult, result, [](xml::Element root, const SealsFiled& done) {
    xml::Element filed = root.appendChild("Filed");
    filed.appendChild("FilingDate", done.filing_date);
    for (const FiledSeal& seal : done.seals) {
      xml::Element element = filed.appendChild("Seal");
      element.appendChild("Kind", toString(seal.kind));
      element.appendChild("Code", seal.code);
    }
  });
}

Result<FilingResult> SealCodec::decodeFilingResult(std::string_view body) const {
  return decodeResult<SealsFiled>(body, kFilingResult, readFiled);
}

Result<StepOutcome> SealCodec::decodeOutcome(std::string_view body) const {
  return PartnerCodec::decodeOutcome<SealsFiled>(body, kFilingResult, readFiled, filedOutputs);
}

}  // namespace kaiban::adapters
