#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct _xmlDoc;
struct _xmlNode;

namespace kaiban::xml {

namespace internal {
struct DocumentAccess;
}  // namespace internal

// A handle to one element of a Document. Cheap to copy; valid only while the Document that
// owns the element is alive and not moved from. Names are local names (no prefix) and
// namespaces are compared by URI, never by prefix, so `<a:Nm xmlns:a="urn:x">` and
// `<Nm xmlns="urn:x">` read the same.
//
// Thread safety: reading one Document from several threads at once is safe; building
// (appendChild, setAttribute) needs exclusive access to the Document.
class Element {
 public:
  std::string name() const;          // local name, e.g. "MsgId"
  std::string namespaceUri() const;  // "" when the element is in no namespace
  // The concatenated text of the element and its descendants (entities never exist here:
  // parse() refuses them), e.g. "ACME Ltd" for <Nm>ACME Ltd</Nm>.
  std::string text() const;
  // The line the element started on in the parsed input; 0 for a built element.
  int line() const;
  // The element's place in its document by local names, e.g. "/Document/GrpHdr/MsgId".
  std::string path() const;

  // An attribute in no namespace (the usual unprefixed attribute), or nullopt.
  std::optional<std::string> attribute(std::string_view name) const;
  // An attribute in namespace `namespace_uri`, or nullopt.
  std::optional<std::string> attribute(std::string_view namespace_uri, std::string_view name) const;

  // The first child element with this namespace URI and local name, or nullopt.
  std::optional<Element> child(std::string_view namespace_uri, std::string_view name) const;
  // All child elements with this namespace URI and local name, in document order.
  std::vector<Element> children(std::string_view namespace_uri, std::string_view name) const;
  // All child elements, in document order.
  std::vector<Element> children() const;

  // Appends a child element in this element's namespace, with `text` as its content
  // (escaped on output; never parsed for markup or entities), and returns it.
  // REQUIRES: `name` is an XML NCName (a bug otherwise: throws std::invalid_argument).
  // Text that is not valid UTF-8 or holds characters XML forbids (control characters other
  // than tab, CR, LF) is left out and recorded: serialize() and Schema::validate() then fail
  // with an error naming the element.
  Element appendChild(std::string_view name, std::string_view text = {});
  // Sets (or replaces) an attribute in no namespace. Same rules as appendChild for the name
  // and the value.
  void setAttribute(std::string_view name, std::string_view value);

  friend bool operator==(const Element& a, const Element& b) { return a.node_ == b.node_; }

 private:
  friend class Document;
  friend struct internal::DocumentAccess;
  explicit Element(_xmlNode* node) : node_(node) {}

  _xmlNode* node_;
};

// An XML document in memory: the result of parse() or of Document::create(). Move-only; owns
// the libxml2 tree. A moved-from Document must only be destroyed or assigned to.
class Document {
 public:
  // A new document whose root element is `root_name` in the default namespace
  // `namespace_uri` (no namespace when empty), e.g. create("Document",
  // "urn:iso:std:iso:20022:tech:xsd:acmt.007.001.05").
  // REQUIRES: `root_name` is an NCName and `namespace_uri` is valid UTF-8 (throws
  // std::invalid_argument otherwise: the names are constants in adapter code).
  static Document create(std::string_view root_name, std::string_view namespace_uri);

  Document(Document&& other) noexcept;
  Document& operator=(Document&& other) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  ~Document();

  // The root element. Elements are handles into this document (see Element).
  Element root() const;

  // The document as UTF-8 with an XML declaration, indented where that cannot change
  // text content. kInvalidInput if building recorded bad text (see Element::appendChild).
  Result<std::string> serialize() const;

  // The first problem recorded while building, or "" when there is none.
  const std::string& buildProblem() const;

 private:
  friend struct internal::DocumentAccess;
  explicit Document(_xmlDoc* doc);

  _xmlDoc* doc_ = nullptr;
};

// Follows `path` of child elements from `from`, each in `from`'s namespace, and returns
// the last one, e.g. requiredChild(root, {"AcctOpngReq", "Refs"}). kInvalidInput naming
// the full path (field = "Document/AcctOpngReq/Refs") when a step is missing.
Result<Element> requiredChild(const Element& from, std::initializer_list<std::string_view> path);

// As requiredChild, then the element's text; kInvalidInput also when the text is empty.
Result<std::string> requiredText(const Element& from, std::initializer_list<std::string_view> path);

// As requiredChild, but a missing element yields nullopt (the text may be empty).
std::optional<std::string> optionalText(const Element& from,
                                        std::initializer_list<std::string_view> path);

}  // namespace kaiban::xml
