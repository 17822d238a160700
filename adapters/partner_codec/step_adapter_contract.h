#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "adapters/adapter.h"
#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/partner_codec.h"
#include "adapters/partner_codec/partner_link.h"
#include "adapters/partner_codec/partner_test_support.h"

// The StepAdapter contract every asynchronous partner adapter passes: the HTTP status and
// document mapping of docs/partner-wire.md. Compile step_adapter_contract.cc into the test
// binary and instantiate the suite:
//   INSTANTIATE_TEST_SUITE_P(Registry, StepAdapterContract, ::testing::Values(&registryCase));
namespace kaiban::adapters::testing {

// What the contract needs from one adapter.
struct StepAdapterCase {
  PartnerCodec codec;  // the partner's codec, for the envelope documents
  std::function<std::unique_ptr<StepAdapter>(PartnerLink&)> make;
  StepRequest request;         // one the adapter can send
  std::string operation_path;  // where it goes, e.g. "/registry/v1/registration"
  std::string done;            // a result document for request.message_id that succeeds
  Outputs done_outputs;        // what `done` gives the next steps
  std::string refused;         // a result document for request.message_id that refuses
  Refusal refusal;             // what `refused` says
  StepRequest unsendable;      // one the adapter cannot express (not even sent)
};

using StepAdapterCaseMaker = StepAdapterCase (*)();

class StepAdapterContract : public ::testing::TestWithParam<StepAdapterCaseMaker> {
 protected:
  void SetUp() override;

  std::unique_ptr<StepAdapterCase> case_;
  FakePartnerLink link_;
  std::unique_ptr<StepAdapter> adapter_;
};

}  // namespace kaiban::adapters::testing
