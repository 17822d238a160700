#pragma once

#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "adapters/sim/control_service.h"
#include "adapters/sim/partner_service.h"

// POCO adapters: each listener's factory hands every request to the service behind it. The
// services hold the behaviour; these only move bytes and headers.
namespace kaiban::sim {

// For one partner's HTTPS listener. `service` must outlive the factory.
class PartnerHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit PartnerHandlerFactory(PartnerService& service) : service_(service) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  PartnerService& service_;
};

// For the plain-HTTP control listener. `service` must outlive the factory.
class ControlHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ControlHandlerFactory(ControlService& service) : service_(service) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  ControlService& service_;
};

}  // namespace kaiban::sim
