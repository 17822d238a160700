#include "adapters/partner_codec/partner_codec.h"

#include <cassert>
#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <random>
#include <utility>

#include "adapters/xml/parse.h"

namespace kaiban::adapters {

namespace {

std::string quotedList(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += " or ";
    out += name;
  }
  return out;
}

}  // namespace

PartnerCodec::PartnerCodec(std::string partner, std::shared_ptr<const xml::Schema> schema)
    : partner_(std::move(partner)),
      namespace_uri_("urn:kaiban:partner:" + partner_ + ":1"),
      schema_(std::move(schema)) {
  assert(schema_ != nullptr);
}

Result<std::shared_ptr<const xml::Schema>> PartnerCodec::loadSchema(
    const std::filesystem::path& schema_dir, std::string_view partner) {
  return xml::Schema::load(schema_dir / (std::string(partner) + ".xsd"));
}

xml::Document PartnerCodec::start(std::string_view root, const MessageId& id) const {
  xml::Document document = xml::Document::create(root, namespace_uri_);
  document.root().appendChild("MessageId", id);
  return document;
}

Result<std::string> PartnerCodec::finish(const xml::Document& document) const {
  // Validating our own output is what keeps a bad application from reaching the partner
  // as a 400, and keeps kaiban-sim from answering with anything the orchestrator refuses.
  if (Result<void> valid = schema_->validate(document); !valid.ok()) {
    return Error::invalidInput(
        "cannot send " + partner_ + " " + document.root().name() + ": " + valid.error().message,
        valid.error().field);
  }
  return document.serialize();
}

Result<xml::Document> PartnerCodec::open(std::string_view body,
                                         std::initializer_list<std::string_view> roots) const {
  Result<xml::Document> document = xml::parse(body);
  if (!document.ok()) {
    return Error::invalidInput(partner_ + " document refused: " + document.error().message,
                               document.error().field);
  }
  const xml::Element root = document->root();
  bool expected = root.namespaceUri() == namespace_uri_;
  if (expected && roots.size() > 0) {
    expected = false;
    for (std::string_view name : roots) expected = expected || root.name() == name;
  }
  // Checked before validation so that a well-formed document of the wrong kind is named
  // plainly instead of by the validator's "no matching global declaration".
  if (!expected) {
    return Error::invalidInput(partner_ + " document refused: expected " +
                               (roots.size() > 0 ? quotedList(roots) : std::string("a document")) +
                               " in namespace " + namespace_uri_ + ", got <" + root.name() +
                               "> in namespace \"" + root.namespaceUri() + "\"");
  }
  if (Result<void> valid = schema_->validate(*document); !valid.ok()) {
    return Error::invalidInput(partner_ + " " + root.name() + " refused: " + valid.error().message,
                               valid.error().field);
  }
  return document;
}

Result<std::string> PartnerCodec::documentType(std::string_view body) const {
  Result<xml::Document> document = open(body, {});
  if (!document.ok()) return document.error();
  return document->root().name();
}

Result<std::string> PartnerCodec::encode(const Acknowledgement& ack) const {
  return build(kAcknowledgement, ack.message_id, [&](xml::Element root) {
    root.appendChild("PartnerReference", ack.partner_reference);
  });
}

Result<Acknowledgement> PartnerCodec::decodeAcknowledgement(std::string_view body) const {
  return decodeAs<Acknowledgement>(body, kAcknowledgement, [](const xml::Element& root) {
    return Acknowledgement{wire::text(root, {"MessageId"}), wire::text(root, {"PartnerReference"})};
  });
}

Result<std::string> PartnerCodec::encode(const Rejection& rejection) const {
  return build(kRejection, rejection.message_id,
               [&](xml::Element root) { appendRefusal(root, rejection.refusal); });
}

Result<Rejection> PartnerCodec::decodeRejection(std::string_view body) const {
  return decodeAs<Rejection>(body, kRejection, [](const xml::Element& root) {
    return Rejection{wire::text(root, {"MessageId"}), readRefusal(root)};
  });
}

Result<std::string> PartnerCodec::encode(const ErrorReport& report) const {
  xml::Document document = xml::Document::create(kError, namespace_uri_);
  if (!report.message_id.empty()) document.root().appendChild("MessageId", report.message_id);
  document.root().appendChild("Reason", report.reason);
  return finish(document);
}

Result<ErrorReport> PartnerCodec::decodeErrorReport(std::string_view body) const {
  return decodeAs<ErrorReport>(body, kError, [](const xml::Element& root) {
    return ErrorReport{wire::text(root, {"MessageId"}), wire::text(root, {"Reason"})};
  });
}

void PartnerCodec::appendRefusal(xml::Element parent, const Refusal& refusal) {
  parent.appendChild("ReasonCode", refusal.reason_code);
  parent.appendChild("Reason", refusal.reason);
}

Refusal PartnerCodec::readRefusal(const xml::Element& parent) {
  return Refusal{wire::text(parent, {"ReasonCode"}), wire::text(parent, {"Reason"})};
}

StepOutcome PartnerCodec::pendingOutcome(const xml::Element& ack) {
  return StepOutcome{wire::text(ack, {"MessageId"}), OutcomeKind::kPending, {}, {}, {}};
}

namespace wire {

std::string text(const xml::Element& from, std::initializer_list<std::string_view> path) {
  return xml::optionalText(from, path).value_or(std::string());
}

bool has(const xml::Element& from, std::string_view name) {
  return from.child(from.namespaceUri(), name).has_value();
}

std::string amount(Money money) {
  const int64_t fen = money.minorUnits();
  // Only positive amounts are valid on the wire; a negative one is written as such and
  // then refused by the schema's pattern, with the schema's message.
  const uint64_t magnitude = fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  char digits[32];
  std::snprintf(digits, sizeof digits, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "",
                magnitude / 100, magnitude % 100);
  return digits;
}

Money parseAmount(std::string_view text) {
  Result<Money> money = Money::parseYuan(text);
  assert(money.ok());
  return money.valueOr(Money());
}

std::string idNumber(std::string_view text) {
  std::string normalised(text);
  if (normalised.size() == 18 && normalised.back() == 'x') normalised.back() = 'X';
  return normalised;
}

void appendAddress(xml::Element parent, std::string_view name, const Address& address) {
  xml::Element element = parent.appendChild(name);
  element.appendChild("DivisionCode", address.division_code);
  element.appendChild("Detail", address.detail);
}

Address readAddress(const xml::Element& address) {
  return Address{text(address, {"DivisionCode"}), text(address, {"Detail"})};
}

xml::Element appendPerson(xml::Element parent, std::string_view name, const Person& person) {
  xml::Element element = parent.appendChild(name);
  element.appendChild("IdNumber", idNumber(person.id_number));
  element.appendChild("Name", person.name);
  if (!person.phone.empty()) element.appendChild("Phone", person.phone);
  return element;
}

Person readPerson(const xml::Element& person) {
  return Person{text(person, {"IdNumber"}), text(person, {"Name"}), text(person, {"Phone"})};
}

MessageId randomMessageId(std::string_view prefix) {
  static std::mutex mutex;
  static std::mt19937_64 generator{std::random_device{}()};
  uint64_t high = 0;
  uint64_t low = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    high = generator();
    low = generator();
  }
  char digits[32];
  std::snprintf(digits, sizeof digits, "%08" PRIx64 "%016" PRIx64, high & 0xffffffffu, low);
  return std::string(prefix) + "-" + digits;
}

}  // namespace wire

}  // namespace kaiban::adapters
