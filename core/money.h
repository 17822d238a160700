#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kaiban {

// An exact amount of renminbi in fen (分, 1/100 yuan) as a signed 64-bit integer: registered
// capital, fees, account balances. No floating point is used anywhere. Immutable value type;
// arithmetic that could overflow is checked and returns a Result.
class Money {
 public:
  // Zero yuan.
  Money() = default;

  static Money fromMinorUnits(int64_t fen) { return Money(fen); }

  // Parses an amount in yuan as a person writes it, after trimming surrounding ASCII spaces,
  // tabs and line breaks:
  //   optional currency sign ¥ (U+00A5) or ￥ (U+FFE5), optionally followed by spaces;
  //   integer digits, either plain ("1000000") or in correct groups of three separated by
  //   commas ("1,000,000"; the first group has 1-3 digits);
  //   optional '.' and at least one fraction digit;
  //   optional unit 万 (10^4) or 亿 (10^8) right after the number.
  // Examples: "1,000,000.00", "1000000.5", "100万", "100.5万", "1亿", "¥1,000.00".
  // The amount must be a whole number of fen: at most 2 decimals, 6 with 万 ("1.234567万" is
  // 12,345.67), 10 with 亿. kInvalidInput (field "amount") for an empty text, a negative sign,
  // misplaced commas, several dots, too many decimals, any other character, or an amount
  // above the int64 range of fen (about 9.2 x 10^16 yuan).
  static Result<Money> parseYuan(std::string_view text);

  int64_t minorUnits() const { return fen_; }

  // "1,000,000.00": always two decimals, commas between groups of three, a leading '-' for
  // negative amounts, no currency sign. parseYuan(formatYuan()) gives back the same amount
  // for every non-negative Money.
  std::string formatYuan() const;

  // The sum, or kInvalidInput (field "amount") when it does not fit in int64 fen.
  Result<Money> add(Money other) const;

  friend auto operator<=>(const Money&, const Money&) = default;

 private:
  explicit Money(int64_t fen) : fen_(fen) {}

  int64_t fen_ = 0;
};

}  // namespace kaiban
