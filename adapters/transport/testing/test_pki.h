#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "adapters/transport/tls.h"
#include "tests/testing/test_env.h"

// A development PKI for tests, made by certs/make-dev-pki.sh (see certs/README.md for the
// layout) in a temporary directory.
namespace kaiban::transport::testing {

class TestPki {
 public:
  // Generates a fresh PKI (about 3 s). Throws std::runtime_error with the script's output if
  // the script fails.
  TestPki();

  // One PKI shared by every test of the process that does not change it (never revoke in it).
  static const TestPki& shared();

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path file(std::string_view relative) const { return dir() / relative; }

  // The orchestrator's server certificate (CN=localhost, SAN localhost/127.0.0.1), trusting the
  // dev CA, checking ca.crl when `with_crl`.
  TlsFiles server(bool with_crl = true) const;
  // Kiosk `id`'s client certificate (kiosks/<id>/client.*), trusting the dev CA.
  TlsFiles kiosk(std::string_view id) const;
  // The client certificate signed by the unrelated test CA (subject of kiosk QD-SN-0001).
  TlsFiles stranger() const;
  // A client that trusts the dev CA and has no certificate.
  TlsFiles anonymous() const;

  // Revokes kiosk `id` and rewrites ca.crl (certs/make-dev-pki.sh --revoke-kiosk).
  void revokeKiosk(std::string_view id) const;

 private:
  void runScript(const std::string& arguments) const;

  kaiban::testing::TempDir dir_;
};

}  // namespace kaiban::transport::testing
