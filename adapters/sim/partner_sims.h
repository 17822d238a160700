#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/partner_codec/partner_codec.h"
#include "adapters/sim/partner_sim.h"
#include "adapters/sim/people_dataset.h"

// The six simulated partner systems. Each decodes and encodes with the partner's own codec
// (adapters/<partner>/), loaded from `schema_dir`; each factory throws std::runtime_error
// naming the schema when it cannot be loaded (a start-up configuration error).
namespace kaiban::sim {

// Market-regulation registry: name-check (synchronous) and registration. Refuses at once
// (422 NAME_PROHIBITED) a name holding a prohibited word; a name already registered is
// accepted and then rejected in the result (NAME_TAKEN), as the registry's review finds it.
// Otherwise issues a USCC (authority 9, type 1, the division of the registered address) and
// an e-licence reference, and takes the name for good. Effect: "uscc_issued".
std::unique_ptr<PartnerSim> makeRegistrySim(const std::filesystem::path& schema_dir);

// Seal system: engraving orders. Refuses an invalid USCC at once (422 INVALID_USCC); rejects
// in the result an enterprise whose seals are filed already (ALREADY_FILED). Otherwise files
// one 13-digit code per seal ordered. Effect: "seals_filed".
std::unique_ptr<PartnerSim> makeSealSim(const std::filesystem::path& schema_dir);

// Bank (ISO 20022, official schemas in <schema_dir>/iso20022): account opening. Refuses an
// invalid USCC at once (422 acmt.011 INVALID_USCC); rejects in the result an enterprise that
// has a basic account already (DUPLICATE_ACCOUNT). Otherwise opens a basic deposit account
// with a 19-digit Luhn-checked number. Effect: "account_opened". `clock` (which must
// outlive the sim) stamps the error documents.
std::unique_ptr<PartnerSim> makeBankSim(const std::filesystem::path& schema_dir,
                                        const Clock& clock);

// Tax bureau: taxpayer registration and the payment agreement. Registration refuses an
// invalid USCC at once (INVALID_USCC), rejects an existing taxpayer (ALREADY_REGISTERED) and
// a general taxpayer without a finance officer (FINANCE_OFFICER_REQUIRED); otherwise the
// taxpayer id is the USCC. The agreement is rejected when the taxpayer is unknown
// (TAXPAYER_UNKNOWN), the account number was never opened by the simulated bank
// (ACCOUNT_NOT_FOUND) or belongs to someone else (ACCOUNT_MISMATCH). Effects:
// "taxpayer_registered", "agreement_signed".
std::unique_ptr<PartnerSim> makeTaxSim(const std::filesystem::path& schema_dir);

// People-data platform: person lookup (synchronous) in `people`, which must outlive the sim.
std::unique_ptr<PartnerSim> makePeopleSim(const std::filesystem::path& schema_dir,
                                          const PeopleRegister& people);

// SMS gateway: notifications (synchronous, deduplicated). Effect: "sms_sent".
std::unique_ptr<PartnerSim> makeSmsSim(const std::filesystem::path& schema_dir);

// All six, in kPartners order.
std::vector<std::unique_ptr<PartnerSim>> makePartnerSims(const std::filesystem::path& schema_dir,
                                                         const PeopleRegister& people,
                                                         const Clock& clock);

// Helpers the partner sims share.

// At most `max_code_points` code points of UTF-8 `text`, cut at a character boundary.
std::string truncateUtf8(std::string_view text, size_t max_code_points);

// The Error document of a PartnerCodec partner; the reason is cut to the schema's 500
// characters.
std::string errorDocumentOf(const adapters::PartnerCodec& codec, std::string_view message_id,
                            std::string_view reason);

// The value of a Result the partner's own encoder produced from data the simulator made;
// a failure there is a bug in the simulator or the codec: kInternal naming `what`.
template <class T>
Result<T> encoded(Result<T> result, std::string_view what) {
  if (result.ok()) return result;
  return Error::internal("cannot encode " + std::string(what) + ": " + result.error().message);
}

// Throws std::runtime_error("cannot load the <partner> schema: ...") for a failed load.
template <class Codec>
Codec loadedOrThrow(Result<Codec> codec, std::string_view partner) {
  if (!codec.ok()) {
    throw std::runtime_error("cannot load the " + std::string(partner) +
                             " schema: " + codec.error().message);
  }
  return std::move(codec).value();
}

}  // namespace kaiban::sim
