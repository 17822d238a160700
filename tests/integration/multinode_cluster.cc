#include "tests/integration/multinode_cluster.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "adapters/transport/https_client.h"

namespace kaiban::testing {

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(90);

std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

MultinodeCluster::MultinodeCluster(KaibanHarness& harness, std::string postgres_url, int nodes,
                                   std::vector<std::string> settings)
    : harness_(harness), postgres_url_(std::move(postgres_url)), settings_(std::move(settings)) {
  if (postgres_url_.empty() && nodes != 1) {
    throw std::invalid_argument("several nodes need a PostgreSQL database to share");
  }
  std::vector<int> ports;
  for (int i = 0; i < nodes; ++i) {
    Node node;
    node.api_port = freeLoopbackPort();
    ports.push_back(node.api_port);
    nodes_.push_back(std::move(node));
  }
  balancer_ = std::make_unique<TcpBalancer>(harness_.apiPort(), ports);
}

MultinodeCluster::~MultinodeCluster() {
  for (Node& node : nodes_) {
    if (node.process) node.process->signal(SIGTERM);
  }
  for (Node& node : nodes_) {
    if (!node.process) continue;
    node.process->waitFor(std::chrono::seconds(20));
    node.process.reset();
  }
  balancer_.reset();
}

std::vector<std::string> MultinodeCluster::storeSettings() const {
  if (postgres_url_.empty()) return {};
  return {"--set", "store=postgres", "--set", "postgres.url=" + postgres_url_};
}

std::filesystem::path MultinodeCluster::logOf(int index) const {
  return harness_.dir() / ("node-" + std::to_string(index) + ".log");
}

void MultinodeCluster::start(int index) {
  Node& node = nodes_.at(index);
  const std::filesystem::path ports_file =
      harness_.dir() / ("node-" + std::to_string(index) + ".ports.json");
  std::filesystem::remove(ports_file);
  std::vector<std::string> arguments = harness_.commonArguments();
  const std::vector<std::string> store = storeSettings();
  arguments.insert(arguments.end(), store.begin(), store.end());
  std::vector<std::string> settings = {
      "api.port=" + std::to_string(node.api_port), "admin.port=0",
      "dispatcher.owner=" + owner(index),          "run.ports_file=" + ports_file.string(),
      "log.file=" + logOf(index).string(),
  };
  settings.insert(settings.end(), settings_.begin(), settings_.end());
  for (const std::string& setting : settings) {
    arguments.push_back("--set");
    arguments.push_back(setting);
  }
  node.process =
      std::make_unique<ChildProcess>(harness_.orchestratorBinary(), arguments,
                                     harness_.dir() / ("node-" + std::to_string(index) + ".out"));
  const pid_t pid = node.process->pid();
  SystemClock clock;
  const bool ready = KaibanHarness::waitUntil(
      [&] {
        if (node.process->exited()) return true;
        if (!std::filesystem::exists(ports_file)) return false;
        Poco::JSON::Object::Ptr ports = parseObject(readText(ports_file));
        if (ports->getValue<int>("pid") != pid) return false;
        Result<transport::Response> readyz =
            transport::HttpsClient(
                transport::Endpoint{"127.0.0.1", ports->getValue<int>("admin"), "admin"}, nullptr,
                {}, clock)
                .get("/readyz");
        return readyz && readyz->status == 200;
      },
      kStartTimeout);
  if (!ready || node.process->exited()) {
    throw std::runtime_error("node " + std::to_string(index) + " did not become ready:\n" +
                             tailOf(harness_.dir() / ("node-" + std::to_string(index) + ".out")) +
                             tailOf(logOf(index)));
  }
}

void MultinodeCluster::kill(int index) {
  Node& node = nodes_.at(index);
  node.process->signal(SIGKILL);
  node.process->waitFor(std::chrono::seconds(30));
}

bool MultinodeCluster::running(int index) const {
  const Node& node = nodes_.at(index);
  return node.process && !node.process->exited();
}

ProcessResult MultinodeCluster::cli(const std::vector<std::string>& arguments) const {
  std::vector<std::string> all = harness_.commonArguments();
  const std::vector<std::string> store = storeSettings();
  all.insert(all.end(), store.begin(), store.end());
  all.insert(all.end(), arguments.begin(), arguments.end());
  return runProcess(harness_.orchestratorBinary(), all);
}

Poco::JSON::Object::Ptr MultinodeCluster::summary() const {
  ProcessResult result = cli({"summary"});
  if (result.exit_code != 0) throw std::runtime_error("summary failed: " + result.err);
  return parseObject(result.out);
}

std::vector<Poco::JSON::Object::Ptr> MultinodeCluster::statuses() const {
  ProcessResult result = cli({"status", "--all"});
  if (result.exit_code != 0) throw std::runtime_error("status --all failed: " + result.err);
  std::vector<Poco::JSON::Object::Ptr> all;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) all.push_back(parseObject(line));
  }
  return all;
}

int MultinodeCluster::completed() const {
  Poco::JSON::Object::Ptr states = summary()->getObject("by_state");
  return states->has("completed") ? states->getValue<int>("completed") : 0;
}

}  // namespace kaiban::testing
