#include "core/crypto/pii_cipher.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>

#include "core/crypto/openssl_util.h"
#include "core/crypto/random.h"

namespace kaiban::crypto {
namespace {

using internal::asBytes;
using internal::CipherCtxPtr;

constexpr size_t kHeaderBytes = 2;
// EVP update calls take int lengths; longer inputs go through in pieces of this size.
constexpr size_t kMaxPiece = size_t{1} << 30;

// Fetched once: an explicit fetch avoids a provider lookup on every message. Lives for the
// whole process, like the provider it comes from.
const EVP_CIPHER* aes256Gcm() {
  static EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) internal::throwOpensslFailure("AES-256-GCM is not available");
    return fetched;
  }();
  return cipher;
}

// Feeds `aad` as additional authenticated data.
bool addAad(EVP_CIPHER_CTX* ctx, std::string_view aad, bool encrypt) {
  for (size_t done = 0; done < aad.size(); done += kMaxPiece) {
    const size_t piece = std::min(kMaxPiece, aad.size() - done);
    int ignored = 0;
    const int ok = encrypt ? EVP_EncryptUpdate(ctx, nullptr, &ignored, asBytes(aad) + done,
                                               static_cast<int>(piece))
                           : EVP_DecryptUpdate(ctx, nullptr, &ignored, asBytes(aad) + done,
                                               static_cast<int>(piece));
    if (ok != 1) return false;
  }
  return true;
}

// Encrypts or decrypts `in` into `out` (same length: GCM is a stream mode).
bool transform(EVP_CIPHER_CTX* ctx, std::string_view in, unsigned char* out, bool encrypt) {
  for (size_t done = 0; done < in.size(); done += kMaxPiece) {
    const size_t piece = std::min(kMaxPiece, in.size() - done);
    int written = 0;
    const int ok = encrypt ? EVP_EncryptUpdate(ctx, out + done, &written, asBytes(in) + done,
                                               static_cast<int>(piece))
                           : EVP_DecryptUpdate(ctx, out + done, &written, asBytes(in) + done,
                                               static_cast<int>(piece));
    if (ok != 1 || static_cast<size_t>(written) != piece) return false;
  }
  return true;
}

std::string listIds(const std::vector<uint8_t>& ids) {
  std::string text;
  for (uint8_t id : ids) {
    if (!text.empty()) text += ", ";
    text += std::to_string(id);
  }
  return text;
}

}  // namespace

PiiCipher::PiiCipher(const KeyRing& keys) : keys_(keys) {}

std::string PiiCipher::seal(std::string_view plaintext, std::string_view associated_data) const {
  const KeyRing::KeySet& key = keys_.current();
  std::string sealed(kOverheadBytes + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  out[0] = kVersion;
  out[1] = key.id;
  const std::string nonce = randomBytes(kNonceBytes);
  std::copy(nonce.begin(), nonce.end(), sealed.begin() + kHeaderBytes);
  unsigned char* ciphertext = out + kHeaderBytes + kNonceBytes;

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) internal::throwOpensslFailure("EVP_CIPHER_CTX_new failed");
  int final_length = 0;
  // The default GCM IV length is 12 bytes, which is kNonceBytes.
  if (EVP_EncryptInit_ex2(ctx.get(), aes256Gcm(), key.enc.data(), out + kHeaderBytes, nullptr) !=
          1 ||
      !addAad(ctx.get(), std::string_view(sealed.data(), kHeaderBytes), true) ||
      !addAad(ctx.get(), associated_data, true) ||
      !transform(ctx.get(), plaintext, ciphertext, true) ||
      EVP_EncryptFinal_ex(ctx.get(), ciphertext + plaintext.size(), &final_length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagBytes),
                          ciphertext + plaintext.size()) != 1) {
    internal::throwOpensslFailure("AES-256-GCM encryption failed");
  }
  return sealed;
}

Result<std::string> PiiCipher::open(std::string_view sealed,
                                    std::string_view associated_data) const {
  if (sealed.size() < kOverheadBytes) {
    return Error::corrupt("sealed value is " + std::to_string(sealed.size()) +
                          " bytes, shorter than the " + std::to_string(kOverheadBytes) +
                          " bytes of header, nonce and tag: it was truncated");
  }
  const auto version = static_cast<unsigned char>(sealed[0]);
  if (version != kVersion) {
    return Error::corrupt("sealed value has format version " + std::to_string(version) +
                          "; this build reads version " + std::to_string(kVersion));
  }
  const auto key_id = static_cast<uint8_t>(sealed[1]);
  const KeyRing::KeySet* key = keys_.find(key_id);
  if (key == nullptr) {
    return Error::corrupt("sealed value was sealed with key id " + std::to_string(key_id) +
                          ", which the key ring does not hold (it has " + listIds(keys_.keyIds()) +
                          "); was an old key set removed?");
  }
  const auto* nonce = asBytes(sealed) + kHeaderBytes;
  const std::string_view ciphertext =
      sealed.substr(kHeaderBytes + kNonceBytes, sealed.size() - kOverheadBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error::internal("EVP_CIPHER_CTX_new failed: " + internal::drainOpensslErrors());
  std::string plaintext(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  if (EVP_DecryptInit_ex2(ctx.get(), aes256Gcm(), key->enc.data(), nonce, nullptr) != 1 ||
      !addAad(ctx.get(), sealed.substr(0, kHeaderBytes), false) ||
      !addAad(ctx.get(), associated_data, false) || !transform(ctx.get(), ciphertext, out, false) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1) {
    internal::wipe(plaintext);
    return Error::internal("AES-256-GCM decryption failed: " + internal::drainOpensslErrors());
  }
  int final_length = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out + plaintext.size(), &final_length) != 1) {
    // Unauthenticated output must not escape, not even in freed memory.
    internal::wipe(plaintext);
    ERR_clear_error();
    return Error::corrupt(
        "sealed value failed authentication: it was altered, or it belongs to another record "
        "(associated data differs from sealing time)");
  }
  return plaintext;
}

Result<uint8_t> PiiCipher::keyIdOf(std::string_view sealed) {
  if (sealed.size() < kOverheadBytes) {
    return Error::corrupt("sealed value is " + std::to_string(sealed.size()) +
                          " bytes, too short to have a header");
  }
  return static_cast<uint8_t>(sealed[1]);
}

}  // namespace kaiban::crypto
