#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/xml/schema.h"
#include "core/result.h"
#include "orchestrator/flow/flow_definition.h"

// Reading flow definitions from XML (format: docs/flow.md, schema: orchestrator/flows/
// flow.xsd) and the catalog of every version the orchestrator knows.
namespace kaiban::orchestrator {

// The XML namespace of flow definitions.
inline constexpr std::string_view kFlowNamespace = "urn:kaiban:flow:1";

// Parses `xml_text` (hardened parser: no DOCTYPE, no entities, size limits), validates it
// against `schema`, converts it and runs validateFlowDefinition. `source` names the text in
// messages and becomes FlowDefinition::source. kInvalidInput naming `source` and what is
// wrong (the schema violation with its line, or the semantic rule broken).
Result<FlowDefinition> parseFlowDefinition(std::string_view xml_text,
                                           const std::filesystem::path& source,
                                           const xml::Schema& schema,
                                           const std::set<std::string, std::less<>>& adapters);

// As parseFlowDefinition, reading `file`. kNotFound if it does not exist, kUnavailable if it
// cannot be read.
Result<FlowDefinition> loadFlowDefinition(const std::filesystem::path& file,
                                          const xml::Schema& schema,
                                          const std::set<std::string, std::less<>>& adapters);

// Every version of the flow this orchestrator runs. New applications start on the newest;
// an application keeps the version it started with (the store records it), so every version
// that applications still use must stay loaded. Immutable and cheap to copy (definitions are
// shared); safe to read from any number of threads.
class FlowCatalog {
 public:
  // Loads every *.xml file in `directory` (other files, such as the XSD, are ignored) against
  // the schema at `xsd`. Fails on the first bad file, naming it: a start-up error the binary
  // turns into a non-zero exit. Errors: kNotFound if the directory or the XSD is missing or
  // the directory holds no *.xml; kInvalidInput for an invalid definition, two files with
  // the same version, or files naming different flows.
  static Result<FlowCatalog> loadDirectory(const std::filesystem::path& directory,
                                           const std::filesystem::path& xsd,
                                           const std::set<std::string, std::less<>>& adapters);

  // A catalog of definitions that already passed validateFlowDefinition. kInvalidInput for
  // none, two with the same version, or different flow names.
  static Result<FlowCatalog> fromDefinitions(std::vector<FlowDefinition> definitions);

  // The highest version: what new applications start on.
  const FlowDefinition& newest() const { return *by_version_.rbegin()->second; }

  // The definition with `version`, or nullptr if it is not loaded.
  const FlowDefinition* find(int version) const;

  // Loaded versions, ascending.
  std::vector<int> versions() const;

 private:
  FlowCatalog() = default;

  std::map<int, std::shared_ptr<const FlowDefinition>> by_version_;  // never empty
};

}  // namespace kaiban::orchestrator
