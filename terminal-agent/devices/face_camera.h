#pragma once

#include <string>

#include "core/result.h"
#include "terminal-agent/devices/device_health.h"

namespace kaiban::agent {

// The threshold a match score must reach by default for the face to count as the card
// holder's. Deployments set their own from the camera vendor's certified operating point.
inline constexpr double kDefaultFaceMatchThreshold = 0.80;

// The outcome of one face check at the kiosk: a liveness test (a real person is in front of
// the camera, not a photo or a screen) and a 1:1 match against the ID card photo.
//
// Only this summary leaves the device layer. The face image stays on the kiosk, held by the
// camera driver; `check_reference` names the check (for the audit trail) and lets staff find
// the local record, but is not the image.
struct FaceCheck {
  bool liveness_passed = false;
  double match_score = 0;  // similarity in [0, 1]
  double threshold = kDefaultFaceMatchThreshold;
  bool matched = false;  // the decision: see decideFaceCheck
  std::string check_reference;

  friend bool operator==(const FaceCheck&, const FaceCheck&) = default;
};

// The one rule every camera implementation applies: matched exactly when liveness passed and
// match_score >= threshold. A face that fails liveness never matches, whatever its score.
// REQUIRES: match_score and threshold in [0, 1] (throws std::invalid_argument otherwise: a
// driver bug, not an expected failure).
FaceCheck decideFaceCheck(bool liveness_passed, double match_score, double threshold,
                          std::string check_reference);

// A face camera with liveness detection. Implementations: SimulatedFaceCamera
// (simulated_devices.h); a real driver plugs in behind the same interface. Thread-safe.
//
// A failed match is a FaceCheck with matched == false, not an error: the screen then offers
// a retry or the staff-assisted alternative.
class FaceCamera {
 public:
  virtual ~FaceCamera() = default;

  // Captures the applicant's face and matches it against the card photo `photo_reference`
  // (IdCardData::photo_reference). Errors:
  //   kInvalidInput  photo_reference is empty or unknown to the camera driver;
  //   kTimeout       no face was presented in time;
  //   kUnavailable   the camera is offline.
  virtual Result<FaceCheck> verify(const std::string& photo_reference) = 0;

  // The camera's health for heartbeats; device name kFaceCameraDevice. Never blocks long.
  virtual DeviceHealth health() const = 0;
};

}  // namespace kaiban::agent
