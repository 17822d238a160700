#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "Poco/JSON/Object.h"
#include "core/clock.h"
#include "terminal-agent/devices/face_camera.h"
#include "terminal-agent/devices/id_card_reader.h"
#include "terminal-agent/devices/receipt_printer.h"
#include "terminal-agent/devices/simulated_devices.h"
#include "terminal-agent/link/orchestrator_link.h"
#include "terminal-agent/queue/submission_queue.h"
#include "terminal-agent/ui/kiosk_session.h"
#include "terminal-agent/ui/local_http.h"
#include "terminal-agent/ui/static_assets.h"

// The kiosk's local JSON API, which the kiosk screen (ui/assets/app.js) calls on
// 127.0.0.1. docs/kiosk-agent.md lists the endpoints with their answers.
namespace kaiban::agent {

struct KioskUiSettings {
  std::string kiosk_id;
  std::string bank_code;
  std::string agent_version;
  std::chrono::seconds idle_timeout{120};  // the screen's inactivity limit
  std::chrono::seconds idle_warning{20};   // the countdown shown before it
  std::string staff_code;  // "" disables the staff-assisted verification at this kiosk
  // The status link printed as a QR code; "{id}" is replaced by the application id.
  std::string status_url_template;
  std::string choices_json;  // divisions and seal shops offered on screen (/local/choices)
  int max_face_attempts = 3;
  int max_staff_attempts = 5;
};

// The simulated devices, when the kiosk runs them: their control endpoints exist only then.
struct SimulatedDeviceSet {
  SimulatedIdCardReader& reader;
  SimulatedFaceCamera& camera;
  SimulatedReceiptPrinter& printer;
};

// Everything the local handlers may use: a narrow view of the agent, never the app itself.
// Every reference must outlive the routes made from it.
struct KioskBackend {
  KioskUiSettings settings;
  const Clock& clock;
  IdCardReader& reader;
  FaceCamera& camera;
  ReceiptPrinter& printer;
  OrchestratorLink& link;
  SubmissionQueue& queue;
  KioskSessions& sessions;
  std::function<void()> submitted;                  // a submission was queued: wake the forwarder
  std::function<Poco::JSON::Object::Ptr()> health;  // the body of GET /local/health
  std::optional<SimulatedDeviceSet> simulated;
};

// The routes of the kiosk listener: the screen's files and the local API.
//
// Session rules: POST /local/session (after consent) returns a token that every later call
// sends as X-Kiosk-Session. Reading the card needs the ID-card consent; the face check needs
// the face consent; validating and submitting need a verified identity (face or staff). An
// ended or expired session answers 404 with field "session", and the screen starts over.
std::shared_ptr<LocalRoutes> makeLocalRoutes(KioskBackend& backend,
                                             const std::shared_ptr<const StaticAssets>& assets);

// "3702**********3010": the first 4 and last 4 characters, for the screen.
std::string maskIdNumber(std::string_view id_number);

}  // namespace kaiban::agent
