#include "adapters/sim/sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "Poco/JSON/Parser.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/StreamCopier.h"
#include "adapters/transport/peer.h"
#include "adapters/transport/tls.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace kaiban::sim::testing {
namespace {

std::string readAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReceiverHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ReceiverHandler(CallbackReceiver& receiver) : receiver_(receiver) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    CallbackReceiver::Callback callback;
    Result<transport::PeerIdentity> peer = transport::peerIdentity(request);
    callback.peer_cn = peer.ok() ? peer->common_name : "";
    callback.path = request.getURI();
    callback.message_id = request.get(std::string(transport::kMessageIdHeader), "");
    Poco::StreamCopier::copyToString(request.stream(), callback.body);
    const bool is_callback = request.getMethod() == "POST" &&
                             callback.path.starts_with("/partner/v1/") &&
                             callback.path.ends_with("/callback");
    if (is_callback) receiver_.record(callback);
    response.setStatus(is_callback ? Poco::Net::HTTPResponse::HTTP_NO_CONTENT
                                   : Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    response.setContentLength(0);
    response.send();
  }

 private:
  CallbackReceiver& receiver_;
};

class ReceiverFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ReceiverFactory(CallbackReceiver& receiver) : receiver_(receiver) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new ReceiverHandler(receiver_);
  }

 private:
  CallbackReceiver& receiver_;
};

}  // namespace

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Polling another process's state: there is nothing to wait on but time.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

SimProcess::SimProcess(const std::filesystem::path& pki_dir, const std::filesystem::path& data_dir,
                       int callback_port, const std::vector<std::string>& extra) {
  std::filesystem::create_directories(data_dir);
  log_file_ = data_dir / "sim.log";
  const std::filesystem::path ports_file = data_dir / "ports.json";
  std::filesystem::remove(ports_file);

  std::vector<std::string> arguments = {
      (kaiban::testing::buildDir() / "adapters" / "sim" / "kaiban-sim").string(),
      "--pki",
      pki_dir.string(),
      "--data",
      data_dir.string(),
      "--ports",
      "registry=0,seal=0,bank=0,tax=0,people=0,sms=0",
      "--control-port",
      "0",
      "--ports-file",
      ports_file.string(),
      "--callback-url",
      "https://127.0.0.1:" + std::to_string(callback_port)};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // Not even a listening socket of the test may leak into the simulator: a callback receiver
  // restarted on the same port must be the only one listening there.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw std::runtime_error("cannot start " + arguments[0] + ": " + std::strerror(spawned));
  }

  bool exited = false;
  const bool listening = waitUntil(
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
    throw std::runtime_error("kaiban-sim did not start:\n" + log());
  }
  Poco::JSON::Object::Ptr ports =
      Poco::JSON::Parser().parse(readAll(ports_file)).extract<Poco::JSON::Object::Ptr>();
  for (const std::string& name : ports->getNames()) ports_[name] = ports->getValue<int>(name);
  control_ = std::make_unique<transport::HttpsClient>(
      transport::Endpoint{"127.0.0.1", port("control"), "kaiban-sim control"}, nullptr,
      transport::ClientOptions{}, clock_);
}

SimProcess::~SimProcess() { kill(); }

int SimProcess::port(std::string_view name) const {
  auto found = ports_.find(std::string(name));
  return found == ports_.end() ? 0 : found->second;
}

int SimProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const bool exited =
      waitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(30));
  if (!exited) {
    kill();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void SimProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string SimProcess::log() const { return readAll(log_file_); }

transport::Response SimProcess::control(std::string_view method, std::string_view path,
                                        std::string_view body) {
  Result<transport::Response> response =
      method == "POST" ? control_->post(path, body, "text/plain") : control_->get(path);
  if (!response.ok()) {
    ADD_FAILURE() << "control endpoint: " << response.error();
    return transport::Response{};
  }
  return *response;
}

Poco::JSON::Object::Ptr SimProcess::effects() {
  const transport::Response response = control("GET", "/effects");
  EXPECT_EQ(response.status, 200) << response.body;
  return Poco::JSON::Parser().parse(response.body).extract<Poco::JSON::Object::Ptr>();
}

int SimProcess::effectsOf(std::string_view partner, std::string_view message_id) {
  Poco::JSON::Object::Ptr partners = effects()->getObject("partners");
  if (!partners->has(std::string(partner))) return -1;
  Poco::JSON::Object::Ptr by_message =
      partners->getObject(std::string(partner))->getObject("by_message");
  if (!by_message->has(std::string(message_id))) return -1;
  return by_message->getValue<int>(std::string(message_id));
}

int SimProcess::counter(std::string_view partner, std::string_view name, bool in_callbacks) {
  Poco::JSON::Object::Ptr partners = effects()->getObject("partners");
  if (!partners->has(std::string(partner))) return 0;
  Poco::JSON::Object::Ptr entry = partners->getObject(std::string(partner));
  if (in_callbacks) entry = entry->getObject("callbacks");
  return entry->getValue<int>(std::string(name));
}

CallbackReceiver::CallbackReceiver(const transport::testing::TestPki& pki, int port) {
  transport::ServerOptions options;
  options.port = port;
  server_ = std::make_unique<transport::HttpsServer>(
      Poco::Net::HTTPRequestHandlerFactory::Ptr(new ReceiverFactory(*this)),
      transport::makeServerContext(pki.server(), transport::ClientCertificates::kRequired),
      options);
  server_->start();
}

CallbackReceiver::~CallbackReceiver() { server_->stop(); }

int CallbackReceiver::port() const { return server_->port(); }

void CallbackReceiver::record(Callback callback) {
  {
    std::lock_guard lock(mutex_);
    callbacks_.push_back(std::move(callback));
  }
  arrived_.notify_all();
}

std::optional<CallbackReceiver::Callback> CallbackReceiver::waitFor(
    std::string_view message_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<Callback> found;
  arrived_.wait_for(lock, timeout, [&] {
    for (const Callback& callback : callbacks_) {
      if (callback.message_id == message_id) {
        found = callback;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<CallbackReceiver::Callback> CallbackReceiver::received() const {
  std::lock_guard lock(mutex_);
  return callbacks_;
}

}  // namespace kaiban::sim::testing
