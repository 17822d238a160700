#include "terminal-agent/devices/device_health.h"

#include <algorithm>

namespace kaiban::agent {

std::string_view toString(DeviceStatus status) {
  switch (status) {
    case DeviceStatus::kOk:
      return "ok";
    case DeviceStatus::kDegraded:
      return "degraded";
    case DeviceStatus::kOffline:
      return "offline";
  }
  return "offline";
}

Result<DeviceStatus> parseDeviceStatus(std::string_view name) {
  for (DeviceStatus status : {DeviceStatus::kOk, DeviceStatus::kDegraded, DeviceStatus::kOffline}) {
    if (toString(status) == name) return status;
  }
  return Error::invalidInput("unknown device status \"" + std::string(name) +
                             "\" (expected ok, degraded or offline)");
}

DeviceStatus worstStatus(std::span<const DeviceHealth> devices) {
  // The enum is declared from best to worst, so the worst is the greatest.
  DeviceStatus worst = DeviceStatus::kOk;
  for (const DeviceHealth& health : devices) worst = std::max(worst, health.status);
  return worst;
}

Poco::JSON::Object::Ptr toJson(const DeviceHealth& health) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("device", health.device);
  json->set("status", std::string(toString(health.status)));
  json->set("detail", health.detail);
  return json;
}

Poco::JSON::Array::Ptr toJson(std::span<const DeviceHealth> devices) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const DeviceHealth& health : devices) array->add(toJson(health));
  return array;
}

}  // namespace kaiban::agent
