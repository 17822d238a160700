#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/crypto/password.h"
#include "core/result.h"
#include "orchestrator/store/console_store.h"

// Console logins, sessions and CSRF tokens (docs/api/console-api.md, "Sessions").
namespace kaiban::orchestrator::api {

struct ConsoleAuthOptions {
  // Cost of new password hashes; a login with a hash of another cost re-hashes it.
  crypto::PasswordParams password;
  // Consecutive failed logins that lock an account, and for how long.
  int max_failures = 5;
  std::chrono::seconds lockout{15 * 60};
  // A session ends after this long without a request...
  std::chrono::seconds idle_timeout{30 * 60};
  // ...and this long after the login, whatever the activity.
  std::chrono::seconds session_lifetime{12 * 3600};
};

// The name of the session cookie. The __Host- prefix makes browsers accept it only when it is
// Secure, has Path=/ and no Domain: no sibling host and no plain-HTTP page can plant one.
inline constexpr std::string_view kSessionCookie = "__Host-kaiban_console";
// The request header that carries the CSRF token.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// A logged-in user as the handlers see them.
struct Principal {
  std::string user;
  std::string display_name;
  UserRole role = UserRole::kBankStaff;
  std::string scope;  // as UserRecord::scope
  std::string session_id_hash;
  std::string csrf_token;
  SystemTime expires_at{};       // absolute end of the session
  SystemTime idle_expires_at{};  // when it ends unless used again

  // The actor of the user's staff actions in events and the audit log: "staff:<user>".
  std::string actor() const { return "staff:" + user; }
  // Whether the user may see and act on applications of `bank_code`: bank staff of that bank,
  // and admins.
  bool coversBank(std::string_view bank_code) const;
  // Whether the user may see applications of `district`: operators of "all" or of a prefix of
  // it, and admins.
  bool coversDistrict(std::string_view district) const;
};

struct LoginSuccess {
  std::string token;  // for the cookie; never stored
  Principal principal;
};

// Thread-safe; `store` and `clock` must outlive it.
class ConsoleAuth {
 public:
  ConsoleAuth(ConsoleStore& store, const Clock& clock, ConsoleAuthOptions options);

  // Checks `password` and opens a session. `client` (the peer address) goes into the audit
  // entry. Errors:
  //   kForbidden "wrong user name or password" for an unknown user, a wrong password and a
  //     disabled user alike (a wrong password counts towards the lockout; the cost of a check
  //     is the same for unknown users, so timing tells nothing either);
  //   kRejected when the account is locked (also for the right password), with the time the
  //     lock ends in the message;
  //   the store's kUnavailable/kCorrupt.
  // Each outcome for a known user is audited ("console.login", "console.login_failed"[.locked],
  // "console.login_refused"). Expired sessions are purged on the way.
  Result<LoginSuccess> login(std::string_view name, std::string_view password,
                             std::string_view client);

  // The principal of the session `token` names, refreshing its idle timer. kForbidden when
  // the token is empty, unknown, expired (idle or absolute) or its user is now disabled;
  // the store's errors otherwise.
  Result<Principal> authenticate(std::string_view token);

  // Ends the principal's session (audited "console.logout"). kNotFound if it had ended.
  Result<void> logout(const Principal& principal, std::string_view client);

  // Whether `presented` is the principal's CSRF token, compared in constant time.
  static bool csrfMatches(const Principal& principal, std::string_view presented);

  // Set-Cookie values that set the session cookie for `token` and that remove it.
  std::string sessionCookie(std::string_view token) const;
  static std::string clearedSessionCookie();

  const ConsoleAuthOptions& options() const { return options_; }

 private:
  Principal principalOf(const UserRecord& user, const SessionRecord& session) const;

  ConsoleStore& store_;
  const Clock& clock_;
  const ConsoleAuthOptions options_;
  // A hash with the configured cost of a password nobody has, checked for unknown users so
  // that a login costs the same whether or not the user exists.
  const std::string decoy_hash_;
};

}  // namespace kaiban::orchestrator::api
