#include "adapters/sim/partner_sims.h"

namespace kaiban::sim {

std::vector<std::unique_ptr<PartnerSim>> makePartnerSims(const std::filesystem::path& schema_dir,
                                                         const PeopleRegister& people,
                                                         const Clock& clock) {
  std::vector<std::unique_ptr<PartnerSim>> sims;
  sims.push_back(makeRegistrySim(schema_dir));
  sims.push_back(makeSealSim(schema_dir));
  sims.push_back(makeBankSim(schema_dir, clock));
  sims.push_back(makeTaxSim(schema_dir));
  sims.push_back(makePeopleSim(schema_dir, people));
  sims.push_back(makeSmsSim(schema_dir));
  return sims;
}

std::string truncateUtf8(std::string_view text, size_t max_code_points) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // A code point starts at every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (count == max_code_points) return std::string(text.substr(0, i));
      ++count;
    }
  }
  return std::string(text);
}

std::string errorDocumentOf(const adapters::PartnerCodec& codec, std::string_view message_id,
                            std::string_view reason) {
  Result<std::string> document =
      codec.encode(adapters::ErrorReport{std::string(message_id), truncateUtf8(reason, 500)});
  if (document.ok()) return *document;
  // The reason itself could not be written (e.g. it quotes a character XML forbids).
  return codec
      .encode(adapters::ErrorReport{std::string(message_id),
                                    "the request is not valid against the schema"})
      .valueOr("");
}

}  // namespace kaiban::sim
