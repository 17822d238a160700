#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

// What the simulated partners remember about the world: registered enterprises (and so the
// names that are taken), filed seals, opened accounts, registered taxpayers, signed
// agreements, sent texts. One Ledger is handed to PartnerRequest::decide() for one message
// and writes inside that message's transaction: its effects commit with the answer, or not at
// all. Not thread-safe; valid only during the decide() call.
namespace kaiban::sim {

class SqliteDb;

struct EnterpriseRecord {
  std::string uscc;
  std::string name;
  std::string division_code;
  std::string licence_reference;
};

struct AccountRecord {
  std::string account_number;
  std::string bank_code;
  std::string uscc;
  std::string holder_name;
};

struct TaxpayerRecord {
  std::string taxpayer_id;  // the USCC
  std::string name;
  std::string authority_code;
};

class Ledger {
 public:
  // Writes attribute effects to (`partner`, `message_id`). `db` is inside a transaction.
  Ledger(SqliteDb& db, std::string partner, std::string message_id, SystemTime now);

  // The next value of the durable counter `name`: 1, 2, 3, ...
  std::int64_t nextSequence(std::string_view name);

  // Registry. Names are unique: the first registration of a name takes it for good.
  std::optional<EnterpriseRecord> enterpriseNamed(std::string_view name);
  std::optional<EnterpriseRecord> enterprise(std::string_view uscc);
  void registerEnterprise(const EnterpriseRecord& enterprise);

  // Seal system.
  bool hasSeals(std::string_view uscc);
  void fileSeal(std::string_view code, std::string_view uscc, std::string_view kind);

  // Bank. One basic deposit account per enterprise.
  std::optional<AccountRecord> account(std::string_view account_number);
  std::optional<AccountRecord> accountOf(std::string_view uscc);
  void openAccount(const AccountRecord& account);

  // Tax bureau.
  std::optional<TaxpayerRecord> taxpayer(std::string_view taxpayer_id);
  void registerTaxpayer(const TaxpayerRecord& taxpayer);
  std::optional<std::string> agreementOf(std::string_view taxpayer_id);
  void signAgreement(std::string_view number, std::string_view taxpayer_id,
                     std::string_view account_number);

  // Records one effect of the message being decided ("uscc_issued", "account_opened", ...)
  // with a detail that identifies it (the USCC, the masked account number).
  void recordEffect(std::string_view kind, std::string_view detail);

 private:
  SqliteDb& db_;
  const std::string partner_;
  const std::string message_id_;
  const std::int64_t now_ms_;
};

}  // namespace kaiban::sim
