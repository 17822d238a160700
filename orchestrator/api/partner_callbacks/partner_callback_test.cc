#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "Poco/JSON/Parser.h"
#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/registry/registry_adapter.h"
#include "adapters/tax/tax_adapter.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "orchestrator/api/http_common/route_handler_factory.h"
#include "orchestrator/api/partner_callbacks/partner_callback_handler.h"

// The callback route over real mutual TLS with the dev PKI, the real registry and tax
// adapters (and so the real hardened XML layer), and a fake engine behind the narrow
// PartnerCallbackServer interface that records what it was asked to apply.
namespace kaiban::orchestrator::api {
namespace {

using adapters::testing::schemaDir;
using adapters::testing::usccFor;
using transport::testing::TestPki;

const std::string kRegistryMessage = "KBAPPLICATION01-0123456789ab";
const std::string kTaxRegistrationMessage = "KBAPPLICATION01-1111111111aa";
const std::string kTaxAgreementMessage = "KBAPPLICATION01-2222222222bb";
const std::string kSealMessage = "KBAPPLICATION01-3333333333cc";
const std::string kSupersededMessage = "KBAPPLICATION01-4444444444dd";

class FakeCallbackServer final : public PartnerCallbackServer {
 public:
  struct Applied {
    adapters::StepOutcome outcome;
    std::string actor;
  };

  std::vector<const adapters::StepAdapter*> adaptersOf(std::string_view partner) const override {
    std::vector<const adapters::StepAdapter*> found;
    for (const auto& [name, adapter] : adapters) {
      if (adapter->partner() == partner) found.push_back(adapter);
    }
    return found;
  }
  const adapters::StepAdapter* adapterNamed(std::string_view name) const override {
    auto found = adapters.find(name);
    return found == adapters.end() ? nullptr : found->second;
  }
  Result<MessageRoute> routeMessage(std::string_view message_id) override {
    std::lock_guard lock(mutex_);
    if (unavailable) return Error::unavailable("database is locked");
    auto found = routes.find(message_id);
    if (found == routes.end())
      return Error::notFound("no step sent message " + std::string(message_id));
    return found->second;
  }
  Result<OutcomeDisposition> applyOutcome(const adapters::StepOutcome& outcome,
                                          std::string_view actor) override {
    std::lock_guard lock(mutex_);
    if (superseded.count(outcome.message_id) != 0) return OutcomeDisposition::kStale;
    if (routes.find(outcome.message_id) == routes.end()) {
      return Error::notFound("message " + outcome.message_id + " belongs to no application");
    }
    if (!seen_.insert(outcome.message_id).second) return OutcomeDisposition::kDuplicate;
    applied_.push_back(Applied{outcome, std::string(actor)});
    return OutcomeDisposition::kApplied;
  }

  std::vector<Applied> applied() const {
    std::lock_guard lock(mutex_);
    return applied_;
  }

  std::map<std::string, const adapters::StepAdapter*, std::less<>> adapters;
  std::map<std::string, MessageRoute, std::less<>> routes;
  std::set<std::string> superseded;
  bool unavailable = false;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> seen_;
  std::vector<Applied> applied_;
};

class PartnerCallbackTest : public ::testing::Test {
 protected:
  PartnerCallbackTest()
      : pki_(TestPki::shared()),
        registry_codec_(adapters::RegistryCodec::load(schemaDir()).value()),
        tax_codec_(adapters::TaxCodec::load(schemaDir()).value()),
        registry_(registry_codec_, link_),
        tax_registration_(tax_codec_, link_),
        tax_agreement_(tax_codec_, link_) {
    server_.adapters = {{"registry", &registry_},
                        {"tax_registration", &tax_registration_},
                        {"tax_agreement", &tax_agreement_}};
    server_.routes = {
        {kRegistryMessage, {"KBAPPLICATION01", "registration", "registry"}},
        {kTaxRegistrationMessage, {"KBAPPLICATION01", "tax_registration", "tax_registration"}},
        {kTaxAgreementMessage, {"KBAPPLICATION01", "tax_bank_agreement", "tax_agreement"}},
        // A step whose adapter is not wired here (the seal partner's).
        {kSealMessage, {"KBAPPLICATION01", "seal", "seal"}},
    };
    server_.superseded = {kSupersededMessage};
    auto routes = std::make_shared<RouteTable>();
    addPartnerCallbackRoute(*routes, server_, 4096);
    transport::ServerOptions options;
    http_ = std::make_unique<transport::HttpsServer>(
        new RouteHandlerFactory(routes, "orchestrator.api", clock_),
        transport::makeServerContext(pki_.server(), transport::ClientCertificates::kRequired),
        options);
    http_->start();
  }

  // A client presenting `certificate_dir`/client.{crt,key} (under the PKI).
  std::unique_ptr<transport::HttpsClient> clientOf(const std::string& certificate_dir) {
    transport::TlsFiles files{pki_.file("ca.crt"), pki_.file(certificate_dir + "/client.crt"),
                              pki_.file(certificate_dir + "/client.key"), std::nullopt};
    return std::make_unique<transport::HttpsClient>(
        transport::Endpoint{"127.0.0.1", http_->port(), "orchestrator"},
        transport::makeClientContext(files), transport::ClientOptions{}, clock_);
  }

  transport::Response post(const std::string& certificate_dir, const std::string& partner,
                           const std::string& body) {
    Result<transport::Response> response =
        clientOf(certificate_dir)
            ->post("/partner/v1/" + partner + "/callback", body, "application/xml");
    EXPECT_TRUE(response) << response.error();
    return response ? *response : transport::Response{};
  }

  std::string registered(const std::string& message_id) {
    adapters::RegistrationResult result{
        message_id,
        adapters::Registered{usccFor("91370202MA3C4D5E6"), "LIC-2026-000001", "2026-03-10"}};
    return registry_codec_.encode(result).value();
  }

  static std::string errorMessage(const transport::Response& response) {
    return Poco::JSON::Parser()
        .parse(response.body)
        .extract<Poco::JSON::Object::Ptr>()
        ->getObject("error")
        ->getValue<std::string>("message");
  }

  SystemClock clock_;
  const TestPki& pki_;
  adapters::RegistryCodec registry_codec_;
  adapters::TaxCodec tax_codec_;
  adapters::FakePartnerLink link_;
  adapters::RegistryAdapter registry_;
  adapters::TaxRegistrationAdapter tax_registration_;
  adapters::TaxAgreementAdapter tax_agreement_;
  FakeCallbackServer server_;
  std::unique_ptr<transport::HttpsServer> http_;
};

TEST_F(PartnerCallbackTest, AppliesAResultFromThePartnersOwnCertificate) {
  transport::Response response =
      post("partners/registry", "registry", registered(kRegistryMessage));
  EXPECT_EQ(response.status, 204) << response.body;
  ASSERT_EQ(server_.applied().size(), 1u);
  const FakeCallbackServer::Applied applied = server_.applied()[0];
  EXPECT_EQ(applied.actor, "partner:registry");
  EXPECT_EQ(applied.outcome.message_id, kRegistryMessage);
  EXPECT_EQ(applied.outcome.kind, adapters::OutcomeKind::kDone);
  EXPECT_EQ(applied.outcome.outputs.at("uscc"), usccFor("91370202MA3C4D5E6"));
}

TEST_F(PartnerCallbackTest, ADuplicateCallbackIsAcknowledgedAndChangesNothing) {
  const std::string body = registered(kRegistryMessage);
  EXPECT_EQ(post("partners/registry", "registry", body).status, 204);
  EXPECT_EQ(post("partners/registry", "registry", body).status, 204);
  EXPECT_EQ(server_.applied().size(), 1u);
}

TEST_F(PartnerCallbackTest, AResultForASupersededMessageIsAcknowledgedAndIgnored) {
  EXPECT_EQ(post("partners/registry", "registry", registered(kSupersededMessage)).status, 204);
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, RefusesAnotherPartnersCertificate) {
  transport::Response response = post("partners/seal", "registry", registered(kRegistryMessage));
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(errorMessage(response).find("'seal' may not deliver callbacks for 'registry'"),
            std::string::npos)
      << response.body;
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, RefusesAKioskCertificate) {
  transport::Response response =
      post("kiosks/QD-SN-0001", "registry", registered(kRegistryMessage));
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(errorMessage(response).find("not a partner's"), std::string::npos) << response.body;
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, RefusesAResultForAStepAnotherPartnerServes) {
  // The registry's certificate, a well-formed registry document, but the message is the seal
  // step's: one partner must not finish another's step.
  transport::Response response = post("partners/registry", "registry", registered(kSealMessage));
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_NE(errorMessage(response).find("belongs to step seal"), std::string::npos)
      << response.body;
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, RefusesAnXxeBodyWithoutReadingTheFile) {
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<RegistrationResult xmlns=\"urn:kaiban:partner:registry:1\"><MessageId>&x;</MessageId>"
      "</RegistrationResult>";
  transport::Response response = post("partners/registry", "registry", xxe);
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(errorMessage(response).find("DOCTYPE"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("root:"), std::string::npos) << response.body;
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, RefusesMalformedSchemaInvalidAndAcknowledgementBodies) {
  EXPECT_EQ(post("partners/registry", "registry", "<RegistrationResult").status, 400);
  const std::string invalid = adapters::testing::without(registered(kRegistryMessage), "Uscc");
  EXPECT_EQ(post("partners/registry", "registry", invalid).status, 400);
  const std::string ack =
      registry_codec_.encode(adapters::Acknowledgement{kRegistryMessage, "REG-1"}).value();
  transport::Response response = post("partners/registry", "registry", ack);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, RefusesABodyOverTheLimit) {
  transport::Response response =
      post("partners/registry", "registry", registered(kRegistryMessage) + std::string(5000, ' '));
  EXPECT_EQ(response.status, 413);
  EXPECT_TRUE(server_.applied().empty());
}

TEST_F(PartnerCallbackTest, UnknownPartnerAndUnknownMessageAreNotFound) {
  EXPECT_EQ(post("partners/sms", "sms", "<x/>").status, 404);
  EXPECT_EQ(
      post("partners/registry", "registry", registered("KBUNKNOWN000001-0123456789ab")).status,
      404);
}

TEST_F(PartnerCallbackTest, AStoreOutageAsksThePartnerToSendAgain) {
  server_.unavailable = true;
  EXPECT_EQ(post("partners/registry", "registry", registered(kRegistryMessage)).status, 503);
  server_.unavailable = false;
  EXPECT_EQ(post("partners/registry", "registry", registered(kRegistryMessage)).status, 204);
}

TEST_F(PartnerCallbackTest, TaxResultsReachTheStepTheyAnswer) {
  adapters::AgreementResult agreement{kTaxAgreementMessage, adapters::AgreementSigned{"AGR-0001"}};
  transport::Response response = post("partners/tax", "tax", tax_codec_.encode(agreement).value());
  EXPECT_EQ(response.status, 204) << response.body;
  ASSERT_EQ(server_.applied().size(), 1u);
  EXPECT_EQ(server_.applied()[0].actor, "partner:tax_agreement");
  EXPECT_EQ(server_.applied()[0].outcome.outputs.at("agreement_ref"), "AGR-0001");

  // An agreement document naming the registration step's message does not fit that step.
  adapters::AgreementResult misplaced{kTaxRegistrationMessage,
                                      adapters::AgreementSigned{"AGR-0002"}};
  response = post("partners/tax", "tax", tax_codec_.encode(misplaced).value());
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_NE(errorMessage(response).find("tax_registration"), std::string::npos) << response.body;
  EXPECT_EQ(server_.applied().size(), 1u);
}

}  // namespace
}  // namespace kaiban::orchestrator::api
