#include "core/money.h"

#include <algorithm>
#include <string>

namespace kaiban {
namespace {

constexpr std::string_view kField = "amount";

Error invalidAmount(std::string message) {
  return Error::invalidInput("amount " + std::move(message), std::string(kField));
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool consumePrefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

bool consumeSuffix(std::string_view& text, std::string_view suffix) {
  if (text.size() < suffix.size() || text.substr(text.size() - suffix.size()) != suffix) {
    return false;
  }
  text.remove_suffix(suffix.size());
  return true;
}

// True for "1234" and for "1,234,567"; false for ",123", "1,23", "1234,567", "1,,234".
// REQUIRES: digits holds only digits and commas.
bool isWellGrouped(std::string_view digits) {
  const size_t first_comma = digits.find(',');
  if (first_comma == std::string_view::npos) return true;
  if (first_comma == 0 || first_comma > 3) return false;
  const std::string_view groups = digits.substr(first_comma);  // ",234,567"
  if (groups.size() % 4 != 0) return false;
  for (size_t i = 0; i < groups.size(); ++i) {
    if ((i % 4 == 0) != (groups[i] == ',')) return false;
  }
  return true;
}

// value * 10 + digit, or false on int64 overflow.
bool appendDigit(int64_t& value, char digit) {
  return !__builtin_mul_overflow(value, 10, &value) &&
         !__builtin_add_overflow(value, digit - '0', &value);
}

}  // namespace

Result<Money> Money::parseYuan(std::string_view text) {
  std::string_view rest = trimmed(text);
  if (consumePrefix(rest, "\u00A5") || consumePrefix(rest, "\uFFE5")) rest = trimmed(rest);
  if (rest.empty()) return invalidAmount("is empty");
  if (rest.front() == '-') return invalidAmount("must not be negative");

  // Fen per yuan is 10^2, so a unit of 10^4 or 10^8 yuan allows 4 or 8 more decimals.
  size_t decimals_allowed = 2;
  if (consumeSuffix(rest, "\u4E07")) {  // 万
    decimals_allowed = 6;
  } else if (consumeSuffix(rest, "\u4EBF")) {  // 亿
    decimals_allowed = 10;
  }
  if (rest.empty()) return invalidAmount("has no digits before its unit");

  if (!std::all_of(rest.begin(), rest.end(),
                   [](char c) { return isDigit(c) || c == ',' || c == '.'; })) {
    return invalidAmount(
        "may contain only digits, thousands commas, one decimal point, an optional leading ¥ and "
        "an optional 万 or 亿");
  }
  const size_t dot = rest.find('.');
  if (dot != std::string_view::npos && rest.find('.', dot + 1) != std::string_view::npos) {
    return invalidAmount("has more than one decimal point");
  }
  const std::string_view whole = rest.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
    return invalidAmount("needs digits on both sides of the decimal point");
  }
  if (!isWellGrouped(whole)) {
    return invalidAmount("has misplaced commas: write groups of three digits, as in 1,000,000");
  }
  if (fraction.find(',') != std::string_view::npos) {
    return invalidAmount("has a comma after the decimal point");
  }
  if (fraction.size() > decimals_allowed) {
    return invalidAmount("is more precise than one fen: at most " +
                         std::to_string(decimals_allowed) + " decimals with this unit");
  }

  int64_t fen = 0;
  bool fits = true;
  for (char c : whole) {
    if (c != ',') fits = fits && appendDigit(fen, c);
  }
  for (char c : fraction) fits = fits && appendDigit(fen, c);
  for (size_t i = fraction.size(); i < decimals_allowed; ++i) fits = fits && appendDigit(fen, '0');
  if (!fits) return invalidAmount("is too large");
  return Money(fen);
}

std::string Money::formatYuan() const {
  // The magnitude as unsigned, so that the most negative int64 has one too.
  const uint64_t magnitude =
      fen_ < 0 ? uint64_t{0} - static_cast<uint64_t>(fen_) : static_cast<uint64_t>(fen_);
  const std::string digits = std::to_string(magnitude / 100);
  std::string text = fen_ < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  const uint64_t cents = magnitude % 100;
  text += '.';
  text += static_cast<char>('0' + cents / 10);
  text += static_cast<char>('0' + cents % 10);
  return text;
}

Result<Money> Money::add(Money other) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(fen_, other.fen_, &sum)) {
    return invalidAmount("sum is too large");
  }
  return Money(sum);
}

}  // namespace kaiban
