#pragma once

#include <filesystem>
#include <memory>

#include "adapters/xml/document.h"
#include "core/result.h"

struct _xmlSchema;

namespace kaiban::xml {

// A compiled W3C XML Schema (XSD). Load once at start-up and share: validate() may be
// called from any number of threads at once on one Schema.
class Schema {
 public:
  // Reads and compiles the XSD at `xsd`. The XSD and every file it names in
  // xs:include/xs:import/xs:redefine go through the same checks as parse() (no DOCTYPE, no
  // entities, UTF-8, at most 16 MiB each). Those files must be local, resolved relative to
  // the including schema; a schemaLocation with a URL scheme (http:, ftp:, ...) is refused,
  // and libxml2 may open no file other than the ones checked.
  // Returns kNotFound when a file cannot be read, kInvalidInput when a file is refused or is
  // not a valid XSD (the message names the file, line and reason).
  static Result<std::shared_ptr<const Schema>> load(const std::filesystem::path& xsd);

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema();

  // Ok when `document` is valid against this schema. Otherwise kInvalidInput whose message
  // lists the first few problems, each with line (for parsed documents), element and
  // reason, e.g. "document does not match acmt.007.001.05.xsd: line 7, element <Nm>:
  // ... this exceeds the allowed maximum length of '140'"; `field` is the first failing
  // element's path. kInvalidInput also when building `document` recorded a problem.
  // Thread-safe for distinct documents; libxml2 records ID attributes in the document it
  // validates, so one Document must not be validated from two threads at the same time.
  Result<void> validate(const Document& document) const;

  // The file this schema was loaded from.
  const std::filesystem::path& path() const { return path_; }

 private:
  Schema(std::filesystem::path path, Document source, _xmlSchema* compiled);

  std::filesystem::path path_;
  Document source_;  // libxml2's compiled schema may point into the tree it was built from
  _xmlSchema* compiled_;
};

}  // namespace kaiban::xml
