#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "bench/measure.h"

// The progress line kaiban-bench keeps on standard error while it runs: the phase, its
// elapsed time and a status the caller computes (rates, counts). On a terminal the line is
// rewritten in place every second; otherwise a line is printed every five seconds.
namespace kaiban::bench {

class Progress {
 public:
  Progress();
  // Ends the line.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Starts a phase: `status` is asked for the rest of the line until the next phase (it runs
  // on the progress thread and must be thread-safe). Prints the previous phase's last line.
  void phase(const std::string& name, std::function<std::string()> status = {});
  // A line of its own between phases.
  void note(const std::string& text);

 private:
  void loop();
  void printLine(bool final);

  const bool terminal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string name_;
  std::function<std::string()> status_;
  Clock::time_point started_;
  Clock::time_point last_printed_;
  std::thread thread_;
};

}  // namespace kaiban::bench
