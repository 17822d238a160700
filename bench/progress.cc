#include "bench/progress.h"

#include <unistd.h>

#include <cstdio>

namespace kaiban::bench {

Progress::Progress()
    : terminal_(isatty(STDERR_FILENO) == 1), started_(Clock::now()), last_printed_(started_) {
  thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  printLine(true);
}

void Progress::phase(const std::string& name, std::function<std::string()> status) {
  std::lock_guard lock(mutex_);
  printLine(true);
  name_ = name;
  status_ = std::move(status);
  started_ = Clock::now();
  last_printed_ = started_;
  printLine(false);
}

void Progress::note(const std::string& text) {
  std::lock_guard lock(mutex_);
  printLine(true);
  name_.clear();
  status_ = nullptr;
  std::fprintf(stderr, "  %s\n", text.c_str());
}

void Progress::printLine(bool final) {
  if (name_.empty()) return;
  // The status is computed under the lock, so a phase change waits for it.
  const std::string status = status_ ? status_() : std::string();
  char line[512];
  std::snprintf(line, sizeof line, "[%-22s %6.1f s] %s", name_.c_str(), secondsSince(started_),
                status.c_str());
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
  } else if (final || Clock::now() - last_printed_ >= std::chrono::seconds(5)) {
    std::fprintf(stderr, "%s\n", line);
    last_printed_ = Clock::now();
  }
  if (final) name_.clear();
  std::fflush(stderr);
}

void Progress::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (!stopping_) printLine(false);
  }
}

}  // namespace kaiban::bench
