#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "adapters/transport/tls.h"
#include "core/result.h"

// What this machine can do at best, measured with the raw libraries and none of Kaiban's
// code around them, so each Kaiban figure can be printed as a ratio to its limit.
namespace kaiban::bench {

struct SqliteLimits {
  int row_bytes = 0;
  // One INSERT of a row_bytes row per transaction, WAL, synchronous=FULL: each is on disk
  // (fsync of the WAL) when COMMIT returns. The durable single-row commit rate.
  double durable_commits_per_s = 0;
  // The same with synchronous=NORMAL (not durable against power loss; for reference only).
  double normal_commits_per_s = 0;
  // 100 such rows per durable transaction: rows/s.
  double batched_rows_per_s = 0;
};

// Measures in a fresh database under `dir`, `each` long per figure, on one thread.
// kUnavailable if the database cannot be created or written.
Result<SqliteLimits> measureSqlite(const std::filesystem::path& dir, int row_bytes,
                                   std::chrono::milliseconds each);

struct TlsLimits {
  int threads = 0;
  // Complete mutual-TLS handshakes (client and server side both in this process, over memory
  // BIOs) followed by one small request and answer, per second over all threads.
  double full_handshakes_per_s = 0;
  // The same resuming the previous connection's session (TLS 1.3 PSK, stateful server cache).
  double resumed_handshakes_per_s = 0;
};

// Handshakes with the very contexts Kaiban builds (transport::makeServerContext with client
// certificates required and the CRL checked, transport::makeClientContext with a kiosk's
// certificate), driven by OpenSSL directly: no POCO, no sockets. `threads` pairs run at once
// for `each` per figure. kInvalidInput when a handshake fails (the OpenSSL reason).
Result<TlsLimits> measureTls(const transport::TlsFiles& server, const transport::TlsFiles& client,
                             int threads, std::chrono::milliseconds each);

// libxml2 alone: parse `document` (XML_PARSE_NONET) and validate it against the compiled
// `xsd`, on one thread, for `each`. Documents per second. kInvalidInput when the document
// does not parse or validate.
Result<double> measureXmlParseValidate(const std::filesystem::path& xsd,
                                       const std::string& document, std::chrono::milliseconds each);

}  // namespace kaiban::bench
