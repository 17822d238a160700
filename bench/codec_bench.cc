#include "bench/codec_bench.h"

#include "adapters/bank/account_number.h"
#include "adapters/bank/bank_adapter.h"
#include "bench/measure.h"
#include "core/uscc.h"

namespace kaiban::bench {

namespace {

using adapters::bank::AccountOpeningRequest;
using adapters::bank::BankCodec;

// Calls `operation` (which returns a Result) until `each` has passed; per second.
template <class Operation>
Result<double> rate(std::chrono::milliseconds each, Operation&& operation) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + each;
  long long done = 0;
  while (Clock::now() < deadline) {
    // Checked every time: a codec that starts refusing must not count as fast.
    auto result = operation();
    if (!result) return result.error();
    ++done;
  }
  return static_cast<double>(done) / secondsSince(start);
}

}  // namespace

Result<AccountOpeningRequest> sampleAccountOpeningRequest(const Application& application) {
  const std::string first17 =
      "91" + application.enterprise.registered_address.division_code + "MA7Q2M9X4";
  Result<char> check = Uscc::checkCharacterFor(first17);
  if (!check) return check.error();
  adapters::StepRequest step{
      "KB7Q2M9X4H8K3T0C-3f9a0c41d2e7", "KB7Q2M9X4H8K3T0C", std::string(kStepBankAccount),
      application,
      adapters::Outputs{
          {std::string(adapters::output::kUscc), first17 + *check},
          {std::string(adapters::output::kSealCodes), "3702020000001,3702020000002"}}};
  return adapters::bank::accountOpeningRequestFor(step, std::chrono::system_clock::now());
}

Result<CodecRates> measureBankCodec(const BankCodec& codec, const AccountOpeningRequest& request,
                                    std::chrono::milliseconds each) {
  CodecRates rates;
  Result<std::string> encoded = codec.encodeAccountOpeningRequest(request);
  if (!encoded) return encoded.error();
  rates.request_bytes = static_cast<int>(encoded->size());
  Result<std::string> account = adapters::bank::generateAccountNumber(request.bank_code, 42);
  if (!account) return account.error();
  const auto now = std::chrono::system_clock::now();
  Result<std::string> report = codec.encodeAccountReport(adapters::bank::reportFor(
      request, "BKRPT-20260302-000042", now, *account,
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now))));
  if (!report) return report.error();
  rates.report_bytes = static_cast<int>(report->size());

  Result<double> encode = rate(each, [&] { return codec.encodeAccountOpeningRequest(request); });
  if (!encode) return encode.error();
  rates.encode_request_per_s = *encode;
  Result<double> decode = rate(each, [&] { return codec.decodeAccountOpeningRequest(*encoded); });
  if (!decode) return decode.error();
  rates.decode_request_per_s = *decode;
  Result<double> decode_report = rate(each, [&] { return codec.decodeAnswer(*report); });
  if (!decode_report) return decode_report.error();
  rates.decode_report_per_s = *decode_report;
  return rates;
}

}  // namespace kaiban::bench
