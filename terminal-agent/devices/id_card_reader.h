#pragma once

#include <optional>
#include <string>

#include "core/id_number.h"
#include "core/result.h"
#include "terminal-agent/devices/device_health.h"

namespace kaiban::agent {

// What the chip of a second-generation resident identity card (居民身份证) holds, as the
// reader decodes it. Plain value type.
//
// `photo_reference` is an opaque handle to the card photo, which the reader driver keeps on
// the kiosk (for the face camera to match against). The photo bytes never travel with this
// struct, never reach a log and never leave the kiosk. Log a card only through
// describeForLog().
struct IdCardData {
  std::string name;                      // 姓名, as printed (may contain '·' for some names)
  Sex sex = Sex::kMale;                  // 性别
  std::string ethnicity;                 // 民族, as printed ("汉", "回", ...)
  CivilDate birth_date;                  // 出生
  std::string address;                   // 住址, as printed
  std::string id_number;                 // 公民身份号码, 18 characters
  std::string issuing_authority;         // 签发机关 ("青岛市公安局市南分局")
  CivilDate valid_from;                  // 有效期限, first day
  std::optional<CivilDate> valid_until;  // last day; nullopt for 长期 (no expiry)
  std::string photo_reference;

  // True when `day` lies within [valid_from, valid_until] (valid_until absent: no end).
  bool validOn(CivilDate day) const;

  // "card 3702**********123X": the masked ID number, nothing else. For logs.
  std::string describeForLog() const;

  friend bool operator==(const IdCardData&, const IdCardData&) = default;
};

// An ID-card reader. Implementations: SimulatedIdCardReader (simulated_devices.h); a real
// driver (e.g. over the vendor SDK of a GA 450 reader) plugs in behind the same interface.
// Implementations are thread-safe: the kiosk UI and the heartbeat call from different threads.
class IdCardReader {
 public:
  virtual ~IdCardReader() = default;

  // Reads the card in the slot. The card stays in the slot: reading again returns the same
  // data until it is removed. Errors:
  //   kNotFound     no card is inserted (the screen keeps asking for one);
  //   kCorrupt      a card is there but its chip could not be read or failed its checks
  //                 (ask the applicant to re-insert it);
  //   kUnavailable  the reader is offline (health() says why).
  virtual Result<IdCardData> read() = 0;

  // The reader's health for heartbeats; device name kIdCardReaderDevice. Never blocks long.
  virtual DeviceHealth health() const = 0;
};

}  // namespace kaiban::agent
