#pragma once

// Internal to kaiban_crypto: OpenSSL ownership and error translation shared by its .cc files.
// Not part of the library's contract; other components must not include it.

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <string>
#include <string_view>

namespace kaiban::crypto::internal {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
struct KdfFree {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using KdfPtr = std::unique_ptr<EVP_KDF, KdfFree>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

// The queued OpenSSL errors as one line ("error:...; error:..."), clearing the queue, or
// "no OpenSSL error queued" when empty.
std::string drainOpensslErrors();

// Throws std::runtime_error("<what>: <OpenSSL errors>"). For failures that cannot happen with
// valid inputs (allocation, a missing built-in algorithm): a broken host or a bug.
[[noreturn]] void throwOpensslFailure(std::string_view what);

inline const unsigned char* asBytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// Zeroes `text` in place (OPENSSL_cleanse) and empties it: for buffers that held secrets.
void wipe(std::string& text);

}  // namespace kaiban::crypto::internal
