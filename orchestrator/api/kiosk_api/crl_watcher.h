#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "Poco/Net/Context.h"
#include "core/result.h"

// Keeps the CRL that a TLS server context checks client certificates against up to date
// without a restart: a revoked kiosk is refused from its next handshake once the operator has
// published a new CRL file (certs/make-dev-pki.sh --revoke-kiosk, or the real CA's tooling).
namespace kaiban::orchestrator::api {

struct CrlWatcherOptions {
  // How often the file's modification time and size are compared with the last loaded ones;
  // 0: never (only reloadNow() and SIGHUP reload).
  std::chrono::milliseconds interval{10000};
  // Also reload at once on SIGHUP. The watcher's thread waits for the signal with
  // sigtimedwait, so SIGHUP must be blocked in EVERY thread of the process (block it before
  // any thread starts); otherwise its default action ends the process.
  bool reload_on_sighup = false;
};

// Thread-safe. Reload failures (an unreadable file, a CRL not signed by the CA, an expired
// one) are logged on "orchestrator.tls" and leave the current CRL in force
// (transport::reloadCrl).
class CrlWatcher {
 public:
  // `context` is the server context whose CRL to replace; the file is the one it was
  // created with (taken as loaded now).
  CrlWatcher(Poco::Net::Context::Ptr context, std::filesystem::path crl_file,
             CrlWatcherOptions options);
  // Calls stop().
  ~CrlWatcher();
  CrlWatcher(const CrlWatcher&) = delete;
  CrlWatcher& operator=(const CrlWatcher&) = delete;

  // Starts the watching thread. REQUIRES: called at most once.
  void start();
  // Stops and joins it. Idempotent.
  void stop();

  // Reloads if the file changed since the last load (or the last failed attempt at loading
  // it); returns whether the context now has a newer CRL. The watching thread calls this.
  bool checkNow();
  // Reloads unconditionally. The error of transport::reloadCrl, if any.
  Result<void> reloadNow();

  // How many reloads succeeded since construction.
  int reloads() const;

 private:
  struct Stamp {
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    bool operator==(const Stamp&) const = default;
  };
  std::optional<Stamp> stampOf() const;
  void run();

  Poco::Net::Context::Ptr context_;  // set once in the constructor
  const std::filesystem::path crl_file_;
  const CrlWatcherOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Stamp> seen_;  // guarded by mutex_: the file as last tried
  int reloads_ = 0;            // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  std::thread thread_;
};

}  // namespace kaiban::orchestrator::api
