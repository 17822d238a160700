#include "terminal-agent/devices/simulated_devices.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/crypto/random.h"

namespace kaiban::agent {
namespace {

Error offlineError(const DeviceHealth& health) {
  return Error::unavailable(health.device + " is offline" +
                            (health.detail.empty() ? std::string() : ": " + health.detail));
}

// The application number as it may appear in a file name. validateReceipt already limits it
// to [A-Za-z0-9_-], so this only guards against a future change to that rule.
std::string fileSafe(std::string_view text) {
  std::string safe;
  for (char c : text) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    safe += keep ? c : '_';
  }
  return safe;
}

void checkScore(double score) {
  if (!(score >= 0 && score <= 1)) {
    throw std::invalid_argument("simulated face score must lie in [0, 1]");
  }
}

}  // namespace

// --- SimulatedIdCardReader ---

SimulatedIdCardReader::SimulatedIdCardReader(std::vector<IdCardData> deck)
    : deck_(std::move(deck)) {}

SimulatedIdCardReader::SimulatedIdCardReader(std::vector<IdCardData> deck, Options options)
    : deck_(std::move(deck)), options_(options) {}

Result<IdCardData> SimulatedIdCardReader::read() {
  std::lock_guard lock(mutex_);
  if (health_.status == DeviceStatus::kOffline) return offlineError(health_);
  if (!slot_.has_value() && options_.auto_insert && !deck_.empty()) {
    slot_ = deck_[next_auto_ % deck_.size()];
    ++next_auto_;
    unreadable_ = false;
  }
  if (!slot_.has_value()) return Error::notFound("no ID card in the reader");
  if (unreadable_) return Error::corrupt("the ID card's chip could not be read");
  return *slot_;
}

DeviceHealth SimulatedIdCardReader::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

void SimulatedIdCardReader::insert(IdCardData card) {
  std::lock_guard lock(mutex_);
  slot_ = std::move(card);
  unreadable_ = false;
}

Result<void> SimulatedIdCardReader::insertFromDeck(size_t index) {
  if (index >= deck_.size()) {
    return Error::notFound("the simulated deck has " + std::to_string(deck_.size()) +
                           " cards; there is no card " + std::to_string(index));
  }
  insert(deck_[index]);
  return ok();
}

Result<void> SimulatedIdCardReader::insertFromDeck(std::string_view id_number) {
  for (const IdCardData& card : deck_) {
    if (card.id_number == id_number) {
      insert(card);
      return ok();
    }
  }
  return Error::notFound("the simulated deck has no card with that ID number");
}

void SimulatedIdCardReader::remove() {
  std::lock_guard lock(mutex_);
  slot_.reset();
  unreadable_ = false;
}

bool SimulatedIdCardReader::cardPresent() const {
  std::lock_guard lock(mutex_);
  return slot_.has_value();
}

void SimulatedIdCardReader::setUnreadable() {
  std::lock_guard lock(mutex_);
  unreadable_ = slot_.has_value();
}

void SimulatedIdCardReader::setStatus(DeviceStatus status, std::string detail) {
  std::lock_guard lock(mutex_);
  health_.status = status;
  health_.detail = std::move(detail);
}

// --- SimulatedFaceCamera ---

SimulatedFaceCamera::SimulatedFaceCamera(double threshold) : threshold_(threshold) {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw std::invalid_argument("face match threshold must lie in [0, 1]");
  }
}

Result<FaceCheck> SimulatedFaceCamera::verify(const std::string& photo_reference) {
  std::lock_guard lock(mutex_);
  if (health_.status == DeviceStatus::kOffline) return offlineError(health_);
  if (photo_reference.empty()) {
    return Error::invalidInput("no card photo to match the face against", "photo_reference");
  }
  requested_.push_back(photo_reference);
  SimulatedFace face = default_result_;
  if (!script_.empty()) {
    std::variant<SimulatedFace, Error> next = std::move(script_.front());
    script_.pop_front();
    if (std::holds_alternative<Error>(next)) return std::get<Error>(std::move(next));
    face = std::get<SimulatedFace>(next);
  }
  return decideFaceCheck(face.live, face.score, threshold_, "fc-" + crypto::randomBase32Id(16));
}

DeviceHealth SimulatedFaceCamera::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

void SimulatedFaceCamera::setNextResult(SimulatedFace face) {
  checkScore(face.score);
  std::lock_guard lock(mutex_);
  script_.emplace_back(face);
}

void SimulatedFaceCamera::setNextError(Error error) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(error));
}

void SimulatedFaceCamera::setDefaultResult(SimulatedFace face) {
  checkScore(face.score);
  std::lock_guard lock(mutex_);
  default_result_ = face;
}

std::vector<std::string> SimulatedFaceCamera::requestedPhotoReferences() const {
  std::lock_guard lock(mutex_);
  return requested_;
}

void SimulatedFaceCamera::setStatus(DeviceStatus status, std::string detail) {
  std::lock_guard lock(mutex_);
  health_.status = status;
  health_.detail = std::move(detail);
}

// --- SimulatedReceiptPrinter ---

SimulatedReceiptPrinter::SimulatedReceiptPrinter(std::filesystem::path output_dir)
    : output_dir_(std::move(output_dir)) {}

Result<void> SimulatedReceiptPrinter::print(const Receipt& receipt) {
  if (Result<void> valid = validateReceipt(receipt); !valid) return valid;
  std::lock_guard lock(mutex_);
  if (health_.status == DeviceStatus::kOffline) return offlineError(health_);
  if (output_dir_.has_value()) {
    std::error_code error;
    std::filesystem::create_directories(*output_dir_, error);
    if (error) {
      return Error::unavailable("receipt printer cannot create " + output_dir_->string() + ": " +
                                error.message());
    }
    char counter[16];
    std::snprintf(counter, sizeof(counter), "%04zu", printed_.size() + 1);
    const std::filesystem::path file =
        *output_dir_ /
        ("receipt-" + std::string(counter) + "-" + fileSafe(receipt.application_number) + ".txt");
    // Written under a temporary name and renamed, so a reader never sees half a receipt.
    const std::filesystem::path partial = file.string() + ".partial";
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      out << formatReceiptText(receipt);
      out.flush();
      if (!out) {
        std::filesystem::remove(partial, error);
        return Error::unavailable("receipt printer cannot write " + partial.string());
      }
    }
    std::filesystem::rename(partial, file, error);
    if (error) {
      return Error::unavailable("receipt printer cannot write " + file.string() + ": " +
                                error.message());
    }
    files_.push_back(file);
  }
  printed_.push_back(receipt);
  return ok();
}

DeviceHealth SimulatedReceiptPrinter::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

std::vector<Receipt> SimulatedReceiptPrinter::printed() const {
  std::lock_guard lock(mutex_);
  return printed_;
}

std::vector<std::filesystem::path> SimulatedReceiptPrinter::files() const {
  std::lock_guard lock(mutex_);
  return files_;
}

void SimulatedReceiptPrinter::setStatus(DeviceStatus status, std::string detail) {
  std::lock_guard lock(mutex_);
  health_.status = status;
  health_.detail = std::move(detail);
}

}  // namespace kaiban::agent
