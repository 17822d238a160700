#pragma once

#include <string_view>

namespace kaiban {

// True when `code` has the shape of a GB/T 2260 administrative division code: exactly six ASCII
// digits whose first two name a real provincial-level division (11-15 北京..内蒙古, 21-23
// 辽宁..黑龙江, 31-37 上海..山东, 41-46 河南..海南, 50-54 重庆..西藏, 61-65 陕西..新疆,
// 71 台湾, 81 香港, 82 澳门). The prefecture and county digits are not checked against the
// published list: divisions are merged and renamed every year, and codes issued under an old
// list stay valid on documents for life.
inline bool isPlausibleDivisionCode(std::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  const int province = (code[0] - '0') * 10 + (code[1] - '0');
  return (province >= 11 && province <= 15) || (province >= 21 && province <= 23) ||
         (province >= 31 && province <= 37) || (province >= 41 && province <= 46) ||
         (province >= 50 && province <= 54) || (province >= 61 && province <= 65) ||
         province == 71 || province == 81 || province == 82;
}

}  // namespace kaiban
