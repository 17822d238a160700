#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

// Fault injection for the simulated partners: what can go wrong, at what rate, and the
// seeded, reproducible decision whether it goes wrong for a given request.
namespace kaiban::sim {

enum class FaultKind {
  kHttp500,        // answer 500 before doing anything (no effect)
  kTimeout,        // do the work, then hold the answer past the client's read timeout
  kMalformed,      // do the work, then answer with XML that is not well-formed
  kSchemaInvalid,  // do the work, then answer with well-formed XML its schema refuses
  kDropCallback,   // never deliver the result by callback (polls still find it)
};

std::string_view toString(FaultKind kind);  // "http500", "timeout", ... as in the syntax

// The faults of one partner. Rates are probabilities in [0, 1], per request (per result for
// kDropCallback); latency is added to every request of the partner.
struct FaultSpec {
  std::chrono::milliseconds latency{0};
  double http500 = 0;
  double timeout = 0;
  double malformed = 0;
  double schema_invalid = 0;
  double drop_callback = 0;

  double rate(FaultKind kind) const;
  bool isEmpty() const;
  // "latency=200ms,http500=0.1" listing what is set, or "none".
  std::string toString() const;

  friend bool operator==(const FaultSpec&, const FaultSpec&) = default;
};

// Faults by partner name.
using FaultTable = std::map<std::string, FaultSpec, std::less<>>;

// Parses the fault syntax of --faults and POST /faults:
//   spec      := partners ':' settings { ';' partners ':' settings }
//   partners  := name { '+' name } | '*'        (every partner)
//   settings  := 'none' | setting { ',' setting }
//   setting   := 'latency=' ms ('ms' | 's')? | kind '=' rate
//   kind      := http500 | timeout | malformed | schema_invalid | drop_callback
// e.g. "bank:latency=200ms,http500=0.1,drop_callback=0.1;registry+seal:timeout=0.05".
// Each partner named gets exactly the settings given (unset ones are zero); "none" clears.
// Returns the spec of every partner named, or kInvalidInput saying what is wrong and where.
// Spaces around tokens are ignored.
Result<FaultTable> parseFaults(std::string_view text);

// The faults in force, changeable at run time, and the decisions drawn from them.
// Thread-safe.
class FaultInjector {
 public:
  explicit FaultInjector(std::uint64_t seed, FaultTable initial = {});

  // Replaces the specs of the partners in `changes`; the others keep theirs.
  void apply(const FaultTable& changes);
  FaultSpec spec(std::string_view partner) const;
  // Every partner with a non-empty spec.
  FaultTable table() const;

  // Counts the requests for `key` (partner, route and message id): 1 for the first, 2 for
  // the next, ... Makes decisions differ between a request and its resends.
  int nextAttempt(const std::string& key);

  // Whether fault `kind` strikes the `attempt`-th request `key`. A pure function of
  // (seed, kind, key, attempt) and the partner's current rate, so a run with the same seed
  // and the same requests injects the same faults, whatever the thread interleaving.
  bool strikes(std::string_view partner, FaultKind kind, std::string_view key, int attempt) const;

  std::uint64_t seed() const { return seed_; }

 private:
  const std::uint64_t seed_;
  mutable std::mutex mutex_;
  FaultTable table_;
  std::map<std::string, int, std::less<>> attempts_;
};

// A uniform draw in [0, 1) that depends only on the arguments (FNV-1a then SplitMix64).
double uniformDraw(std::uint64_t seed, std::string_view a, std::string_view b, int n);

}  // namespace kaiban::sim
