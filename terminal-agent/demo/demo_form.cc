#include "terminal-agent/demo/demo_form.h"

#include <stdexcept>
#include <utility>

#include "core/application_json.h"

namespace kaiban::agent::demo {

namespace {

// The kiosk and bank fields are the agent's own (from its configuration), never the form's.
constexpr std::string_view kGeneratorKiosk = "DEMO";
constexpr std::string_view kGeneratorBank = "DEMO";

}  // namespace

DemoFormMaker::DemoFormMaker(std::uint64_t seed, int salt, KioskChoices choices)
    : generator_(seed, salt), choices_(std::move(choices)) {
  if (choices_.divisions.empty() || choices_.seal_shops.empty()) {
    throw std::invalid_argument("the kiosk offers no divisions or no seal shops");
  }
}

Poco::JSON::Object::Ptr DemoFormMaker::make(std::int64_t sequence) {
  // The generator also makes sole proprietorships and partnerships; the demo keeps to
  // companies, whose single shareholder may be the applicant. Each draw advances the random
  // sequence, so the same sequence number still gives a different company next time round.
  Application application = generator_.make(sequence, kGeneratorKiosk, kGeneratorBank);
  while (application.enterprise.type != EnterpriseType::kLimitedLiabilityCompany) {
    application = generator_.make(sequence, kGeneratorKiosk, kGeneratorBank);
  }
  // Spread over the kiosk's own lists rather than the generator's (a kiosk may offer fewer).
  application.enterprise.registered_address.division_code =
      choices_.divisions[static_cast<size_t>(sequence) % choices_.divisions.size()];
  application.seal.shop =
      choices_.seal_shops[static_cast<size_t>(sequence) * 7 % choices_.seal_shops.size()];
  if (application.seal.courier_address) {
    application.seal.courier_address->division_code =
        application.enterprise.registered_address.division_code;
  }

  Poco::JSON::Object::Ptr whole = toJson(application);
  Poco::JSON::Object::Ptr form = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  form->set("green_channel", application.green_channel);
  form->set("enterprise", whole->get("enterprise"));
  // The card gives the representative's name and ID number; the screen only adds a phone.
  Poco::JSON::Object::Ptr representative = new Poco::JSON::Object;
  representative->set("phone", application.legal_representative.phone);
  form->set("legal_representative", representative);
  Poco::JSON::Object::Ptr self = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  self->set("self", true);
  self->set("contribution",
            whole->getObject("enterprise")->getValue<std::string>("registered_capital"));
  Poco::JSON::Array::Ptr shareholders = new Poco::JSON::Array;
  shareholders->add(self);
  form->set("shareholders", shareholders);
  for (const char* member : {"supervisor", "finance_officer"}) {
    if (whole->has(member)) form->set(member, whole->get(member));
  }
  form->set("contact_phone", application.contact_phone);
  form->set("seal", whole->get("seal"));
  form->set("tax", whole->get("tax"));
  return form;
}

}  // namespace kaiban::agent::demo
