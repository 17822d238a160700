#include "orchestrator/metrics/metrics.h"

#include <sstream>

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/URI.h"
#include "prometheus/gauge.h"
#include "prometheus/text_serializer.h"

namespace kaiban::orchestrator::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Seconds for HTTP answers and partner calls: 1 ms to 30 s.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

// Seconds a step takes, wall clock: a minute to a week (budgets are working days).
const prometheus::Histogram::BucketBoundaries kStepBuckets = {
    60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200, 432000, 604800};

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily result;
  result.name = std::move(name);
  result.help = std::move(help);
  result.type = type;
  return result;
}

ClientMetric gauge(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  return metric;
}

double seconds(SystemTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

// The pattern of the route `path` matches, for a label with a bounded set of values.
std::string routeLabel(const api::RouteTable& routes, const std::string& method,
                       const std::string& uri) {
  try {
    const std::string path = Poco::URI(uri).getPath();
    api::RouteTable::Match match = routes.match(method, path);
    if (match.kind == api::RouteTable::MatchKind::kFound) return match.route->pattern;
  } catch (const Poco::Exception&) {
    // A URI that does not parse is answered 400 by the inner factory; it is unmatched here.
  }
  return "unmatched";
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests_(prometheus::BuildCounter()
                         .Name("kaiban_http_requests_total")
                         .Help("HTTP requests answered, by listener, route pattern, method and "
                               "status")
                         .Register(*registry_)),
      http_duration_(prometheus::BuildHistogram()
                         .Name("kaiban_http_request_duration_seconds")
                         .Help("Time to answer an HTTP request, by listener and route pattern")
                         .Register(*registry_)),
      partner_requests_(prometheus::BuildCounter()
                            .Name("kaiban_partner_requests_total")
                            .Help("Calls to partner systems, by partner and operation")
                            .Register(*registry_)),
      partner_errors_(prometheus::BuildCounter()
                          .Name("kaiban_partner_errors_total")
                          .Help("Calls to partner systems that failed, by partner, operation and "
                                "error code")
                          .Register(*registry_)),
      partner_duration_(prometheus::BuildHistogram()
                            .Name("kaiban_partner_request_duration_seconds")
                            .Help("Time of a call to a partner system, by partner and operation")
                            .Register(*registry_)) {}

void Metrics::observeHttp(std::string_view listener, std::string_view route,
                          std::string_view method, int status,
                          std::chrono::duration<double> elapsed) {
  http_requests_
      .Add({{"listener", std::string(listener)},
            {"route", std::string(route)},
            {"method", std::string(method)},
            {"status", std::to_string(status)}})
      .Increment();
  http_duration_
      .Add({{"listener", std::string(listener)}, {"route", std::string(route)}}, kLatencyBuckets)
      .Observe(elapsed.count());
}

void Metrics::observePartnerCall(std::string_view partner, std::string_view operation,
                                 const Error* error, std::chrono::duration<double> elapsed) {
  const prometheus::Labels labels = {{"partner", std::string(partner)},
                                     {"operation", std::string(operation)}};
  partner_requests_.Add(labels).Increment();
  partner_duration_.Add(labels, kLatencyBuckets).Observe(elapsed.count());
  if (error != nullptr) {
    prometheus::Labels with_code = labels;
    with_code.emplace("code", std::string(errorCodeName(error->code)));
    partner_errors_.Add(with_code).Increment();
  }
}

StoreCollector::StoreCollector(ConsoleStore& console, Store& store, const Clock& clock,
                               StoreCollectorOptions options)
    : console_(console), store_(store), clock_(clock), options_(options) {}

std::vector<MetricFamily> StoreCollector::Collect() const {
  std::lock_guard lock(mutex_);
  const SteadyTime now = clock_.steadyNow();
  if (!have_last_ || now - last_read_ >= options_.reuse_for) {
    last_ = read();
    last_read_ = now;
    have_last_ = true;
  }
  return last_;
}

std::vector<MetricFamily> StoreCollector::read() const {
  const SystemTime now = clock_.now();
  Result<StoreCounts> counts = console_.counts(now);
  Result<std::vector<KioskRecord>> kiosks = store_.listKiosks(KioskFilter{});

  MetricFamily up =
      family("kaiban_store_up", "1 when the store answered the last scrape's queries, else 0",
             MetricType::Gauge);
  up.metric.push_back(gauge(counts && kiosks ? 1 : 0));
  if (!counts || !kiosks) return {up};

  std::vector<MetricFamily> families;
  families.push_back(std::move(up));

  MetricFamily applications =
      family("kaiban_applications", "Applications by state", MetricType::Gauge);
  for (const auto& [state, count] : counts->applications) {
    applications.metric.push_back(
        gauge(static_cast<double>(count), {{"state", std::string(toString(state))}}));
  }
  families.push_back(std::move(applications));

  MetricFamily sla = family("kaiban_sla_applications",
                            "Open applications at risk of missing their deadline or a step "
                            "budget (80 % used), or past one (breached)",
                            MetricType::Gauge);
  sla.metric.push_back(gauge(static_cast<double>(counts->at_risk), {{"level", "at_risk"}}));
  sla.metric.push_back(gauge(static_cast<double>(counts->breached), {{"level", "breached"}}));
  families.push_back(std::move(sla));

  MetricFamily outbox =
      family("kaiban_outbox_messages", "Partner messages waiting in the transactional outbox",
             MetricType::Gauge);
  outbox.metric.push_back(gauge(static_cast<double>(counts->outbox_due), {{"due", "now"}}));
  outbox.metric.push_back(
      gauge(static_cast<double>(counts->outbox_messages - counts->outbox_due), {{"due", "later"}}));
  families.push_back(std::move(outbox));

  MetricFamily reviews =
      family("kaiban_open_human_tasks",
             "Human tasks (KYC reviews) open or waiting for the applicant", MetricType::Gauge);
  reviews.metric.push_back(gauge(static_cast<double>(counts->open_human_tasks)));
  families.push_back(std::move(reviews));

  // Rebuilt from every finished step at each reading: the counts only grow (steps are never
  // deleted), as a histogram's must, and survive restarts.
  std::map<std::string, std::unique_ptr<prometheus::Histogram>> by_step;
  for (const StepRun& run : counts->done_steps) {
    auto& histogram = by_step[run.step_id];
    if (!histogram) histogram = std::make_unique<prometheus::Histogram>(kStepBuckets);
    histogram->Observe(std::chrono::duration<double>(run.finished_at - run.ready_at).count());
  }
  MetricFamily steps =
      family("kaiban_step_duration_seconds",
             "Wall-clock time from a step becoming ready to its completion", MetricType::Histogram);
  for (const auto& [step, histogram] : by_step) {
    ClientMetric metric = histogram->Collect();
    metric.label = {{"step", step}};
    steps.metric.push_back(std::move(metric));
  }
  families.push_back(std::move(steps));

  MetricFamily heartbeats =
      family("kaiban_kiosk_last_heartbeat_timestamp_seconds",
             "When each registered kiosk last sent a heartbeat (Unix time)", MetricType::Gauge);
  std::map<std::string, int> by_status = {
      {"online", 0}, {"offline", 0}, {"never", 0}, {"disabled", 0}};
  for (const KioskRecord& kiosk : *kiosks) {
    if (kiosk.last_heartbeat_at) {
      heartbeats.metric.push_back(gauge(
          seconds(*kiosk.last_heartbeat_at),
          {{"bank", kiosk.bank_code}, {"district", kiosk.district}, {"kiosk", kiosk.kiosk_id}}));
    }
    if (!kiosk.enabled) {
      ++by_status["disabled"];
    } else if (!kiosk.last_heartbeat_at) {
      ++by_status["never"];
    } else if (now - *kiosk.last_heartbeat_at > options_.heartbeat_stale) {
      ++by_status["offline"];
    } else {
      ++by_status["online"];
    }
  }
  families.push_back(std::move(heartbeats));
  MetricFamily fleet = family("kaiban_kiosks",
                              "Registered kiosks by heartbeat status (online: a heartbeat within "
                              "the stale limit)",
                              MetricType::Gauge);
  for (const auto& [status, count] : by_status) {
    fleet.metric.push_back(gauge(count, {{"status", status}}));
  }
  families.push_back(std::move(fleet));
  return families;
}

std::string exposition(
    const std::vector<std::shared_ptr<const prometheus::Collectable>>& collectables) {
  std::vector<MetricFamily> families;
  for (const auto& collectable : collectables) {
    std::vector<MetricFamily> collected = collectable->Collect();
    families.insert(families.end(), std::make_move_iterator(collected.begin()),
                    std::make_move_iterator(collected.end()));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

namespace {

// GET /metrics.
class MetricsHandler final : public api::RouteHandler {
 public:
  explicit MetricsHandler(std::vector<std::shared_ptr<const prometheus::Collectable>> collectables)
      : collectables_(std::move(collectables)) {}
  api::HttpReply handle(const api::RouteRequest&) override {
    return api::HttpReply{
        200, "text/plain; version=0.0.4; charset=utf-8", exposition(collectables_), {}};
  }

 private:
  const std::vector<std::shared_ptr<const prometheus::Collectable>> collectables_;
};

}  // namespace

void addMetricsRoute(api::RouteTable& routes,
                     std::vector<std::shared_ptr<const prometheus::Collectable>> collectables) {
  routes.add("GET", "/metrics", std::make_shared<MetricsHandler>(std::move(collectables)));
}

// Runs the inner factory's handler, then records what it answered.
class MeteredHandlerFactory::Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(Poco::Net::HTTPRequestHandler* inner, std::string route, MeteredHandlerFactory& owner)
      : inner_(std::move(inner)), route_(std::move(route)), owner_(owner) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const SteadyTime started = owner_.clock_.steadyNow();
    inner_->handleRequest(request, response);
    owner_.metrics_.observeHttp(owner_.listener_, route_, request.getMethod(),
                                static_cast<int>(response.getStatus()),
                                owner_.clock_.steadyNow() - started);
  }

 private:
  std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
  const std::string route_;
  MeteredHandlerFactory& owner_;
};

MeteredHandlerFactory::MeteredHandlerFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner,
                                             std::shared_ptr<const api::RouteTable> routes,
                                             std::string listener, Metrics& metrics,
                                             const Clock& clock)
    : inner_(std::move(inner)),
      routes_(std::move(routes)),
      listener_(std::move(listener)),
      metrics_(metrics),
      clock_(clock) {}

Poco::Net::HTTPRequestHandler* MeteredHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
  Poco::Net::HTTPRequestHandler* inner = inner_->createRequestHandler(request);
  if (inner == nullptr) return nullptr;
  return new Handler(inner, routeLabel(*routes_, request.getMethod(), request.getURI()), *this);
}

namespace {

template <class T>
Result<T> timed(Metrics& metrics, const Clock& clock, std::string_view partner,
                std::string_view operation, const std::function<Result<T>()>& call,
                bool not_found_is_an_answer = false) {
  const SteadyTime started = clock.steadyNow();
  Result<T> result = call();
  const bool failed =
      !result.ok() && !(not_found_is_an_answer && result.error().code == ErrorCode::kNotFound);
  metrics.observePartnerCall(partner, operation, failed ? &result.error() : nullptr,
                             clock.steadyNow() - started);
  return result;
}

}  // namespace

Result<adapters::Ack> MeteredStepAdapter::dispatch(const adapters::StepRequest& request) {
  return timed<adapters::Ack>(metrics_, clock_, inner_.partner(), operation_ + ".dispatch",
                              [&] { return inner_.dispatch(request); });
}

Result<adapters::StepOutcome> MeteredStepAdapter::poll(const adapters::MessageId& id) {
  return timed<adapters::StepOutcome>(metrics_, clock_, inner_.partner(), operation_ + ".poll",
                                      [&] { return inner_.poll(id); });
}

Result<void> MeteredNotifier::notify(const adapters::MessageId& id, std::string_view phone,
                                     std::string_view text) {
  const SteadyTime started = clock_.steadyNow();
  Result<void> result = inner_.notify(id, phone, text);
  metrics_.observePartnerCall("sms", "notify", result ? nullptr : &result.error(),
                              clock_.steadyNow() - started);
  return result;
}

Result<adapters::PersonRecord> MeteredPeopleDirectory::lookup(std::string_view id_number) {
  return timed<adapters::PersonRecord>(
      metrics_, clock_, "people", "lookup", [&] { return inner_.lookup(id_number); }, true);
}

MeteredPartners::MeteredPartners(const AdapterMap& adapters, adapters::Notifier& notifier,
                                 adapters::PeopleDirectory& people, Metrics& metrics,
                                 const Clock& clock)
    : notifier_(notifier, metrics, clock), people_(people, metrics, clock) {
  for (const auto& [name, adapter] : adapters) {
    adapters_.push_back(std::make_unique<MeteredStepAdapter>(*adapter, name, metrics, clock));
    map_.emplace(name, adapters_.back().get());
  }
}

}  // namespace kaiban::orchestrator::metrics
