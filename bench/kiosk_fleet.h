#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/measure.h"
#include "core/clock.h"
#include "terminal-agent/link/kiosk_link.h"

// Simulated kiosks: each is a real kiosk client (agent::KioskLink: mutual TLS with its own
// kiosk certificate, keep-alive, TLS session resumption when it reconnects) that submits
// valid, varied applications (ApplicationGenerator) to the orchestrator's kiosk API.
namespace kaiban::bench {

struct KioskAccount {
  std::string id;    // the certificate's CN
  std::string bank;  // the certificate's O
};

// An application a kiosk had accepted.
struct Submitted {
  std::string kiosk_id;
  std::string application_id;
};

// What a load phase did.
struct LoadResult {
  double seconds = 0;
  long long accepted = 0;  // 201 (or 200: a retried request the orchestrator had already taken)
  long long retries = 0;   // sends again after kUnavailable / kTimeout / kCorrupt, same key
  long long refused = 0;   // any other answer: a bug of the generator or of the orchestrator
  LatencySamples latency;  // from the intended send time to the answer, retries included
  std::vector<Submitted> applications;  // every accepted one
  std::vector<std::string> errors;      // the first few refusals, for the report
};

struct QueryResult {
  double seconds = 0;
  long long answered = 0;
  long long failed = 0;
  LatencySamples latency;
  std::vector<std::string> errors;
};

// Live counters the progress line reads while a phase runs.
struct FleetCounters {
  std::atomic<long long> accepted{0};
  std::atomic<long long> failed{0};
};

class KioskFleet {
 public:
  // `pki_dir` holds kiosks/<id>/client.{crt,key} and ca.crt for every kiosk of `kiosks`.
  // Throws std::runtime_error if a kiosk's TLS files cannot be loaded (a setup bug).
  KioskFleet(const std::filesystem::path& pki_dir, std::vector<KioskAccount> kiosks,
             std::uint64_t seed);
  ~KioskFleet();
  KioskFleet(const KioskFleet&) = delete;
  KioskFleet& operator=(const KioskFleet&) = delete;

  // Where the orchestrator's kiosk API listens; links made earlier are dropped (a restarted
  // orchestrator may listen elsewhere).
  void setApiPort(int port);

  const std::vector<KioskAccount>& kiosks() const { return kiosks_; }
  FleetCounters& counters() { return counters_; }

  // The first `kiosks` kiosks submit back to back, each waiting for its answer, for
  // `duration` (closed loop).
  LoadResult closedLoop(int kiosks, std::chrono::milliseconds duration);

  // `rate` submissions per second spread over the first `kiosks` kiosks, each kiosk sending
  // at exponentially distributed intervals (open loop: a slow answer delays the kiosk's next
  // send, and that delay counts in the next latency, so queueing is never hidden).
  LoadResult openLoop(int kiosks, double rate, std::chrono::milliseconds duration);

  // `count` submissions over the first `kiosks` kiosks, closed loop, as fast as possible.
  LoadResult submitCount(int kiosks, long long count);

  // `threads` kiosks ask for the status of random applications of their own (ids by kiosk
  // id) for `duration`; each thread keeps one kiosk's keep-alive connection.
  QueryResult statusQueries(const std::map<std::string, std::vector<std::string>>& ids_by_kiosk,
                            int threads, std::chrono::milliseconds duration);

  // Status queries on a NEW connection each time: a full mutual-TLS handshake per request
  // when `resume` is false (a fresh client, no session), a resumed one when true.
  QueryResult reconnectingQueries(
      const std::map<std::string, std::vector<std::string>>& ids_by_kiosk, int threads, bool resume,
      std::chrono::milliseconds duration);

  // Connections opened and TLS sessions resumed by every link so far.
  transport::ClientStats linkStats() const;

 private:
  struct Kiosk;
  enum class Pace { kClosed, kOpen };
  enum class Connections {
    kKeepAlive,  // the kiosk's own keep-alive link
    kFresh,      // a new connection and a full handshake per request
    kResumed,    // a new connection per request, resuming the previous TLS session
  };
  QueryResult queries(const std::map<std::string, std::vector<std::string>>& ids_by_kiosk,
                      int workers, Connections connections, std::chrono::milliseconds duration);
  LoadResult drive(int kiosks, Pace pace, double rate, std::chrono::milliseconds duration,
                   long long count);
  // Submits application `sequence` from `kiosk` until it is accepted or refused.
  void submitOne(Kiosk& kiosk, long long sequence, Clock::time_point intended, LoadResult& into);

  std::vector<KioskAccount> kiosks_;
  std::vector<std::unique_ptr<Kiosk>> state_;
  std::filesystem::path pki_dir_;
  std::uint64_t seed_;
  int api_port_ = 0;
  SystemClock clock_;
  std::atomic<long long> next_sequence_{0};
  FleetCounters counters_;
  std::mutex stats_mutex_;  // guards Kiosk::retired while query threads finish
};

}  // namespace kaiban::bench
