#include "core/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "core/crypto/encoding.h"
#include "core/crypto/openssl_util.h"

namespace kaiban::crypto {

std::string randomBytes(size_t count) {
  std::string out(count, '\0');
  // RAND_bytes takes an int length; large requests are filled in int-sized pieces.
  size_t filled = 0;
  while (filled < count) {
    const size_t piece = std::min<size_t>(count - filled, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + filled),
                   static_cast<int>(piece)) != 1) {
      internal::throwOpensslFailure("RAND_bytes failed");
    }
    filled += piece;
  }
  return out;
}

std::string randomToken(size_t bytes) {
  return toBase64(randomBytes(bytes), Base64Alphabet::kUrlNoPad);
}

std::string randomBase32Id(size_t chars) {
  constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  // 256 is a multiple of 32, so the low 5 bits of a uniform byte are uniform: no modulo bias.
  std::string id = randomBytes(chars);
  for (char& c : id) c = kCrockford[static_cast<unsigned char>(c) & 31];
  return id;
}

}  // namespace kaiban::crypto
