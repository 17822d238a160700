#include "bench/report.h"

#include <cmath>
#include <cstdio>
#include <iomanip>

#include "Poco/JSON/Array.h"

namespace kaiban::bench {

namespace {

Poco::JSON::Object::Ptr ordered() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// Pads `text` to `width` display columns; CJK text is not used in the table.
std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string padLeft(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

std::string formatNumber(double value) {
  char buffer[64];
  const double magnitude = std::fabs(value);
  if (magnitude >= 100 || value == 0) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else if (magnitude >= 10) {
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
  } else if (magnitude >= 0.1) {
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.4f", value);
  }
  return buffer;
}

void Report::limit(const std::string& key, const std::string& label, double value,
                   const std::string& unit) {
  limits_.push_back(Limit{key, label, unit, value});
}

void Report::figure(const std::string& section, const std::string& key, const std::string& label,
                    double value, const std::string& unit, const std::string& limit_key) {
  figures_.push_back(Figure{section, key, label, unit, limit_key, value});
}

void Report::target(const std::string& name, const std::string& wanted, const std::string& measured,
                    bool met, const std::string& note) {
  targets_.push_back(Target{name, wanted, measured, note, met});
}

void Report::fact(const std::string& key, const Poco::Dynamic::Var& value) {
  facts_->set(key, value);
}

std::optional<double> Report::value(const std::string& key) const {
  for (const Figure& figure : figures_) {
    if (figure.key == key) return figure.value;
  }
  if (const Limit* limit = findLimit(key)) return limit->value;
  return std::nullopt;
}

const Report::Limit* Report::findLimit(const std::string& key) const {
  for (const Limit& limit : limits_) {
    if (limit.key == key) return &limit;
  }
  return nullptr;
}

void Report::printTable(std::ostream& out) const {
  out << "\nMachine limits (raw libraries, same settings, same run)\n";
  for (const Limit& limit : limits_) {
    out << "  " << pad(limit.label, 52) << padLeft(formatNumber(limit.value), 10) << " "
        << limit.unit << "\n";
  }
  std::string section;
  for (const Figure& figure : figures_) {
    if (figure.section != section) {
      section = figure.section;
      out << "\n" << section << "\n";
    }
    out << "  " << pad(figure.label, 52) << padLeft(formatNumber(figure.value), 10) << " "
        << pad(figure.unit, 14);
    if (const Limit* limit = findLimit(figure.limit_key)) {
      out << " " << padLeft(formatNumber(figure.value / limit->value), 6) << "x  " << limit->label
          << " (" << formatNumber(limit->value) << ")";
    }
    out << "\n";
  }
  if (!targets_.empty()) {
    out << "\nTargets (issue 7)\n";
    for (const Target& target : targets_) {
      out << "  " << (target.met ? "met   " : "MISSED") << "  " << pad(target.name, 34) << " "
          << pad(target.wanted, 30) << " measured " << target.measured << "\n";
      if (!target.note.empty()) out << "          " << target.note << "\n";
    }
  }
}

Poco::JSON::Object::Ptr Report::json() const {
  Poco::JSON::Object::Ptr root = ordered();
  root->set("facts", facts_);
  Poco::JSON::Object::Ptr limits = ordered();
  for (const Limit& limit : limits_) {
    Poco::JSON::Object::Ptr entry = ordered();
    entry->set("label", limit.label);
    entry->set("value", limit.value);
    entry->set("unit", limit.unit);
    limits->set(limit.key, entry);
  }
  root->set("limits", limits);
  Poco::JSON::Object::Ptr figures = ordered();
  for (const Figure& figure : figures_) {
    Poco::JSON::Object::Ptr entry = ordered();
    entry->set("section", figure.section);
    entry->set("label", figure.label);
    entry->set("value", figure.value);
    entry->set("unit", figure.unit);
    if (const Limit* limit = findLimit(figure.limit_key)) {
      entry->set("limit", figure.limit_key);
      entry->set("ratio", figure.value / limit->value);
    }
    figures->set(figure.key, entry);
  }
  root->set("figures", figures);
  Poco::JSON::Array::Ptr targets = new Poco::JSON::Array;
  for (const Target& target : targets_) {
    Poco::JSON::Object::Ptr entry = ordered();
    entry->set("name", target.name);
    entry->set("target", target.wanted);
    entry->set("measured", target.measured);
    entry->set("met", target.met);
    entry->set("note", target.note);
    targets->add(entry);
  }
  root->set("targets", targets);
  return root;
}

}  // namespace kaiban::bench
