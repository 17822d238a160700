#include "adapters/sim/control_service.h"

#include <charconv>
#include <sstream>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"

namespace kaiban::sim {
namespace {

Reply json(int status, const Poco::JSON::Object& object) {
  std::ostringstream text;
  object.stringify(text);
  return Reply{status, text.str() + "\n", "application/json"};
}

Reply jsonError(int status, const std::string& message) {
  Poco::JSON::Object object;
  object.set("error", message);
  return json(status, object);
}

// The value of `name` in a query string "a=1&b=2", or "".
std::string_view queryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

std::string portsJson(const std::map<std::string, int>& ports) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, port] : ports) object.set(name, port);
  std::ostringstream text;
  object.stringify(text);
  return text.str();
}

ControlService::ControlService(SimStore& store, FaultInjector& faults, const PeopleRegister& people,
                               EventLog& log, std::function<std::map<std::string, int>()> ports)
    : store_(store), faults_(faults), people_(people), log_(log), ports_(std::move(ports)) {}

Reply ControlService::handle(std::string_view method, std::string_view uri, std::string_view body) {
  const size_t question = uri.find('?');
  const std::string_view path = uri.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : uri.substr(question + 1);

  if (path == "/faults" && method == "POST") {
    Result<FaultTable> changes = parseFaults(body);
    if (!changes.ok()) return jsonError(400, changes.error().message);
    faults_.apply(*changes);
    std::string applied;
    for (const auto& [partner, spec] : *changes) {
      applied += (applied.empty() ? "" : ";") + partner + ":" + spec.toString();
    }
    log_.note("faults_changed", applied);
    return faults();
  }
  if (method != "GET") return jsonError(405, "use GET (POST only for /faults)");
  if (path == "/effects") return effects(queryValue(query, "by_message") != "0");
  if (path == "/faults") return faults();
  if (path == "/people") return people(query);
  if (path == "/ports") return ports();
  if (path == "/healthz") return Reply{200, "ok\n", "text/plain"};
  return jsonError(404, "no such resource: " + std::string(path) +
                            " (try /effects, /faults, /people, /ports, /healthz)");
}

Reply ControlService::effects(bool by_message_lists) {
  Result<std::map<std::string, PartnerEffects>> report = store_.effects(by_message_lists);
  if (!report.ok()) return jsonError(500, report.error().message);
  Poco::JSON::Object partners(Poco::JSON_PRESERVE_KEY_ORDER);
  int messages = 0, effects = 0, duplicates = 0, repeated = 0;
  for (const auto& [name, partner] : *report) {
    Poco::JSON::Object entry(Poco::JSON_PRESERVE_KEY_ORDER);
    entry.set("messages", partner.messages);
    entry.set("effects", partner.effects);
    entry.set("duplicates_refused", partner.duplicates_refused);
    entry.set("repeated_effects", partner.repeated_effects);
    if (by_message_lists) {
      Poco::JSON::Object by_message(Poco::JSON_PRESERVE_KEY_ORDER);
      for (const auto& [id, count] : partner.effects_by_message) by_message.set(id, count);
      entry.set("by_message", by_message);
    }
    Poco::JSON::Object by_kind(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [kind, count] : partner.effects_by_kind) by_kind.set(kind, count);
    entry.set("by_kind", by_kind);
    Poco::JSON::Object callbacks(Poco::JSON_PRESERVE_KEY_ORDER);
    callbacks.set("pending", partner.callbacks_pending);
    callbacks.set("delivered", partner.callbacks_delivered);
    callbacks.set("dropped", partner.callbacks_dropped);
    entry.set("callbacks", callbacks);
    partners.set(name, entry);
    messages += partner.messages;
    effects += partner.effects;
    duplicates += partner.duplicates_refused;
    repeated += partner.repeated_effects;
  }
  Poco::JSON::Object totals(Poco::JSON_PRESERVE_KEY_ORDER);
  totals.set("messages", messages);
  totals.set("effects", effects);
  totals.set("duplicates_refused", duplicates);
  totals.set("repeated_effects", repeated);
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("partners", partners);
  object.set("totals", totals);
  return json(200, object);
}

Reply ControlService::faults() {
  Poco::JSON::Object by_partner(Poco::JSON_PRESERVE_KEY_ORDER);
  std::string spec;
  for (const auto& [partner, faults] : faults_.table()) {
    by_partner.set(partner, faults.toString());
    spec += (spec.empty() ? "" : ";") + partner + ":" + faults.toString();
  }
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("seed", static_cast<Poco::UInt64>(faults_.seed()));
  object.set("faults", by_partner);
  object.set("spec", spec.empty() ? std::string("none") : spec);
  return json(200, object);
}

Reply ControlService::people(std::string_view query) {
  size_t limit = 10;
  if (const std::string_view text = queryValue(query, "limit"); !text.empty()) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size()) {
      return jsonError(400, "limit must be a whole number");
    }
  }
  Poco::JSON::Array list;
  for (const SimPerson& person : people_.first(limit)) {
    Poco::JSON::Object entry(Poco::JSON_PRESERVE_KEY_ORDER);
    entry.set("id_number", person.id_number);
    entry.set("name", person.name);
    entry.set("sex", person.sex);
    entry.set("birth_date", person.birth_date);
    entry.set("address", person.address);
    list.add(entry);
  }
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("total", people_.size());
  object.set("people", list);
  return json(200, object);
}

Reply ControlService::ports() { return Reply{200, portsJson(ports_()) + "\n", "application/json"}; }

}  // namespace kaiban::sim
