#include "orchestrator/store/console_store.h"

#include <algorithm>

namespace kaiban::orchestrator {

namespace {

bool isDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isLoginName(std::string_view name) {
  if (name.size() < 3 || name.size() > 32) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// The application rules' bank code: 3-12 of A-Z 0-9 (core/application.h).
bool isBankCode(std::string_view code) {
  if (code.size() < 3 || code.size() > 12) return false;
  return std::all_of(code.begin(), code.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

std::string_view toString(UserRole role) {
  switch (role) {
    case UserRole::kBankStaff:
      return "bank_staff";
    case UserRole::kGovOperator:
      return "gov_operator";
    case UserRole::kAdmin:
      return "admin";
  }
  return "unknown";
}

Result<UserRole> parseUserRole(std::string_view name) {
  for (UserRole role : {UserRole::kBankStaff, UserRole::kGovOperator, UserRole::kAdmin}) {
    if (toString(role) == name) return role;
  }
  return Error::invalidInput(
      "role must be bank_staff, gov_operator or admin, not \"" + std::string(name) + "\"", "role");
}

Result<void> validateUser(const UserRecord& user) {
  if (!isLoginName(user.name)) {
    return Error::invalidInput(
        "a user name is 3-32 characters of a-z 0-9 . _ - and starts with a letter", "name");
  }
  const std::optional<size_t> display_length = utf8Length(user.display_name);
  if (!display_length || *display_length > 64) {
    return Error::invalidInput("a display name is at most 64 characters of UTF-8", "display_name");
  }
  switch (user.role) {
    case UserRole::kBankStaff:
      if (!isBankCode(user.scope)) {
        return Error::invalidInput("bank staff need their bank code (3-12 of A-Z 0-9)", "scope");
      }
      break;
    case UserRole::kGovOperator:
      if (user.scope != kAllDistricts &&
          !(isDigits(user.scope) &&
            (user.scope.size() == 2 || user.scope.size() == 4 || user.scope.size() == 6))) {
        return Error::invalidInput(
            "a government operator needs \"all\" or a district code of 2, 4 or 6 digits "
            "(GB/T 2260: \"37\", \"3702\", \"370202\")",
            "scope");
      }
      break;
    case UserRole::kAdmin:
      if (!user.scope.empty()) {
        return Error::invalidInput("an admin sees everything and has no scope", "scope");
      }
      break;
  }
  if (user.password_hash.empty()) {
    return Error::invalidInput("a user needs a password", "password");
  }
  return ok();
}

}  // namespace kaiban::orchestrator
