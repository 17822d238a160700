#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/testing/test_env.h"

namespace kaiban::crypto::testing {

// Hex keys for key files written by tests; every one distinct.
inline std::string testKeyHex(char digit) { return std::string(64, digit); }

// "key_id=<id>\nenc=<64 x enc_digit>\nmac=<64 x mac_digit>\n"
inline std::string keySetText(int id, char enc_digit, char mac_digit) {
  return "key_id=" + std::to_string(id) + "\nenc=" + testKeyHex(enc_digit) +
         "\nmac=" + testKeyHex(mac_digit) + "\n";
}

// Writes `text` to `name` in `dir` with exactly `perms` (umask does not apply).
inline std::filesystem::path writeKeyFile(
    const kaiban::testing::TempDir& dir, const std::string& name, const std::string& text,
    std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                   std::filesystem::perms::owner_write) {
  const std::filesystem::path path = dir.path() / name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::filesystem::permissions(path, perms, std::filesystem::perm_options::replace);
  return path;
}

}  // namespace kaiban::crypto::testing
