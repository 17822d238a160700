#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "adapters/adapter.h"
#include "adapters/xml/document.h"
#include "adapters/xml/schema.h"
#include "core/application.h"
#include "core/money.h"
#include "core/result.h"

// What every Kaiban partner format (registry, seal, tax, people, sms) has in common: one XML
// namespace "urn:kaiban:partner:<partner>:1" per partner, one XSD per partner holding all its
// documents (adapters/schemas/<partner>.xsd, which includes partner-common.xsd), a MessageId
// first in every document, and the envelope documents Acknowledgement (202), Rejection (422)
// and Error (400) of docs/partner-wire.md. The partner codecs derive from PartnerCodec; the
// orchestrator's adapters and kaiban-sim use the same codecs, so both ends agree by design.
namespace kaiban::adapters {

// A partner's business "no": a code from the partner's ReasonCode list (its XSD) and a
// sentence a person can act on.
struct Refusal {
  std::string reason_code;  // e.g. "NAME_TAKEN"
  std::string reason;

  friend bool operator==(const Refusal&, const Refusal&) = default;
};

// The 202 answer of an asynchronous partner: it has the request; the result follows.
struct Acknowledgement {
  MessageId message_id;
  std::string partner_reference;

  friend bool operator==(const Acknowledgement&, const Acknowledgement&) = default;
};

// The 422 answer: the partner refused the request itself.
struct Rejection {
  MessageId message_id;
  Refusal refusal;

  friend bool operator==(const Rejection&, const Rejection&) = default;
};

// The 400 answer: the request was not valid against the partner's schema. `message_id` is
// empty when the partner could not read one.
struct ErrorReport {
  MessageId message_id;
  std::string reason;

  friend bool operator==(const ErrorReport&, const ErrorReport&) = default;
};

// The final answer to an asynchronous request (poll answer or callback): what the partner
// did (`Done`, partner-specific), or why it did not.
template <class Done>
struct StepResult {
  MessageId message_id;
  std::variant<Done, Refusal> outcome;

  friend bool operator==(const StepResult&, const StepResult&) = default;
};

// The codec part shared by all partners. Every encode builds the document, validates it
// against the partner's XSD and serialises it; kInvalidInput (naming the partner, the
// document and the schema problem) when the data cannot be expressed, e.g. a USCC that does
// not match the pattern. Every decode parses with xml::parse (no DOCTYPE, no entities, size
// and depth limits), checks the root element and namespace, then validates; kInvalidInput
// with the parser's or validator's message (line, element, reason) otherwise.
//
// Copyable and cheap to copy: copies share the compiled schema. Thread-safe: all members
// are const.
class PartnerCodec {
 public:
  static constexpr std::string_view kAcknowledgement = "Acknowledgement";
  static constexpr std::string_view kRejection = "Rejection";
  static constexpr std::string_view kError = "Error";

  // "registry", "seal", ...: names the partner in messages and URL paths.
  const std::string& partner() const { return partner_; }
  // "urn:kaiban:partner:registry:1"
  const std::string& namespaceUri() const { return namespace_uri_; }

  // The root element's local name of `body`, once it is a valid document of this partner:
  // how kaiban-sim tells which request arrived.
  Result<std::string> documentType(std::string_view body) const;

  // Envelope documents. The Acknowledgement is only part of the asynchronous partners'
  // schemas (registry, seal, tax): encoding it for people or sms fails validation.
  Result<std::string> encode(const Acknowledgement& ack) const;
  Result<Acknowledgement> decodeAcknowledgement(std::string_view body) const;
  Result<std::string> encode(const Rejection& rejection) const;
  Result<Rejection> decodeRejection(std::string_view body) const;
  Result<std::string> encode(const ErrorReport& report) const;
  Result<ErrorReport> decodeErrorReport(std::string_view body) const;

 protected:
  // Loads "<schema_dir>/<partner>.xsd" once; the codec and its copies share it.
  // Errors: those of xml::Schema::load (kNotFound, kInvalidInput).
  static Result<std::shared_ptr<const xml::Schema>> loadSchema(
      const std::filesystem::path& schema_dir, std::string_view partner);

  // REQUIRES: schema != nullptr.
  PartnerCodec(std::string partner, std::shared_ptr<const xml::Schema> schema);

  // A new document `root` in this partner's namespace whose first child is <MessageId>.
  xml::Document start(std::string_view root, const MessageId& id) const;
  // Validates `document` and serialises it.
  Result<std::string> finish(const xml::Document& document) const;
  // Parses `body` and validates it; its root must be one of `roots`.
  Result<xml::Document> open(std::string_view body,
                             std::initializer_list<std::string_view> roots) const;

  // Builds document `root` (MessageId first, then whatever `write(root_element)` appends)
  // and finishes it.
  template <class Write>
  Result<std::string> build(std::string_view root, const MessageId& id, Write write) const {
    xml::Document document = start(root, id);
    write(document.root());
    return finish(document);
  }
  // Opens `body` as document `root` and reads it with `read(root_element)`, which returns T.
  template <class T, class Read>
  Result<T> decodeAs(std::string_view body, std::string_view root, Read read) const {
    Result<xml::Document> document = open(body, {root});
    if (!document.ok()) return document.error();
    return read(document->root());
  }

  // Result documents: <root><MessageId/> then either the partner's `Done` part (written and
  // read by the partner's functions, which get the root element) or <Rejected> holding
  // <ReasonCode/><Reason/>.
  template <class Done, class WriteDone>
  Result<std::string> encodeResult(std::string_view root, const StepResult<Done>& result,
                                   WriteDone write_done) const {
    return build(root, result.message_id, [&](xml::Element top) {
      if (const Refusal* refusal = std::get_if<Refusal>(&result.outcome)) {
        appendRefusal(top.appendChild("Rejected"), *refusal);
      } else {
        write_done(top, std::get<Done>(result.outcome));
      }
    });
  }
  template <class Done, class ReadDone>
  Result<StepResult<Done>> decodeResult(std::string_view body, std::string_view root,
                                        ReadDone read_done) const {
    return decodeAs<StepResult<Done>>(
        body, root, [&](const xml::Element& top) { return readResult<Done>(top, read_done); });
  }
  // What `body` tells the orchestrator: an Acknowledgement is kPending, a `root` result is
  // kDone with `outputs(done)` or kRejected with the refusal.
  template <class Done, class ReadDone, class ToOutputs>
  Result<StepOutcome> decodeOutcome(std::string_view body, std::string_view root,
                                    ReadDone read_done, ToOutputs outputs) const {
    Result<xml::Document> document = open(body, {root, kAcknowledgement});
    if (!document.ok()) return document.error();
    const xml::Element top = document->root();
    if (top.name() == kAcknowledgement) return pendingOutcome(top);
    StepResult<Done> result = readResult<Done>(top, read_done);
    if (const Refusal* refusal = std::get_if<Refusal>(&result.outcome)) {
      return StepOutcome{
          result.message_id, OutcomeKind::kRejected, {}, refusal->reason_code, refusal->reason};
    }
    return StepOutcome{
        result.message_id, OutcomeKind::kDone, outputs(std::get<Done>(result.outcome)), {}, {}};
  }

 private:
  template <class Done, class ReadDone>
  static StepResult<Done> readResult(const xml::Element& root, ReadDone read_done);
  static void appendRefusal(xml::Element parent, const Refusal& refusal);
  static Refusal readRefusal(const xml::Element& parent);
  static StepOutcome pendingOutcome(const xml::Element& ack);

  std::string partner_;
  std::string namespace_uri_;
  std::shared_ptr<const xml::Schema> schema_;
};

// Helpers for reading and writing the shared types of partner-common.xsd. Readers expect a
// document that passed validation: a missing element reads as "".
namespace wire {

// The text of the element at `path` below `from` (in `from`'s namespace), or "".
std::string text(const xml::Element& from, std::initializer_list<std::string_view> path);
// True when `from` has a child element `name`.
bool has(const xml::Element& from, std::string_view name);

// An amount as xs:decimal with two fraction digits and no grouping: "100000.00".
std::string amount(Money money);
// The amount in `text`. REQUIRES: `text` passed validation as a PositiveAmount (at most
// 15 integer digits, so it always fits in Money).
Money parseAmount(std::string_view text);

// An identity number as the schemas spell it: a lower-case check character 'x' (accepted
// at the kiosk, see IdNumber) becomes 'X'. Anything else is left alone for the schema to
// judge.
std::string idNumber(std::string_view text);

void appendAddress(xml::Element parent, std::string_view name, const Address& address);
Address readAddress(const xml::Element& address);
// A Person with its phone when it has one.
xml::Element appendPerson(xml::Element parent, std::string_view name, const Person& person);
Person readPerson(const xml::Element& person);

// The wire names of an enum's values, e.g. {{SealKind::kCompany, "company"}, ...}.
template <class Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

// The name of `value` in `table`; "" when the table lacks it (a bug in the table).
template <class Enum, std::size_t N>
std::string_view nameIn(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [known, name] : table) {
    if (known == value) return name;
  }
  return {};
}

// The value named `name` in `table`, or kInvalidInput naming `what` ("seal kind").
template <class Enum, std::size_t N>
Result<Enum> valueIn(const NameTable<Enum, N>& table, std::string_view name,
                     std::string_view what) {
  for (const auto& [value, known] : table) {
    if (known == name) return value;
  }
  return Error::invalidInput("\"" + std::string(name) + "\" is not a " + std::string(what));
}

// A fresh id for a one-off query (name check, person lookup) that has no step to derive a
// stable id from: `prefix` (at most 10 of [A-Za-z0-9]), '-', 24 random hex digits.
// Thread-safe.
MessageId randomMessageId(std::string_view prefix);

}  // namespace wire

template <class Done, class ReadDone>
StepResult<Done> PartnerCodec::readResult(const xml::Element& root, ReadDone read_done) {
  StepResult<Done> result{wire::text(root, {"MessageId"}), Refusal{}};
  if (std::optional<xml::Element> rejected = root.child(root.namespaceUri(), "Rejected")) {
    result.outcome = readRefusal(*rejected);
  } else {
    result.outcome = read_done(root);
  }
  return result;
}

}  // namespace kaiban::adapters
