#pragma once

#include <chrono>
#include <string>

#include "adapters/bank/bank_codec.h"
#include "core/application.h"
#include "core/result.h"

// The bank adapter's ISO 20022 codec at full speed on one thread: what the orchestrator and
// the bank simulator spend per account-opening request and per account report.
namespace kaiban::bench {

struct CodecRates {
  int request_bytes = 0;            // of the acmt.007 measured (also the raw libxml2 document)
  int report_bytes = 0;             // of the acmt.014
  double encode_request_per_s = 0;  // acmt.007: build the tree + validate + serialise
  double decode_request_per_s = 0;  // acmt.007: hardened parse + validate + read
  double decode_report_per_s = 0;   // acmt.014 through decodeAnswer, as a callback arrives
};

// The acmt.007 the bank adapter would send for `application` (accountOpeningRequestFor with a
// USCC and seal codes as the earlier steps give them), as encoded by `codec`.
Result<adapters::bank::AccountOpeningRequest> sampleAccountOpeningRequest(
    const Application& application);

// Measures each figure for `each` with `request` and its account report.
// kInvalidInput if the codec refuses them (a bug).
Result<CodecRates> measureBankCodec(const adapters::bank::BankCodec& codec,
                                    const adapters::bank::AccountOpeningRequest& request,
                                    std::chrono::milliseconds each);

}  // namespace kaiban::bench
