#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "orchestrator/store/store.h"

// The contract every Store passes (STYLE.md: one contract suite per interface, run against
// every implementation). A backend's test binary compiles store_contract_test.cc and
// instantiates the suite with its harness:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
//                            ::testing::Values(StoreBackend{"sqlite", makeSqliteHarness}),
//                            [](const auto& param_info) { return param_info.param.name; });
namespace kaiban::orchestrator {

// One store under test over storage that outlives it, so it can be closed and reopened.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // Opens the store over the harness's storage (again after a previous store was destroyed).
  // Returns nullptr after failing the test if it cannot.
  virtual std::unique_ptr<Store> open() = 0;
  // Runs `sql` on the storage directly, bypassing the Store, as an attacker or a careless
  // operator with database access would. The statements use only standard SQL on the tables
  // of docs/flow.md.
  virtual void executeRaw(std::string_view sql) = 0;
};

struct StoreBackend {
  std::string name;
  // A new harness over fresh storage. A backend that cannot run here (no server configured)
  // calls GTEST_SKIP() with the reason, in a void helper, and returns nullptr.
  std::function<std::unique_ptr<StoreHarness>()> make;
};

// Test names and failure messages show the backend's name, not the struct's bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Closes the store and opens it again over the same storage.
  void reopen();

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

}  // namespace kaiban::orchestrator
