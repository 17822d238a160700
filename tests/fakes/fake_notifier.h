#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/adapter.h"

namespace kaiban::fakes {

// An SMS gateway that records what it sends and, like the real one, sends a message id only
// once. Can be told to fail. Thread-safe.
class FakeNotifier final : public adapters::Notifier {
 public:
  struct Sms {
    adapters::MessageId id;
    std::string phone;
    std::string text;
  };

  Result<void> notify(const adapters::MessageId& id, std::string_view phone,
                      std::string_view text) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (failing_) return Error::unavailable("SMS gateway down");
    for (const Sms& sent : sent_) {
      if (sent.id == id) return ok();
    }
    sent_.push_back({id, std::string(phone), std::string(text)});
    return ok();
  }

  void setFailing(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  std::vector<Sms> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Sms> sent_;
  bool failing_ = false;
  int calls_ = 0;
};

}  // namespace kaiban::fakes
