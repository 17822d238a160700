#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "bench/application_generator.h"

// The forms kaiban-demo types into the kiosk screen: valid, varied limited-liability companies
// made by kaiban-bench's ApplicationGenerator, reshaped as the screen's form
// (terminal-agent/ui/kiosk_form.h) with the person at the kiosk as legal representative and
// sole shareholder.
namespace kaiban::agent::demo {

// What the kiosk offers (GET /local/choices): division codes and seal shop ids.
struct KioskChoices {
  std::vector<std::string> divisions;
  std::vector<std::string> seal_shops;
};

// Not thread-safe: one maker per thread.
class DemoFormMaker {
 public:
  // `seed` and `salt` as for ApplicationGenerator; `choices` must not be empty (both lists).
  DemoFormMaker(std::uint64_t seed, int salt, KioskChoices choices);

  // The form of application `sequence` (0 .. 2.5 million): a company (有限公司 or
  // 有限责任公司) whose name no other sequence number of this salt gives; registered and
  // courier addresses in the kiosk's divisions; one of the kiosk's seal shops; the card
  // holder ("self") owning the whole capital; supervisor and finance officer (when present)
  // other people. applicationFromKioskForm turns it, with any adult card holder, into an
  // application validateApplication accepts.
  Poco::JSON::Object::Ptr make(std::int64_t sequence);

 private:
  bench::ApplicationGenerator generator_;
  KioskChoices choices_;
};

}  // namespace kaiban::agent::demo
