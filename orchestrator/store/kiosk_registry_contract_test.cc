// The kiosk registry part of the Store contract (store.h): instantiated with every backend by
// the same INSTANTIATE_TEST_SUITE_P as store_contract_test.cc.
#include "core/timestamp.h"
#include "orchestrator/store/store_contract_test.h"

namespace kaiban::orchestrator {

namespace {

const SystemTime kT0 = parseIso8601("2026-03-10T10:00:00+08:00").value();

KioskRecord kiosk(const std::string& id, const std::string& bank = "QDBANK",
                  const std::string& district = "370202", const std::string& name = "") {
  KioskRecord record;
  record.kiosk_id = id;
  record.bank_code = bank;
  record.district = district;
  record.name = name;
  return record;
}

AuditInput kioskAudit(const std::string& action, SystemTime at = kT0) {
  return AuditInput{at, "admin:cli", "", action, R"({"kiosk":"QD-SN-0001"})"};
}

KioskFilter filter(const std::string& bank, const std::string& district) {
  KioskFilter result;
  result.bank_code = bank;
  result.district = district;
  return result;
}

std::vector<std::string> ids(const std::vector<KioskRecord>& kiosks) {
  std::vector<std::string> out;
  for (const KioskRecord& record : kiosks) out.push_back(record.kiosk_id);
  return out;
}

}  // namespace

TEST_P(StoreContractTest, RegistersAndFindsAKiosk) {
  Result<bool> created = store_->upsertKiosk(
      kiosk("QD-SN-0001", "QDBANK", "370202", "Shinan branch, lobby"), kioskAudit("kiosk.added"));
  ASSERT_TRUE(created) << created.error();
  EXPECT_TRUE(*created);
  Result<KioskRecord> found = store_->findKiosk("QD-SN-0001");
  ASSERT_TRUE(found) << found.error();
  EXPECT_EQ(found->bank_code, "QDBANK");
  EXPECT_EQ(found->district, "370202");
  EXPECT_EQ(found->name, "Shinan branch, lobby");
  EXPECT_TRUE(found->enabled);
  EXPECT_EQ(found->registered_at, kT0);
  EXPECT_EQ(found->revoked_at, std::nullopt);
  EXPECT_EQ(found->last_heartbeat_at, std::nullopt);
  EXPECT_EQ(found->last_heartbeat, "");

  Result<KioskRecord> missing = store_->findKiosk("QD-SN-0002");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, AddingAKnownKioskUpdatesItAndEnablesIt) {
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0001"), kioskAudit("kiosk.added")));
  ASSERT_TRUE(store_->recordHeartbeat("QD-SN-0001", kT0 + std::chrono::minutes{1}, "{}"));
  ASSERT_TRUE(store_->setKioskEnabled("QD-SN-0001", false,
                                      kioskAudit("kiosk.revoked", kT0 + std::chrono::hours{1})));
  Result<bool> again = store_->upsertKiosk(kiosk("QD-SN-0001", "QDBANK", "370203", "moved"),
                                           kioskAudit("kiosk.added", kT0 + std::chrono::hours{2}));
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(*again);
  KioskRecord found = store_->findKiosk("QD-SN-0001").value();
  EXPECT_EQ(found.district, "370203");
  EXPECT_EQ(found.name, "moved");
  EXPECT_TRUE(found.enabled);
  EXPECT_EQ(found.revoked_at, std::nullopt);
  EXPECT_EQ(found.registered_at, kT0);  // the first registration
  EXPECT_EQ(found.last_heartbeat_at, kT0 + std::chrono::minutes{1});
}

TEST_P(StoreContractTest, RefusesAKioskWithoutIdBankOrAValidDistrict) {
  for (const KioskRecord& bad :
       {kiosk(""), kiosk("QD-SN-0001", ""), kiosk("QD-SN-0001", "QDBANK", "37x2"),
        kiosk("QD-SN-0001", "QDBANK", "3702021")}) {
    Result<bool> refused = store_->upsertKiosk(bad, kioskAudit("kiosk.added"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
  }
  EXPECT_TRUE(store_->listKiosks({})->empty());
  EXPECT_TRUE(store_->auditLog(0, 10)->empty());
}

TEST_P(StoreContractTest, RevokesAndReenablesAKiosk) {
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0001"), kioskAudit("kiosk.added")));
  const SystemTime revoked_at = kT0 + std::chrono::hours{1};
  ASSERT_TRUE(
      store_->setKioskEnabled("QD-SN-0001", false, kioskAudit("kiosk.revoked", revoked_at)));
  KioskRecord found = store_->findKiosk("QD-SN-0001").value();
  EXPECT_FALSE(found.enabled);
  EXPECT_EQ(found.revoked_at, revoked_at);

  // Revoking again keeps the first revocation time.
  ASSERT_TRUE(store_->setKioskEnabled(
      "QD-SN-0001", false, kioskAudit("kiosk.revoked", revoked_at + std::chrono::hours{1})));
  EXPECT_EQ(store_->findKiosk("QD-SN-0001")->revoked_at, revoked_at);

  ASSERT_TRUE(store_->setKioskEnabled("QD-SN-0001", true,
                                      kioskAudit("kiosk.enabled", kT0 + std::chrono::hours{3})));
  found = store_->findKiosk("QD-SN-0001").value();
  EXPECT_TRUE(found.enabled);
  EXPECT_EQ(found.revoked_at, std::nullopt);

  Result<void> unknown = store_->setKioskEnabled("QD-SN-0404", false, kioskAudit("kiosk.revoked"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, KioskChangesAreOnTheAuditChain) {
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0001"), kioskAudit("kiosk.added")));
  ASSERT_TRUE(store_->setKioskEnabled("QD-SN-0001", false, kioskAudit("kiosk.revoked")));
  ASSERT_FALSE(store_->setKioskEnabled("QD-SN-0404", false, kioskAudit("kiosk.revoked")));
  Result<std::vector<AuditRecord>> log = store_->auditLog(0, 10);
  ASSERT_TRUE(log) << log.error();
  ASSERT_EQ(log->size(), 2u);  // the refused revocation left nothing
  EXPECT_EQ((*log)[0].action, "kiosk.added");
  EXPECT_EQ((*log)[0].actor, "admin:cli");
  EXPECT_EQ((*log)[1].action, "kiosk.revoked");
  EXPECT_EQ((*log)[1].previous_hash, (*log)[0].hash);
  EXPECT_TRUE(verifyAuditLog(*store_, (*log)[1].hash));
}

TEST_P(StoreContractTest, ListsKiosksByBankAndDistrict) {
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0002", "QDBANK", "370202"), kioskAudit("a")));
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0001", "QDBANK", "370202"), kioskAudit("a")));
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-LS-0001", "QDBANK", "370212"), kioskAudit("a")));
  ASSERT_TRUE(store_->upsertKiosk(kiosk("JN-LX-0001", "JNBANK", "370102"), kioskAudit("a")));
  ASSERT_TRUE(store_->setKioskEnabled("QD-SN-0002", false, kioskAudit("r")));

  EXPECT_EQ(ids(store_->listKiosks({}).value()),
            (std::vector<std::string>{"JN-LX-0001", "QD-LS-0001", "QD-SN-0001", "QD-SN-0002"}));
  EXPECT_EQ(ids(store_->listKiosks(filter("QDBANK", "")).value()),
            (std::vector<std::string>{"QD-LS-0001", "QD-SN-0001", "QD-SN-0002"}));
  EXPECT_EQ(ids(store_->listKiosks(filter("", "370202")).value()),
            (std::vector<std::string>{"QD-SN-0001", "QD-SN-0002"}));
  EXPECT_EQ(ids(store_->listKiosks(filter("QDBANK", "3702")).value()),
            (std::vector<std::string>{"QD-LS-0001", "QD-SN-0001", "QD-SN-0002"}));
  EXPECT_TRUE(store_->listKiosks(filter("NOBANK", ""))->empty());
  Result<std::vector<KioskRecord>> bad = store_->listKiosks(filter("", "37%"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
}

TEST_P(StoreContractTest, KeepsTheLastHeartbeat) {
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0001"), kioskAudit("kiosk.added")));
  const std::string first = R"({"agent_version":"1.0","queue_depth":3})";
  const std::string second = R"({"agent_version":"1.0","queue_depth":0})";
  ASSERT_TRUE(store_->recordHeartbeat("QD-SN-0001", kT0 + std::chrono::seconds{30}, first));
  ASSERT_TRUE(store_->recordHeartbeat("QD-SN-0001", kT0 + std::chrono::seconds{60}, second));
  KioskRecord found = store_->findKiosk("QD-SN-0001").value();
  EXPECT_EQ(found.last_heartbeat_at, kT0 + std::chrono::seconds{60});
  EXPECT_EQ(found.last_heartbeat, second);
  EXPECT_EQ(store_->auditLog(0, 10)->size(), 1u);  // heartbeats are not audited

  Result<void> unknown = store_->recordHeartbeat("QD-SN-0404", kT0, first);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, TheKioskRegistrySurvivesReopening) {
  ASSERT_TRUE(store_->upsertKiosk(kiosk("QD-SN-0001", "QDBANK", "370202", "lobby"),
                                  kioskAudit("kiosk.added")));
  ASSERT_TRUE(store_->recordHeartbeat("QD-SN-0001", kT0, R"({"queue_depth":1})"));
  const KioskRecord before = store_->findKiosk("QD-SN-0001").value();
  reopen();
  EXPECT_EQ(store_->findKiosk("QD-SN-0001").value(), before);
}

TEST_P(StoreContractTest, PutsAnIdempotencyKeyOfItsOwn) {
  Change created;
  created.application.id = "A1";
  created.application.kiosk_id = "QD-SN-0001";
  created.application.bank_code = "QDBANK";
  created.application.district = "370202";
  created.application.flow_version = 1;
  created.application.sealed_application = "sealed";
  ASSERT_TRUE(store_->commit("A1", 0, created, {}));

  const IdempotencyRecord answer{"QD-SN-0001", "answer-key-1", "hash-1", "A1", kT0};
  ASSERT_TRUE(store_->putIdempotencyKey(answer));
  EXPECT_EQ(store_->findIdempotencyKey("QD-SN-0001", "answer-key-1").value(), answer);

  IdempotencyRecord again = answer;
  again.request_hash = "hash-2";
  Result<void> conflict = store_->putIdempotencyKey(again);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->findIdempotencyKey("QD-SN-0001", "answer-key-1").value(), answer);

  // Keys are per kiosk, and must name an application.
  IdempotencyRecord other_kiosk = answer;
  other_kiosk.scope = "QD-SN-0002";
  EXPECT_TRUE(store_->putIdempotencyKey(other_kiosk));
  IdempotencyRecord orphan = answer;
  orphan.key = "answer-key-2";
  orphan.application_id = "NOPE";
  Result<void> missing = store_->putIdempotencyKey(orphan);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace kaiban::orchestrator
