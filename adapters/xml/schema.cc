#include "adapters/xml/schema.h"

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>

#include "adapters/xml/libxml.h"

namespace kaiban::xml {

namespace {

namespace fs = std::filesystem;

// Schemas are ours and larger than messages (the ISO 20022 ones reach a few hundred KB);
// xs:complexType/xs:sequence/xs:element nest deeper than a message does.
constexpr ParseLimits kSchemaLimits{.max_bytes = size_t{16} << 20, .max_depth = 256};
constexpr std::string_view kXsdNamespace = "http://www.w3.org/2001/XMLSchema";

std::string quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

Result<std::string> readSchemaFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::notFound("cannot read XML schema " + quoted(path) + ": " + std::strerror(errno));
  }
  // One byte past the limit is enough for checkBytes() to refuse it.
  std::string bytes;
  bytes.resize(kSchemaLimits.max_bytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) {
    return Error::notFound("cannot read XML schema " + quoted(path) + ": " + std::strerror(errno));
  }
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ":".
bool hasUrlScheme(std::string_view location) {
  size_t colon = location.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(location[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = location[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

bool namesAnotherSchema(const Element& element) {
  if (element.namespaceUri() != kXsdNamespace) return false;
  std::string name = element.name();
  return name == "include" || name == "import" || name == "redefine" || name == "override";
}

fs::path canonicalPath(const fs::path& path) {
  std::error_code error;
  fs::path result = fs::weakly_canonical(fs::absolute(path), error);
  return error ? fs::absolute(path).lexically_normal() : result;
}

void collectSchemaError(void* capture, xmlErrorPtr error) {
  static_cast<internal::ErrorCapture*>(capture)->add(error);
}

struct CheckedSchemaFiles {
  Document main;
  std::set<std::string> others;  // canonical paths of the files `main` pulls in
};

// Reads the schema and everything it includes or imports, checking each file as parse()
// checks a message, before libxml2's schema compiler (which reads includes itself, with
// entity substitution on) sees any of them.
Result<CheckedSchemaFiles> checkSchemaFiles(const fs::path& main_path) {
  std::optional<Document> main;
  std::set<std::string> others;
  std::set<std::string> seen{main_path.string()};
  std::deque<fs::path> pending{main_path};
  while (!pending.empty()) {
    fs::path file = pending.front();
    pending.pop_front();
    Result<std::string> bytes = readSchemaFile(file);
    if (!bytes.ok()) return bytes.error();
    Result<void> checked = internal::checkBytes(*bytes, kSchemaLimits);
    if (!checked.ok()) {
      return Error::invalidInput("XML schema " + quoted(file) + ": " + checked.error().message);
    }
    Result<Document> document = internal::parseGuarded(*bytes, kSchemaLimits, file.string());
    if (!document.ok()) {
      return Error::invalidInput("XML schema " + quoted(file) + ": " + document.error().message);
    }
    for (const Element& child : document->root().children()) {
      if (!namesAnotherSchema(child)) continue;
      std::optional<std::string> location = child.attribute("schemaLocation");
      if (!location) continue;  // an import by namespace only loads nothing
      if (hasUrlScheme(*location)) {
        return Error::invalidInput(
            "XML schema " + quoted(file) + ", line " + std::to_string(child.line()) +
            ": <xs:" + child.name() + " schemaLocation=\"" + *location +
            "\"> names a URL; schemas load only local files, never from the network");
      }
      fs::path target = canonicalPath(
          fs::path(*location).is_absolute() ? fs::path(*location) : file.parent_path() / *location);
      if (seen.insert(target.string()).second) {
        pending.push_back(target);
        others.insert(target.string());
      }
    }
    if (!main) main = std::move(document).value();
  }
  return CheckedSchemaFiles{std::move(*main), std::move(others)};
}

}  // namespace

Schema::Schema(std::filesystem::path path, Document source, _xmlSchema* compiled)
    : path_(std::move(path)), source_(std::move(source)), compiled_(compiled) {}

Schema::~Schema() { xmlSchemaFree(compiled_); }

Result<std::shared_ptr<const Schema>> Schema::load(const std::filesystem::path& xsd) {
  internal::initLibxml();
  fs::path main_path = canonicalPath(xsd);
  Result<CheckedSchemaFiles> files = checkSchemaFiles(main_path);
  if (!files.ok()) return files.error();

  internal::LocalFileAllowance allowance(files->others);
  internal::ErrorCapture capture;
  xmlSchemaParserCtxtPtr parser =
      xmlSchemaNewDocParserCtxt(internal::DocumentAccess::raw(files->main));
  if (parser == nullptr) {
    return Error::internal("libxml2 could not start compiling XML schema " + quoted(main_path));
  }
  xmlSchemaSetParserStructuredErrors(parser, collectSchemaError, &capture);
  xmlSchemaPtr compiled = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (compiled == nullptr || !capture.problems().empty()) {
    xmlSchemaFree(compiled);
    return Error::invalidInput("XML schema " + quoted(main_path) + " is not a valid XML Schema: " +
                               internal::describe(capture.problems()));
  }
  return std::shared_ptr<const Schema>(new Schema(main_path, std::move(files->main), compiled));
}

Result<void> Schema::validate(const Document& document) const {
  xmlDoc* doc = internal::DocumentAccess::raw(document);
  if (doc == nullptr) throw std::logic_error("Schema::validate() on a moved-from Document");
  std::string schema_name = path_.filename().string();
  if (!document.buildProblem().empty()) {
    return Error::invalidInput("document not validated against " + schema_name + ": " +
                               document.buildProblem());
  }
  internal::ErrorCapture capture;
  // A validation context holds the state of one validation and is not thread-safe; the
  // compiled schema it reads is, so each call gets its own context.
  std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> context(
      xmlSchemaNewValidCtxt(compiled_), &xmlSchemaFreeValidCtxt);
  if (context == nullptr) {
    return Error::internal("libxml2 could not start validating against " + schema_name);
  }
  xmlSchemaSetValidStructuredErrors(context.get(), collectSchemaError, &capture);
  int result = xmlSchemaValidateDoc(context.get(), doc);
  if (result == 0 && capture.problems().empty()) return ok();
  if (result < 0) {
    return Error::internal("libxml2 failed while validating against " + schema_name + ": " +
                           internal::describe(capture.problems()));
  }
  const std::vector<internal::Problem>& problems = capture.problems();
  std::string field = problems.empty() ? std::string() : problems.front().path;
  if (!field.empty()) field.erase(0, 1);  // "Document/Org/Nm", like other field paths
  return Error::invalidInput(
      "document does not match " + schema_name + ": " + internal::describe(problems), field);
}

}  // namespace kaiban::xml
