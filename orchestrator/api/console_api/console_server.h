#pragma once

#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/result.h"
#include "orchestrator/engine/engine.h"
#include "orchestrator/store/console_store.h"
#include "orchestrator/store/store.h"

// What the console handlers ask the orchestrator, and nothing more (STYLE.md: handlers see a
// narrow server interface). Scope checks (which bank, which district) are the handlers' job:
// this interface answers for every application.
namespace kaiban::orchestrator::api {

// Every method is thread-safe and returns the errors of the call it forwards to.
class ConsoleServer {
 public:
  virtual ~ConsoleServer() = default;

  // As the Engine methods of the same names.
  virtual Result<ApplicationStatus> status(std::string_view id) = 0;
  virtual Result<Application> application(std::string_view id) = 0;
  virtual Result<std::vector<EventRecord>> history(std::string_view id) = 0;
  virtual Result<std::vector<HumanTaskView>> humanTasks(const HumanTaskFilter& filter) = 0;
  virtual Result<ApplicationStatus> approveHumanTask(std::string_view id, std::string_view step,
                                                     std::string_view actor) = 0;
  virtual Result<ApplicationStatus> rejectHumanTask(std::string_view id, std::string_view step,
                                                    std::string_view actor,
                                                    std::string_view reason) = 0;
  virtual Result<ApplicationStatus> requestMoreInfo(std::string_view id, std::string_view step,
                                                    std::string_view actor,
                                                    std::string_view reason) = 0;
  virtual Result<ApplicationStatus> retryStep(std::string_view id, std::string_view step,
                                              std::string_view actor) = 0;
  virtual Result<ApplicationStatus> cancelStep(std::string_view id, std::string_view step,
                                               std::string_view actor, std::string_view reason) = 0;
  virtual Result<ApplicationStatus> cancelApplication(std::string_view id, std::string_view actor,
                                                      std::string_view reason) = 0;

  // ConsoleStore::timelines and Store::listKiosks.
  virtual Result<std::vector<ApplicationTimeline>> timelines(const TimelineFilter& filter) = 0;
  virtual Result<std::vector<KioskRecord>> listKiosks(const KioskFilter& filter) = 0;

  // The working-time calendar deadlines are computed with.
  virtual const WorkingCalendar& calendar() const = 0;
};

// The ConsoleServer of the running orchestrator. Every reference must outlive it.
class EngineConsoleServer final : public ConsoleServer {
 public:
  EngineConsoleServer(Engine& engine, Store& store, ConsoleStore& console,
                      const WorkingCalendar& calendar)
      : engine_(engine), store_(store), console_(console), calendar_(calendar) {}

  Result<ApplicationStatus> status(std::string_view id) override { return engine_.status(id); }
  Result<Application> application(std::string_view id) override { return engine_.application(id); }
  Result<std::vector<EventRecord>> history(std::string_view id) override {
    return engine_.history(id);
  }
  Result<std::vector<HumanTaskView>> humanTasks(const HumanTaskFilter& filter) override {
    return engine_.humanTasks(filter);
  }
  Result<ApplicationStatus> approveHumanTask(std::string_view id, std::string_view step,
                                             std::string_view actor) override {
    return engine_.approveHumanTask(id, step, actor);
  }
  Result<ApplicationStatus> rejectHumanTask(std::string_view id, std::string_view step,
                                            std::string_view actor,
                                            std::string_view reason) override {
    return engine_.rejectHumanTask(id, step, actor, reason);
  }
  Result<ApplicationStatus> requestMoreInfo(std::string_view id, std::string_view step,
                                            std::string_view actor,
                                            std::string_view reason) override {
    return engine_.requestMoreInfo(id, step, actor, reason);
  }
  Result<ApplicationStatus> retryStep(std::string_view id, std::string_view step,
                                      std::string_view actor) override {
    return engine_.retryStep(id, step, actor);
  }
  Result<ApplicationStatus> cancelStep(std::string_view id, std::string_view step,
                                       std::string_view actor, std::string_view reason) override {
    return engine_.cancelStep(id, step, actor, reason);
  }
  Result<ApplicationStatus> cancelApplication(std::string_view id, std::string_view actor,
                                              std::string_view reason) override {
    return engine_.cancelApplication(id, actor, reason);
  }
  Result<std::vector<ApplicationTimeline>> timelines(const TimelineFilter& filter) override {
    return console_.timelines(filter);
  }
  Result<std::vector<KioskRecord>> listKiosks(const KioskFilter& filter) override {
    return store_.listKiosks(filter);
  }
  const WorkingCalendar& calendar() const override { return calendar_; }

 private:
  Engine& engine_;
  Store& store_;
  ConsoleStore& console_;
  const WorkingCalendar& calendar_;
};

}  // namespace kaiban::orchestrator::api
