#pragma once

// Internal to adapters/xml: what document.cc, parse.cc and schema.cc share, and the
// layer-by-layer entry points xml_test.cc uses to prove each defence on its own. Adapter
// code includes document.h, parse.h and schema.h instead.

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/xmlerror.h>

#include "adapters/xml/document.h"
#include "adapters/xml/parse.h"
#include "core/result.h"

namespace kaiban::xml::internal {

// Initialises libxml2 once per process and installs the external-entity loader that refuses
// every load a LocalFileAllowance on the calling thread does not name. Call before any
// other libxml2 function; cheap after the first call. Thread-safe.
void initLibxml();

// One problem libxml2 (or one of our checks) reported.
struct Problem {
  std::string file;     // the file concerned (schemas), "" for documents in memory
  int line = 0;         // 0 when unknown
  std::string element;  // local name of the element concerned, "" when unknown
  std::string path;     // "/Document/Org/Nm" when known and there is no line
  std::string reason;

  static Problem because(std::string reason) {
    Problem problem;
    problem.reason = std::move(reason);
    return problem;
  }
};

// The element's place in its document by local names, e.g. "/Document/Org/Nm".
std::string nodePath(const _xmlNode* node);

// "line 3, element <Nm>: reason", "line 3 of types.xsd, element <element>: reason" or
// "element <Nm> at /Document/Org/Nm: reason", leaving out what is unknown.
std::string describe(const Problem& problem);
// The first `max_shown` problems joined by "; ", then "; and N more".
std::string describe(const std::vector<Problem>& problems, size_t max_shown = 5);

// Collects libxml2's errors for one operation on this thread. While alive, errors libxml2
// raises outside any context (which would otherwise go to the thread's global handler and
// stderr) are recorded here too, and so are loads the entity loader refuses. Restores the
// thread's previous handlers on destruction. Not movable; nest freely.
class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  std::vector<Problem>& problems() { return problems_; }
  // Records an error libxml2 reports (warnings are ignored). `element_hint` names the
  // element being parsed when libxml2's error carries no node.
  void add(const xmlError* error, std::string_view element_hint = {});
  void add(Problem problem);
  // Records text from libxml2's generic (printf-style) error channel, which arrives in
  // pieces; each newline ends one problem.
  void addGenericText(std::string_view text);
  // The innermost live capture on this thread, or nullptr.
  static ErrorCapture* current();

 private:
  std::vector<Problem> problems_;
  std::string pending_generic_text_;  // generic errors arrive in pieces; a newline ends one
  ErrorCapture* previous_capture_;
  xmlStructuredErrorFunc previous_structured_handler_;
  void* previous_structured_context_;
  xmlGenericErrorFunc previous_generic_handler_;
  void* previous_generic_context_;
};

// While alive, libxml2 may open exactly `files` (absolute, canonical paths) through the
// entity loader on this thread, and nothing else. Used while compiling a schema whose
// includes were checked first.
class LocalFileAllowance {
 public:
  explicit LocalFileAllowance(std::set<std::string> files);
  ~LocalFileAllowance();
  LocalFileAllowance(const LocalFileAllowance&) = delete;
  LocalFileAllowance& operator=(const LocalFileAllowance&) = delete;
  bool allows(const std::string& canonical_path) const { return files_.count(canonical_path); }
  static const LocalFileAllowance* current();

 private:
  std::set<std::string> files_;
  const LocalFileAllowance* previous_;
};

// Layer 1-3 of parse(): size, encoding, and a DOCTYPE or other declaration in the prolog.
Result<void> checkBytes(std::string_view bytes, const ParseLimits& limits);

// Layer 4 of parse() alone: libxml2 with the SAX guards, no byte checks first. `base_url`
// becomes the document's URL (schemas resolve includes against it); "" for none.
Result<Document> parseGuarded(std::string_view bytes, const ParseLimits& limits,
                              const std::string& base_url);

// True when `text` is UTF-8 made only of characters XML 1.0 allows.
bool isXmlText(std::string_view text);

// Access to the libxml2 objects behind the public classes, for this folder only.
struct DocumentAccess {
  static Document adopt(_xmlDoc* doc);
  static _xmlDoc* raw(const Document& document) { return document.doc_; }
  static Element element(_xmlNode* node) { return Element(node); }
};

}  // namespace kaiban::xml::internal
