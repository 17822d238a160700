#include "adapters/xml/parse.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/xml/libxml.h"

namespace kaiban::xml {

namespace {

using internal::Problem;

// libxml2 stops at this nesting on its own unless XML_PARSE_HUGE, with a message that
// suggests XML_PARSE_HUGE; our limit must trip first so the operator sees ours.
constexpr int kLibxmlMaxDepth = 256;

// NONET: belt and braces, nothing here loads anything. NOBLANKS and NOCDATA make the tree
// simpler to read. Deliberately absent: NOENT, DTDLOAD, DTDATTR, DTDVALID, HUGE, XINCLUDE,
// RECOVER. IGNORE_ENC: checkBytes() already refused anything but UTF-8.
constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;

// Per-parse state, reached from the SAX callbacks through the parser context's _private.
struct Guard {
  int max_depth = 0;
  int depth = 0;
  std::vector<std::string> open_elements;  // local names, for error locations
  std::optional<Problem> refusal;          // why a guard stopped the parser
  internal::ErrorCapture* capture = nullptr;
};

xmlParserCtxtPtr parserOf(void* context) { return static_cast<xmlParserCtxtPtr>(context); }
Guard& guardOf(void* context) { return *static_cast<Guard*>(parserOf(context)->_private); }

std::string openElement(const Guard& guard) {
  return guard.open_elements.empty() ? std::string() : guard.open_elements.back();
}

// Stops the parser for good: xmlStopParser halts it and disables every further SAX event,
// so nothing after this point (an internal subset, an entity, a deeper element) is read.
void refuse(void* context, std::string reason) {
  Guard& guard = guardOf(context);
  if (!guard.refusal) {
    Problem problem = Problem::because(std::move(reason));
    problem.line = xmlSAX2GetLineNumber(context);
    problem.element = openElement(guard);
    guard.refusal = std::move(problem);
  }
  xmlParserCtxtPtr parser = parserOf(context);
  parser->wellFormed = 0;
  xmlStopParser(parser);
}

constexpr const char* kNoDoctype = "a document type declaration (<!DOCTYPE ...>) is not accepted";
constexpr const char* kNoDeclarations = "DTD declarations are not accepted";

void onInternalSubset(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  refuse(context, kNoDoctype);
}

void onExternalSubset(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  refuse(context, kNoDoctype);
}

void onEntityDecl(void* context, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  refuse(context, "entity declarations are not accepted");
}

void onUnparsedEntityDecl(void* context, const xmlChar*, const xmlChar*, const xmlChar*,
                          const xmlChar*) {
  refuse(context, "entity declarations are not accepted");
}

void onNotationDecl(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  refuse(context, kNoDeclarations);
}

void onElementDecl(void* context, const xmlChar*, int, xmlElementContentPtr) {
  refuse(context, kNoDeclarations);
}

void onAttributeDecl(void* context, const xmlChar*, const xmlChar*, int, int, const xmlChar*,
                     xmlEnumerationPtr values) {
  xmlFreeEnumeration(values);  // the callback owns it
  refuse(context, kNoDeclarations);
}

// libxml2 resolves &lt; &gt; &amp; &apos; &quot; and character references itself and asks
// for every other entity; there are none we accept.
xmlEntityPtr onGetEntity(void* context, const xmlChar* name) {
  refuse(context, "entity reference &" + std::string(reinterpret_cast<const char*>(name)) +
                      "; is not accepted (only &lt; &gt; &amp; &apos; &quot; and character "
                      "references are)");
  return nullptr;
}

xmlEntityPtr onGetParameterEntity(void* context, const xmlChar* name) {
  refuse(context, "parameter entity %" + std::string(reinterpret_cast<const char*>(name)) +
                      "; is not accepted");
  return nullptr;
}

xmlParserInputPtr onResolveEntity(void* context, const xmlChar*, const xmlChar* system_id) {
  refuse(context, "external resource \"" +
                      std::string(system_id ? reinterpret_cast<const char*>(system_id) : "") +
                      "\" is not loaded");
  return nullptr;
}

void onReference(void* context, const xmlChar* name) {
  refuse(context, "entity reference &" + std::string(reinterpret_cast<const char*>(name)) +
                      "; is not accepted");
}

// Counting here, before libxml2 builds the node, means no tree deeper than the limit exists.
void onStartElement(void* context, const xmlChar* local_name, const xmlChar* prefix,
                    const xmlChar* uri, int namespace_count, const xmlChar** namespaces,
                    int attribute_count, int defaulted_count, const xmlChar** attributes) {
  Guard& guard = guardOf(context);
  if (guard.depth + 1 > guard.max_depth) {
    refuse(context,
           "elements are nested deeper than " + std::to_string(guard.max_depth) + " levels");
    return;
  }
  ++guard.depth;
  guard.open_elements.emplace_back(reinterpret_cast<const char*>(local_name));
  xmlSAX2StartElementNs(context, local_name, prefix, uri, namespace_count, namespaces,
                        attribute_count, defaulted_count, attributes);
}

void onEndElement(void* context, const xmlChar* local_name, const xmlChar* prefix,
                  const xmlChar* uri) {
  xmlSAX2EndElementNs(context, local_name, prefix, uri);
  Guard& guard = guardOf(context);
  --guard.depth;
  if (!guard.open_elements.empty()) guard.open_elements.pop_back();
}

void onError(void* context, xmlErrorPtr error) {
  Guard& guard = guardOf(context);
  guard.capture->add(error, openElement(guard));
}

Error rejected(const std::string& why) {
  return Error::invalidInput("XML document rejected: " + why);
}

}  // namespace

namespace internal {

Result<Document> parseGuarded(std::string_view bytes, const ParseLimits& limits,
                              const std::string& base_url) {
  ErrorCapture capture;
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return rejected("it is " + std::to_string(bytes.size()) + " bytes, more than libxml2 takes");
  }
  Guard guard;
  guard.max_depth = std::clamp(limits.max_depth, 1, kLibxmlMaxDepth);
  guard.capture = &capture;

  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> parser(
      xmlCreateMemoryParserCtxt(bytes.data(), static_cast<int>(bytes.size())), &xmlFreeParserCtxt);
  if (parser == nullptr) {
    return Error::internal("libxml2 could not start a parser: " + describe(capture.problems()));
  }
  xmlCtxtUseOptions(parser.get(), kParseOptions);
  // These start from thread-wide defaults (xmlSubstituteEntitiesDefault and friends) that
  // other code could have changed; pin them whatever the defaults say.
  parser->replaceEntities = 0;
  parser->loadsubset = 0;
  parser->validate = 0;
  parser->recovery = 0;
  parser->linenumbers = 1;

  // The context owns its own copy of the SAX2 handler, so changing it affects this parse only.
  xmlSAXHandler* sax = parser->sax;
  sax->internalSubset = onInternalSubset;
  sax->externalSubset = onExternalSubset;
  sax->entityDecl = onEntityDecl;
  sax->unparsedEntityDecl = onUnparsedEntityDecl;
  sax->notationDecl = onNotationDecl;
  sax->elementDecl = onElementDecl;
  sax->attributeDecl = onAttributeDecl;
  sax->getEntity = onGetEntity;
  sax->getParameterEntity = onGetParameterEntity;
  sax->resolveEntity = onResolveEntity;
  sax->reference = onReference;
  sax->startElementNs = onStartElement;
  sax->endElementNs = onEndElement;
  sax->serror = onError;
  parser->_private = &guard;

  xmlParseDocument(parser.get());

  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(std::exchange(parser->myDoc, nullptr),
                                                     &xmlFreeDoc);
  if (guard.refusal) return rejected(describe(*guard.refusal));
  // nsWellFormed: an undeclared prefix is only an "error" to libxml2, but a namespace-aware
  // reader cannot make sense of the element.
  if (!parser->wellFormed || !parser->nsWellFormed || doc == nullptr ||
      !capture.problems().empty()) {
    return rejected(describe(capture.problems()));
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) return rejected("it has no root element");
  if (!base_url.empty()) {
    xmlFree(const_cast<xmlChar*>(doc->URL));
    doc->URL = xmlStrdup(reinterpret_cast<const xmlChar*>(base_url.c_str()));
  }
  Document document = DocumentAccess::adopt(doc.get());
  doc.release();
  return document;
}

}  // namespace internal

Result<Document> parse(std::string_view bytes, const ParseLimits& limits) {
  if (Result<void> checked = internal::checkBytes(bytes, limits); !checked.ok()) {
    return checked.error();
  }
  return internal::parseGuarded(bytes, limits, "");
}

}  // namespace kaiban::xml
