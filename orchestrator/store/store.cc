#include "orchestrator/store/store.h"

#include <chrono>

#include "core/crypto/hash.h"

namespace kaiban::orchestrator {

namespace {

void appendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += '\n';
}

}  // namespace

const StepRecord* ApplicationSnapshot::step(std::string_view id) const {
  for (const StepRecord& candidate : steps) {
    if (candidate.step_id == id) return &candidate;
  }
  return nullptr;
}

const HumanTaskRecord* ApplicationSnapshot::humanTask(std::string_view step_id) const {
  for (const HumanTaskRecord& candidate : human_tasks) {
    if (candidate.step_id == step_id) return &candidate;
  }
  return nullptr;
}

std::string auditCanonicalForm(int64_t seq, SystemTime at, std::string_view actor,
                               std::string_view application_id, std::string_view action,
                               std::string_view detail) {
  std::string out = "kaiban-audit-v1\n";
  appendField(out, std::to_string(seq));
  appendField(
      out,
      std::to_string(
          std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count()));
  appendField(out, actor);
  appendField(out, application_id);
  appendField(out, action);
  appendField(out, detail);
  return out;
}

std::string_view toString(OutboxKind kind) {
  switch (kind) {
    case OutboxKind::kDispatch:
      return "dispatch";
    case OutboxKind::kPoll:
      return "poll";
    case OutboxKind::kNotify:
      return "notify";
  }
  return "unknown";
}

Result<OutboxKind> parseOutboxKind(std::string_view name) {
  for (OutboxKind kind : {OutboxKind::kDispatch, OutboxKind::kPoll, OutboxKind::kNotify}) {
    if (toString(kind) == name) return kind;
  }
  return Error::corrupt("unknown outbox kind '" + std::string(name) + "'");
}

std::string_view toString(TimerKind kind) {
  switch (kind) {
    case TimerKind::kAtRisk:
      return "at_risk";
    case TimerKind::kBreach:
      return "breach";
  }
  return "unknown";
}

Result<TimerKind> parseTimerKind(std::string_view name) {
  for (TimerKind kind : {TimerKind::kAtRisk, TimerKind::kBreach}) {
    if (toString(kind) == name) return kind;
  }
  return Error::corrupt("unknown timer kind '" + std::string(name) + "'");
}

Result<void> verifyAuditLog(Store& store, std::string_view expected_head_hash) {
  constexpr int kPage = 1000;
  std::string previous_hash(kAuditGenesisHash);
  int64_t after = 0;
  bool first_page = true;
  while (true) {
    Result<std::vector<AuditRecord>> page = store.auditLog(after, kPage);
    if (!page) return page.error();
    std::vector<crypto::AuditEntry> entries;
    entries.reserve(page->size());
    for (const AuditRecord& record : *page) {
      entries.push_back({record.seq,
                         auditCanonicalForm(record.seq, record.at, record.actor,
                                            record.application_id, record.action, record.detail),
                         record.previous_hash, record.hash});
    }
    // The chain must start at seq 1: a log whose first entries were deleted together with the
    // link in the next one would otherwise verify as a tail.
    if (first_page && !entries.empty() && entries.front().seq != 1) {
      return Error::corrupt("audit log broken at entry 1: the log starts at entry " +
                            std::to_string(entries.front().seq));
    }
    first_page = false;
    const bool last_page = static_cast<int>(entries.size()) < kPage;
    Result<void> verified = crypto::AuditChain::verifyChain(
        entries, previous_hash, last_page ? expected_head_hash : std::string_view{});
    if (!verified) return verified;
    if (!entries.empty()) {
      previous_hash = entries.back().hash;
      after = entries.back().seq;
    }
    if (last_page) return ok();
  }
}

}  // namespace kaiban::orchestrator
