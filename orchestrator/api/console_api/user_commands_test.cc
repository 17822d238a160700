#include "orchestrator/api/console_api/user_commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "Poco/JSON/Parser.h"
#include "core/timestamp.h"
#include "orchestrator/store/sqlite/sqlite_console_store.h"
#include "orchestrator/store/sqlite/sqlite_store.h"
#include "tests/testing/test_env.h"

namespace kaiban::orchestrator::api {
namespace {

UserCommand cmd(std::string action, std::string name = "", std::string role = "",
                std::string bank = "", std::string district = "", std::string display_name = "") {
  UserCommand command;
  command.action = std::move(action);
  command.name = std::move(name);
  command.role = std::move(role);
  command.bank = std::move(bank);
  command.district = std::move(district);
  command.display_name = std::move(display_name);
  return command;
}

class UserCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    console_ = SqliteConsoleStore::open(dir_.path() / "kaiban.db", clock_).value();
    params_.scrypt_n = 16;
  }

  // Runs `command` with `password` on standard input; returns the exit code.
  int run(const UserCommand& command, const std::string& password = "") {
    std::istringstream in(password + "\n");
    out_.str("");
    err_.str("");
    return runUserCommand(*console_, clock_, params_, command, in, out_, err_);
  }

  Poco::JSON::Object::Ptr printed() {
    return Poco::JSON::Parser().parse(out_.str()).extract<Poco::JSON::Object::Ptr>();
  }

  testing::TempDir dir_;
  ManualClock clock_{parseIso8601("2026-03-10T10:00:00+08:00").value()};
  std::unique_ptr<SqliteConsoleStore> console_;
  crypto::PasswordParams params_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(UserCommandsTest, AddsUsersOfEachRoleWithTheirScope) {
  UserCommand add = cmd("add", "wang.fang", "bank_staff", "QDBANK", "", "王芳");
  ASSERT_EQ(run(add, "a long enough password"), 0) << err_.str();
  Poco::JSON::Object::Ptr json = printed();
  EXPECT_EQ(json->getValue<std::string>("role"), "bank_staff");
  EXPECT_EQ(json->getValue<std::string>("scope"), "QDBANK");
  EXPECT_EQ(json->getValue<std::string>("display_name"), "王芳");
  EXPECT_FALSE(json->has("password"));
  EXPECT_FALSE(json->has("password_hash"));
  UserRecord stored = *console_->findUser("wang.fang");
  EXPECT_TRUE(crypto::verifyPassword("a long enough password", stored.password_hash));
  EXPECT_FALSE(crypto::needsRehash(stored.password_hash, params_));

  UserCommand operator_add = cmd("add", "li.lei", "gov_operator", "", "3702");
  operator_add.generate = true;
  ASSERT_EQ(run(operator_add), 0) << err_.str();
  const std::string generated = printed()->getValue<std::string>("password");
  EXPECT_EQ(generated.size(), 20u);
  EXPECT_TRUE(crypto::verifyPassword(generated, console_->findUser("li.lei")->password_hash));

  ASSERT_EQ(run(cmd("add", "root", "admin"), "another long password"), 0) << err_.str();
  ASSERT_EQ(run(cmd("list")), 0);
  EXPECT_NE(out_.str().find("\"name\":\"li.lei\""), std::string::npos) << out_.str();
  const std::string listed = out_.str();
  EXPECT_EQ(std::count(listed.begin(), listed.end(), '\n'), 3);

  std::unique_ptr<SqliteStore> store = SqliteStore::open(dir_.path() / "kaiban.db", clock_).value();
  std::vector<AuditRecord> log = *store->auditLog(0, 100);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "console.user_added");
  EXPECT_EQ(log[0].actor, "admin:cli");
  EXPECT_NE(log[0].detail.find("QDBANK"), std::string::npos);
}

TEST_F(UserCommandsTest, RefusesBadArgumentsBeforeAskingForAPassword) {
  EXPECT_EQ(run(cmd("add", "wang.fang", "teller", "QDBANK"), "a long enough password"),
            kUserCommandUsage);
  EXPECT_EQ(run(cmd("add", "wang.fang", "bank_staff", ""), "a long enough password"),
            kUserCommandUsage);
  EXPECT_NE(err_.str().find("bank code"), std::string::npos) << err_.str();
  EXPECT_EQ(run(cmd("add", "wang.fang", "bank_staff", "QDBANK", "3702"), "long password!"),
            kUserCommandUsage);
  EXPECT_EQ(run(cmd("add", "li.lei", "gov_operator", "", "37020"), "long password!"),
            kUserCommandUsage);
  EXPECT_EQ(run(cmd("add", "Bad Name", "admin"), "long password!"), kUserCommandUsage);
  EXPECT_EQ(run(cmd("add", "wang.fang", "bank_staff", "QDBANK"), "short"), kUserCommandUsage);
  EXPECT_NE(err_.str().find("at least 10"), std::string::npos);
  EXPECT_EQ(run(cmd("add", "", "admin"), "long password!"), kUserCommandUsage);
  EXPECT_EQ(run(cmd("promote", "x")), kUserCommandUsage);
  EXPECT_TRUE(console_->listUsers()->empty());

  ASSERT_EQ(run(cmd("add", "wang.fang", "bank_staff", "QDBANK"), "long password!"), 0);
  EXPECT_EQ(run(cmd("add", "wang.fang", "bank_staff", "QDBANK"), "long password!"),
            kUserCommandFailed);
  EXPECT_NE(err_.str().find("exists already"), std::string::npos);
}

TEST_F(UserCommandsTest, DisableEnableAndPasswd) {
  ASSERT_EQ(run(cmd("add", "wang.fang", "bank_staff", "QDBANK"), "first password"), 0);
  ASSERT_EQ(run(cmd("disable", "wang.fang")), 0);
  EXPECT_TRUE(printed()->getValue<bool>("disabled"));
  EXPECT_TRUE(console_->findUser("wang.fang")->disabled);
  ASSERT_EQ(run(cmd("enable", "wang.fang")), 0);
  EXPECT_FALSE(console_->findUser("wang.fang")->disabled);

  ASSERT_EQ(run(cmd("passwd", "wang.fang"), "second password"), 0) << err_.str();
  EXPECT_TRUE(
      crypto::verifyPassword("second password", console_->findUser("wang.fang")->password_hash));
  EXPECT_EQ(run(cmd("passwd", "wang.fang"), "short"), kUserCommandUsage);
  EXPECT_EQ(run(cmd("passwd", "nobody"), "long password!"), kUserCommandFailed);
  EXPECT_EQ(run(cmd("disable", "nobody")), kUserCommandFailed);
}

}  // namespace
}  // namespace kaiban::orchestrator::api
