#pragma once

#include <span>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/store/postgres/pg.h"

// The PostgreSQL schema as numbered migrations: the same versions, tables and columns as the
// SQLite migrations (sqlite/migrations.h, docs/flow.md "Store schema"), in PostgreSQL's
// dialect. A migration is never edited once released: a change is a new migration, added to
// both backends under the same number.
namespace kaiban::orchestrator::pg {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps; the same numbers as SQLite's
  std::string_view description;
  std::string_view sql;
};

// Every migration, ascending.
std::span<const Migration> migrations();

// Brings the schema the connection's search_path names up to the newest migration and returns
// the resulting version. Each migration runs in its own transaction together with its row in
// schema_version (stamped `now`), under a transaction-scoped advisory lock keyed by the
// schema's name: several orchestrators starting at once against a new database apply each
// migration exactly once, the others wait and then find it applied. kCorrupt if the schema is
// newer than this binary knows or schema_version has gaps.
Result<int> migrate(Connection& connection, SystemTime now);

}  // namespace kaiban::orchestrator::pg
