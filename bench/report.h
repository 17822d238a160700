#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "Poco/JSON/Object.h"

// kaiban-bench's results: the machine's limits, Kaiban's figures (each beside the limit it is
// compared with, as a ratio), and the targets with what was measured. Printed as a
// table and written as JSON.
namespace kaiban::bench {

class Report {
 public:
  // A machine limit, referred to by `key` from figures.
  void limit(const std::string& key, const std::string& label, double value,
             const std::string& unit);

  // A Kaiban figure in `section`; with `limit_key`, printed beside that limit as
  // value / limit.
  void figure(const std::string& section, const std::string& key, const std::string& label,
              double value, const std::string& unit, const std::string& limit_key = "");

  // A target of the issue: what it asks, what was measured, whether it was met, and why not
  // (or how it was measured) in `note`.
  void target(const std::string& name, const std::string& wanted, const std::string& measured,
              bool met, const std::string& note = "");

  // Free-form facts about the run (machine, options, durations), kept in the JSON.
  void fact(const std::string& key, const Poco::Dynamic::Var& value);

  std::optional<double> value(const std::string& key) const;

  void printTable(std::ostream& out) const;
  Poco::JSON::Object::Ptr json() const;

 private:
  struct Limit {
    std::string key, label, unit;
    double value = 0;
  };
  struct Figure {
    std::string section, key, label, unit, limit_key;
    double value = 0;
  };
  struct Target {
    std::string name, wanted, measured, note;
    bool met = false;
  };
  const Limit* findLimit(const std::string& key) const;

  std::vector<Limit> limits_;
  std::vector<Figure> figures_;
  std::vector<Target> targets_;
  Poco::JSON::Object::Ptr facts_ = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
};

// `value` with `digits` significant-looking decimals: 1234 -> "1234", 0.0123 -> "0.0123".
std::string formatNumber(double value);

}  // namespace kaiban::bench
