#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// Real processes for the integration tests: the binaries under test, run as a supervisor
// would, killed as a crash would.
namespace kaiban::testing {

// A child process whose standard output and error are appended to a log file.
class ChildProcess {
 public:
  // Starts `program` with `arguments`. Throws std::runtime_error if it cannot be started.
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& arguments,
               const std::filesystem::path& log_file);
  // Kills it with SIGKILL if it still runs, and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& logFile() const { return log_file_; }

  // Sends `signal_number` unless the process was reaped already.
  void signal(int signal_number);
  // Whether it has exited (reaping it if so).
  bool exited();
  // Waits up to `timeout` for it to exit. Its exit code, 128 + the signal that ended it, or
  // nullopt if it still runs.
  std::optional<int> waitFor(std::chrono::milliseconds timeout);

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct ProcessResult {
  int exit_code = -1;  // 128 + signal if killed; -1 if it had to be killed at the timeout
  std::string out;
  std::string err;
};

// Runs `program` to completion (killing it after `timeout`) and returns what it printed.
ProcessResult runProcess(const std::filesystem::path& program,
                         const std::vector<std::string>& arguments,
                         std::chrono::milliseconds timeout = std::chrono::seconds(120));

// The last `lines` lines of a text file, for failure messages.
std::string tailOf(const std::filesystem::path& file, int lines = 30);

}  // namespace kaiban::testing
