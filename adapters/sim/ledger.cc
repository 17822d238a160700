#include "adapters/sim/ledger.h"

#include "adapters/sim/sqlite_db.h"

namespace kaiban::sim {
namespace {

std::int64_t toMs(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::optional<EnterpriseRecord> readEnterprise(Statement& select) {
  if (!select.step()) return std::nullopt;
  return EnterpriseRecord{select.text(0), select.text(1), select.text(2), select.text(3)};
}

std::optional<AccountRecord> readAccount(Statement& select) {
  if (!select.step()) return std::nullopt;
  return AccountRecord{select.text(0), select.text(1), select.text(2), select.text(3)};
}

}  // namespace

Ledger::Ledger(SqliteDb& db, std::string partner, std::string message_id, SystemTime now)
    : db_(db),
      partner_(std::move(partner)),
      message_id_(std::move(message_id)),
      now_ms_(toMs(now)) {}

std::int64_t Ledger::nextSequence(std::string_view name) {
  Statement upsert(db_,
                   "INSERT INTO counters (name, value) VALUES (?1, 1) "
                   "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value");
  upsert.bind(1, name);
  if (!upsert.step()) db_.fail("advancing a counter");
  const std::int64_t value = upsert.integer(0);
  upsert.run();
  return value;
}

std::optional<EnterpriseRecord> Ledger::enterpriseNamed(std::string_view name) {
  Statement select(db_,
                   "SELECT uscc, name, division_code, licence_reference FROM enterprises "
                   "WHERE name = ?1");
  select.bind(1, name);
  return readEnterprise(select);
}

std::optional<EnterpriseRecord> Ledger::enterprise(std::string_view uscc) {
  Statement select(db_,
                   "SELECT uscc, name, division_code, licence_reference FROM enterprises "
                   "WHERE uscc = ?1");
  select.bind(1, uscc);
  return readEnterprise(select);
}

void Ledger::registerEnterprise(const EnterpriseRecord& enterprise) {
  Statement insert(db_,
                   "INSERT INTO enterprises (uscc, name, division_code, licence_reference, "
                   "registered_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.bind(1, enterprise.uscc)
      .bind(2, enterprise.name)
      .bind(3, enterprise.division_code)
      .bind(4, enterprise.licence_reference)
      .bind(5, now_ms_)
      .run();
}

bool Ledger::hasSeals(std::string_view uscc) {
  Statement select(db_, "SELECT 1 FROM seals WHERE uscc = ?1 LIMIT 1");
  select.bind(1, uscc);
  return select.step();
}

void Ledger::fileSeal(std::string_view code, std::string_view uscc, std::string_view kind) {
  Statement insert(db_, "INSERT INTO seals (code, uscc, kind) VALUES (?1, ?2, ?3)");
  insert.bind(1, code).bind(2, uscc).bind(3, kind).run();
}

std::optional<AccountRecord> Ledger::account(std::string_view account_number) {
  Statement select(db_,
                   "SELECT account_number, bank_code, uscc, holder_name FROM accounts "
                   "WHERE account_number = ?1");
  select.bind(1, account_number);
  return readAccount(select);
}

std::optional<AccountRecord> Ledger::accountOf(std::string_view uscc) {
  Statement select(db_,
                   "SELECT account_number, bank_code, uscc, holder_name FROM accounts "
                   "WHERE uscc = ?1");
  select.bind(1, uscc);
  return readAccount(select);
}

void Ledger::openAccount(const AccountRecord& account) {
  Statement insert(db_,
                   "INSERT INTO accounts (account_number, bank_code, uscc, holder_name, "
                   "opened_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.bind(1, account.account_number)
      .bind(2, account.bank_code)
      .bind(3, account.uscc)
      .bind(4, account.holder_name)
      .bind(5, now_ms_)
      .run();
}

std::optional<TaxpayerRecord> Ledger::taxpayer(std::string_view taxpayer_id) {
  Statement select(db_,
                   "SELECT taxpayer_id, name, authority_code FROM taxpayers "
                   "WHERE taxpayer_id = ?1");
  select.bind(1, taxpayer_id);
  if (!select.step()) return std::nullopt;
  return TaxpayerRecord{select.text(0), select.text(1), select.text(2)};
}

void Ledger::registerTaxpayer(const TaxpayerRecord& taxpayer) {
  Statement insert(db_,
                   "INSERT INTO taxpayers (taxpayer_id, name, authority_code, registered_ms) "
                   "VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, taxpayer.taxpayer_id)
      .bind(2, taxpayer.name)
      .bind(3, taxpayer.authority_code)
      .bind(4, now_ms_)
      .run();
}

std::optional<std::string> Ledger::agreementOf(std::string_view taxpayer_id) {
  Statement select(db_, "SELECT agreement_number FROM agreements WHERE taxpayer_id = ?1");
  select.bind(1, taxpayer_id);
  if (!select.step()) return std::nullopt;
  return select.text(0);
}

void Ledger::signAgreement(std::string_view number, std::string_view taxpayer_id,
                           std::string_view account_number) {
  Statement insert(db_,
                   "INSERT INTO agreements (agreement_number, taxpayer_id, account_number, "
                   "signed_ms) VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, number).bind(2, taxpayer_id).bind(3, account_number).bind(4, now_ms_).run();
}

void Ledger::recordEffect(std::string_view kind, std::string_view detail) {
  Statement insert(db_,
                   "INSERT INTO effects (partner, message_id, kind, detail, at_ms) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.bind(1, partner_)
      .bind(2, message_id_)
      .bind(3, kind)
      .bind(4, detail)
      .bind(5, now_ms_)
      .run();
}

}  // namespace kaiban::sim
