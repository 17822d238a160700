#include "core/crypto/encoding.h"

#include <array>
#include <cstdint>

namespace kaiban::crypto {
namespace {

constexpr std::string_view kStandardChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view charsOf(Base64Alphabet alphabet) {
  return alphabet == Base64Alphabet::kUrlNoPad ? kUrlChars : kStandardChars;
}

// Maps each character of `chars` to its value 0-63 and every other byte to -1.
std::array<int8_t, 256> decodeTable(std::string_view chars) {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (size_t i = 0; i < chars.size(); ++i) {
    table[static_cast<unsigned char>(chars[i])] = static_cast<int8_t>(i);
  }
  return table;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string toBase64(std::string_view bytes, Base64Alphabet alphabet) {
  const std::string_view chars = charsOf(alphabet);
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                           (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
    out += chars[(group >> 18) & 63];
    out += chars[(group >> 12) & 63];
    out += chars[(group >> 6) & 63];
    out += chars[group & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) group |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += chars[(group >> 18) & 63];
    out += chars[(group >> 12) & 63];
    if (rest == 2) out += chars[(group >> 6) & 63];
    if (alphabet == Base64Alphabet::kStandard) out.append(3 - rest, '=');
  }
  return out;
}

Result<std::string> fromBase64(std::string_view text, Base64Alphabet alphabet) {
  static const std::array<int8_t, 256> kStandardTable = decodeTable(kStandardChars);
  static const std::array<int8_t, 256> kUrlTable = decodeTable(kUrlChars);
  const std::array<int8_t, 256>& table =
      alphabet == Base64Alphabet::kUrlNoPad ? kUrlTable : kStandardTable;

  if (alphabet == Base64Alphabet::kStandard) {
    if (text.size() % 4 != 0) {
      return Error::invalidInput("base64 text length " + std::to_string(text.size()) +
                                 " is not a multiple of 4");
    }
    size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
      ++padding;
    }
    text.remove_suffix(padding);
  } else if (text.size() % 4 == 1) {
    return Error::invalidInput("base64 text length " + std::to_string(text.size()) +
                               " cannot encode whole bytes");
  }

  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t accumulator = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int value = table[static_cast<unsigned char>(text[i])];
    if (value < 0) {
      return Error::invalidInput("base64 text has an invalid character at offset " +
                                 std::to_string(i));
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xff);
    }
  }
  // Leftover bits (2 or 4) must be zero, or two encodings would decode to the same bytes.
  if (bits > 0 && (accumulator & ((1u << bits) - 1)) != 0) {
    return Error::invalidInput("base64 text has non-zero bits after its last byte");
  }
  return out;
}

std::string toHex(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

bool hexToBytes(std::string_view hex, std::span<unsigned char> out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int high = hexValue(hex[2 * i]);
    const int low = hexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<unsigned char>((high << 4) | low);
  }
  return true;
}

Result<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Error::invalidInput("hex text has an odd length (" + std::to_string(hex.size()) + ")");
  }
  std::string out(hex.size() / 2, '\0');
  if (!hexToBytes(hex, std::span(reinterpret_cast<unsigned char*>(out.data()), out.size()))) {
    return Error::invalidInput("hex text has a character other than 0-9, a-f, A-F");
  }
  return out;
}

}  // namespace kaiban::crypto
