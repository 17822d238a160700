#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/kiosk_fleet.h"
#include "core/result.h"

struct sqlite3;

// Fills a database quickly with many stored applications, to measure queries against a
// large store: a separate seeding step, not part of any measured rate. It goes around the
// Store interface on purpose (SQLite directly, big transactions, synchronous=OFF while
// seeding) because committing a million applications one durable commit at a time would take
// most of an hour.
//
// Each seeded application is a clone of a real one that completed during the load run: its
// application, step and human-task rows and its idempotency key, with a fresh application id,
// message ids derived from it (messageIdFor) and the sealed application and step outputs
// opened and sealed again under the new id (the associated data names the row), so the
// orchestrator reads every seeded application exactly as one it stored itself. Events and
// audit entries are not cloned: a status query does not read them.
namespace kaiban::bench {

class StoreSeeder {
 public:
  // Reads up to `templates` completed applications from `source_db` (read-only; the
  // orchestrator that wrote it must be stopped) and the data keys from `key_file`.
  // kNotFound if the source holds no completed application; kUnavailable / kCorrupt as
  // SQLite and the key ring report.
  static Result<std::unique_ptr<StoreSeeder>> open(const std::filesystem::path& source_db,
                                                   const std::filesystem::path& key_file,
                                                   int templates);
  ~StoreSeeder();
  StoreSeeder(const StoreSeeder&) = delete;
  StoreSeeder& operator=(const StoreSeeder&) = delete;

  // Adds clones to `target` until it holds `total` applications, creating it first (schema by
  // SqliteStore's migrations, kiosk registry copied from the source). Clones belong to
  // `kiosks` in turn; their ids are appended to `ids_by_kiosk`. `progress` is called now and
  // then with the number stored so far. The database is checkpointed and back to
  // synchronous=FULL when this returns.
  Result<void> growTo(const std::filesystem::path& target, long long total,
                      const std::vector<KioskAccount>& kiosks,
                      std::map<std::string, std::vector<std::string>>& ids_by_kiosk,
                      const std::function<void(long long)>& progress);

 private:
  struct Template;
  struct Impl;
  explicit StoreSeeder(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace kaiban::bench
