#include "adapters/xml/libxml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlIO.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <mutex>

namespace kaiban::xml::internal {

namespace {

thread_local ErrorCapture* current_capture = nullptr;
thread_local const LocalFileAllowance* current_allowance = nullptr;

std::string trimmed(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

std::string nodePath(const xmlNode* node) {
  std::string path;
  for (; node != nullptr && node->type == XML_ELEMENT_NODE; node = node->parent) {
    path.insert(0, "/" + std::string(reinterpret_cast<const char*>(node->name)));
  }
  return path;
}

namespace {

// libxml2 hands URLs to the loader; the allowance holds canonical file paths.
std::string canonicalLocalPath(const char* url) {
  std::string_view text(url);
  if (text.starts_with("file://")) {
    text.remove_prefix(7);
  } else if (text.find("://") != std::string_view::npos) {
    return {};
  }
  char* unescaped = xmlURIUnescapeString(text.data(), static_cast<int>(text.size()), nullptr);
  if (unescaped == nullptr) return {};
  std::filesystem::path path(unescaped);
  xmlFree(unescaped);
  if (!path.is_absolute()) return {};
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
  return error ? std::string() : canonical.string();
}

// Replaces libxml2's loader for the whole process. A document parsed by parse() never
// reaches it (the SAX guards stop first); it exists for schema compilation, where libxml2
// reads xs:include/xs:import targets itself, with entity substitution on and no NONET.
xmlParserInputPtr guardedEntityLoader(const char* url, const char* /*public_id*/,
                                      xmlParserCtxtPtr context) {
  if (url != nullptr) {
    const LocalFileAllowance* allowance = current_allowance;
    std::string path = canonicalLocalPath(url);
    if (allowance != nullptr && !path.empty() && allowance->allows(path)) {
      return xmlNewInputFromFile(context, path.c_str());
    }
  }
  if (ErrorCapture* capture = current_capture) {
    capture->add(Problem::because("refused to load \"" + std::string(url ? url : "") +
                                  "\": only checked local schema files may be read"));
  }
  return nullptr;
}

void captureStructuredError(void* context, xmlErrorPtr error) {
  static_cast<ErrorCapture*>(context)->add(error);
}

__attribute__((format(printf, 2, 3))) void captureGenericError(void* context, const char* format,
                                                               ...) {
  char buffer[512];
  va_list arguments;
  va_start(arguments, format);
  int length = std::vsnprintf(buffer, sizeof(buffer), format, arguments);
  va_end(arguments);
  if (length < 0) return;
  static_cast<ErrorCapture*>(context)->addGenericText(
      std::string_view(buffer, std::min<size_t>(static_cast<size_t>(length), sizeof(buffer) - 1)));
}

// Decodes the UTF-8 sequence at `text[*offset]`; returns the code point and advances, or
// returns -1 for an invalid sequence (overlong forms, surrogates and values past U+10FFFF
// included).
long decodeUtf8(std::string_view text, size_t* offset) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  size_t i = *offset;
  unsigned char lead = byte(i);
  if (lead < 0x80) {
    *offset = i + 1;
    return lead;
  }
  int length;
  long code_point;
  long minimum;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return -1;
  }
  if (i + length > text.size()) return -1;
  for (int k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return -1;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return -1;
  }
  *offset = i + length;
  return code_point;
}

int lineAt(std::string_view bytes, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < bytes.size(); ++i) line += bytes[i] == '\n';
  return line;
}

Error rejected(std::string_view bytes, size_t offset, const std::string& reason) {
  return Error::invalidInput("XML document rejected: line " +
                             std::to_string(lineAt(bytes, offset)) + ": " + reason);
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The value of the encoding pseudo-attribute of the XML declaration at the start of `text`,
// or "" when there is none.
std::string declaredEncoding(std::string_view text) {
  if (!text.starts_with("<?xml") || text.size() < 6 || !isSpace(text[5])) return {};
  std::string_view declaration = text.substr(0, text.find("?>"));
  size_t i = declaration.find("encoding");
  if (i == std::string_view::npos) return {};
  i += 8;
  while (i < declaration.size() && isSpace(declaration[i])) ++i;
  if (i >= declaration.size() || declaration[i] != '=') return {};
  ++i;
  while (i < declaration.size() && isSpace(declaration[i])) ++i;
  if (i >= declaration.size() || (declaration[i] != '"' && declaration[i] != '\'')) return {};
  size_t end = declaration.find(declaration[i], i + 1);
  if (end == std::string_view::npos) return {};
  return std::string(declaration.substr(i + 1, end - i - 1));
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

void initLibxml() {
  static std::once_flag once;
  std::call_once(once, [] {
    // xmlInitParser sets up libxml2's global tables and thread-local state; racing it from
    // two threads is undefined, hence the once_flag.
    xmlInitParser();
    xmlSetExternalEntityLoader(guardedEntityLoader);
  });
}

std::string describe(const Problem& problem) {
  std::string where;
  if (problem.line > 0) {
    where = "line " + std::to_string(problem.line);
    if (!problem.file.empty()) {
      where += " of " + std::filesystem::path(problem.file).filename().string();
    }
  } else if (!problem.file.empty()) {
    where = std::filesystem::path(problem.file).filename().string();
  }
  if (!problem.element.empty()) {
    if (!where.empty()) where += ", ";
    where += "element <" + problem.element + ">";
    if (problem.line <= 0 && !problem.path.empty()) where += " at " + problem.path;
  }
  return where.empty() ? problem.reason : where + ": " + problem.reason;
}

std::string describe(const std::vector<Problem>& problems, size_t max_shown) {
  if (problems.empty()) return "libxml2 gave no reason";
  std::string text;
  for (size_t i = 0; i < problems.size() && i < max_shown; ++i) {
    if (i > 0) text += "; ";
    text += describe(problems[i]);
  }
  if (problems.size() > max_shown) {
    text += "; and " + std::to_string(problems.size() - max_shown) + " more";
  }
  return text;
}

ErrorCapture::ErrorCapture() {
  initLibxml();  // before touching libxml2's per-thread globals below
  previous_capture_ = current_capture;
  previous_structured_handler_ = xmlStructuredError;
  previous_structured_context_ = xmlStructuredErrorContext;
  previous_generic_handler_ = xmlGenericError;
  previous_generic_context_ = xmlGenericErrorContext;
  current_capture = this;
  xmlSetStructuredErrorFunc(this, captureStructuredError);
  xmlSetGenericErrorFunc(this, captureGenericError);
}

ErrorCapture::~ErrorCapture() {
  xmlSetGenericErrorFunc(previous_generic_context_, previous_generic_handler_);
  xmlSetStructuredErrorFunc(previous_structured_context_, previous_structured_handler_);
  current_capture = previous_capture_;
}

ErrorCapture* ErrorCapture::current() { return current_capture; }

void ErrorCapture::add(const xmlError* error, std::string_view element_hint) {
  if (error == nullptr || error->level < XML_ERR_ERROR) return;
  // A hostile document can make libxml2 report an error per byte; the first ones say enough.
  constexpr size_t kMaxKept = 50;
  if (problems_.size() >= kMaxKept) return;
  Problem problem;
  problem.line = error->line;
  if (error->file != nullptr) problem.file = error->file;
  const auto* node = static_cast<const xmlNode*>(error->node);
  if (node != nullptr && node->type == XML_ATTRIBUTE_NODE) node = node->parent;
  if (node != nullptr && node->type == XML_ELEMENT_NODE) {
    problem.element = reinterpret_cast<const char*>(node->name);
    problem.path = nodePath(node);
  } else {
    problem.element = std::string(element_hint);
  }
  problem.reason = error->message != nullptr ? trimmed(error->message)
                                             : "libxml2 error " + std::to_string(error->code);
  // describe() joins problems with "; ", which reads badly after a full stop.
  if (problem.reason.ends_with('.')) problem.reason.pop_back();
  problems_.push_back(std::move(problem));
}

void ErrorCapture::add(Problem problem) { problems_.push_back(std::move(problem)); }

void ErrorCapture::addGenericText(std::string_view text) {
  pending_generic_text_ += text;
  size_t newline;
  while ((newline = pending_generic_text_.find('\n')) != std::string::npos) {
    std::string reason = trimmed(std::string_view(pending_generic_text_).substr(0, newline));
    pending_generic_text_.erase(0, newline + 1);
    if (!reason.empty()) add(Problem::because(std::move(reason)));
  }
}

LocalFileAllowance::LocalFileAllowance(std::set<std::string> files)
    : files_(std::move(files)), previous_(current_allowance) {
  current_allowance = this;
}

LocalFileAllowance::~LocalFileAllowance() { current_allowance = previous_; }

const LocalFileAllowance* LocalFileAllowance::current() { return current_allowance; }

bool isXmlText(std::string_view text) {
  size_t offset = 0;
  while (offset < text.size()) {
    long c = decodeUtf8(text, &offset);
    bool allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
                   (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
    if (!allowed) return false;
  }
  return true;
}

Result<void> checkBytes(std::string_view bytes, const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return Error::invalidInput("XML document rejected: it is " + std::to_string(bytes.size()) +
                               " bytes, over the limit of " + std::to_string(limits.max_bytes) +
                               " bytes");
  }
  if (bytes.empty()) return Error::invalidInput("XML document rejected: it is empty");
  if (bytes.starts_with("\xFE\xFF") || bytes.starts_with("\xFF\xFE")) {
    return Error::invalidInput(
        "XML document rejected: it starts with a UTF-16 or UTF-32 byte order mark; only UTF-8 "
        "is accepted");
  }
  if (size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    return rejected(bytes, nul,
                    "it contains a NUL byte, so it is not UTF-8 text (UTF-16 or UTF-32?); only "
                    "UTF-8 is accepted");
  }
  // Before the UTF-8 scan: a document that says it is Latin-1 deserves that answer.
  std::string_view text = bytes;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (std::string encoding = declaredEncoding(text);
      !encoding.empty() && !equalsIgnoringCase(encoding, "UTF-8")) {
    return rejected(
        bytes, 0,
        "the XML declaration names encoding \"" + encoding + "\"; only UTF-8 is accepted");
  }

  for (size_t offset = 0; offset < bytes.size();) {
    size_t start = offset;
    if (decodeUtf8(bytes, &offset) < 0) {
      return rejected(
          bytes, start,
          "invalid UTF-8 at byte " + std::to_string(start) + "; only UTF-8 is accepted");
    }
  }

  // The prolog (before the root element) is the only place a DOCTYPE can stand. Walk it
  // exactly as XML defines it, so "<!DOCTYPE" inside a comment, or later in CDATA, is no
  // false alarm; what is not a well-formed prolog is left to libxml2 to report.
  size_t i = bytes.size() - text.size();
  while (i < bytes.size()) {
    std::string_view rest = bytes.substr(i);
    if (isSpace(rest.front())) {
      ++i;
    } else if (rest.starts_with("<?")) {
      size_t end = rest.find("?>", 2);
      if (end == std::string_view::npos) break;
      i += end + 2;
    } else if (rest.starts_with("<!--")) {
      size_t end = rest.find("-->", 4);
      if (end == std::string_view::npos) break;
      i += end + 3;
    } else if (rest.starts_with("<!")) {
      return rejected(bytes, i,
                      rest.starts_with("<!DOCTYPE")
                          ? "a document type declaration (<!DOCTYPE ...>) is not accepted"
                          : "a markup declaration (<!...>) before the root element is not "
                            "accepted");
    } else {
      break;
    }
  }
  return ok();
}

}  // namespace kaiban::xml::internal
