#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

// Input rules both store backends apply before they touch their database, kept in one place so
// that SQLite and PostgreSQL refuse the same things with the same messages.
namespace kaiban::orchestrator {

// The keyset cursor of ListFilter: "<submitted_at micros>:<id>" of the last row of a page.
struct ListCursor {
  int64_t submitted_at = 0;  // microseconds since the epoch
  std::string id;
};

// kInvalidInput ("cursor") unless `text` is a cursor listCursor made.
Result<ListCursor> parseListCursor(std::string_view text);
std::string listCursor(int64_t submitted_at_micros, std::string_view id);

// A district filter or code: up to six digits, "" for all. kInvalidInput ("district") else.
Result<void> checkDistrict(std::string_view district);

}  // namespace kaiban::orchestrator
