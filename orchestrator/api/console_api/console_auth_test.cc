#include "orchestrator/api/console_api/console_auth.h"

#include <gtest/gtest.h>

#include "core/crypto/hash.h"
#include "core/timestamp.h"
#include "orchestrator/store/sqlite/sqlite_console_store.h"
#include "orchestrator/store/sqlite/sqlite_store.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator::api {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kPassword = "correct horse battery";

crypto::PasswordParams fastParams() {
  crypto::PasswordParams params;
  params.scrypt_n = 16;
  return params;
}

class ConsoleAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    console_ = SqliteConsoleStore::open(dir_.path() / "kaiban.db", clock_).value();
    store_ = SqliteStore::open(dir_.path() / "kaiban.db", clock_).value();
    options_.password = fastParams();
    options_.max_failures = 3;
    options_.lockout = minutes{15};
    options_.idle_timeout = minutes{30};
    options_.session_lifetime = std::chrono::hours{8};
    auth_ = std::make_unique<ConsoleAuth>(*console_, clock_, options_);
    addUser("wang.fang", UserRole::kBankStaff, "QDBANK");
  }

  void addUser(const std::string& name, UserRole role, const std::string& scope,
               const crypto::PasswordParams& params = fastParams()) {
    UserRecord user;
    user.name = name;
    user.display_name = "王芳";
    user.role = role;
    user.scope = scope;
    user.password_hash = crypto::hashPassword(kPassword, params);
    ASSERT_TRUE(console_->createUser(
        user, AuditInput{clock_.now(), "admin:cli", "", "console.user_added", "{}"}));
  }

  std::vector<std::string> auditActions() {
    std::vector<std::string> actions;
    for (const AuditRecord& record : store_->auditLog(0, 1000).valueOr({})) {
      actions.push_back(record.action + " " + record.actor);
    }
    return actions;
  }

  testing::TempDir dir_;
  ManualClock clock_{parseIso8601("2026-03-10T10:00:00+08:00").value()};
  std::unique_ptr<SqliteConsoleStore> console_;
  std::unique_ptr<SqliteStore> store_;
  ConsoleAuthOptions options_;
  std::unique_ptr<ConsoleAuth> auth_;
};

TEST_F(ConsoleAuthTest, ALoginOpensASessionKeptOnlyAsAHash) {
  Result<LoginSuccess> login = auth_->login("wang.fang", kPassword, "10.0.0.7");
  ASSERT_TRUE(login) << login.error();
  EXPECT_EQ(login->token.size(), 43u);
  const Principal& principal = login->principal;
  EXPECT_EQ(principal.user, "wang.fang");
  EXPECT_EQ(principal.display_name, "王芳");
  EXPECT_EQ(principal.role, UserRole::kBankStaff);
  EXPECT_EQ(principal.scope, "QDBANK");
  EXPECT_EQ(principal.actor(), "staff:wang.fang");
  EXPECT_EQ(principal.csrf_token.size(), 43u);
  EXPECT_NE(principal.csrf_token, login->token);
  EXPECT_EQ(principal.expires_at, clock_.now() + std::chrono::hours{8});
  EXPECT_EQ(principal.idle_expires_at, clock_.now() + minutes{30});

  EXPECT_EQ(principal.session_id_hash, crypto::sha256Hex(login->token));
  EXPECT_TRUE(console_->findSession(crypto::sha256Hex(login->token)));
  EXPECT_FALSE(console_->findSession(login->token));

  Result<Principal> again = auth_->authenticate(login->token);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->user, "wang.fang");
  EXPECT_EQ(again->csrf_token, principal.csrf_token);
  EXPECT_EQ(auditActions().back(), "console.login staff:wang.fang");
  EXPECT_NE(store_->auditLog(0, 100)->back().detail.find("10.0.0.7"), std::string::npos);
}

TEST_F(ConsoleAuthTest, UnknownUserWrongPasswordAndDisabledUserLookAlike) {
  addUser("zhao.min", UserRole::kBankStaff, "QDBANK");
  ASSERT_TRUE(
      console_->setDisabled("zhao.min", true, AuditInput{clock_.now(), "a", "", "d", "{}"}));
  Result<LoginSuccess> unknown = auth_->login("nobody", kPassword, "c");
  Result<LoginSuccess> wrong = auth_->login("wang.fang", "not it", "c");
  Result<LoginSuccess> disabled = auth_->login("zhao.min", kPassword, "c");
  for (const Result<LoginSuccess>* result : {&unknown, &wrong, &disabled}) {
    ASSERT_FALSE(*result);
    EXPECT_EQ(result->error().code, ErrorCode::kForbidden);
    EXPECT_EQ(result->error().message, "wrong user name or password");
  }
  const std::vector<std::string> actions = auditActions();
  EXPECT_EQ(actions[actions.size() - 2], "console.login_failed staff:wang.fang");
  EXPECT_EQ(actions.back(), "console.login_refused staff:zhao.min");
}

TEST_F(ConsoleAuthTest, RepeatedFailuresLockTheAccountForAWhile) {
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(auth_->login("wang.fang", "guess", "c"));
  EXPECT_EQ(auditActions().back(), "console.login_failed.locked staff:wang.fang");
  Result<LoginSuccess> locked = auth_->login("wang.fang", kPassword, "c");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kRejected);
  EXPECT_NE(locked.error().message.find("2026-03-10T10:15:00+08:00"), std::string::npos)
      << locked.error();
  EXPECT_EQ(auditActions().back(), "console.login_refused staff:wang.fang");

  clock_.advance(minutes{14});
  EXPECT_EQ(auth_->login("wang.fang", kPassword, "c").error().code, ErrorCode::kRejected);
  clock_.advance(minutes{1});
  Result<LoginSuccess> after = auth_->login("wang.fang", kPassword, "c");
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(console_->findUser("wang.fang")->failed_logins, 0);
}

TEST_F(ConsoleAuthTest, ASuccessForgivesEarlierFailures) {
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(auth_->login("wang.fang", "guess", "c"));
  ASSERT_TRUE(auth_->login("wang.fang", kPassword, "c"));
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(auth_->login("wang.fang", "guess", "c"));
  EXPECT_TRUE(auth_->login("wang.fang", kPassword, "c"));
}

TEST_F(ConsoleAuthTest, SessionsEndWhenIdleAndAtTheirAbsoluteEnd) {
  const std::string token = auth_->login("wang.fang", kPassword, "c")->token;
  clock_.advance(minutes{29});
  ASSERT_TRUE(auth_->authenticate(token));  // activity moves the idle end
  clock_.advance(minutes{29});
  ASSERT_TRUE(auth_->authenticate(token));
  clock_.advance(minutes{30});
  Result<Principal> idle = auth_->authenticate(token);
  ASSERT_FALSE(idle);
  EXPECT_EQ(idle.error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(console_->findSession(crypto::sha256Hex(token)));  // purged

  const std::string busy = auth_->login("wang.fang", kPassword, "c")->token;
  for (int i = 0; i < 16; ++i) {
    clock_.advance(minutes{29});
    ASSERT_TRUE(auth_->authenticate(busy)) << i;  // 16 x 29 min < 8 h
  }
  clock_.advance(minutes{29});  // 8 h 13 min after the login
  EXPECT_EQ(auth_->authenticate(busy).error().code, ErrorCode::kForbidden);
}

TEST_F(ConsoleAuthTest, LogoutDisablingAndNewPasswordsEndSessions) {
  const Result<LoginSuccess> first = auth_->login("wang.fang", kPassword, "c");
  ASSERT_TRUE(auth_->logout(first->principal, "c"));
  EXPECT_EQ(auth_->authenticate(first->token).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(auditActions().back(), "console.logout staff:wang.fang");
  EXPECT_EQ(auth_->logout(first->principal, "c").error().code, ErrorCode::kNotFound);

  const std::string second = auth_->login("wang.fang", kPassword, "c")->token;
  ASSERT_TRUE(
      console_->setDisabled("wang.fang", true, AuditInput{clock_.now(), "a", "", "d", "{}"}));
  EXPECT_FALSE(auth_->authenticate(second));
  ASSERT_TRUE(
      console_->setDisabled("wang.fang", false, AuditInput{clock_.now(), "a", "", "e", "{}"}));

  const std::string third = auth_->login("wang.fang", kPassword, "c")->token;
  ASSERT_TRUE(console_->setPassword("wang.fang",
                                    crypto::hashPassword("another password", fastParams()),
                                    AuditInput{clock_.now(), "a", "", "p", "{}"}));
  EXPECT_FALSE(auth_->authenticate(third));
  EXPECT_FALSE(auth_->authenticate(""));
  EXPECT_FALSE(auth_->authenticate("made-up-token"));
}

TEST_F(ConsoleAuthTest, AHashOfAnotherCostIsReplacedAtLogin) {
  crypto::PasswordParams old_params = fastParams();
  old_params.scrypt_n = 8;
  addUser("li.lei", UserRole::kGovOperator, "3702", old_params);
  EXPECT_TRUE(crypto::needsRehash(console_->findUser("li.lei")->password_hash, fastParams()));
  ASSERT_TRUE(auth_->login("li.lei", kPassword, "c"));
  const std::string hash = console_->findUser("li.lei")->password_hash;
  EXPECT_FALSE(crypto::needsRehash(hash, fastParams()));
  EXPECT_TRUE(crypto::verifyPassword(kPassword, hash));
}

TEST_F(ConsoleAuthTest, CsrfTokensAndCookies) {
  const Principal principal = auth_->login("wang.fang", kPassword, "c")->principal;
  EXPECT_TRUE(ConsoleAuth::csrfMatches(principal, principal.csrf_token));
  EXPECT_FALSE(ConsoleAuth::csrfMatches(principal, ""));
  EXPECT_FALSE(ConsoleAuth::csrfMatches(principal, principal.csrf_token.substr(1)));
  std::string flipped = principal.csrf_token;
  flipped[5] = flipped[5] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(ConsoleAuth::csrfMatches(principal, flipped));
  Principal without = principal;
  without.csrf_token.clear();
  EXPECT_FALSE(ConsoleAuth::csrfMatches(without, ""));

  EXPECT_EQ(auth_->sessionCookie("TOKEN"),
            "__Host-kaiban_console=TOKEN; Path=/; Max-Age=28800; Secure; HttpOnly; "
            "SameSite=Strict");
  EXPECT_EQ(ConsoleAuth::clearedSessionCookie(),
            "__Host-kaiban_console=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
}

TEST(PrincipalTest, ScopesByBankAndDistrict) {
  Principal bank;
  bank.role = UserRole::kBankStaff;
  bank.scope = "QDBANK";
  EXPECT_TRUE(bank.coversBank("QDBANK"));
  EXPECT_FALSE(bank.coversBank("ICBC"));
  EXPECT_FALSE(bank.coversBank(""));
  EXPECT_FALSE(bank.coversDistrict("370202"));

  Principal city;
  city.role = UserRole::kGovOperator;
  city.scope = "3702";
  EXPECT_TRUE(city.coversDistrict("370202"));
  EXPECT_TRUE(city.coversDistrict("370211"));
  EXPECT_FALSE(city.coversDistrict("370102"));
  EXPECT_FALSE(city.coversDistrict("37"));
  EXPECT_FALSE(city.coversBank("QDBANK"));

  Principal everywhere = city;
  everywhere.scope = "all";
  EXPECT_TRUE(everywhere.coversDistrict("110101"));

  Principal admin;
  admin.role = UserRole::kAdmin;
  EXPECT_TRUE(admin.coversBank("ICBC"));
  EXPECT_TRUE(admin.coversDistrict("110101"));
}

}  // namespace
}  // namespace kaiban::orchestrator::api
