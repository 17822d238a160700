#include "core/crypto/key_ring.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "core/crypto/encoding.h"
#include "core/crypto/openssl_util.h"

namespace kaiban::crypto {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string octalMode(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

// Accumulates the fields of one key set while its lines are read.
struct PendingSet {
  int first_line = 0;
  std::optional<int> key_id;
  bool has_enc = false;
  bool has_mac = false;
  bool empty() const { return !key_id && !has_enc && !has_mac; }
};

// Closes a file descriptor on every return path of loadFile.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

KeyRing::KeySet::~KeySet() {
  OPENSSL_cleanse(enc.data(), enc.size());
  OPENSSL_cleanse(mac.data(), mac.size());
}

Result<KeyRing> KeyRing::parse(std::string_view text, std::string_view source) {
  auto sets = std::make_shared<std::vector<KeySet>>();
  const std::string where(source);
  const auto lineError = [&where](int line, const std::string& problem) {
    return Error::invalidInput("key file " + where + " line " + std::to_string(line) + ": " +
                               problem);
  };

  PendingSet pending;
  KeySet building;
  // Ends the set being read at a blank line or the end of the text.
  const auto finishSet = [&](int line) -> std::optional<Error> {
    if (pending.empty()) return std::nullopt;
    const std::string starting =
        "the key set starting at line " + std::to_string(pending.first_line);
    if (!pending.key_id) return lineError(line, starting + " has no key_id");
    if (!pending.has_enc) return lineError(line, starting + " has no enc key");
    if (!pending.has_mac) return lineError(line, starting + " has no mac key");
    if (CRYPTO_memcmp(building.enc.data(), building.mac.data(), kKeyBytes) == 0) {
      return lineError(pending.first_line,
                       "enc and mac are the same key; each purpose needs its own key");
    }
    sets->push_back(building);
    pending = PendingSet{};
    OPENSSL_cleanse(building.enc.data(), kKeyBytes);
    OPENSSL_cleanse(building.mac.data(), kKeyBytes);
    return std::nullopt;
  };

  int line_number = 0;
  size_t position = 0;
  while (position <= text.size()) {
    const size_t end = std::min(text.find('\n', position), text.size());
    const std::string_view line = trim(text.substr(position, end - position));
    position = end + 1;
    ++line_number;

    if (line.empty()) {
      if (auto error = finishSet(line_number)) return *error;
      continue;
    }
    if (line.front() == '#') continue;

    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return lineError(line_number, "expected name=value, a # comment or a blank line");
    }
    const std::string_view name = trim(line.substr(0, equals));
    const std::string_view value = trim(line.substr(equals + 1));
    if (pending.empty()) pending.first_line = line_number;
    const std::string repeated_hint = " (separate key sets with a blank line)";

    if (name == "key_id") {
      if (pending.key_id) return lineError(line_number, "key_id given twice" + repeated_hint);
      const bool digits =
          !value.empty() && value.size() <= 3 &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      const int id = digits ? std::stoi(std::string(value)) : 0;
      if (id < 1 || id > 255) {
        return lineError(line_number, "key_id must be a whole number from 1 to 255, found \"" +
                                          std::string(value) + "\"");
      }
      const bool taken =
          std::any_of(sets->begin(), sets->end(), [id](const KeySet& set) { return set.id == id; });
      if (taken) {
        return lineError(line_number,
                         "key_id " + std::to_string(id) + " is already used by an earlier key set");
      }
      pending.key_id = id;
      building.id = static_cast<uint8_t>(id);
    } else if (name == "enc" || name == "mac") {
      bool& seen = name == "enc" ? pending.has_enc : pending.has_mac;
      if (seen) return lineError(line_number, std::string(name) + " given twice" + repeated_hint);
      auto& key = name == "enc" ? building.enc : building.mac;
      // Key values are never echoed into messages: they would end up in logs.
      if (value.size() != 2 * kKeyBytes) {
        return lineError(line_number, std::string(name) +
                                          " must be 64 hex digits (a 32-byte key), " + "found " +
                                          std::to_string(value.size()) + " characters");
      }
      if (!hexToBytes(value, key)) {
        return lineError(line_number,
                         std::string(name) + " has a character that is not a hex digit");
      }
      seen = true;
    } else {
      return lineError(line_number,
                       "unknown field \"" + std::string(name) + "\" (expected key_id, enc or mac)");
    }
  }
  if (auto error = finishSet(line_number)) return *error;

  if (sets->empty()) {
    return Error::invalidInput("key file " + where +
                               " holds no key set (expected key_id=, enc=, mac= lines)");
  }
  return KeyRing(std::move(sets));
}

Result<KeyRing> KeyRing::loadFile(const std::filesystem::path& path) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    const std::string reason = std::strerror(error);
    if (error == ENOENT) return Error::notFound("key file " + name + " does not exist");
    if (error == EACCES) {
      return Error::forbidden("cannot open key file " + name + ": " + reason +
                              " (it must be readable by the user this process runs as)");
    }
    return Error::unavailable("cannot open key file " + name + ": " + reason);
  }
  FdCloser closer(fd);

  // fstat on the opened descriptor, so the checked file is the file that is read.
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return Error::unavailable("cannot stat key file " + name + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return Error::invalidInput("key file " + name + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    return Error::forbidden("key file " + name + " has mode " + octalMode(info.st_mode) +
                            ": it must not be accessible to group or others; run chmod 600 " +
                            name);
  }
  if (static_cast<size_t>(info.st_size) > kMaxKeyFileBytes) {
    return Error::invalidInput("key file " + name + " is " + std::to_string(info.st_size) +
                               " bytes; a key file is at most 64 KiB");
  }

  std::string text(kMaxKeyFileBytes + 1, '\0');
  size_t length = 0;
  while (length < text.size()) {
    const ssize_t got = ::read(fd, text.data() + length, text.size() - length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const std::string reason = std::strerror(errno);
      internal::wipe(text);
      return Error::unavailable("cannot read key file " + name + ": " + reason);
    }
    if (got == 0) break;
    length += static_cast<size_t>(got);
  }
  if (length > kMaxKeyFileBytes) {
    internal::wipe(text);
    return Error::invalidInput("key file " + name + " grew beyond 64 KiB while being read");
  }
  Result<KeyRing> ring = parse(std::string_view(text.data(), length), name);
  internal::wipe(text);
  return ring;
}

KeyRing KeyRing::forTesting(int key_sets) {
  assert(key_sets >= 1 && key_sets <= 255);
  auto sets = std::make_shared<std::vector<KeySet>>();
  for (int id = 1; id <= key_sets; ++id) {
    KeySet set;
    set.id = static_cast<uint8_t>(id);
    // SHA-256 of a fixed label gives 32 well-spread bytes that every test run reproduces.
    const std::string enc_label = "kaiban test enc key " + std::to_string(id);
    const std::string mac_label = "kaiban test mac key " + std::to_string(id);
    unsigned int size = 0;
    if (EVP_Digest(enc_label.data(), enc_label.size(), set.enc.data(), &size, EVP_sha256(),
                   nullptr) != 1 ||
        EVP_Digest(mac_label.data(), mac_label.size(), set.mac.data(), &size, EVP_sha256(),
                   nullptr) != 1) {
      internal::throwOpensslFailure("SHA-256 of a test key label failed");
    }
    sets->push_back(set);
  }
  return KeyRing(std::move(sets));
}

uint8_t KeyRing::currentKeyId() const { return current().id; }

std::vector<uint8_t> KeyRing::keyIds() const {
  std::vector<uint8_t> ids;
  for (const KeySet& set : *sets_) ids.push_back(set.id);
  return ids;
}

bool KeyRing::hasKeyId(uint8_t key_id) const { return find(key_id) != nullptr; }

const KeyRing::KeySet* KeyRing::find(uint8_t key_id) const {
  for (const KeySet& set : *sets_) {
    if (set.id == key_id) return &set;
  }
  return nullptr;
}

}  // namespace kaiban::crypto
