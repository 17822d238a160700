#include "orchestrator/flow/flow_loader.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "adapters/xml/document.h"
#include "adapters/xml/parse.h"

namespace kaiban::orchestrator {

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

Error invalidFile(const std::filesystem::path& source, const std::string& what) {
  return Error::invalidInput("flow definition " + source.string() + ": " + what, source.string());
}

// Schema validation has already checked every attribute's presence and lexical form; these
// readers still refuse anything unexpected, so that a schema edit cannot turn into a crash.
Result<std::string> textAttribute(const xml::Element& element, std::string_view name,
                                  const std::filesystem::path& source) {
  std::optional<std::string> value = element.attribute(name);
  if (!value) {
    return invalidFile(source, "line " + std::to_string(element.line()) + ": <" + element.name() +
                                   "> has no " + std::string(name));
  }
  return *value;
}

Result<int> intAttribute(const xml::Element& element, std::string_view name,
                         const std::filesystem::path& source) {
  Result<std::string> text = textAttribute(element, name, source);
  if (!text) return text.error();
  int value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end) {
    return invalidFile(source, "line " + std::to_string(element.line()) + ": " + std::string(name) +
                                   "=\"" + *text + "\" is not an integer");
  }
  return value;
}

Result<double> decimalAttribute(const xml::Element& element, std::string_view name,
                                const std::filesystem::path& source) {
  Result<std::string> text = textAttribute(element, name, source);
  if (!text) return text.error();
  double value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end) {
    return invalidFile(source, "line " + std::to_string(element.line()) + ": " + std::string(name) +
                                   "=\"" + *text + "\" is not a number");
  }
  return value;
}

Result<RetryPolicy> readRetry(const xml::Element& element, const std::filesystem::path& source) {
  RetryPolicy retry;
  Result<int> attempts = intAttribute(element, "max-attempts", source);
  if (!attempts) return attempts.error();
  Result<int> initial = intAttribute(element, "initial-backoff-seconds", source);
  if (!initial) return initial.error();
  Result<double> multiplier = decimalAttribute(element, "multiplier", source);
  if (!multiplier) return multiplier.error();
  Result<int> ceiling = intAttribute(element, "max-backoff-seconds", source);
  if (!ceiling) return ceiling.error();
  retry.max_attempts = *attempts;
  retry.initial_backoff = seconds{*initial};
  retry.multiplier = *multiplier;
  retry.max_backoff = seconds{*ceiling};
  retry.jitter_percent = 0;
  if (element.attribute("jitter-percent")) {
    Result<int> jitter = intAttribute(element, "jitter-percent", source);
    if (!jitter) return jitter.error();
    retry.jitter_percent = *jitter;
  }
  return retry;
}

Result<StepDefinition> readStep(const xml::Element& element, const FlowDefinition& flow,
                                const std::filesystem::path& source) {
  StepDefinition step;
  Result<std::string> id = textAttribute(element, "id", source);
  if (!id) return id.error();
  Result<std::string> adapter = textAttribute(element, "adapter", source);
  if (!adapter) return adapter.error();
  Result<int> budget = intAttribute(element, "budget-working-minutes", source);
  if (!budget) return budget.error();
  step.id = *id;
  step.adapter = *adapter;
  step.budget = minutes{*budget};
  if (element.attribute("green-channel-budget-working-minutes")) {
    Result<int> green = intAttribute(element, "green-channel-budget-working-minutes", source);
    if (!green) return green.error();
    step.green_channel_budget = minutes{*green};
  } else {
    // Without an explicit green-channel budget the step gets the same share of the shorter
    // deadline as it has of the normal one, rounded up to a whole minute.
    const int64_t scaled = (int64_t{*budget} * flow.green_channel_deadline_working_days +
                            flow.deadline_working_days - 1) /
                           flow.deadline_working_days;
    step.green_channel_budget = minutes{scaled};
  }
  for (const xml::Element& dependency : element.children(kFlowNamespace, "depends-on")) {
    Result<std::string> name = textAttribute(dependency, "step", source);
    if (!name) return name.error();
    step.depends_on.push_back(*name);
  }
  if (std::optional<xml::Element> task = element.child(kFlowNamespace, "human-task")) {
    Result<std::string> kind = textAttribute(*task, "kind", source);
    if (!kind) return kind.error();
    Result<std::string> role = textAttribute(*task, "role", source);
    if (!role) return role.error();
    step.human_task = HumanTaskDefinition{*kind, *role};
  }
  std::optional<xml::Element> retry = element.child(kFlowNamespace, "retry");
  if (!retry) {
    return invalidFile(source, "step '" + step.id + "' has no <retry>");
  }
  Result<RetryPolicy> policy = readRetry(*retry, source);
  if (!policy) return policy.error();
  step.retry = *policy;
  if (std::optional<xml::Element> poll = element.child(kFlowNamespace, "poll")) {
    Result<int> after = intAttribute(*poll, "after-seconds", source);
    if (!after) return after.error();
    Result<int> ceiling = intAttribute(*poll, "max-interval-seconds", source);
    if (!ceiling) return ceiling.error();
    step.poll = PollPolicy{seconds{*after}, seconds{*ceiling}};
  }
  return step;
}

}  // namespace

Result<FlowDefinition> parseFlowDefinition(std::string_view xml_text,
                                           const std::filesystem::path& source,
                                           const xml::Schema& schema,
                                           const std::set<std::string, std::less<>>& adapters) {
  Result<xml::Document> document = xml::parse(xml_text);
  if (!document) return invalidFile(source, document.error().message);
  if (Result<void> valid = schema.validate(*document); !valid) {
    return invalidFile(source, valid.error().message);
  }
  const xml::Element root = document->root();
  FlowDefinition flow;
  flow.source = source;
  Result<std::string> name = textAttribute(root, "name", source);
  if (!name) return name.error();
  Result<int> version = intAttribute(root, "version", source);
  if (!version) return version.error();
  flow.name = *name;
  flow.version = *version;
  std::optional<xml::Element> deadline = root.child(kFlowNamespace, "deadline");
  if (!deadline) return invalidFile(source, "no <deadline>");
  Result<int> days = intAttribute(*deadline, "working-days", source);
  if (!days) return days.error();
  Result<int> green_days = intAttribute(*deadline, "green-channel-working-days", source);
  if (!green_days) return green_days.error();
  flow.deadline_working_days = *days;
  flow.green_channel_deadline_working_days = *green_days;
  if (flow.green_channel_deadline_working_days > flow.deadline_working_days) {
    return invalidFile(source, "the green channel's deadline is longer than the normal one");
  }
  for (const xml::Element& element : root.children(kFlowNamespace, "step")) {
    Result<StepDefinition> step = readStep(element, flow, source);
    if (!step) return step.error();
    flow.steps.push_back(std::move(step).value());
  }
  if (Result<void> valid = validateFlowDefinition(flow, adapters); !valid) return valid.error();
  return flow;
}

Result<FlowDefinition> loadFlowDefinition(const std::filesystem::path& file,
                                          const xml::Schema& schema,
                                          const std::set<std::string, std::less<>>& adapters) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return Error::notFound("flow definition " + file.string() + " does not exist");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return Error::unavailable("cannot read flow definition " + file.string());
  }
  return parseFlowDefinition(text.str(), file, schema, adapters);
}

Result<FlowCatalog> FlowCatalog::loadDirectory(const std::filesystem::path& directory,
                                               const std::filesystem::path& xsd,
                                               const std::set<std::string, std::less<>>& adapters) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return Error::notFound("flow directory " + directory.string() + " does not exist");
  }
  Result<std::shared_ptr<const xml::Schema>> schema = xml::Schema::load(xsd);
  if (!schema) {
    Error failure = schema.error();
    failure.message = "flow schema: " + failure.message;
    return failure;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") {
      files.push_back(entry.path());
    }
  }
  if (error) {
    return Error::unavailable("cannot list flow directory " + directory.string() + ": " +
                              error.message());
  }
  if (files.empty()) {
    return Error::notFound("flow directory " + directory.string() +
                           " holds no flow definition (*.xml)");
  }
  std::sort(files.begin(), files.end());
  std::vector<FlowDefinition> definitions;
  for (const std::filesystem::path& file : files) {
    Result<FlowDefinition> definition = loadFlowDefinition(file, **schema, adapters);
    if (!definition) return definition.error();
    definitions.push_back(std::move(definition).value());
  }
  return fromDefinitions(std::move(definitions));
}

Result<FlowCatalog> FlowCatalog::fromDefinitions(std::vector<FlowDefinition> definitions) {
  if (definitions.empty()) return Error::invalidInput("no flow definition loaded");
  FlowCatalog catalog;
  // Copies: the loop below moves every definition, the first included.
  const std::string name = definitions.front().name;
  const std::string first_source = definitions.front().source.string();
  for (FlowDefinition& definition : definitions) {
    if (definition.name != name) {
      return Error::invalidInput("flow definitions " + first_source + " and " +
                                 definition.source.string() + " name different flows ('" + name +
                                 "' and '" + definition.name +
                                 "'); a catalog holds versions of one flow");
    }
    const int version = definition.version;
    auto shared = std::make_shared<const FlowDefinition>(std::move(definition));
    auto [it, inserted] = catalog.by_version_.emplace(version, shared);
    if (!inserted) {
      return Error::invalidInput("flow definitions " + it->second->source.string() + " and " +
                                 shared->source.string() + " both declare version " +
                                 std::to_string(version));
    }
  }
  return catalog;
}

const FlowDefinition* FlowCatalog::find(int version) const {
  auto it = by_version_.find(version);
  return it == by_version_.end() ? nullptr : it->second.get();
}

std::vector<int> FlowCatalog::versions() const {
  std::vector<int> result;
  for (const auto& [version, definition] : by_version_) result.push_back(version);
  return result;
}

}  // namespace kaiban::orchestrator
