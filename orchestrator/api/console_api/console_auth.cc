#include "orchestrator/api/console_api/console_auth.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "Poco/JSON/Object.h"
#include "core/crypto/hash.h"
#include "core/crypto/random.h"
#include "core/timestamp.h"

namespace kaiban::orchestrator::api {

namespace {

constexpr std::string_view kWrongCredentials = "wrong user name or password";

std::string auditDetail(std::string_view user, std::string_view client) {
  Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
  detail.set("user", std::string(user));
  detail.set("client", std::string(client));
  std::ostringstream out;
  detail.stringify(out);
  return out.str();
}

// How stale last_seen_at may get before a request writes it again: a tenth of the idle
// timeout, at most a minute. Writing on every request would put a write on every page view.
std::chrono::seconds touchInterval(std::chrono::seconds idle_timeout) {
  return std::clamp(idle_timeout / 10, std::chrono::seconds{0}, std::chrono::seconds{60});
}

}  // namespace

bool Principal::coversBank(std::string_view bank_code) const {
  if (role == UserRole::kAdmin) return true;
  return role == UserRole::kBankStaff && !bank_code.empty() && scope == bank_code;
}

bool Principal::coversDistrict(std::string_view district) const {
  if (role == UserRole::kAdmin) return true;
  if (role != UserRole::kGovOperator) return false;
  return scope == kAllDistricts || district.substr(0, scope.size()) == scope;
}

ConsoleAuth::ConsoleAuth(ConsoleStore& store, const Clock& clock, ConsoleAuthOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      decoy_hash_(crypto::hashPassword(crypto::randomToken(), options_.password)) {}

Result<LoginSuccess> ConsoleAuth::login(std::string_view name, std::string_view password,
                                        std::string_view client) {
  const SystemTime now = clock_.now();
  (void)store_.purgeSessions(now, options_.idle_timeout);
  Result<UserRecord> found = store_.findUser(name);
  if (!found) {
    if (found.error().code != ErrorCode::kNotFound) return found.error();
    (void)crypto::verifyPassword(password, decoy_hash_);
    return Error::forbidden(std::string(kWrongCredentials));
  }
  const UserRecord& user = *found;
  const std::string actor = "staff:" + user.name;
  const std::string detail = auditDetail(user.name, client);
  if (user.locked_until && *user.locked_until > now) {
    (void)crypto::verifyPassword(password, decoy_hash_);
    if (Result<void> audited =
            store_.appendAudit(AuditInput{now, actor, "", "console.login_refused", detail});
        !audited) {
      return audited.error();
    }
    return Error::rejected("too many failed logins: the account is locked until " +
                           formatIso8601(*user.locked_until) + "; try again then");
  }
  const bool matches = crypto::verifyPassword(password, user.password_hash);
  if (user.disabled) {
    if (Result<void> audited =
            store_.appendAudit(AuditInput{now, actor, "", "console.login_refused", detail});
        !audited) {
      return audited.error();
    }
    return Error::forbidden(std::string(kWrongCredentials));
  }
  if (!matches) {
    Result<FailedLogin> failed =
        store_.recordFailedLogin(user.name, now, options_.max_failures, options_.lockout,
                                 AuditInput{now, actor, "", "console.login_failed", detail});
    if (!failed) return failed.error();
    return Error::forbidden(std::string(kWrongCredentials));
  }

  const std::string token = crypto::randomToken();
  SessionRecord session;
  session.id_hash = crypto::sha256Hex(token);
  session.user_name = user.name;
  session.csrf_token = crypto::randomToken();
  session.created_at = now;
  session.last_seen_at = now;
  session.expires_at = now + options_.session_lifetime;
  std::optional<std::string> rehashed;
  if (crypto::needsRehash(user.password_hash, options_.password)) {
    rehashed = crypto::hashPassword(password, options_.password);
  }
  if (Result<void> recorded = store_.recordLogin(
          session, rehashed, AuditInput{now, actor, "", "console.login", detail});
      !recorded) {
    return recorded.error();
  }
  return LoginSuccess{token, principalOf(user, session)};
}

Result<Principal> ConsoleAuth::authenticate(std::string_view token) {
  const Error expired = Error::forbidden("not logged in, or the session has ended: log in again");
  if (token.empty()) return expired;
  const SystemTime now = clock_.now();
  Result<SessionRecord> session = store_.findSession(crypto::sha256Hex(token));
  if (!session) {
    if (session.error().code == ErrorCode::kNotFound) return expired;
    return session.error();
  }
  if (now >= session->expires_at || now - session->last_seen_at >= options_.idle_timeout) {
    (void)store_.purgeSessions(now, options_.idle_timeout);
    return expired;
  }
  Result<UserRecord> user = store_.findUser(session->user_name);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) return expired;
    return user.error();
  }
  if (user->disabled) return expired;
  if (now - session->last_seen_at >= touchInterval(options_.idle_timeout)) {
    if (Result<void> touched = store_.touchSession(session->id_hash, now); !touched) {
      if (touched.error().code == ErrorCode::kNotFound) return expired;  // logged out meanwhile
      return touched.error();
    }
    session->last_seen_at = now;
  }
  return principalOf(*user, *session);
}

Result<void> ConsoleAuth::logout(const Principal& principal, std::string_view client) {
  return store_.deleteSession(principal.session_id_hash,
                              AuditInput{clock_.now(), principal.actor(), "", "console.logout",
                                         auditDetail(principal.user, client)});
}

bool ConsoleAuth::csrfMatches(const Principal& principal, std::string_view presented) {
  const std::string& expected = principal.csrf_token;
  if (expected.empty() || presented.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) == 0;
}

std::string ConsoleAuth::sessionCookie(std::string_view token) const {
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; Path=/; Max-Age=" + std::to_string(options_.session_lifetime.count()) +
         "; Secure; HttpOnly; SameSite=Strict";
}

std::string ConsoleAuth::clearedSessionCookie() {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict";
}

Principal ConsoleAuth::principalOf(const UserRecord& user, const SessionRecord& session) const {
  Principal principal;
  principal.user = user.name;
  principal.display_name = user.display_name;
  principal.role = user.role;
  principal.scope = user.scope;
  principal.session_id_hash = session.id_hash;
  principal.csrf_token = session.csrf_token;
  principal.expires_at = session.expires_at;
  principal.idle_expires_at =
      std::min(session.expires_at, session.last_seen_at + options_.idle_timeout);
  return principal;
}

}  // namespace kaiban::orchestrator::api
