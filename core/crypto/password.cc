#include "core/crypto/password.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <bit>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/crypto/encoding.h"
#include "core/crypto/openssl_util.h"
#include "core/crypto/random.h"

namespace kaiban::crypto {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr size_t kMaxSaltBytes = 64;
constexpr size_t kMinHashBytes = 16;
constexpr size_t kMaxHashBytes = 64;
constexpr std::string_view kPrefix = "$scrypt$";
// scrypt's own limit (RFC 7914): r * p < 2^30.
constexpr uint64_t kMaxRTimesP = uint64_t{1} << 30;

struct Decoded {
  PasswordParams params;
  std::string salt;
  std::string hash;
};

// OpenSSL's scrypt allocates 128*r*(N+2) bytes for V plus 128*r*p for B and fails if that
// exceeds its maxmem parameter. The default differs between OpenSSL APIs (32 MiB for
// EVP_PBE_scrypt, about 1 GiB for the EVP_KDF provider), so scrypt() sets it explicitly to
// what the parameters need; kMaxScryptMemoryBytes is the real bound.
uint64_t memoryNeeded(const PasswordParams& params) {
  return 128 * uint64_t{params.r} * (params.scrypt_n + 2) + 128 * uint64_t{params.r} * params.p;
}

std::optional<std::string> paramsProblem(const PasswordParams& params) {
  if (params.scrypt_n < 2 || !std::has_single_bit(params.scrypt_n)) {
    return "scrypt_n must be a power of two of at least 2";
  }
  if (params.r == 0) return "r must be at least 1";
  if (params.p == 0) return "p must be at least 1";
  if (uint64_t{params.r} * params.p >= kMaxRTimesP) return "r * p must be below 2^30";
  // Checked before memoryNeeded so its products cannot overflow.
  if (params.scrypt_n > kMaxScryptMemoryBytes || params.r > kMaxScryptMemoryBytes ||
      memoryNeeded(params) > kMaxScryptMemoryBytes) {
    return "the parameters need more than " + std::to_string(kMaxScryptMemoryBytes >> 20) +
           " MiB per hash";
  }
  return std::nullopt;
}

// Derives `out.size()` bytes; false if OpenSSL refuses.
bool scrypt(std::string_view password, std::string_view salt, const PasswordParams& params,
            std::span<unsigned char> out) {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);  // lives for the process
  if (kdf == nullptr) return false;
  internal::KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return false;
  uint64_t n = params.scrypt_n;
  uint32_t r = params.r;
  uint32_t p = params.p;
  uint64_t max_memory = memoryNeeded(params) + (uint64_t{1} << 20);
  const OSSL_PARAM ossl_params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
      OSSL_PARAM_construct_end()};
  return EVP_KDF_derive(ctx.get(), out.data(), out.size(), ossl_params) == 1;
}

// A decimal number of at most 10 digits without sign or leading zero, or nullopt.
std::optional<uint64_t> parseNumber(std::string_view text) {
  if (text.empty() || text.size() > 10 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Consumes "<name>=<number>" from the front of `text`, followed by `separator` unless last.
std::optional<uint64_t> takeField(std::string_view& text, std::string_view name, bool last) {
  if (text.substr(0, name.size() + 1) != std::string(name) + "=") return std::nullopt;
  text.remove_prefix(name.size() + 1);
  const size_t end = last ? text.size() : text.find(',');
  if (end == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> value = parseNumber(text.substr(0, end));
  text.remove_prefix(last ? end : end + 1);
  return value;
}

std::optional<Decoded> decode(std::string_view encoded) {
  if (encoded.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  encoded.remove_prefix(kPrefix.size());
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t dollar = encoded.find('$', start);
    parts.push_back(encoded.substr(start, dollar - start));
    if (dollar == std::string_view::npos) break;
    start = dollar + 1;
  }
  if (parts.size() != 3) return std::nullopt;

  std::string_view fields = parts[0];
  const std::optional<uint64_t> ln = takeField(fields, "ln", false);
  const std::optional<uint64_t> r = takeField(fields, "r", false);
  const std::optional<uint64_t> p = takeField(fields, "p", true);
  if (!ln || !r || !p || *ln < 1 || *ln > 62 || *r > UINT32_MAX || *p > UINT32_MAX) {
    return std::nullopt;
  }
  Decoded decoded;
  decoded.params = {uint64_t{1} << *ln, static_cast<uint32_t>(*r), static_cast<uint32_t>(*p)};
  if (paramsProblem(decoded.params)) return std::nullopt;

  Result<std::string> salt = fromBase64(parts[1], Base64Alphabet::kStandardNoPad);
  Result<std::string> hash = fromBase64(parts[2], Base64Alphabet::kStandardNoPad);
  if (!salt.ok() || !hash.ok() || salt->empty() || salt->size() > kMaxSaltBytes ||
      hash->size() < kMinHashBytes || hash->size() > kMaxHashBytes) {
    return std::nullopt;
  }
  decoded.salt = std::move(salt).value();
  decoded.hash = std::move(hash).value();
  return decoded;
}

}  // namespace

Result<void> validatePasswordParams(const PasswordParams& params) {
  if (std::optional<std::string> problem = paramsProblem(params)) {
    return Error::invalidInput("password hashing parameters: " + *problem, "password_params");
  }
  return ok();
}

std::string hashPassword(std::string_view password, const PasswordParams& params) {
  if (std::optional<std::string> problem = paramsProblem(params)) {
    throw std::invalid_argument("password hashing parameters: " + *problem);
  }
  const std::string salt = randomBytes(kSaltBytes);
  std::string hash(kHashBytes, '\0');
  if (!scrypt(password, salt, params,
              std::span(reinterpret_cast<unsigned char*>(hash.data()), hash.size()))) {
    internal::throwOpensslFailure("scrypt failed");
  }
  std::string encoded(kPrefix);
  encoded += "ln=" + std::to_string(std::countr_zero(params.scrypt_n)) +
             ",r=" + std::to_string(params.r) + ",p=" + std::to_string(params.p) + "$" +
             toBase64(salt, Base64Alphabet::kStandardNoPad) + "$" +
             toBase64(hash, Base64Alphabet::kStandardNoPad);
  internal::wipe(hash);
  return encoded;
}

bool verifyPassword(std::string_view password, std::string_view encoded) {
  std::optional<Decoded> decoded = decode(encoded);
  if (!decoded) return false;
  std::string derived(decoded->hash.size(), '\0');
  const bool derived_ok =
      scrypt(password, decoded->salt, decoded->params,
             std::span(reinterpret_cast<unsigned char*>(derived.data()), derived.size()));
  if (!derived_ok) ERR_clear_error();
  const bool match =
      derived_ok && CRYPTO_memcmp(derived.data(), decoded->hash.data(), derived.size()) == 0;
  internal::wipe(derived);
  return match;
}

bool needsRehash(std::string_view encoded, const PasswordParams& params) {
  std::optional<Decoded> decoded = decode(encoded);
  return !decoded || decoded->params != params || decoded->salt.size() != kSaltBytes ||
         decoded->hash.size() != kHashBytes;
}

}  // namespace kaiban::crypto
