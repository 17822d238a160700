#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "terminal-agent/devices/device_health.h"

namespace kaiban::agent {

// One line of a receipt in both languages; the printer prints the Chinese line, then the
// English one. Either may be empty (e.g. a line that is only a number).
struct ReceiptLine {
  std::string zh;
  std::string en;

  friend bool operator==(const ReceiptLine&, const ReceiptLine&) = default;
};

// What the kiosk prints after a submission. A receipt is handed to the applicant and may be
// lost: it carries no ID number, no phone number and no face data, only the application
// number, the status link and text such as the company name and the next steps.
struct Receipt {
  std::string application_number;  // what the applicant quotes, e.g. "KB8F3K2M7Q"
  std::string qr_payload;          // the status URL the QR code encodes
  std::vector<ReceiptLine> lines;
  SystemTime issued_at;

  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// Limits that every printer accepts; validateReceipt enforces them.
inline constexpr size_t kMaxApplicationNumberChars = 64;
// Short enough for a QR code a 58 mm thermal printer prints legibly.
inline constexpr size_t kMaxQrPayloadBytes = 512;
inline constexpr size_t kMaxReceiptLines = 40;
inline constexpr size_t kMaxReceiptLineBytes = 240;

// ok, or kInvalidInput whose field names the first bad part: application_number (1-64 of
// A-Z a-z 0-9 '-' '_'), qr_payload (1-512 printable ASCII bytes, as a URL is), lines (at most
// 40), lines[i].zh / lines[i].en (valid UTF-8, at most 240 bytes, no control characters).
Result<void> validateReceipt(const Receipt& receipt);

// The receipt as plain UTF-8 text, the layout the simulated printer writes to a file:
// a header, the application number, each line in Chinese then English, the issue time
// (Asia/Shanghai) and the status URL under "scan to track". A real printer driver renders
// the same content with its own commands (ESC/POS text and its native QR command).
std::string formatReceiptText(const Receipt& receipt);

// A receipt printer. Implementations: SimulatedReceiptPrinter (simulated_devices.h); a real
// driver plugs in behind the same interface. Thread-safe; prints one receipt at a time.
class ReceiptPrinter {
 public:
  virtual ~ReceiptPrinter() = default;

  // Prints `receipt` (a QR code of qr_payload included). Errors:
  //   kInvalidInput  validateReceipt fails; nothing is printed;
  //   kUnavailable   the printer is offline, out of paper or jammed; nothing (or not all) was
  //                  printed and the screen should say so — the receipt screen still shows
  //                  the number and the QR code.
  virtual Result<void> print(const Receipt& receipt) = 0;

  // The printer's health for heartbeats; device name kReceiptPrinterDevice. Never blocks long.
  virtual DeviceHealth health() const = 0;
};

}  // namespace kaiban::agent
