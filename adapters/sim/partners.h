#pragma once

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

// The partner systems kaiban-sim plays, and what the simulator needs to know about each.
namespace kaiban::sim {

struct PartnerInfo {
  std::string_view name;      // in URL paths, options, logs: "registry", "people"
  std::string_view pki_name;  // its directory under <pki>/partners/: "people-data"
  int port_offset;            // default port = port base + offset (9000 + 1 = 9001)
  bool asynchronous;          // answers 202 and calls back later (else 200, synchronous)
};

inline constexpr std::array<PartnerInfo, 6> kPartners = {{
    {"registry", "registry", 1, true},
    {"seal", "seal", 2, true},
    {"bank", "bank", 3, true},
    {"tax", "tax", 4, true},
    {"people", "people-data", 5, false},
    {"sms", "sms", 6, false},
}};

inline constexpr int kDefaultPortBase = 9000;
inline constexpr int kControlPortOffset = 10;  // control port = port base + 10 (9010)

// The partner called `name`; its PKI name ("people-data") is accepted too.
inline std::optional<PartnerInfo> findPartner(std::string_view name) {
  for (const PartnerInfo& partner : kPartners) {
    if (partner.name == name || partner.pki_name == name) return partner;
  }
  return std::nullopt;
}

// The partner called exactly `name` (as in kPartners). REQUIRES: it exists (a bug otherwise:
// throws std::logic_error).
inline const PartnerInfo& partnerInfo(std::string_view name) {
  for (const PartnerInfo& partner : kPartners) {
    if (partner.name == name) return partner;
  }
  throw std::logic_error("no partner named " + std::string(name));
}

}  // namespace kaiban::sim
