#include "orchestrator/store/list_input.h"

#include <algorithm>
#include <charconv>

namespace kaiban::orchestrator {

Result<ListCursor> parseListCursor(std::string_view text) {
  const size_t colon = text.find(':');
  ListCursor cursor;
  if (colon == std::string_view::npos || colon + 1 >= text.size()) {
    return Error::invalidInput("malformed cursor", "cursor");
  }
  auto [ptr, error] = std::from_chars(text.data(), text.data() + colon, cursor.submitted_at);
  if (error != std::errc() || ptr != text.data() + colon) {
    return Error::invalidInput("malformed cursor", "cursor");
  }
  cursor.id = std::string(text.substr(colon + 1));
  return cursor;
}

std::string listCursor(int64_t submitted_at_micros, std::string_view id) {
  return std::to_string(submitted_at_micros) + ":" + std::string(id);
}

Result<void> checkDistrict(std::string_view district) {
  const bool digits =
      std::all_of(district.begin(), district.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || district.size() > 6) {
    return Error::invalidInput("district must be up to six digits", "district");
  }
  return ok();
}

}  // namespace kaiban::orchestrator
