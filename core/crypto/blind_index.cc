#include "core/crypto/blind_index.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>

#include "core/crypto/encoding.h"
#include "core/crypto/openssl_util.h"

namespace kaiban::crypto {
namespace {

using internal::asBytes;

constexpr size_t kDigestBytes = 32;

// Fetched once; lives for the whole process, like the provider it comes from.
EVP_MAC* hmac() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (fetched == nullptr) internal::throwOpensslFailure("HMAC is not available");
    return fetched;
  }();
  return mac;
}

std::string hmacIndex(const unsigned char* mac_key, std::string_view domain,
                      std::string_view normalized_value) {
  const auto domain_length = static_cast<uint32_t>(domain.size());
  const std::array<unsigned char, 4> prefix = {static_cast<unsigned char>(domain_length >> 24),
                                               static_cast<unsigned char>(domain_length >> 16),
                                               static_cast<unsigned char>(domain_length >> 8),
                                               static_cast<unsigned char>(domain_length)};

  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  internal::MacCtxPtr ctx(EVP_MAC_CTX_new(hmac()));
  std::array<unsigned char, kDigestBytes> digest{};
  size_t digest_length = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), mac_key, KeyRing::kKeyBytes, params) != 1 ||
      EVP_MAC_update(ctx.get(), prefix.data(), prefix.size()) != 1 ||
      EVP_MAC_update(ctx.get(), asBytes(domain), domain.size()) != 1 ||
      EVP_MAC_update(ctx.get(), asBytes(normalized_value), normalized_value.size()) != 1 ||
      EVP_MAC_final(ctx.get(), digest.data(), &digest_length, digest.size()) != 1 ||
      digest_length != kDigestBytes) {
    internal::throwOpensslFailure("HMAC-SHA256 failed");
  }
  return toHex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace

BlindIndex::BlindIndex(const KeyRing& keys) : keys_(keys) {}

std::string BlindIndex::compute(std::string_view domain, std::string_view normalized_value) const {
  return hmacIndex(keys_.current().mac.data(), domain, normalized_value);
}

std::vector<std::string> BlindIndex::computeAll(std::string_view domain,
                                                std::string_view normalized_value) const {
  std::vector<std::string> indexes{compute(domain, normalized_value)};
  const auto& sets = keys_.sets();
  for (auto set = sets.rbegin() + 1; set != sets.rend(); ++set) {
    std::string index = hmacIndex(set->mac.data(), domain, normalized_value);
    if (std::find(indexes.begin(), indexes.end(), index) == indexes.end()) {
      indexes.push_back(std::move(index));
    }
  }
  return indexes;
}

}  // namespace kaiban::crypto
