#include "tests/fakes/fault_injecting_store.h"

namespace kaiban::fakes {

void FaultInjectingStore::failCommit(int n, Fault fault) {
  std::lock_guard lock(mutex_);
  fail_at_ = commits_ + n;
  fault_ = fault;
  fired_ = false;
}

int FaultInjectingStore::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

bool FaultInjectingStore::faultFired() const {
  std::lock_guard lock(mutex_);
  return fired_;
}

Result<void> FaultInjectingStore::commit(std::string_view id, int64_t expected_version,
                                         const orchestrator::Change& change,
                                         std::span<const orchestrator::OutboxMessage> outgoing) {
  bool fail = false;
  Fault fault;
  {
    std::lock_guard lock(mutex_);
    ++commits_;
    fail = commits_ == fail_at_;
    fault = fault_;
    if (fail) fired_ = true;
  }
  if (fail && fault == Fault::kBeforeWrite) {
    return Error::unavailable("injected fault: commit " + std::string(id) + " not written");
  }
  Result<void> result = target_.commit(id, expected_version, change, outgoing);
  if (fail && result) {
    return Error::unavailable("injected fault: commit " + std::string(id) +
                              " written, answer lost");
  }
  return result;
}

}  // namespace kaiban::fakes
