#include "terminal-agent/app/testing/agent_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "terminal-agent/link/json_text.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace kaiban::agent::testing {

namespace {

std::string readAll(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Another process's state: there is nothing to wait on but time.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

AgentProcess::AgentProcess(const std::filesystem::path& pki_dir,
                           const std::filesystem::path& var_dir, int orchestrator_port,
                           const std::vector<std::string>& extra) {
  std::filesystem::create_directories(var_dir);
  log_file_ = var_dir / "agent.log";
  const std::filesystem::path ports_file = var_dir / "run" / "agent.ports.json";
  std::filesystem::remove(ports_file);

  std::vector<std::string> arguments = {
      (kaiban::testing::buildDir() / "terminal-agent" / "kaiban-agent").string(),
      "--pki",
      pki_dir.string(),
      "--var",
      var_dir.string(),
      "--ui-port",
      "0",
      "--orchestrator",
      "https://127.0.0.1:" + std::to_string(orchestrator_port),
      "--heartbeat",
      "500ms",
      "--set",
      "forwarder.poll=200ms",
      "--set",
      "forwarder.backoff_initial=100ms",
      "--set",
      "forwarder.backoff_max=1s",
      "--set",
      "link.connect_timeout=1s",
      "--set",
      "link.read_timeout=5s",
      "--log-file",
      log_file_.string(),
      "--log-level",
      "debug"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The test's listening sockets (the fake orchestrator) must not leak into the agent.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw std::runtime_error("cannot start " + arguments[0] + ": " + std::strerror(spawned));
  }
  bool exited = false;
  const bool listening = eventually(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          exited = true;
          pid_ = -1;
          return true;
        }
        return std::filesystem::exists(ports_file);
      },
      std::chrono::seconds(60));
  if (exited || !listening) {
    kill();
    throw std::runtime_error("kaiban-agent did not start:\n" + log());
  }
  Result<Poco::JSON::Object::Ptr> ports = json::parseObject(readAll(ports_file), "ports file");
  if (!ports.ok()) throw std::runtime_error(ports.error().message);
  ui_port_ = static_cast<int>(json::intMember(**ports, "ui").value_or(0));
  client_ = std::make_unique<transport::HttpsClient>(
      transport::Endpoint{"127.0.0.1", ui_port_, "kiosk agent"}, nullptr,
      transport::ClientOptions{.read_timeout = std::chrono::milliseconds(15000)}, clock_);
}

AgentProcess::~AgentProcess() { kill(); }

int AgentProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const bool exited =
      eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(30));
  if (!exited) {
    kill();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void AgentProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string AgentProcess::log() const { return readAll(log_file_); }

transport::Response AgentProcess::call(std::string_view method, std::string_view path,
                                       std::string_view body, const std::string& session) {
  transport::Headers headers;
  if (!session.empty()) headers["X-Kiosk-Session"] = session;
  Result<transport::Response> response =
      method == "POST" ? client_->post(path, body, "application/json", headers)
                       : client_->get(path, headers);
  if (!response.ok()) {
    ADD_FAILURE() << "local API " << method << " " << path << ": " << response.error();
    return transport::Response{};
  }
  return *response;
}

Poco::JSON::Object::Ptr AgentProcess::parsed(const transport::Response& response) {
  Result<Poco::JSON::Object::Ptr> parsed = json::parseObject(response.body, "local API answer");
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.error() << ": " << response.body;
    return new Poco::JSON::Object;
  }
  return *parsed;
}

}  // namespace kaiban::agent::testing
