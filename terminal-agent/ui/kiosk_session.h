#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/application.h"
#include "core/clock.h"
#include "core/result.h"
#include "terminal-agent/devices/face_camera.h"
#include "terminal-agent/devices/id_card_reader.h"
#include "terminal-agent/link/orchestrator_link.h"

namespace kaiban::agent {

// How the applicant's identity was confirmed at the kiosk.
enum class Verification {
  kNone,
  kFace,   // liveness + 1:1 match against the card photo
  kStaff,  // a bank employee checked the person against the card and entered the staff code
};
std::string_view toString(Verification verification);

// One applicant's visit to the kiosk, from consent to the receipt. Holds the card data in
// memory only; nothing here is written to disk.
struct KioskSession {
  std::string token;  // what the screen sends back (X-Kiosk-Session)
  bool consent_id_card = false;
  bool consent_face = false;  // without it, only staff verification is offered
  std::optional<IdCardData> card;
  std::optional<PersonRecord> people_record;  // the people-data pre-fill, when it answered
  Verification verification = Verification::kNone;
  // The record of the check that verified the holder, sent with the application so the bank
  // officer's KYC review sees it: present exactly when verification is not kNone.
  std::optional<IdentityVerification> identity_verification;
  int face_failures = 0;
  int staff_failures = 0;
  std::string idempotency_key;  // one per session: a double-tapped "submit" queues once
  std::optional<std::string> submitted_reference;  // the queue's local id once submitted
  std::string company_name;                        // for the receipt
  SteadyTime last_activity{};
};

// The kiosk's single current session (one screen, one applicant at a time). A session ends
// when the screen ends it, when a new one starts, or after `idle_timeout` without a request
// that names it; its card data is dropped then, by the sweeper thread at the latest within a
// second, so nothing about an applicant who walked away lingers in memory. Thread-safe.
// `clock` must outlive the sessions.
class KioskSessions {
 public:
  KioskSessions(const Clock& clock, std::chrono::seconds idle_timeout);
  ~KioskSessions();
  KioskSessions(const KioskSessions&) = delete;
  KioskSessions& operator=(const KioskSessions&) = delete;

  // Starts the sweeper thread; stop() joins it. Optional: without it, expiry is checked on
  // access only.
  void startSweeper();
  void stop();

  // Begins a new session (ending any current one) with the consents given; returns a copy.
  KioskSession start(bool consent_id_card, bool consent_face);

  // A copy of the session named by `token`, touching it (the idle timer restarts). kNotFound
  // ("session ended") when it is not the current session or it has expired.
  Result<KioskSession> get(std::string_view token);

  // Applies `change` to the session named by `token` under the lock and touches it; errors as
  // get(). `change` must be quick: no I/O.
  Result<KioskSession> update(std::string_view token,
                              const std::function<void(KioskSession&)>& change);

  // Ends the session named by `token`; nothing if it is not current.
  void end(std::string_view token);

  // Ends the current session if it has been idle for idle_timeout; true if it did.
  bool expireIfIdle();

  std::chrono::seconds idleTimeout() const { return idle_timeout_; }
  bool active();

 private:
  bool expiredLocked() const;  // REQUIRES: mutex_ held
  void sweep();

  const Clock& clock_;
  const std::chrono::seconds idle_timeout_;
  std::mutex mutex_;
  std::optional<KioskSession> current_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace kaiban::agent
