#pragma once

#include <span>
#include <string_view>

#include "core/result.h"
#include "orchestrator/store/sqlite/sqlite.h"

// The SQLite schema as numbered migrations (docs/flow.md, "Store schema", explains every
// table). A migration is never edited once released: a change is a new migration.
namespace kaiban::orchestrator::sqlite {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps
  std::string_view description;
  std::string_view sql;
};

// Every migration, ascending.
std::span<const Migration> migrations();

// Brings the database up to the newest migration, each migration in its own transaction
// together with its row in schema_version (stamped `now`), and returns the resulting version.
// kCorrupt if
// the database's version is newer than this binary knows (an older binary must not write
// to a newer schema), or if schema_version has gaps.
Result<int> migrate(Connection& connection, SystemTime now);

}  // namespace kaiban::orchestrator::sqlite
