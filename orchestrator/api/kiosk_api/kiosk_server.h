#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "adapters/adapter.h"
#include "adapters/registry/registry_codec.h"
#include "core/application.h"
#include "core/clock.h"
#include "core/result.h"
#include "orchestrator/engine/engine.h"
#include "orchestrator/store/store.h"

// What the kiosk API's handlers ask the orchestrator, and nothing more (STYLE.md: handlers see
// a narrow server interface). EngineKioskServer is the real one; tests may put a fake behind
// the same routes.
namespace kaiban::orchestrator::api {

// Every method is thread-safe and returns the errors of the call it forwards to.
class KioskServer {
 public:
  virtual ~KioskServer() = default;

  // The kiosk registry (Store::findKiosk, Store::recordHeartbeat).
  virtual Result<KioskRecord> findKiosk(std::string_view kiosk_id) = 0;
  virtual Result<void> recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                                       std::string_view heartbeat_json) = 0;

  // As the Engine methods of the same names.
  virtual Result<SubmitResult> submit(const Application& application, std::string_view kiosk_id,
                                      std::string_view idempotency_key,
                                      std::string_view request_hash) = 0;
  virtual Result<ApplicationStatus> status(std::string_view id) = 0;
  virtual Result<Application> application(std::string_view id) = 0;
  virtual Result<ApplicationList> list(const ListFilter& filter) = 0;
  virtual Result<ApplicationStatus> answerNeedsAttention(std::string_view id,
                                                         const ApplicantAnswer& answer,
                                                         std::string_view actor) = 0;

  // Idempotency keys of requests other than submissions (Store::findIdempotencyKey,
  // Store::putIdempotencyKey).
  virtual Result<std::optional<IdempotencyRecord>> findIdempotencyKey(std::string_view kiosk_id,
                                                                      std::string_view key) = 0;
  virtual Result<void> putIdempotencyKey(const IdempotencyRecord& record) = 0;

  // The people-data platform (adapters::PeopleDirectory::lookup).
  virtual Result<adapters::PersonRecord> lookupPerson(std::string_view id_number) = 0;
  // The registry's name check (adapters::RegistryAdapter::checkName).
  virtual Result<adapters::NameCheck> checkName(std::string_view name,
                                                std::string_view division_code) = 0;
};

// RegistryAdapter::checkName, or a stand-in in tests.
using NameChecker = std::function<Result<adapters::NameCheck>(std::string_view name,
                                                              std::string_view division_code)>;

// The KioskServer of the running orchestrator: the engine, the store's kiosk registry, the
// people-data adapter and the registry's name check. Every reference must outlive it.
class EngineKioskServer final : public KioskServer {
 public:
  EngineKioskServer(Engine& engine, Store& store, adapters::PeopleDirectory& people,
                    NameChecker check_name)
      : engine_(engine), store_(store), people_(people), check_name_(std::move(check_name)) {}

  Result<KioskRecord> findKiosk(std::string_view kiosk_id) override {
    return store_.findKiosk(kiosk_id);
  }
  Result<void> recordHeartbeat(std::string_view kiosk_id, SystemTime at,
                               std::string_view heartbeat_json) override {
    return store_.recordHeartbeat(kiosk_id, at, heartbeat_json);
  }
  Result<SubmitResult> submit(const Application& application, std::string_view kiosk_id,
                              std::string_view idempotency_key,
                              std::string_view request_hash) override {
    return engine_.submit(application, kiosk_id, idempotency_key, request_hash);
  }
  Result<ApplicationStatus> status(std::string_view id) override { return engine_.status(id); }
  Result<Application> application(std::string_view id) override { return engine_.application(id); }
  Result<ApplicationList> list(const ListFilter& filter) override { return engine_.list(filter); }
  Result<ApplicationStatus> answerNeedsAttention(std::string_view id, const ApplicantAnswer& answer,
                                                 std::string_view actor) override {
    return engine_.answerNeedsAttention(id, answer, actor);
  }
  Result<std::optional<IdempotencyRecord>> findIdempotencyKey(std::string_view kiosk_id,
                                                              std::string_view key) override {
    return store_.findIdempotencyKey(kiosk_id, key);
  }
  Result<void> putIdempotencyKey(const IdempotencyRecord& record) override {
    return store_.putIdempotencyKey(record);
  }
  Result<adapters::PersonRecord> lookupPerson(std::string_view id_number) override {
    return people_.lookup(id_number);
  }
  Result<adapters::NameCheck> checkName(std::string_view name,
                                        std::string_view division_code) override {
    return check_name_(name, division_code);
  }

 private:
  Engine& engine_;
  Store& store_;
  adapters::PeopleDirectory& people_;
  const NameChecker check_name_;
};

}  // namespace kaiban::orchestrator::api
