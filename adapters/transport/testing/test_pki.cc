#include "adapters/transport/testing/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kaiban::transport::testing {

TestPki::TestPki() { runScript(""); }

const TestPki& TestPki::shared() {
  static const TestPki pki;
  return pki;
}

void TestPki::runScript(const std::string& arguments) const {
  const std::filesystem::path script = kaiban::testing::repoFile("certs/make-dev-pki.sh");
  const std::filesystem::path log = dir() / "make-dev-pki.log";
  const std::string command = "bash '" + script.string() + "' --out '" + dir().string() + "' " +
                              arguments + " >'" + log.string() + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream in(log);
    std::ostringstream output;
    output << in.rdbuf();
    throw std::runtime_error("certs/make-dev-pki.sh " + arguments + " failed:\n" + output.str());
  }
}

TlsFiles TestPki::server(bool with_crl) const {
  TlsFiles files{.ca = file("ca.crt"),
                 .certificate = file("orchestrator/server.crt"),
                 .private_key = file("orchestrator/server.key"),
                 .crl = std::nullopt};
  if (with_crl) files.crl = file("ca.crl");
  return files;
}

TlsFiles TestPki::kiosk(std::string_view id) const {
  const std::filesystem::path directory = dir() / "kiosks" / id;
  return TlsFiles{.ca = file("ca.crt"),
                  .certificate = directory / "client.crt",
                  .private_key = directory / "client.key",
                  .crl = std::nullopt};
}

TlsFiles TestPki::stranger() const {
  return TlsFiles{.ca = file("ca.crt"),
                  .certificate = file("test/stranger/client.crt"),
                  .private_key = file("test/stranger/client.key"),
                  .crl = std::nullopt};
}

TlsFiles TestPki::anonymous() const {
  return TlsFiles{.ca = file("ca.crt"), .certificate = {}, .private_key = {}, .crl = std::nullopt};
}

void TestPki::revokeKiosk(std::string_view id) const {
  runScript("--revoke-kiosk '" + std::string(id) + "'");
}

}  // namespace kaiban::transport::testing
