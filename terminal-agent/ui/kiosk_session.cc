#include "terminal-agent/ui/kiosk_session.h"

#include "Poco/Logger.h"
#include "core/crypto/random.h"

namespace kaiban::agent {

std::string_view toString(Verification verification) {
  switch (verification) {
    case Verification::kNone:
      return "none";
    case Verification::kFace:
      return "face";
    case Verification::kStaff:
      return "staff";
  }
  return "none";
}

KioskSessions::KioskSessions(const Clock& clock, std::chrono::seconds idle_timeout)
    : clock_(clock), idle_timeout_(idle_timeout) {}

KioskSessions::~KioskSessions() { stop(); }

void KioskSessions::startSweeper() {
  sweeper_ = std::thread([this] { sweep(); });
}

void KioskSessions::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    current_.reset();
  }
  stop_requested_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

KioskSession KioskSessions::start(bool consent_id_card, bool consent_face) {
  KioskSession session;
  session.token = crypto::randomToken(24);
  session.consent_id_card = consent_id_card;
  session.consent_face = consent_face;
  // The kiosk id is prefixed by the queue's caller; this part only has to be unique.
  session.idempotency_key = "s-" + crypto::randomToken(24);
  session.last_activity = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  current_ = session;
  return session;
}

bool KioskSessions::expiredLocked() const {
  return current_ && clock_.steadyNow() - current_->last_activity >= idle_timeout_;
}

Result<KioskSession> KioskSessions::get(std::string_view token) {
  return update(token, [](KioskSession&) {});
}

Result<KioskSession> KioskSessions::update(std::string_view token,
                                           const std::function<void(KioskSession&)>& change) {
  std::lock_guard lock(mutex_);
  if (expiredLocked()) current_.reset();
  if (!current_ || token.empty() || current_->token != token) {
    return Error::notFound("the session has ended; start again");
  }
  change(*current_);
  current_->last_activity = clock_.steadyNow();
  return *current_;
}

void KioskSessions::end(std::string_view token) {
  std::lock_guard lock(mutex_);
  if (current_ && current_->token == token) current_.reset();
}

bool KioskSessions::expireIfIdle() {
  std::lock_guard lock(mutex_);
  if (!expiredLocked()) return false;
  current_.reset();
  return true;
}

bool KioskSessions::active() {
  std::lock_guard lock(mutex_);
  if (expiredLocked()) current_.reset();
  return current_.has_value();
}

void KioskSessions::sweep() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (expiredLocked()) {
      current_.reset();
      Poco::Logger::get("agent.ui").information("session ended after inactivity");
    }
    // Real time: the sweep only bounds how long expired data stays in memory.
    stop_requested_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

}  // namespace kaiban::agent
