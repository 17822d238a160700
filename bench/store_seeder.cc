#include "bench/store_seeder.h"

#include <sqlite3.h>

#include <algorithm>
#include <unordered_set>

#include "core/clock.h"
#include "core/crypto/key_ring.h"
#include "core/crypto/pii_cipher.h"
#include "orchestrator/engine/message_id.h"
#include "orchestrator/store/sqlite/sqlite_store.h"

namespace kaiban::bench {

namespace {

constexpr int kClonesPerTransaction = 5000;

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalize {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalize>;

// One column value as SQLite stored it.
struct Value {
  int type = SQLITE_NULL;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // TEXT or BLOB
};
using Row = std::vector<Value>;

// Rows of one table, with its column names.
struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  int column(std::string_view name) const {
    auto found = std::find(columns.begin(), columns.end(), name);
    return found == columns.end() ? -1 : static_cast<int>(found - columns.begin());
  }
};

Error sqliteError(sqlite3* db, const std::string& what) {
  return Error::unavailable("seeding: " + what + ": " + sqlite3_errmsg(db));
}

Result<SqlitePtr> openDatabase(const std::filesystem::path& path, int flags) {
  sqlite3* raw = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqlitePtr db(raw);
  if (code != SQLITE_OK) return sqliteError(raw, "open " + path.string());
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

Result<void> exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Error::unavailable("seeding: " + sql + ": " + text);
  }
  return ok();
}

Result<StatementPtr> prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    return sqliteError(db, "prepare " + sql);
  }
  return StatementPtr(statement);
}

// Every row `sql` selects (with `key` bound to its one parameter, if given).
Result<Rows> readRows(sqlite3* db, const std::string& sql, const std::string* key) {
  Result<StatementPtr> statement = prepare(db, sql);
  if (!statement) return statement.error();
  sqlite3_stmt* s = statement->get();
  if (key) sqlite3_bind_text(s, 1, key->data(), static_cast<int>(key->size()), SQLITE_TRANSIENT);
  Rows rows;
  for (int i = 0; i < sqlite3_column_count(s); ++i)
    rows.columns.emplace_back(sqlite3_column_name(s, i));
  for (;;) {
    const int code = sqlite3_step(s);
    if (code == SQLITE_DONE) break;
    if (code != SQLITE_ROW) return sqliteError(db, sql);
    Row row(rows.columns.size());
    for (int i = 0; i < static_cast<int>(row.size()); ++i) {
      Value& value = row[static_cast<std::size_t>(i)];
      value.type = sqlite3_column_type(s, i);
      if (value.type == SQLITE_INTEGER) value.integer = sqlite3_column_int64(s, i);
      if (value.type == SQLITE_FLOAT) value.real = sqlite3_column_double(s, i);
      if (value.type == SQLITE_TEXT || value.type == SQLITE_BLOB) {
        const void* data = value.type == SQLITE_TEXT
                               ? static_cast<const void*>(sqlite3_column_text(s, i))
                               : sqlite3_column_blob(s, i);
        value.bytes.assign(static_cast<const char*>(data),
                           static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  return rows;
}

Value text(std::string bytes) { return Value{SQLITE_TEXT, 0, 0, std::move(bytes)}; }
Value blob(std::string bytes) { return Value{SQLITE_BLOB, 0, 0, std::move(bytes)}; }

// "INSERT INTO table (a, b) VALUES (?, ?)" for `rows`' columns.
std::string insertSql(std::string_view table, const Rows& rows, bool or_ignore) {
  std::string columns;
  std::string marks;
  for (const std::string& column : rows.columns) {
    columns += (columns.empty() ? "" : ", ") + column;
    marks += marks.empty() ? "?" : ", ?";
  }
  return std::string(or_ignore ? "INSERT OR IGNORE INTO " : "INSERT INTO ") + std::string(table) +
         " (" + columns + ") VALUES (" + marks + ")";
}

Result<void> insertRow(sqlite3* db, sqlite3_stmt* insert, const Row& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    const Value& value = row[i];
    const int index = static_cast<int>(i) + 1;
    switch (value.type) {
      case SQLITE_INTEGER:
        sqlite3_bind_int64(insert, index, value.integer);
        break;
      case SQLITE_FLOAT:
        sqlite3_bind_double(insert, index, value.real);
        break;
      case SQLITE_TEXT:
        sqlite3_bind_text(insert, index, value.bytes.data(), static_cast<int>(value.bytes.size()),
                          SQLITE_STATIC);
        break;
      case SQLITE_BLOB:
        sqlite3_bind_blob(insert, index, value.bytes.data(), static_cast<int>(value.bytes.size()),
                          SQLITE_STATIC);
        break;
      default:
        sqlite3_bind_null(insert, index);
    }
  }
  const int code = sqlite3_step(insert);
  sqlite3_reset(insert);
  sqlite3_clear_bindings(insert);
  if (code != SQLITE_DONE) return sqliteError(db, "insert");
  return ok();
}

// Replaces the value of JSON member "`name`" (a string) in `json` with `replacement`, in the
// compact form the engine writes. Unchanged if the member is not there.
void replaceMember(std::string& json, std::string_view name, std::string_view replacement) {
  const std::string key = "\"" + std::string(name) + "\":\"";
  const std::size_t at = json.find(key);
  if (at == std::string::npos) return;
  const std::size_t begin = at + key.size();
  const std::size_t end = json.find('"', begin);
  if (end == std::string::npos) return;
  json.replace(begin, end - begin, replacement);
}

}  // namespace

struct StoreSeeder::Template {
  std::string id;
  Rows application;  // one row
  Rows steps;
  Rows human_tasks;
  Rows keys;  // idempotency_keys
  std::string application_plain;
  std::vector<std::string> outputs_plain;  // per step row; "" when it has none
};

struct StoreSeeder::Impl {
  std::filesystem::path source;
  crypto::PiiCipher cipher;
  std::vector<Template> templates;
  Rows kiosks;

  explicit Impl(crypto::PiiCipher c) : cipher(std::move(c)) {}
};

StoreSeeder::StoreSeeder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreSeeder::~StoreSeeder() = default;

Result<std::unique_ptr<StoreSeeder>> StoreSeeder::open(const std::filesystem::path& source_db,
                                                       const std::filesystem::path& key_file,
                                                       int templates) {
  Result<crypto::KeyRing> keys = crypto::KeyRing::loadFile(key_file);
  if (!keys) return keys.error();
  auto impl = std::make_unique<Impl>(crypto::PiiCipher(*keys));
  impl->source = source_db;
  Result<SqlitePtr> db = openDatabase(source_db, SQLITE_OPEN_READONLY);
  if (!db) return db.error();
  sqlite3* source = db->get();

  Result<Rows> ids = readRows(
      source,
      "SELECT id FROM applications WHERE state = 'completed' ORDER BY submitted_at LIMIT " +
          std::to_string(templates),
      nullptr);
  if (!ids) return ids.error();
  if (ids->rows.empty()) return Error::notFound("seeding: no completed application to clone");
  for (const Row& id_row : ids->rows) {
    Template t;
    t.id = id_row[0].bytes;
    Result<Rows> application = readRows(source, "SELECT * FROM applications WHERE id = ?", &t.id);
    Result<Rows> steps = readRows(source, "SELECT * FROM steps WHERE application_id = ?", &t.id);
    Result<Rows> tasks =
        readRows(source, "SELECT * FROM human_tasks WHERE application_id = ?", &t.id);
    Result<Rows> keys_rows =
        readRows(source, "SELECT * FROM idempotency_keys WHERE application_id = ?", &t.id);
    for (const Result<Rows>* read : {&application, &steps, &tasks, &keys_rows}) {
      if (!*read) return read->error();
    }
    t.application = std::move(application).value();
    t.steps = std::move(steps).value();
    t.human_tasks = std::move(tasks).value();
    t.keys = std::move(keys_rows).value();
    const int sealed = t.application.column("sealed_application");
    if (sealed < 0 || t.application.rows.size() != 1) {
      return Error::corrupt("seeding: application " + t.id + " has no sealed_application");
    }
    Result<std::string> plain = impl->cipher.open(
        t.application.rows[0][static_cast<std::size_t>(sealed)].bytes, "application/" + t.id);
    if (!plain) return plain.error();
    t.application_plain = std::move(plain).value();
    const int outputs = t.steps.column("sealed_outputs");
    const int step_id = t.steps.column("step_id");
    for (const Row& step : t.steps.rows) {
      const Value& sealed_outputs = step[static_cast<std::size_t>(outputs)];
      if (sealed_outputs.type != SQLITE_BLOB || sealed_outputs.bytes.empty()) {
        t.outputs_plain.emplace_back();
        continue;
      }
      Result<std::string> opened = impl->cipher.open(
          sealed_outputs.bytes,
          "outputs/" + t.id + "/" + step[static_cast<std::size_t>(step_id)].bytes);
      if (!opened) return opened.error();
      t.outputs_plain.push_back(std::move(opened).value());
    }
    impl->templates.push_back(std::move(t));
  }
  Result<Rows> kiosks = readRows(source, "SELECT * FROM kiosks", nullptr);
  if (!kiosks) return kiosks.error();
  impl->kiosks = std::move(kiosks).value();
  return std::unique_ptr<StoreSeeder>(new StoreSeeder(std::move(impl)));
}

Result<void> StoreSeeder::growTo(const std::filesystem::path& target, long long total,
                                 const std::vector<KioskAccount>& kiosks,
                                 std::map<std::string, std::vector<std::string>>& ids_by_kiosk,
                                 const std::function<void(long long)>& progress) {
  if (kiosks.empty()) return Error::invalidInput("seeding needs at least one kiosk");
  if (!std::filesystem::exists(target)) {
    // The schema exactly as the orchestrator makes it.
    SystemClock clock;
    Result<std::unique_ptr<orchestrator::SqliteStore>> created =
        orchestrator::SqliteStore::open(target, clock);
    if (!created) return created.error();
  }
  Result<SqlitePtr> opened = openDatabase(target, SQLITE_OPEN_READWRITE);
  if (!opened) return opened.error();
  sqlite3* db = opened->get();
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=OFF"}) {
    if (Result<void> done = exec(db, sql); !done) return done.error();
  }

  const Template& first = impl_->templates.front();
  Result<StatementPtr> insert_kiosk = prepare(db, insertSql("kiosks", impl_->kiosks, true));
  Result<StatementPtr> insert_application =
      prepare(db, insertSql("applications", first.application, false));
  Result<StatementPtr> insert_step = prepare(db, insertSql("steps", first.steps, false));
  Result<StatementPtr> insert_task =
      prepare(db, insertSql("human_tasks", first.human_tasks, false));
  Result<StatementPtr> insert_key = prepare(db, insertSql("idempotency_keys", first.keys, false));
  for (const Result<StatementPtr>* statement :
       {&insert_kiosk, &insert_application, &insert_step, &insert_task, &insert_key}) {
    if (!*statement) return statement->error();
  }
  for (const Row& kiosk : impl_->kiosks.rows) {
    if (Result<void> done = insertRow(db, insert_kiosk->get(), kiosk); !done) return done;
  }

  Result<Rows> counted = readRows(db, "SELECT count(*) FROM applications", nullptr);
  if (!counted) return counted.error();
  long long stored = counted->rows[0][0].integer;

  const int app_id = first.application.column("id");
  const int app_kiosk = first.application.column("kiosk_id");
  const int app_bank = first.application.column("bank_code");
  const int app_sealed = first.application.column("sealed_application");
  const int step_app = first.steps.column("application_id");
  const int step_id = first.steps.column("step_id");
  const int step_message = first.steps.column("message_id");
  const int step_revision = first.steps.column("revision");
  const int step_outputs = first.steps.column("sealed_outputs");
  const int task_app = first.human_tasks.column("application_id");
  const int key_scope = first.keys.column("scope");
  const int key_key = first.keys.column("key");
  const int key_app = first.keys.column("application_id");
  for (int column : {app_id, app_kiosk, app_bank, app_sealed, step_app, step_id, step_message,
                     step_revision, step_outputs, task_app, key_scope, key_key, key_app}) {
    if (column < 0) {
      return Error::internal("seeding: the store schema has changed; update bench/store_seeder.cc");
    }
  }
  auto at = [](int column) { return static_cast<std::size_t>(column); };

  constexpr std::size_t kIdTimePrefix = 10;  // "KB" and the millisecond
  std::string this_millisecond;
  std::unordered_set<std::string> this_millisecond_ids;
  while (stored < total) {
    if (Result<void> begun = exec(db, "BEGIN"); !begun) return begun;
    const long long batch_end = std::min<long long>(total, stored + kClonesPerTransaction);
    for (; stored < batch_end; ++stored) {
      const Template& t =
          impl_->templates[static_cast<std::size_t>(stored) % impl_->templates.size()];
      const KioskAccount& kiosk = kiosks[static_cast<std::size_t>(stored) % kiosks.size()];
      // The seeder makes thousands of ids a second: a clash within one millisecond is
      // possible, and unlike the engine it cannot ask the store, so it remembers the ids of
      // the current millisecond (ids start with it) and draws again.
      std::string id;
      do {
        id = orchestrator::newApplicationId(std::chrono::system_clock::now());
        if (id.compare(0, kIdTimePrefix, this_millisecond, 0, kIdTimePrefix) != 0) {
          this_millisecond_ids.clear();
          this_millisecond = id;
        }
      } while (!this_millisecond_ids.insert(id).second);

      Row application = t.application.rows[0];
      application[at(app_id)] = text(id);
      application[at(app_kiosk)] = text(kiosk.id);
      application[at(app_bank)] = text(kiosk.bank);
      std::string plain = t.application_plain;
      replaceMember(plain, "kiosk_id", kiosk.id);
      replaceMember(plain, "bank_code", kiosk.bank);
      application[at(app_sealed)] = blob(impl_->cipher.seal(plain, "application/" + id));
      if (Result<void> done = insertRow(db, insert_application->get(), application); !done) {
        return done;
      }
      for (std::size_t s = 0; s < t.steps.rows.size(); ++s) {
        Row step = t.steps.rows[s];
        step[at(step_app)] = text(id);
        if (step[at(step_message)].type != SQLITE_NULL) {
          step[at(step_message)] = text(orchestrator::messageIdFor(
              id, step[at(step_id)].bytes, static_cast<int>(step[at(step_revision)].integer)));
        }
        if (!t.outputs_plain[s].empty()) {
          step[at(step_outputs)] = blob(impl_->cipher.seal(
              t.outputs_plain[s], "outputs/" + id + "/" + step[at(step_id)].bytes));
        }
        if (Result<void> done = insertRow(db, insert_step->get(), step); !done) return done;
      }
      for (const Row& template_task : t.human_tasks.rows) {
        Row task = template_task;
        task[at(task_app)] = text(id);
        if (Result<void> done = insertRow(db, insert_task->get(), task); !done) return done;
      }
      for (const Row& template_key : t.keys.rows) {
        Row key = template_key;
        key[at(key_scope)] = text(kiosk.id);
        key[at(key_key)] = text("seed-" + id);
        key[at(key_app)] = text(id);
        if (Result<void> done = insertRow(db, insert_key->get(), key); !done) return done;
      }
      ids_by_kiosk[kiosk.id].push_back(id);
    }
    if (Result<void> committed = exec(db, "COMMIT"); !committed) return committed;
    if (progress) progress(stored);
  }
  for (const char* sql : {"PRAGMA synchronous=FULL", "PRAGMA wal_checkpoint(TRUNCATE)"}) {
    if (Result<void> done = exec(db, sql); !done) return done.error();
  }
  return ok();
}

}  // namespace kaiban::bench
