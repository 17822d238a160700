#include "terminal-agent/devices/receipt_printer.h"

#include <string_view>

#include "core/application.h"
#include "core/timestamp.h"

namespace kaiban::agent {
namespace {

bool isApplicationNumberChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool hasControlCharacter(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

Result<void> validateLineText(std::string_view text, const std::string& field) {
  if (text.size() > kMaxReceiptLineBytes) {
    return Error::invalidInput(
        "receipt line is longer than " + std::to_string(kMaxReceiptLineBytes) + " bytes", field);
  }
  if (!utf8Length(text).has_value() || hasControlCharacter(text)) {
    return Error::invalidInput("receipt line is not printable UTF-8 text", field);
  }
  return ok();
}

}  // namespace

Result<void> validateReceipt(const Receipt& receipt) {
  const std::string& number = receipt.application_number;
  if (number.empty() || number.size() > kMaxApplicationNumberChars) {
    return Error::invalidInput("application number must be 1-" +
                                   std::to_string(kMaxApplicationNumberChars) + " characters",
                               "application_number");
  }
  for (char c : number) {
    if (!isApplicationNumberChar(c)) {
      return Error::invalidInput("application number may hold only A-Z a-z 0-9 - _",
                                 "application_number");
    }
  }
  if (receipt.qr_payload.empty() || receipt.qr_payload.size() > kMaxQrPayloadBytes) {
    return Error::invalidInput(
        "QR payload must be 1-" + std::to_string(kMaxQrPayloadBytes) + " bytes", "qr_payload");
  }
  for (char c : receipt.qr_payload) {
    if (c <= 0x20 || c >= 0x7f) {
      return Error::invalidInput("QR payload must be printable ASCII without spaces (a URL)",
                                 "qr_payload");
    }
  }
  if (receipt.lines.size() > kMaxReceiptLines) {
    return Error::invalidInput(
        "a receipt has at most " + std::to_string(kMaxReceiptLines) + " lines", "lines");
  }
  for (size_t i = 0; i < receipt.lines.size(); ++i) {
    const std::string prefix = "lines[" + std::to_string(i) + "].";
    if (Result<void> zh = validateLineText(receipt.lines[i].zh, prefix + "zh"); !zh) return zh;
    if (Result<void> en = validateLineText(receipt.lines[i].en, prefix + "en"); !en) return en;
  }
  return ok();
}

std::string formatReceiptText(const Receipt& receipt) {
  std::string text;
  text += "开办 Kaiban\n";
  text += "企业开办申请回执 / Application receipt\n";
  text += "----------------------------------------\n";
  text += "申请编号 / Application number: " + receipt.application_number + "\n";
  text += "----------------------------------------\n";
  for (const ReceiptLine& line : receipt.lines) {
    if (!line.zh.empty()) text += line.zh + "\n";
    if (!line.en.empty()) text += line.en + "\n";
  }
  text += "----------------------------------------\n";
  text += "时间 / Issued: " + formatIso8601(receipt.issued_at) + "\n";
  text += "扫码查询进度 / Scan to track:\n";
  text += "[QR] " + receipt.qr_payload + "\n";
  return text;
}

}  // namespace kaiban::agent
