#include "adapters/transport/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <climits>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "Poco/Exception.h"
#include "Poco/Logger.h"

namespace kaiban::transport {
namespace {

constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";
constexpr const char* kSessionIdContext = "kaiban";
constexpr std::size_t kSessionCacheSize = 20480;
constexpr int kVerifyDepth = 4;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct CrlFree {
  void operator()(X509_CRL* crl) const { X509_CRL_free(crl); }
};
struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// Everything OpenSSL queued on this thread, oldest first; empties the queue so a later
// failure does not report a stale reason.
std::string openSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? std::string("no reason given by OpenSSL") : text;
}

[[noreturn]] void configError(const std::string& message) {
  throw std::runtime_error("TLS configuration: " + message);
}

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

Result<void> checkReadableFile(const std::filesystem::path& path, const std::string& role) {
  if (path.empty()) return Error::invalidInput(role + " file is not configured");
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return Error::invalidInput(role + " file " + quoted(path) + " does not exist");
  }
  if (!std::filesystem::is_regular_file(path, error)) {
    return Error::invalidInput(role + " file " + quoted(path) + " is not a regular file");
  }
  return ok();
}

void requireReadableFile(const std::filesystem::path& path, const std::string& role) {
  if (auto checked = checkReadableFile(path, role); !checked) configError(checked.error().message);
}

BioPtr openForReading(const std::filesystem::path& path) {
  ERR_clear_error();
  return BioPtr(BIO_new_file(path.c_str(), "r"));
}

Result<std::vector<X509Ptr>> readCertificates(const std::filesystem::path& path) {
  BioPtr bio = openForReading(path);
  if (!bio) return Error::invalidInput("cannot open " + quoted(path) + ": " + openSslErrors());
  std::vector<X509Ptr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  // Reading past the last certificate leaves a "no start line" error; only a file without
  // any certificate is an error.
  ERR_clear_error();
  if (certificates.empty()) {
    return Error::invalidInput(quoted(path) + " holds no PEM certificate");
  }
  return certificates;
}

Result<CrlPtr> readCrl(const std::filesystem::path& path) {
  if (auto checked = checkReadableFile(path, "CRL"); !checked) return checked.error();
  BioPtr bio = openForReading(path);
  if (!bio) return Error::invalidInput("cannot open CRL " + quoted(path) + ": " + openSslErrors());
  CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) {
    return Error::invalidInput("CRL " + quoted(path) + " is not a PEM CRL: " + openSslErrors());
  }
  return crl;
}

// A CRL that is not from our CA, or out of date, would make every handshake fail (OpenSSL
// rejects all peers when the CRL is expired), so it is refused before it is installed.
Result<void> checkCrl(X509_CRL* crl, STACK_OF(X509) * trusted, const std::filesystem::path& path) {
  bool signed_by_trusted_ca = false;
  for (int i = 0; i < sk_X509_num(trusted) && !signed_by_trusted_ca; ++i) {
    X509* ca = sk_X509_value(trusted, i);
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0) continue;
    signed_by_trusted_ca = X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1;
  }
  ERR_clear_error();
  if (!signed_by_trusted_ca) {
    return Error::invalidInput("CRL " + quoted(path) + " is not signed by a trusted CA");
  }
  if (X509_cmp_current_time(X509_CRL_get0_lastUpdate(crl)) > 0) {
    return Error::invalidInput("CRL " + quoted(path) + " is not valid yet (lastUpdate)");
  }
  const ASN1_TIME* next_update = X509_CRL_get0_nextUpdate(crl);
  if (next_update != nullptr && X509_cmp_current_time(next_update) < 0) {
    return Error::invalidInput("CRL " + quoted(path) +
                               " has expired (nextUpdate has passed): issue a fresh one");
  }
  return ok();
}

// Swaps the CRLs inside the live store rather than installing a new store: OpenSSL does not
// reference-count the store of a handshake in progress, so replacing it could free it under
// that handshake. CRL lookups take the store lock and up-reference what they find, so
// editing the object list under the same lock is safe with verifications in flight.
void installCrl(X509_STORE* store, X509_CRL* crl) {
  X509_OBJECT* object = X509_OBJECT_new();
  if (object == nullptr || X509_OBJECT_set1_X509_CRL(object, crl) != 1) {
    X509_OBJECT_free(object);
    throw std::bad_alloc();
  }
  X509_STORE_lock(store);
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = sk_X509_OBJECT_num(objects) - 1; i >= 0; --i) {
    X509_OBJECT* existing = sk_X509_OBJECT_value(objects, i);
    if (X509_OBJECT_get_type(existing) == X509_LU_CRL) {
      sk_X509_OBJECT_delete(objects, i);
      X509_OBJECT_free(existing);
    }
  }
  sk_X509_OBJECT_push(objects, object);
  sk_X509_OBJECT_sort(objects);
  X509_STORE_unlock(store);
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
}

std::string subjectOf(X509* certificate) {
  if (certificate == nullptr) return "(none)";
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// OpenSSL's own verdict decides (we return it unchanged); POCO's callback is replaced because
// it consults process-wide SSLManager handlers that other code could set to accept anything.
// Rejections are logged for the operator: the peer only sees a TLS alert.
int verifyAndLog(int preverify_ok, X509_STORE_CTX* store_context) {
  if (preverify_ok != 1) {
    int error = X509_STORE_CTX_get_error(store_context);
    Poco::Logger::get("transport.tls")
        .warning("peer certificate rejected: %s (subject %s, chain depth %d)",
                 std::string(X509_verify_cert_error_string(error)),
                 subjectOf(X509_STORE_CTX_get_current_cert(store_context)),
                 X509_STORE_CTX_get_error_depth(store_context));
  }
  return preverify_ok;
}

// An encrypted key must fail with a clear error rather than prompt on a terminal.
int refusePassphrase(char*, int, int, void*) { return 0; }

Poco::Net::Context::Ptr newContext(Poco::Net::Context::Usage usage, int verify_mode) {
  Poco::Net::Context::Params params;  // no CA, no key: loaded below with precise errors
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  params.loadDefaultCAs = false;
  params.cipherList = std::string(kTls12Ciphers);
  params.ecdhCurve = kGroups;
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(usage, params);
  } catch (const Poco::Exception& error) {
    configError("cannot create a TLS context: " + error.displayText());
  }
  SSL_CTX* ssl = context->sslContext();
  // The minimum version covers SSLv3, TLS 1.0 and 1.1 whatever POCO's usage enum implies.
  if (SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ssl, 0) != 1 ||
      SSL_CTX_set_ciphersuites(ssl, kTls13Suites) != 1) {
    configError("cannot restrict protocol versions and suites: " + openSslErrors());
  }
  SSL_CTX_set_options(ssl, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_verify(ssl, verify_mode, &verifyAndLog);
  SSL_CTX_set_verify_depth(ssl, kVerifyDepth);
  SSL_CTX_set_default_passwd_cb(ssl, &refusePassphrase);
  // POCO's post-handshake host name check is replaced by HttpsClient's (see there).
  context->enableExtendedCertificateVerification(false);
  return context;
}

void useCertificate(SSL_CTX* ssl, const TlsFiles& files) {
  requireReadableFile(files.certificate, "certificate");
  requireReadableFile(files.private_key, "private key");
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ssl, files.certificate.c_str()) != 1) {
    configError("cannot load certificate " + quoted(files.certificate) + ": " + openSslErrors());
  }
  // Read apart from installing it, so that an unreadable key and a key of another
  // certificate get different messages.
  BioPtr bio = openForReading(files.private_key);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, &refusePassphrase, nullptr) : nullptr,
      EVP_PKEY_free);
  if (!key) {
    configError("cannot load private key " + quoted(files.private_key) +
                " (it must be PEM and unencrypted): " + openSslErrors());
  }
  if (SSL_CTX_use_PrivateKey(ssl, key.get()) != 1 || SSL_CTX_check_private_key(ssl) != 1) {
    configError("private key " + quoted(files.private_key) + " does not match certificate " +
                quoted(files.certificate) + ": " + openSslErrors());
  }
}

void trustOnly(SSL_CTX* ssl, const std::filesystem::path& ca, bool announce_to_clients) {
  requireReadableFile(ca, "CA certificate");
  auto certificates = readCertificates(ca);
  if (!certificates) configError("CA certificate " + certificates.error().message);
  X509_STORE* store = SSL_CTX_get_cert_store(ssl);
  for (const X509Ptr& certificate : *certificates) {
    if (X509_STORE_add_cert(store, certificate.get()) != 1) {
      configError("cannot trust CA certificate from " + quoted(ca) + ": " + openSslErrors());
    }
    // Tells clients which CA to pick a certificate for.
    if (announce_to_clients && SSL_CTX_add_client_CA(ssl, certificate.get()) != 1) {
      configError("cannot announce CA " + quoted(ca) + ": " + openSslErrors());
    }
  }
}

void loadInitialCrl(SSL_CTX* ssl, const std::optional<std::filesystem::path>& crl_file) {
  if (!crl_file) return;
  auto crl = readCrl(*crl_file);
  if (!crl) configError(crl.error().message);
  X509_STORE* store = SSL_CTX_get_cert_store(ssl);
  X509StackPtr trusted(X509_STORE_get1_all_certs(store));
  if (auto checked = checkCrl(crl->get(), trusted.get(), *crl_file); !checked) {
    configError(checked.error().message);
  }
  installCrl(store, crl->get());
}

}  // namespace

Poco::Net::Context::Ptr makeServerContext(const TlsFiles& files, ClientCertificates mode) {
  const bool mutual = mode == ClientCertificates::kRequired;
  Poco::Net::Context::Ptr context =
      newContext(Poco::Net::Context::TLS_SERVER_USE,
                 mutual ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE);
  SSL_CTX* ssl = context->sslContext();
  useCertificate(ssl, files);
  if (mutual || !files.ca.empty()) trustOnly(ssl, files.ca, mutual);
  if (mutual) loadInitialCrl(ssl, files.crl);

  // Stateful sessions (tickets off, which in TLS 1.3 makes the server keep the session and
  // send its id as the ticket) live in this context's cache, so reloadCrl() can drop them:
  // a stateless ticket would let a revoked client resume until the ticket key rotates.
  context->enableSessionCache(true, kSessionIdContext);
  context->setSessionCacheSize(kSessionCacheSize);
  context->setSessionTimeout(kSessionTimeoutSeconds);
  context->disableStatelessSessionResumption();
  SSL_CTX_set_num_tickets(ssl, 1);
  return context;
}

Poco::Net::Context::Ptr makeClientContext(const TlsFiles& files) {
  Poco::Net::Context::Ptr context = newContext(Poco::Net::Context::TLS_CLIENT_USE, SSL_VERIFY_PEER);
  SSL_CTX* ssl = context->sslContext();
  if (files.certificate.empty() != files.private_key.empty()) {
    configError("a client certificate needs both its certificate and its private key file");
  }
  if (!files.certificate.empty()) useCertificate(ssl, files);
  trustOnly(ssl, files.ca, /*announce_to_clients=*/false);
  loadInitialCrl(ssl, files.crl);
  context->enableSessionCache(true);
  return context;
}

Result<void> reloadCrl(Poco::Net::Context& context, const std::filesystem::path& crl_file) {
  auto crl = readCrl(crl_file);
  if (!crl) return crl.error();
  SSL_CTX* ssl = context.sslContext();
  X509_STORE* store = SSL_CTX_get_cert_store(ssl);
  X509StackPtr trusted(X509_STORE_get1_all_certs(store));
  if (auto checked = checkCrl(crl->get(), trusted.get(), crl_file); !checked) return checked;
  installCrl(store, crl->get());
  // Every cached session was verified against the old list.
  SSL_CTX_flush_sessions(ssl, LONG_MAX);
  Poco::Logger::get("transport.tls").information("CRL reloaded from %s", crl_file.string());
  return ok();
}

}  // namespace kaiban::transport
