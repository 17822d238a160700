#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "Poco/Net/Context.h"
#include "core/result.h"

// TLS contexts for every Kaiban listener and client: Mozilla "intermediate" profile (TLS 1.2
// with ECDHE+AEAD suites, and TLS 1.3), the peer verified against a pinned CA only (never the
// system store), optional CRL checking that can be reloaded without a restart, and TLS session
// resumption.
namespace kaiban::transport {

// PEM files that configure one TLS endpoint.
struct TlsFiles {
  std::filesystem::path ca;                  // the only trust anchors for the peer's certificate
  std::filesystem::path certificate;         // our certificate (optionally followed by its chain)
  std::filesystem::path private_key;         // its unencrypted private key
  std::optional<std::filesystem::path> crl;  // revocation list issued by `ca`
};

enum class ClientCertificates {
  kRequired,  // mutual TLS: a client without a certificate valid under `ca` is refused
  kNone,      // server-authenticated only (the consoles, used from browsers)
};

// The TLS 1.2 cipher list: ECDHE key exchange with AEAD ciphers only. TLS 1.3 uses its AEAD
// suites (AES-GCM, ChaCha20-Poly1305).
inline constexpr std::string_view kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Seconds a server keeps a TLS session resumable.
inline constexpr long kSessionTimeoutSeconds = 3600;

// A server context presenting `files.certificate`. With kRequired, clients must present a
// certificate issued by `files.ca` (and, when `files.crl` is set, not revoked by it);
// `files.ca` may be empty with kNone. Sessions are cached server-side (stateful, including
// TLS 1.3 tickets) so that reloadCrl() can invalidate them all.
// Throws std::runtime_error naming the file and the reason when a file is missing, unreadable
// or inconsistent (key does not match certificate, CRL not issued by the CA or expired): a
// start-up configuration error.
Poco::Net::Context::Ptr makeServerContext(const TlsFiles& files, ClientCertificates mode);

// A client context that verifies the server against `files.ca` only, presenting
// `files.certificate` when it is set (certificate and private_key are both set or both empty).
// Session caching is on: HttpsClient resumes TLS sessions when it reconnects.
// Throws std::runtime_error on bad configuration, like makeServerContext().
Poco::Net::Context::Ptr makeClientContext(const TlsFiles& files);

// Replaces the CRL that `context` checks peers against with the one in `crl_file`, without a
// restart; enables CRL checking if the context was created without one. Handshakes already
// past certificate verification are unaffected; later ones see the new list. Cached TLS
// sessions are flushed so that a newly revoked peer cannot resume.
// Errors: kInvalidInput if the file cannot be read or parsed, is not signed by a CA the
// context trusts, or is past its nextUpdate; the current CRL then stays in force.
// Thread-safe with handshakes in flight and with concurrent reloads.
Result<void> reloadCrl(Poco::Net::Context& context, const std::filesystem::path& crl_file);

}  // namespace kaiban::transport
