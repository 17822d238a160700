#include "adapters/xml/document.h"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <cassert>
#include <new>
#include <stdexcept>
#include <utility>

#include "adapters/xml/libxml.h"

namespace kaiban::xml {

namespace {

// What building recorded, kept on the libxml2 document (its _private slot is ours) so that
// an Element handle can reach it without a pointer back to the Document.
struct BuildState {
  std::string first_problem;
};

BuildState* buildState(const xmlDoc* doc) { return static_cast<BuildState*>(doc->_private); }

const xmlChar* xmlText(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

std::string fromXml(const xmlChar* text) {
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

// Takes ownership of a string libxml2 allocated.
std::string takeXml(xmlChar* text) {
  std::string result = fromXml(text);
  xmlFree(text);
  return result;
}

// Names come from adapter code, not from partners: a bad one is a bug.
std::string requireNcName(std::string_view name, const char* what) {
  std::string text(name);
  if (text.empty() || text.find('\0') != std::string::npos ||
      xmlValidateNCName(xmlText(text), 0) != 0) {
    throw std::invalid_argument(std::string("XML ") + what + " name \"" + text +
                                "\" is not an NCName");
  }
  return text;
}

bool matches(const xmlNode* node, std::string_view namespace_uri, std::string_view name) {
  if (node->type != XML_ELEMENT_NODE) return false;
  if (std::string_view(reinterpret_cast<const char*>(node->name)) != name) return false;
  if (node->ns == nullptr || node->ns->href == nullptr) return namespace_uri.empty();
  return std::string_view(reinterpret_cast<const char*>(node->ns->href)) == namespace_uri;
}

void recordBuildProblem(const xmlNode* node, const std::string& reason) {
  BuildState* state = buildState(node->doc);
  if (state != nullptr && state->first_problem.empty()) {
    state->first_problem = "element <" + fromXml(node->name) + "> at " +
                           internal::DocumentAccess::element(const_cast<xmlNode*>(node)).path() +
                           ": " + reason;
  }
}

constexpr const char* kBadText =
    "text is not UTF-8 or holds a character XML does not allow (a control character?)";

}  // namespace

std::string Element::name() const { return fromXml(node_->name); }

std::string Element::namespaceUri() const {
  return node_->ns == nullptr ? std::string() : fromXml(node_->ns->href);
}

std::string Element::text() const { return takeXml(xmlNodeGetContent(node_)); }

int Element::line() const {
  long line = xmlGetLineNo(node_);
  return line > 0 ? static_cast<int>(line) : 0;
}

std::string Element::path() const { return internal::nodePath(node_); }

std::optional<std::string> Element::attribute(std::string_view name) const {
  xmlChar* value = xmlGetNoNsProp(node_, xmlText(std::string(name)));
  if (value == nullptr) return std::nullopt;
  return takeXml(value);
}

std::optional<std::string> Element::attribute(std::string_view namespace_uri,
                                              std::string_view name) const {
  if (namespace_uri.empty()) return attribute(name);
  xmlChar* value =
      xmlGetNsProp(node_, xmlText(std::string(name)), xmlText(std::string(namespace_uri)));
  if (value == nullptr) return std::nullopt;
  return takeXml(value);
}

std::optional<Element> Element::child(std::string_view namespace_uri, std::string_view name) const {
  for (xmlNode* node = node_->children; node != nullptr; node = node->next) {
    if (matches(node, namespace_uri, name)) return Element(node);
  }
  return std::nullopt;
}

std::vector<Element> Element::children(std::string_view namespace_uri,
                                       std::string_view name) const {
  std::vector<Element> found;
  for (xmlNode* node = node_->children; node != nullptr; node = node->next) {
    if (matches(node, namespace_uri, name)) found.push_back(Element(node));
  }
  return found;
}

std::vector<Element> Element::children() const {
  std::vector<Element> found;
  for (xmlNode* node = node_->children; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE) found.push_back(Element(node));
  }
  return found;
}

Element Element::appendChild(std::string_view name, std::string_view text) {
  std::string child_name = requireNcName(name, "element");
  // xmlNewDocNode with null content: content given here would be parsed for entity
  // references, while xmlNodeAddContentLen below stores the text as is.
  xmlNode* child = xmlNewDocNode(node_->doc, node_->ns, xmlText(child_name), nullptr);
  if (child == nullptr) throw std::bad_alloc();
  xmlAddChild(node_, child);
  if (!text.empty()) {
    if (internal::isXmlText(text)) {
      xmlNodeAddContentLen(child, reinterpret_cast<const xmlChar*>(text.data()),
                           static_cast<int>(text.size()));
    } else {
      recordBuildProblem(child, kBadText);
    }
  }
  return Element(child);
}

void Element::setAttribute(std::string_view name, std::string_view value) {
  std::string attribute_name = requireNcName(name, "attribute");
  if (!internal::isXmlText(value)) {
    recordBuildProblem(node_, "attribute " + attribute_name + ": " + kBadText);
    return;
  }
  // xmlSetProp stores the value as text (escaped on output), unlike xmlNewDocProp.
  if (xmlSetProp(node_, xmlText(attribute_name), xmlText(std::string(value))) == nullptr) {
    throw std::bad_alloc();
  }
}

Document::Document(xmlDoc* doc) : doc_(doc) { doc_->_private = new BuildState(); }

Document::Document(Document&& other) noexcept : doc_(std::exchange(other.doc_, nullptr)) {}

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    Document doomed(std::move(*this));
    doc_ = std::exchange(other.doc_, nullptr);
  }
  return *this;
}

Document::~Document() {
  if (doc_ == nullptr) return;
  delete buildState(doc_);
  xmlFreeDoc(doc_);
}

Document Document::create(std::string_view root_name, std::string_view namespace_uri) {
  internal::initLibxml();
  std::string name = requireNcName(root_name, "element");
  std::string uri(namespace_uri);
  if (uri.find('\0') != std::string::npos || !internal::isXmlText(uri)) {
    throw std::invalid_argument("XML namespace \"" + uri + "\" is not valid text");
  }
  xmlDoc* doc = xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0"));
  if (doc == nullptr) throw std::bad_alloc();
  Document document(doc);
  xmlNode* root = xmlNewDocNode(doc, nullptr, xmlText(name), nullptr);
  if (root == nullptr) throw std::bad_alloc();
  xmlDocSetRootElement(doc, root);
  if (!uri.empty()) {
    xmlNs* ns = xmlNewNs(root, xmlText(uri), nullptr);  // default namespace: no prefix
    if (ns == nullptr) throw std::bad_alloc();
    xmlSetNs(root, ns);
  }
  return document;
}

Element Document::root() const {
  assert(doc_ != nullptr);
  xmlNode* root = xmlDocGetRootElement(doc_);
  assert(root != nullptr);  // parse() and create() never yield a document without one
  return Element(root);
}

const std::string& Document::buildProblem() const {
  static const std::string kNone;
  return doc_ == nullptr ? kNone : buildState(doc_)->first_problem;
}

Result<std::string> Document::serialize() const {
  assert(doc_ != nullptr);
  if (!buildProblem().empty()) {
    return Error::invalidInput("XML document not serialised: " + buildProblem());
  }
  internal::ErrorCapture capture;
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc_, &buffer, &size, "UTF-8", /*format=*/1);
  if (buffer == nullptr) {
    return Error::internal("libxml2 could not serialise the document: " +
                           internal::describe(capture.problems()));
  }
  std::string text(reinterpret_cast<const char*>(buffer), static_cast<size_t>(size));
  xmlFree(buffer);
  return text;
}

namespace {

Result<Element> walk(const Element& from, std::initializer_list<std::string_view> path) {
  std::string ns = from.namespaceUri();
  std::string walked = from.path();
  Element current = from;
  for (std::string_view step : path) {
    walked += "/";
    walked += step;
    std::optional<Element> next = current.child(ns, step);
    if (!next) {
      return Error::invalidInput("XML element " + walked + " is missing", walked.substr(1));
    }
    current = *next;
  }
  return current;
}

}  // namespace

Result<Element> requiredChild(const Element& from, std::initializer_list<std::string_view> path) {
  return walk(from, path);
}

Result<std::string> requiredText(const Element& from,
                                 std::initializer_list<std::string_view> path) {
  Result<Element> element = requiredChild(from, path);
  if (!element.ok()) return element.error();
  std::string text = element->text();
  if (text.empty()) {
    std::string where = element->path();
    return Error::invalidInput("XML element " + where + " is empty", where.substr(1));
  }
  return text;
}

std::optional<std::string> optionalText(const Element& from,
                                        std::initializer_list<std::string_view> path) {
  Result<Element> element = walk(from, path);
  if (!element.ok()) return std::nullopt;
  return element->text();
}

namespace internal {

Document DocumentAccess::adopt(xmlDoc* doc) { return Document(doc); }

}  // namespace internal

}  // namespace kaiban::xml
