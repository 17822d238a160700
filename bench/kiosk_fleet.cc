#include "bench/kiosk_fleet.h"

#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "Poco/JSON/Object.h"
#include "adapters/transport/tls.h"
#include "bench/application_generator.h"
#include "core/application_json.h"

namespace kaiban::bench {

namespace {

constexpr int kMaxAttempts = 200;  // 200 x 50 ms: ten seconds of outage per submit
constexpr auto kRetryPause = std::chrono::milliseconds(50);
constexpr std::size_t kErrorsKept = 5;

bool retryable(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout ||
         code == ErrorCode::kCorrupt;
}

void keepError(std::vector<std::string>& errors, const Error& error) {
  if (errors.size() < kErrorsKept) errors.push_back(error.message);
}

agent::KioskLinkOptions linkOptions(int idle_connections) {
  agent::KioskLinkOptions options;
  options.connect_timeout = std::chrono::milliseconds(5000);
  options.read_timeout = std::chrono::milliseconds(30000);
  options.max_idle_connections = idle_connections;
  return options;
}

void addStats(transport::ClientStats& total, const transport::ClientStats& more) {
  total.connections_opened += more.connections_opened;
  total.sessions_resumed += more.sessions_resumed;
  total.stale_retries += more.stale_retries;
}

}  // namespace

struct KioskFleet::Kiosk {
  Kiosk(const KioskAccount& account, Poco::Net::Context::Ptr tls, std::uint64_t seed)
      : id(account.id),
        bank(account.bank),
        context(std::move(tls)),
        generator(seed, 0),
        random(seed ^ 0x9e3779b97f4a7c15ULL) {}

  std::string id;
  std::string bank;
  Poco::Net::Context::Ptr context;
  std::unique_ptr<agent::KioskLink> link;  // the kiosk's own keep-alive connection
  ApplicationGenerator generator;
  std::mt19937_64 random;
  transport::ClientStats retired;  // of links dropped by setApiPort
};

KioskFleet::KioskFleet(const std::filesystem::path& pki_dir, std::vector<KioskAccount> kiosks,
                       std::uint64_t seed)
    : kiosks_(std::move(kiosks)), pki_dir_(pki_dir), seed_(seed) {
  for (std::size_t i = 0; i < kiosks_.size(); ++i) {
    const std::filesystem::path dir = pki_dir / "kiosks" / kiosks_[i].id;
    Poco::Net::Context::Ptr context =
        transport::makeClientContext(transport::TlsFiles{.ca = pki_dir / "ca.crt",
                                                         .certificate = dir / "client.crt",
                                                         .private_key = dir / "client.key",
                                                         .crl = std::nullopt});
    state_.push_back(std::make_unique<Kiosk>(kiosks_[i], context, seed + i));
  }
}

KioskFleet::~KioskFleet() = default;

void KioskFleet::setApiPort(int port) {
  api_port_ = port;
  for (const std::unique_ptr<Kiosk>& kiosk : state_) {
    if (kiosk->link) addStats(kiosk->retired, kiosk->link->stats());
    kiosk->link.reset();
  }
}

transport::ClientStats KioskFleet::linkStats() const {
  transport::ClientStats total;
  for (const std::unique_ptr<Kiosk>& kiosk : state_) {
    addStats(total, kiosk->retired);
    if (kiosk->link) addStats(total, kiosk->link->stats());
  }
  return total;
}

void KioskFleet::submitOne(Kiosk& kiosk, long long sequence, Clock::time_point intended,
                           LoadResult& into) {
  if (!kiosk.link) {
    kiosk.link = std::make_unique<agent::KioskLink>(
        transport::Endpoint{"127.0.0.1", api_port_, "orchestrator"}, kiosk.context, linkOptions(2),
        clock_);
  }
  const Application application = kiosk.generator.make(sequence, kiosk.id, kiosk.bank);
  std::ostringstream body;
  toJson(application)->stringify(body);
  const std::string key = "bench-" + kiosk.id + "-" + std::to_string(sequence);
  for (int attempt = 1;; ++attempt) {
    Result<agent::SubmitAnswer> answer = kiosk.link->submit(key, body.str());
    if (answer) {
      into.latency.add(Clock::now() - intended);
      into.applications.push_back(Submitted{kiosk.id, answer->application_id});
      ++into.accepted;
      ++counters_.accepted;
      return;
    }
    if (!retryable(answer.error().code) || attempt >= kMaxAttempts) {
      ++into.refused;
      ++counters_.failed;
      keepError(into.errors, answer.error());
      return;
    }
    ++into.retries;
    std::this_thread::sleep_for(kRetryPause);
  }
}

LoadResult KioskFleet::drive(int kiosks, Pace pace, double rate, std::chrono::milliseconds duration,
                             long long count) {
  if (kiosks < 1 || kiosks > static_cast<int>(state_.size())) {
    throw std::invalid_argument("the fleet has " + std::to_string(state_.size()) + " kiosks, not " +
                                std::to_string(kiosks));
  }
  std::vector<LoadResult> results(static_cast<std::size_t>(kiosks));
  std::atomic<long long> remaining{count};
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + duration;
  std::vector<std::thread> threads;
  for (int k = 0; k < kiosks; ++k) {
    threads.emplace_back([&, k] {
      Kiosk& kiosk = *state_[static_cast<std::size_t>(k)];
      LoadResult& mine = results[static_cast<std::size_t>(k)];
      std::exponential_distribution<double> interval(rate / kiosks);
      // Open loop: a random phase, so kiosks do not all send at the same instant.
      Clock::time_point next =
          start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                      pace == Pace::kOpen ? interval(kiosk.random) : 0.0));
      for (;;) {
        if (count > 0) {
          if (remaining.fetch_sub(1) <= 0) return;
        } else if ((pace == Pace::kOpen ? next : Clock::now()) >= deadline) {
          return;
        }
        if (pace == Pace::kOpen) std::this_thread::sleep_until(next);
        const Clock::time_point intended = pace == Pace::kOpen ? next : Clock::now();
        submitOne(kiosk, next_sequence_.fetch_add(1), intended, mine);
        if (pace == Pace::kOpen) {
          next += std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(interval(kiosk.random)));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  LoadResult total;
  total.seconds = secondsSince(start);
  for (LoadResult& part : results) {
    total.accepted += part.accepted;
    total.retries += part.retries;
    total.refused += part.refused;
    total.latency.merge(part.latency);
    total.applications.insert(total.applications.end(), part.applications.begin(),
                              part.applications.end());
    for (const std::string& error : part.errors) {
      if (total.errors.size() < kErrorsKept) total.errors.push_back(error);
    }
  }
  return total;
}

LoadResult KioskFleet::closedLoop(int kiosks, std::chrono::milliseconds duration) {
  return drive(kiosks, Pace::kClosed, 0, duration, 0);
}

LoadResult KioskFleet::openLoop(int kiosks, double rate, std::chrono::milliseconds duration) {
  if (rate <= 0) throw std::invalid_argument("open loop needs a positive rate");
  return drive(kiosks, Pace::kOpen, rate, duration, 0);
}

LoadResult KioskFleet::submitCount(int kiosks, long long count) {
  if (count < 1) throw std::invalid_argument("submitCount needs a positive count");
  return drive(kiosks, Pace::kClosed, 0, std::chrono::hours(24), count);
}

QueryResult KioskFleet::statusQueries(
    const std::map<std::string, std::vector<std::string>>& ids_by_kiosk, int threads,
    std::chrono::milliseconds duration) {
  return queries(ids_by_kiosk, threads, Connections::kKeepAlive, duration);
}

QueryResult KioskFleet::reconnectingQueries(
    const std::map<std::string, std::vector<std::string>>& ids_by_kiosk, int threads, bool resume,
    std::chrono::milliseconds duration) {
  return queries(ids_by_kiosk, threads, resume ? Connections::kResumed : Connections::kFresh,
                 duration);
}

QueryResult KioskFleet::queries(const std::map<std::string, std::vector<std::string>>& ids_by_kiosk,
                                int workers, Connections connections,
                                std::chrono::milliseconds duration) {
  const bool keep_alive = connections == Connections::kKeepAlive;
  const bool resume = connections == Connections::kResumed;
  std::vector<Kiosk*> chosen;
  for (const std::unique_ptr<Kiosk>& kiosk : state_) {
    auto found = ids_by_kiosk.find(kiosk->id);
    if (found != ids_by_kiosk.end() && !found->second.empty()) chosen.push_back(kiosk.get());
    if (static_cast<int>(chosen.size()) == workers) break;
  }
  if (chosen.empty()) throw std::invalid_argument("no kiosk has applications to query");

  std::vector<QueryResult> results(chosen.size());
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + duration;
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < chosen.size(); ++t) {
    pool.emplace_back([&, t] {
      Kiosk& kiosk = *chosen[t];
      QueryResult& mine = results[t];
      const std::vector<std::string>& ids = ids_by_kiosk.at(kiosk.id);
      std::uniform_int_distribution<std::size_t> pick(0, ids.size() - 1);
      const transport::Endpoint endpoint{"127.0.0.1", api_port_, "orchestrator"};
      // Keep-alive queries use the kiosk's own link; reconnecting ones a private one.
      std::unique_ptr<agent::KioskLink> own;
      agent::KioskLink* link = nullptr;
      if (keep_alive) {
        if (!kiosk.link) {
          kiosk.link =
              std::make_unique<agent::KioskLink>(endpoint, kiosk.context, linkOptions(2), clock_);
        }
        link = kiosk.link.get();
      }
      transport::ClientStats spent;
      while (Clock::now() < deadline) {
        if (!keep_alive && (!own || !resume)) {
          if (own) addStats(spent, own->stats());
          // max_idle_connections 0: every request opens a new connection, which resumes
          // the link's last TLS session; a new link has none and makes a full handshake.
          own = std::make_unique<agent::KioskLink>(endpoint, kiosk.context, linkOptions(0), clock_);
          link = own.get();
        }
        const Clock::time_point sent = Clock::now();
        Result<agent::ApplicationView> view = link->status(ids[pick(kiosk.random)]);
        if (view) {
          mine.latency.add(Clock::now() - sent);
          ++mine.answered;
        } else {
          ++mine.failed;
          keepError(mine.errors, view.error());
        }
      }
      if (own) addStats(spent, own->stats());
      std::lock_guard lock(stats_mutex_);
      addStats(kiosk.retired, spent);
    });
  }
  for (std::thread& thread : pool) thread.join();
  QueryResult total;
  total.seconds = secondsSince(start);
  for (QueryResult& part : results) {
    total.answered += part.answered;
    total.failed += part.failed;
    total.latency.merge(part.latency);
    for (const std::string& error : part.errors) {
      if (total.errors.size() < kErrorsKept) total.errors.push_back(error);
    }
  }
  return total;
}

}  // namespace kaiban::bench
