#include "terminal-agent/devices/face_camera.h"

#include <stdexcept>
#include <utility>

namespace kaiban::agent {

FaceCheck decideFaceCheck(bool liveness_passed, double match_score, double threshold,
                          std::string check_reference) {
  // Written as negated range checks so that NaN fails them too.
  if (!(match_score >= 0 && match_score <= 1) || !(threshold >= 0 && threshold <= 1)) {
    throw std::invalid_argument("face match score and threshold must lie in [0, 1]");
  }
  FaceCheck check;
  check.liveness_passed = liveness_passed;
  check.match_score = match_score;
  check.threshold = threshold;
  check.matched = liveness_passed && match_score >= threshold;
  check.check_reference = std::move(check_reference);
  return check;
}

}  // namespace kaiban::agent
