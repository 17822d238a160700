#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "orchestrator/store/console_store.h"
#include "orchestrator/store/store.h"

// The contract every ConsoleStore passes, together with the Store it shares its storage (and
// audit chain) with. A backend's test binary compiles console_store_contract_test.cc and
// instantiates the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, ConsoleStoreContractTest,
//                            ::testing::Values(ConsoleStoreBackend{"sqlite", makeHarness}),
//                            [](const auto& param_info) { return param_info.param.name; });
namespace kaiban::orchestrator {

// A ConsoleStore and a Store over one storage that outlives them.
class ConsoleStoreHarness {
 public:
  virtual ~ConsoleStoreHarness() = default;
  // Each returns nullptr after failing the test if it cannot open.
  virtual std::unique_ptr<ConsoleStore> openConsole() = 0;
  virtual std::unique_ptr<Store> openStore() = 0;
};

struct ConsoleStoreBackend {
  std::string name;
  // A new harness over fresh storage, or nullptr after GTEST_SKIP() (as StoreBackend::make).
  std::function<std::unique_ptr<ConsoleStoreHarness>()> make;
};

// Test names and failure messages show the backend's name, not the struct's bytes.
inline void PrintTo(const ConsoleStoreBackend& backend, std::ostream* out) { *out << backend.name; }

class ConsoleStoreContractTest : public ::testing::TestWithParam<ConsoleStoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<ConsoleStoreHarness> harness_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ConsoleStore> console_;
};

}  // namespace kaiban::orchestrator
