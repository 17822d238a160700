#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "adapters/adapter.h"
#include "core/clock.h"
#include "orchestrator/api/http_common/route_table.h"
#include "orchestrator/store/console_store.h"
#include "orchestrator/store/store.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

// The orchestrator's Prometheus metrics (docs/operations.md lists them; docs/grafana-dashboard.json
// draws them). prometheus-cpp provides the metric types and the text format; the admin
// listener serves them at GET /metrics. Two kinds:
//   - observed as things happen: HTTP requests (MeteredHandlerFactory around a listener's
//     factory) and partner calls (the Metered* adapter decorators);
//   - read from the store when scraped (StoreCollector): applications by state, SLA flags,
//     outbox depth, open reviews, step durations, kiosk heartbeats.
namespace kaiban::orchestrator::metrics {

// The metrics observed in process. Thread-safe.
class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered HTTP request. `route` is the route's pattern (never the raw path, so ids do
  // not become labels), or "unmatched".
  void observeHttp(std::string_view listener, std::string_view route, std::string_view method,
                   int status, std::chrono::duration<double> elapsed);

  // One call to a partner system. `error` is nullptr on success, else the call's error (its
  // code name becomes a label of kaiban_partner_errors_total).
  void observePartnerCall(std::string_view partner, std::string_view operation, const Error* error,
                          std::chrono::duration<double> elapsed);

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_duration_;
  prometheus::Family<prometheus::Counter>& partner_requests_;
  prometheus::Family<prometheus::Counter>& partner_errors_;
  prometheus::Family<prometheus::Histogram>& partner_duration_;
};

struct StoreCollectorOptions {
  // A kiosk whose last heartbeat is older than this counts as offline.
  std::chrono::seconds heartbeat_stale{300};
  // Scrapes within this long of the previous one reuse its reading, so several scrapers (or an
  // impatient operator) do not each scan the store.
  std::chrono::seconds reuse_for{5};
};

// Reads the store when scraped. A store that cannot be read makes kaiban_store_up 0 (and the
// other store metrics are left out of that scrape) instead of failing the scrape.
// Thread-safe; the references must outlive it.
class StoreCollector final : public prometheus::Collectable {
 public:
  StoreCollector(ConsoleStore& console, Store& store, const Clock& clock,
                 StoreCollectorOptions options = {});

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::vector<prometheus::MetricFamily> read() const;

  ConsoleStore& console_;
  Store& store_;
  const Clock& clock_;
  const StoreCollectorOptions options_;
  mutable std::mutex mutex_;
  mutable SteadyTime last_read_{};                      // guarded by mutex_
  mutable std::vector<prometheus::MetricFamily> last_;  // guarded by mutex_
  mutable bool have_last_ = false;                      // guarded by mutex_
};

// Every family of `collectables` in the Prometheus text format (version 0.0.4).
std::string exposition(
    const std::vector<std::shared_ptr<const prometheus::Collectable>>& collectables);

// Adds GET /metrics to `routes`, serving exposition(collectables).
void addMetricsRoute(api::RouteTable& routes,
                     std::vector<std::shared_ptr<const prometheus::Collectable>> collectables);

// Wraps a listener's handler factory: every request it answers is counted by route pattern
// (looked up in `routes`, the table `inner` serves), method and status. `metrics` and `clock`
// must outlive it.
class MeteredHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  MeteredHandlerFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner,
                        std::shared_ptr<const api::RouteTable> routes, std::string listener,
                        Metrics& metrics, const Clock& clock);

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  class Handler;

  Poco::Net::HTTPRequestHandlerFactory::Ptr inner_;
  const std::shared_ptr<const api::RouteTable> routes_;
  const std::string listener_;
  Metrics& metrics_;
  const Clock& clock_;
};

// Decorators that time each call to a partner and count its errors. They forward everything
// to the adapter they wrap, which must outlive them. Thread-safe as the wrapped adapter is.
class MeteredStepAdapter final : public adapters::StepAdapter {
 public:
  MeteredStepAdapter(adapters::StepAdapter& inner, std::string operation, Metrics& metrics,
                     const Clock& clock)
      : inner_(inner), operation_(std::move(operation)), metrics_(metrics), clock_(clock) {}

  std::string_view partner() const override { return inner_.partner(); }
  Result<adapters::Ack> dispatch(const adapters::StepRequest& request) override;
  Result<adapters::StepOutcome> poll(const adapters::MessageId& id) override;
  Result<adapters::StepOutcome> decodeCallback(std::string_view body) const override {
    return inner_.decodeCallback(body);
  }

 private:
  adapters::StepAdapter& inner_;
  const std::string operation_;  // the flow's adapter name, e.g. "tax_registration"
  Metrics& metrics_;
  const Clock& clock_;
};

class MeteredNotifier final : public adapters::Notifier {
 public:
  MeteredNotifier(adapters::Notifier& inner, Metrics& metrics, const Clock& clock)
      : inner_(inner), metrics_(metrics), clock_(clock) {}
  Result<void> notify(const adapters::MessageId& id, std::string_view phone,
                      std::string_view text) override;

 private:
  adapters::Notifier& inner_;
  Metrics& metrics_;
  const Clock& clock_;
};

class MeteredPeopleDirectory final : public adapters::PeopleDirectory {
 public:
  MeteredPeopleDirectory(adapters::PeopleDirectory& inner, Metrics& metrics, const Clock& clock)
      : inner_(inner), metrics_(metrics), clock_(clock) {}
  Result<adapters::PersonRecord> lookup(std::string_view id_number) override;

 private:
  adapters::PeopleDirectory& inner_;
  Metrics& metrics_;
  const Clock& clock_;
};

// A set of partner adapters (flow adapter name -> adapter, as Dispatcher::AdapterMap), the
// notifier and the people directory, each behind its Metered* decorator. The wrapped objects
// must outlive it.
class MeteredPartners {
 public:
  using AdapterMap = std::map<std::string, adapters::StepAdapter*, std::less<>>;

  MeteredPartners(const AdapterMap& adapters, adapters::Notifier& notifier,
                  adapters::PeopleDirectory& people, Metrics& metrics, const Clock& clock);

  const AdapterMap& stepAdapters() const { return map_; }
  adapters::Notifier& notifier() { return notifier_; }
  adapters::PeopleDirectory& people() { return people_; }

 private:
  std::vector<std::unique_ptr<MeteredStepAdapter>> adapters_;
  AdapterMap map_;
  MeteredNotifier notifier_;
  MeteredPeopleDirectory people_;
};

}  // namespace kaiban::orchestrator::metrics
