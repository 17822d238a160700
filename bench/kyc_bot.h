#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/transport/https_client.h"
#include "core/clock.h"
#include "core/result.h"

// Bank officers who approve every KYC review at once, so applications flow through the
// bank_account step's human task during the load.
namespace kaiban::bench {

// Threads approving reviews until stopped; paused, reviews wait (applications stay in
// flight at the bank step). Subclasses start their threads on run() and must call stop() in
// their destructor.
class ReviewApprover {
 public:
  virtual ~ReviewApprover();
  ReviewApprover(const ReviewApprover&) = delete;
  ReviewApprover& operator=(const ReviewApprover&) = delete;

  void pause();
  void resume();
  // Ends the threads (after their current request). Idempotent.
  void stop();
  // Where the console listens now (after an orchestrator restart).
  virtual void setPort(int port) = 0;

  long long approved() const { return approved_.load(); }
  // Failed logins, listings or approvals (a review another thread decided meanwhile is not a
  // failure), and the last one's message.
  long long failures() const { return failures_.load(); }
  std::string lastError() const;

 protected:
  ReviewApprover() = default;
  // Starts `count` threads running `body(index)`.
  void startThreads(int count, const std::function<void(int)>& body);
  // Blocks while paused; false once stopping.
  bool waitWhilePaused();
  // Sleeps up to `pause`, waking early when stopping.
  void idle(std::chrono::milliseconds pause);
  void fail(const std::string& message);
  void countApproved(long long count) { approved_ += count; }

  mutable std::mutex mutex_;

 private:
  std::condition_variable changed_;
  bool paused_ = true;      // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  std::string last_error_;  // guarded by mutex_
  std::vector<std::thread> threads_;
  std::atomic<long long> approved_{0};
  std::atomic<long long> failures_{0};
};

struct StaffLogin {
  std::string user;
  std::string password;
};

// Through the staff console's API, as an officer's browser: password login, the session
// cookie, the CSRF token on every POST; lists the bank's open reviews and approves each.
class KycBot final : public ReviewApprover {
 public:
  // One thread per login (one bank each) on the console listener at 127.0.0.1:`port`,
  // trusting the CA `ca_file`. Starts paused.
  KycBot(const std::filesystem::path& ca_file, int port, std::vector<StaffLogin> staff);
  ~KycBot() override;

  void setPort(int port) override;

 private:
  struct Worker;
  void run(Worker& worker);

  Poco::Net::Context::Ptr context_;
  SystemClock clock_;
  std::vector<std::unique_ptr<Worker>> workers_;
  int port_ = 0;             // guarded by mutex_
  int port_generation_ = 0;  // guarded by mutex_
};

// While the orchestrator serves no console: `kaiban-orchestrator task approve-all`, run again
// and again by `approve_all` (which returns how many it approved).
class CliKycBot final : public ReviewApprover {
 public:
  explicit CliKycBot(std::function<Result<long long>()> approve_all);
  ~CliKycBot() override;

  void setPort(int) override {}

 private:
  std::function<Result<long long>()> approve_all_;
};

}  // namespace kaiban::bench
