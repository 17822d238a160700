#include "core/crypto/openssl_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <stdexcept>

namespace kaiban::crypto::internal {

std::string drainOpensslErrors() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? std::string("no OpenSSL error queued") : text;
}

void throwOpensslFailure(std::string_view what) {
  throw std::runtime_error(std::string(what) + ": " + drainOpensslErrors());
}

void wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

}  // namespace kaiban::crypto::internal
