#include "orchestrator/api/kiosk_api/crl_watcher.h"

#include <signal.h>

#include <cerrno>
#include <ctime>

#include "Poco/Logger.h"
#include "adapters/transport/tls.h"

namespace kaiban::orchestrator::api {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("orchestrator.tls"); }

// With SIGHUP the thread waits in sigtimedwait, which a condition variable cannot interrupt:
// it wakes this often to notice stop().
constexpr std::chrono::milliseconds kSignalPollTick{200};

// True when SIGHUP arrived within `timeout`.
bool waitForSighup(std::chrono::milliseconds timeout) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(seconds.count());
  wait.tv_nsec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(timeout - seconds).count());
  return sigtimedwait(&signals, nullptr, &wait) == SIGHUP;
}

}  // namespace

CrlWatcher::CrlWatcher(Poco::Net::Context::Ptr context, std::filesystem::path crl_file,
                       CrlWatcherOptions options)
    : context_(std::move(context)), crl_file_(std::move(crl_file)), options_(options) {
  seen_ = stampOf();
}

CrlWatcher::~CrlWatcher() { stop(); }

void CrlWatcher::start() {
  thread_ = std::thread([this] { run(); });
}

void CrlWatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<CrlWatcher::Stamp> CrlWatcher::stampOf() const {
  std::error_code error;
  const auto modified = std::filesystem::last_write_time(crl_file_, error);
  if (error) return std::nullopt;
  const std::uintmax_t size = std::filesystem::file_size(crl_file_, error);
  if (error) return std::nullopt;
  return Stamp{modified, size};
}

bool CrlWatcher::checkNow() {
  const std::optional<Stamp> stamp = stampOf();
  {
    std::lock_guard lock(mutex_);
    // A file that vanished (being replaced) is looked at again when it is back.
    if (!stamp || stamp == seen_) return false;
    seen_ = stamp;
  }
  return reloadNow().ok();
}

Result<void> CrlWatcher::reloadNow() {
  Result<void> reloaded = transport::reloadCrl(*context_, crl_file_);
  if (!reloaded) {
    logger().error(
        "the CRL " + crl_file_.string() +
        " was not reloaded; the previous one stays in force: " + reloaded.error().message);
    return reloaded;
  }
  {
    std::lock_guard lock(mutex_);
    ++reloads_;
  }
  logger().information("reloaded the CRL " + crl_file_.string() +
                       "; certificates it revokes are refused from their next handshake");
  return ok();
}

int CrlWatcher::reloads() const {
  std::lock_guard lock(mutex_);
  return reloads_;
}

void CrlWatcher::run() {
  const bool periodic = options_.interval.count() > 0;
  auto next_check = std::chrono::steady_clock::now() + options_.interval;
  while (true) {
    if (options_.reload_on_sighup) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      const auto tick = periodic ? std::min(kSignalPollTick, options_.interval) : kSignalPollTick;
      if (waitForSighup(tick)) {
        logger().information("SIGHUP: reloading the CRL " + crl_file_.string());
        {
          std::lock_guard lock(mutex_);
          seen_ = stampOf();
        }
        (void)reloadNow();
      }
    } else {
      std::unique_lock lock(mutex_);
      if (!periodic) {
        wake_.wait(lock, [this] { return stopping_; });
        return;
      }
      if (wake_.wait_until(lock, next_check, [this] { return stopping_; })) return;
    }
    if (periodic && std::chrono::steady_clock::now() >= next_check) {
      (void)checkNow();
      next_check = std::chrono::steady_clock::now() + options_.interval;
    }
  }
}

}  // namespace kaiban::orchestrator::api
