#pragma once

#include <span>
#include <string>
#include <string_view>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/result.h"

namespace kaiban::agent {

// How a kiosk device is doing, as the heartbeat reports it to the orchestrator and the
// operators' dashboard shows it.
enum class DeviceStatus {
  kOk,        // "ok": works normally
  kDegraded,  // "degraded": works, but needs attention soon (paper low, lens dirty, ...)
  kOffline,   // "offline": cannot be used; operations fail with kUnavailable
};
std::string_view toString(DeviceStatus status);
// Exactly the toString() names; kInvalidInput otherwise.
Result<DeviceStatus> parseDeviceStatus(std::string_view name);

// The stable device names used in heartbeats and logs.
inline constexpr std::string_view kIdCardReaderDevice = "id_card_reader";
inline constexpr std::string_view kFaceCameraDevice = "face_camera";
inline constexpr std::string_view kReceiptPrinterDevice = "receipt_printer";

// One device's health. `detail` is for the operator ("paper out", "USB device not found"); it
// never carries personal data. Empty when status is kOk and there is nothing to add.
struct DeviceHealth {
  std::string device;
  DeviceStatus status = DeviceStatus::kOk;
  std::string detail;

  friend bool operator==(const DeviceHealth&, const DeviceHealth&) = default;
};

// The worst status in `devices` (offline > degraded > ok); kOk when `devices` is empty.
DeviceStatus worstStatus(std::span<const DeviceHealth> devices);

// {"device": "receipt_printer", "status": "degraded", "detail": "paper low"}
Poco::JSON::Object::Ptr toJson(const DeviceHealth& health);
// An array of the above, in the given order: the "devices" member of a heartbeat.
Poco::JSON::Array::Ptr toJson(std::span<const DeviceHealth> devices);

}  // namespace kaiban::agent
