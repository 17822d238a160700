// Mutual TLS over real loopback connections: who gets in, who is refused, and CRL reloads.
#include "adapters/transport/tls.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "adapters/transport/https_client.h"
#include "adapters/transport/testing/echo_fixture.h"
#include "adapters/transport/testing/test_pki.h"

namespace kaiban::transport {
namespace {

using testing::EchoServer;
using testing::TestPki;

const TestPki& pki() { return TestPki::shared(); }

std::string header(const Response& response, const std::string& name) {
  auto found = response.headers.find(name);
  return found == response.headers.end() ? std::string("<absent>") : found->second;
}

// One request from a client with `client_context` to `server`; the result of a full exchange,
// since under TLS 1.3 a refused client certificate only shows at the first read.
Result<Response> call(const EchoServer& server, Poco::Net::Context::Ptr client_context,
                      ClientOptions options = {}) {
  SystemClock clock;
  HttpsClient client(server.endpoint(), std::move(client_context), options, clock);
  return client.post("/echo", "hello", "text/plain");
}

void expectRefused(const Result<Response>& result, const std::string& reason_part) {
  ASSERT_FALSE(result.ok()) << "status " << result->status << ", peer "
                            << header(*result, "X-Peer-CN");
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable) << result.error();
  EXPECT_NE(result.error().message.find(reason_part), std::string::npos) << result.error();
}

TEST(MutualTlsTest, KioskWithValidCertificateGetsInAndIsIdentified) {
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  auto result = call(server, makeClientContext(pki().kiosk("QD-SN-0001")));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "hello");
  EXPECT_EQ(header(*result, "X-Peer-CN"), "QD-SN-0001");
  EXPECT_EQ(header(*result, "X-Peer-O"), "BOCQD");
  EXPECT_EQ(header(*result, "X-Peer-OU"), "kiosk");
  EXPECT_EQ(header(*result, "X-Peer-Error"), "<absent>");
}

TEST(MutualTlsTest, OrchestratorClientCertificateIsIdentified) {
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  auto result =
      call(server, makeClientContext(TlsFiles{.ca = pki().file("ca.crt"),
                                              .certificate = pki().file("orchestrator/client.crt"),
                                              .private_key = pki().file("orchestrator/client.key"),
                                              .crl = std::nullopt}));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(header(*result, "X-Peer-CN"), "kaiban-orchestrator");
  EXPECT_EQ(header(*result, "X-Peer-O"), "Kaiban");
  EXPECT_EQ(header(*result, "X-Peer-OU"), "orchestrator");
}

TEST(MutualTlsTest, ClientWithoutCertificateIsRefusedAtItsFirstRequest) {
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  // TLS 1.3: the client's handshake completes; the server's alert arrives on the first read.
  expectRefused(call(server, makeClientContext(pki().anonymous())), "certificate required");
  EXPECT_EQ(server.factory().requests(), 0);
}

TEST(MutualTlsTest, ClientWithoutCertificateIsRefusedUnderTls12Too) {
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  Poco::Net::Context::Ptr context = makeClientContext(pki().anonymous());
  ASSERT_EQ(SSL_CTX_set_max_proto_version(context->sslContext(), TLS1_2_VERSION), 1);
  expectRefused(call(server, context), "alert handshake failure");
  EXPECT_EQ(server.factory().requests(), 0);
}

TEST(MutualTlsTest, CertificateFromAnotherCaIsRefusedThoughItsNameMatchesAKiosk) {
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  expectRefused(call(server, makeClientContext(pki().stranger())), "unknown ca");
  EXPECT_EQ(server.factory().requests(), 0);
}

TEST(MutualTlsTest, ServerFromAnotherCaIsRefusedByTheClient) {
  // The client pins the dev CA: a server certificate from the other CA fails verification.
  TlsFiles impostor{.ca = pki().file("ca.crt"),
                    .certificate = pki().file("test/stranger/client.crt"),
                    .private_key = pki().file("test/stranger/client.key"),
                    .crl = std::nullopt};
  EchoServer server(makeServerContext(impostor, ClientCertificates::kRequired));
  expectRefused(call(server, makeClientContext(pki().kiosk("QD-SN-0001"))),
                "certificate verify failed");
}

TEST(MutualTlsTest, ServerCertificateMustNameTheHostDialled) {
  ServerOptions options;
  options.bind_host = "127.0.0.2";  // loopback too, but not in the certificate's SAN
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired), options);
  SystemClock clock;
  HttpsClient client(Endpoint{.host = "127.0.0.2", .port = server.server().port(), .name = "x"},
                     makeClientContext(pki().kiosk("QD-SN-0001")), {}, clock);
  expectRefused(client.get("/"), "is not issued for '127.0.0.2'");
  EXPECT_EQ(server.factory().requests(), 0);

  // A DNS name in the SAN works too (POCO resolves localhost to 127.0.0.1 first).
  EchoServer local(makeServerContext(pki().server(), ClientCertificates::kRequired));
  HttpsClient named(Endpoint{.host = "localhost", .port = local.server().port(), .name = {}},
                    makeClientContext(pki().kiosk("QD-SN-0001")), {}, clock);
  auto result = named.get("/");
  EXPECT_TRUE(result.ok()) << result.error();
}

TEST(MutualTlsTest, RevokedKioskIsRefusedAndOthersStillGetIn) {
  EchoServer server(
      makeServerContext(pki().server(/*with_crl=*/true), ClientCertificates::kRequired));
  expectRefused(call(server, makeClientContext(pki().kiosk("QD-SN-9999"))), "revoked");
  auto allowed = call(server, makeClientContext(pki().kiosk("QD-SN-0001")));
  ASSERT_TRUE(allowed.ok()) << allowed.error();
  EXPECT_EQ(server.factory().requests(), 1);
}

TEST(MutualTlsTest, ServerWithoutClientCertificatesHasNoPeerIdentity) {
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kNone));
  auto result = call(server, makeClientContext(pki().anonymous()));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(header(*result, "X-Peer-CN"), "<absent>");
  EXPECT_EQ(header(*result, "X-Peer-Error"), "the client presented no certificate");
}

TEST(ProtocolTest, Tls11ClientIsRefused) {
  // A client that can only speak TLS 1.1 (security level 0 lets OpenSSL 3 do it at all).
  auto tls11_client = [] {
    Poco::Net::Context::Ptr context = makeClientContext(pki().kiosk("QD-SN-0001"));
    SSL_CTX* ssl = context->sslContext();
    SSL_CTX_set_security_level(ssl, 0);
    EXPECT_EQ(SSL_CTX_set_min_proto_version(ssl, TLS1_1_VERSION), 1);
    EXPECT_EQ(SSL_CTX_set_max_proto_version(ssl, TLS1_1_VERSION), 1);
    EXPECT_EQ(SSL_CTX_set_cipher_list(ssl, "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"), 1);
    return context;
  };
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  expectRefused(call(server, tls11_client()), "alert protocol version");

  // Control: the same client gets through to a server loosened to allow TLS 1.1, so the
  // refusal above comes from our server's profile.
  Poco::Net::Context::Ptr loose = makeServerContext(pki().server(), ClientCertificates::kRequired);
  SSL_CTX_set_security_level(loose->sslContext(), 0);
  SSL_CTX_set_min_proto_version(loose->sslContext(), TLS1_1_VERSION);
  ASSERT_EQ(SSL_CTX_set_cipher_list(loose->sslContext(), "ALL:@SECLEVEL=0"), 1);
  EchoServer loose_server(loose);
  auto control = call(loose_server, tls11_client());
  ASSERT_TRUE(control.ok()) << control.error();
}

TEST(ProtocolTest, NonAeadCipherIsRefusedUnderTls12) {
  auto cbc_client = [] {
    Poco::Net::Context::Ptr context = makeClientContext(pki().kiosk("QD-SN-0001"));
    EXPECT_EQ(SSL_CTX_set_max_proto_version(context->sslContext(), TLS1_2_VERSION), 1);
    EXPECT_EQ(SSL_CTX_set_cipher_list(context->sslContext(), "ECDHE-ECDSA-AES128-SHA256"), 1);
    return context;
  };
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  expectRefused(call(server, cbc_client()), "alert handshake failure");

  // Control: a server with OpenSSL's default TLS 1.2 list accepts that client.
  Poco::Net::Context::Ptr loose = makeServerContext(pki().server(), ClientCertificates::kRequired);
  ASSERT_EQ(SSL_CTX_set_cipher_list(loose->sslContext(), "DEFAULT"), 1);
  EchoServer loose_server(loose);
  auto control = call(loose_server, cbc_client());
  ASSERT_TRUE(control.ok()) << control.error();
}

TEST(ProtocolTest, Tls12ClientWithAeadCipherGetsIn) {
  Poco::Net::Context::Ptr context = makeClientContext(pki().kiosk("QD-SN-0001"));
  ASSERT_EQ(SSL_CTX_set_max_proto_version(context->sslContext(), TLS1_2_VERSION), 1);
  EchoServer server(makeServerContext(pki().server(), ClientCertificates::kRequired));
  auto result = call(server, context);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(header(*result, "X-Peer-CN"), "QD-SN-0001");
}

TEST(ContextConfigurationTest, BadFilesAreStartUpErrorsNamingTheFile) {
  auto message_of = [](auto make) -> std::string {
    try {
      make();
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return "no exception";
  };
  TlsFiles missing = pki().server();
  missing.certificate = pki().file("orchestrator/nope.crt");
  EXPECT_NE(message_of([&] {
              makeServerContext(missing, ClientCertificates::kRequired);
            }).find("orchestrator/nope.crt' does not exist"),
            std::string::npos);

  TlsFiles mismatched = pki().server();
  mismatched.private_key = pki().file("orchestrator/client.key");
  EXPECT_NE(message_of([&] {
              makeServerContext(mismatched, ClientCertificates::kRequired);
            }).find("does not match certificate"),
            std::string::npos);

  TlsFiles foreign_crl = pki().server();
  foreign_crl.ca = pki().file("test/other-ca.crt");  // ca.crl is not from this CA
  EXPECT_NE(message_of([&] {
              makeServerContext(foreign_crl, ClientCertificates::kRequired);
            }).find("is not signed by a trusted CA"),
            std::string::npos);

  TlsFiles half_client = pki().kiosk("QD-SN-0001");
  half_client.private_key.clear();
  EXPECT_NE(message_of([&] { makeClientContext(half_client); }).find("both"), std::string::npos);
}

// Writes a CRL signed with `key_file` for the CA in `ca_file`, valid from now for
// `valid_days` (negative: already expired), revoking nothing.
void writeCrl(const std::filesystem::path& out, const std::filesystem::path& ca_file,
              const std::filesystem::path& key_file, int valid_days) {
  auto read_pem = [](const std::filesystem::path& path, auto reader) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
    if (!bio) throw std::runtime_error("cannot read " + path.string());
    return reader(bio.get(), nullptr, nullptr, nullptr);
  };
  X509* ca = read_pem(ca_file, PEM_read_bio_X509);
  EVP_PKEY* key = read_pem(key_file, PEM_read_bio_PrivateKey);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(key, nullptr);
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
  ASN1_TIME* last = ASN1_TIME_adj(nullptr, time(nullptr), std::min(valid_days, 0) - 1, 0);
  ASN1_TIME* next = ASN1_TIME_adj(nullptr, time(nullptr), valid_days, 0);
  X509_CRL_set1_lastUpdate(crl, last);
  X509_CRL_set1_nextUpdate(crl, next);
  ASSERT_GT(X509_CRL_sign(crl, key, EVP_sha256()), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(out.c_str(), "w"), BIO_free);
  PEM_write_bio_X509_CRL(bio.get(), crl);
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  X509_CRL_free(crl);
  EVP_PKEY_free(key);
  X509_free(ca);
}

TEST(CrlReloadTest, RevocationTakesEffectWithoutRestart) {
  Poco::Net::Context::Ptr context =
      makeServerContext(pki().server(/*with_crl=*/false), ClientCertificates::kRequired);
  EchoServer server(context);
  auto before = call(server, makeClientContext(pki().kiosk("QD-SN-9999")));
  ASSERT_TRUE(before.ok()) << "without a CRL the kiosk is still trusted: " << before.error();

  ASSERT_TRUE(reloadCrl(*context, pki().file("ca.crl")).ok());
  expectRefused(call(server, makeClientContext(pki().kiosk("QD-SN-9999"))), "revoked");
  auto other = call(server, makeClientContext(pki().kiosk("QD-SN-0001")));
  EXPECT_TRUE(other.ok()) << other.error();

  // And back: a CRL that lists nobody readmits the kiosk, still without a restart.
  kaiban::testing::TempDir scratch;
  writeCrl(scratch.path() / "empty.crl", pki().file("ca.crt"), pki().file("ca/ca.key"), 30);
  ASSERT_TRUE(reloadCrl(*context, scratch.path() / "empty.crl").ok());
  auto readmitted = call(server, makeClientContext(pki().kiosk("QD-SN-9999")));
  EXPECT_TRUE(readmitted.ok()) << readmitted.error();
}

TEST(CrlReloadTest, NewlyRevokedKioskCannotResumeItsTlsSession) {
  TestPki private_pki;  // this test revokes a kiosk
  Poco::Net::Context::Ptr context =
      makeServerContext(private_pki.server(/*with_crl=*/true), ClientCertificates::kRequired);
  ServerOptions options;
  options.max_keep_alive_requests = 1;  // every request on a new, resumed connection
  EchoServer server(context, options);
  SystemClock clock;
  HttpsClient client(server.endpoint(), makeClientContext(private_pki.kiosk("QD-SN-0002")), {},
                     clock);
  ASSERT_TRUE(client.get("/").ok());
  auto resumed = client.get("/");
  ASSERT_TRUE(resumed.ok()) << resumed.error();
  ASSERT_EQ(header(*resumed, "X-Tls-Resumed"), "1");

  private_pki.revokeKiosk("QD-SN-0002");
  ASSERT_TRUE(reloadCrl(*context, private_pki.file("ca.crl")).ok());
  expectRefused(client.get("/"), "revoked");
}

TEST(CrlReloadTest, BadCrlIsRefusedAndTheCurrentOneStays) {
  Poco::Net::Context::Ptr context =
      makeServerContext(pki().server(/*with_crl=*/true), ClientCertificates::kRequired);
  EchoServer server(context);
  kaiban::testing::TempDir scratch;

  std::ofstream(scratch.path() / "garbage.crl") << "not a CRL\n";
  auto garbage = reloadCrl(*context, scratch.path() / "garbage.crl");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(garbage.error().message.find("is not a PEM CRL"), std::string::npos);

  auto missing = reloadCrl(*context, scratch.path() / "missing.crl");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);

  writeCrl(scratch.path() / "foreign.crl", pki().file("test/other-ca.crt"),
           pki().file("test/other-ca.key"), 30);
  auto foreign = reloadCrl(*context, scratch.path() / "foreign.crl");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("not signed by a trusted CA"), std::string::npos);

  writeCrl(scratch.path() / "expired.crl", pki().file("ca.crt"), pki().file("ca/ca.key"), -1);
  auto expired = reloadCrl(*context, scratch.path() / "expired.crl");
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("has expired"), std::string::npos);

  expectRefused(call(server, makeClientContext(pki().kiosk("QD-SN-9999"))), "revoked");
  EXPECT_TRUE(call(server, makeClientContext(pki().kiosk("QD-SN-0001"))).ok());
}

}  // namespace
}  // namespace kaiban::transport
