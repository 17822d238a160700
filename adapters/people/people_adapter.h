#pragma once

#include <string_view>

#include "adapters/adapter.h"
#include "adapters/partner_codec/partner_exchange.h"
#include "adapters/people/people_codec.h"

namespace kaiban::adapters {

// PeopleDirectory over the people-data platform: POST /people/v1/lookup with a PersonQuery
// (a fresh message id per lookup), answered at once with a PersonRecord or NotFound.
// Errors: kNotFound when the platform has no such person; kInvalidInput when `id_number`
// is not an 18-character ID number (a lower-case check character x is accepted) or the
// platform answers 400; kRejected on 422 (QUERY_NOT_PERMITTED); kUnavailable / kTimeout
// (retry); kCorrupt when the answer is unusable or describes another person. Thread-safe.
class PeopleAdapter final : public PeopleDirectory {
 public:
  static constexpr std::string_view kOperation = "lookup";

  // `link` must outlive the adapter.
  PeopleAdapter(const PeopleCodec& codec, PartnerLink& link);

  Result<PersonRecord> lookup(std::string_view id_number) override;

 private:
  PeopleCodec codec_;
  PartnerExchange exchange_;
};

}  // namespace kaiban::adapters
