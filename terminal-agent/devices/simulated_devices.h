#pragma once

#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "terminal-agent/devices/face_camera.h"
#include "terminal-agent/devices/id_card_reader.h"
#include "terminal-agent/devices/receipt_printer.h"

namespace kaiban::agent {

// Simulated kiosk devices for development, demos and tests. Each is driven in-process by a
// small control API (what the agent's control endpoint and the tests call) and behaves like
// the real device as the interface contract describes it. Every method is thread-safe.
//
// Every simulated device can be put into any DeviceStatus with setStatus(): kOffline makes
// its operations fail with kUnavailable (message: the detail), kDegraded only changes what
// health() reports.

// An ID-card reader with an optional deck of known cards (loadSimulatedCards) that the
// control API can "insert" by position or ID number.
class SimulatedIdCardReader final : public IdCardReader {
 public:
  struct Options {
    // When true, read() with an empty slot inserts the next card of the deck (round robin)
    // instead of answering kNotFound: a demo kiosk then never waits for a card.
    bool auto_insert = false;
  };

  SimulatedIdCardReader() = default;
  explicit SimulatedIdCardReader(std::vector<IdCardData> deck);
  SimulatedIdCardReader(std::vector<IdCardData> deck, Options options);

  // The inserted card; kNotFound when the slot is empty (unless auto_insert), kCorrupt when
  // setUnreadable() was called since the card was inserted, kUnavailable when offline.
  Result<IdCardData> read() override;
  DeviceHealth health() const override;

  // Puts `card` in the slot, replacing any card there.
  void insert(IdCardData card);
  // Inserts deck card `index` (0-based); kNotFound if there is no such card.
  Result<void> insertFromDeck(size_t index);
  // Inserts the deck card with `id_number`; kNotFound if the deck has none.
  Result<void> insertFromDeck(std::string_view id_number);
  // Empties the slot.
  void remove();
  bool cardPresent() const;
  // Makes reads of the card now in the slot fail with kCorrupt (a scratched chip) until the
  // card is removed or replaced.
  void setUnreadable();

  const std::vector<IdCardData>& deck() const { return deck_; }
  void setStatus(DeviceStatus status, std::string detail = {});

 private:
  const std::vector<IdCardData> deck_;
  const Options options_;
  mutable std::mutex mutex_;
  std::optional<IdCardData> slot_;
  bool unreadable_ = false;
  size_t next_auto_ = 0;
  DeviceHealth health_{std::string(kIdCardReaderDevice), DeviceStatus::kOk, {}};
};

// What the simulated camera "sees" at the next verify().
struct SimulatedFace {
  bool live = true;     // the liveness test passes
  double score = 0.95;  // the match score against the card photo, in [0, 1]
};

// A face camera whose results are scripted: verify() takes the oldest queued result
// (setNextResult / setNextError), or the default result when none is queued. Each check gets
// a fresh reference "fc-<16 base32 characters>".
class SimulatedFaceCamera final : public FaceCamera {
 public:
  // REQUIRES: threshold in [0, 1].
  explicit SimulatedFaceCamera(double threshold = kDefaultFaceMatchThreshold);

  // kInvalidInput for an empty photo_reference (checked before anything is consumed),
  // kUnavailable when offline, else the next scripted outcome.
  Result<FaceCheck> verify(const std::string& photo_reference) override;
  DeviceHealth health() const override;

  // Queues the outcome of a later verify(). REQUIRES: face.score in [0, 1].
  void setNextResult(SimulatedFace face);
  // Queues an error (kTimeout: nobody stood in front of the camera) for a later verify().
  void setNextError(Error error);
  // The outcome when nothing is queued. Initially SimulatedFace{} (live, 0.95).
  void setDefaultResult(SimulatedFace face);
  // The photo references verify() was asked about, oldest first.
  std::vector<std::string> requestedPhotoReferences() const;

  void setStatus(DeviceStatus status, std::string detail = {});

 private:
  const double threshold_;
  mutable std::mutex mutex_;
  std::deque<std::variant<SimulatedFace, Error>> script_;
  SimulatedFace default_result_;
  std::vector<std::string> requested_;
  DeviceHealth health_{std::string(kFaceCameraDevice), DeviceStatus::kOk, {}};
};

// A receipt printer that keeps every printed receipt in memory and, when given a directory,
// also writes each as a text file (formatReceiptText) named
// "receipt-<NNNN>-<application_number>.txt", NNNN counting from 0001 per printer, so a demo
// shows what the kiosk printed. The directory is created when needed.
class SimulatedReceiptPrinter final : public ReceiptPrinter {
 public:
  SimulatedReceiptPrinter() = default;
  explicit SimulatedReceiptPrinter(std::filesystem::path output_dir);

  // kInvalidInput (validateReceipt), kUnavailable when offline or when the file cannot be
  // written (nothing is kept then, like paper that jammed).
  Result<void> print(const Receipt& receipt) override;
  DeviceHealth health() const override;

  std::vector<Receipt> printed() const;
  // The files written so far, oldest first (empty without an output directory).
  std::vector<std::filesystem::path> files() const;

  void setStatus(DeviceStatus status, std::string detail = {});

 private:
  const std::optional<std::filesystem::path> output_dir_;
  mutable std::mutex mutex_;
  std::vector<Receipt> printed_;
  std::vector<std::filesystem::path> files_;
  DeviceHealth health_{std::string(kReceiptPrinterDevice), DeviceStatus::kOk, {}};
};

}  // namespace kaiban::agent
