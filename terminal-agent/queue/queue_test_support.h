#pragma once

// Test helpers shared by the queue's tests: sample bodies, raw file inspection and a fake
// orchestrator that deduplicates on the idempotency key as the real one does.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/timestamp.h"
#include "terminal-agent/queue/forwarder.h"

namespace kaiban::agent::testing {

inline SystemTime testStart() { return shanghaiTime(2026, 3, 2, 9, 0, 0); }

// A submission body carrying the personal data the raw-file checks look for.
inline std::string sampleBody(const std::string& name, const std::string& id_number,
                              const std::string& phone, size_t padding = 0) {
  return R"({"kiosk_id":"QD-SN-0001","bank_code":"QDBANK","enterprise":{"name":"青岛海蓝科技有限公司",)"
         R"("business_scope":")" +
         std::string(padding, 'x') + R"("},"legal_representative":{"id_number":")" + id_number +
         R"(","name":")" + name + R"(","phone":")" + phone + R"("}})";
}

// The bytes of `path`, or "" when it does not exist (a WAL that was removed).
inline std::string rawBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Everything SQLite keeps on disk for the queue at `db`: the file, its WAL and shared memory.
inline std::string queueFileBytes(const std::filesystem::path& db) {
  return rawBytes(db) + rawBytes(db.string() + "-wal") + rawBytes(db.string() + "-shm");
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The orchestrator's side of forwarding, as far as the queue can observe it: one application
// per idempotency key, the same answer for a repeated key with the same body, kConflict for
// the same key with another body. `fault`, when set, is asked before each request and may
// fail it without effect (the orchestrator was unreachable). Thread-safe.
class FakeOrchestrator {
 public:
  Result<ForwardResult> submit(const std::string& key, const std::string& body) {
    std::lock_guard lock(mutex_);
    requests_.push_back(key);
    if (fault_) {
      if (std::optional<Error> error = fault_(key); error.has_value()) return *error;
    }
    auto it = applications_.find(key);
    if (it != applications_.end()) {
      if (it->second.body != body) return Error::conflict("idempotency key reused");
      return ForwardResult{it->second.id};
    }
    const std::string id = "KB" + std::to_string(1000 + applications_.size());
    applications_[key] = {id, body};
    created_.push_back(key);
    changed_.notify_all();
    return ForwardResult{id};
  }

  ForwardFunction function() {
    return [this](const std::string& key, const std::string& body) { return submit(key, body); };
  }

  void setFault(std::function<std::optional<Error>(const std::string&)> fault) {
    std::lock_guard lock(mutex_);
    fault_ = std::move(fault);
  }
  void setOnline(bool online) {
    if (online) {
      setFault(nullptr);
    } else {
      setFault([](const std::string&) -> std::optional<Error> {
        return Error::unavailable("connection refused");
      });
    }
  }

  // Keys in the order applications were created (each at most once by construction).
  std::vector<std::string> created() const {
    std::lock_guard lock(mutex_);
    return created_;
  }
  // Every request's key, in order, including failed and repeated ones.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string applicationFor(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = applications_.find(key);
    return it == applications_.end() ? std::string() : it->second.id;
  }
  // Waits (real time, at most `timeout`) until `count` applications exist.
  bool waitForCreated(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return created_.size() >= count; });
  }

 private:
  struct Stored {
    std::string id;
    std::string body;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<std::optional<Error>(const std::string&)> fault_;
  std::map<std::string, Stored> applications_;
  std::vector<std::string> created_;
  std::vector<std::string> requests_;
};

}  // namespace kaiban::agent::testing
