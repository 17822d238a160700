#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "Poco/JSON/Object.h"
#include "tests/integration/kaiban_harness.h"
#include "tests/integration/multinode_balancer.h"

// Several kaiban-orchestrator processes on one PostgreSQL database behind one TcpBalancer,
// with the KaibanHarness's kaiban-sim calling back through the balancer: the shape of a
// scaled-out deployment (docs/operations-scale-out.md) on loopback.
namespace kaiban::testing {

class MultinodeCluster {
 public:
  // `harness` must have started its simulator; the balancer takes the harness's API port
  // (where the simulator sends callbacks). `postgres_url` is the database every node and
  // every command uses; "" runs on SQLite (the harness's var/orchestrator.db), for one node
  // only, to compare with. `settings` are extra --set key=value for every node.
  MultinodeCluster(KaibanHarness& harness, std::string postgres_url, int nodes,
                   std::vector<std::string> settings = {});
  // Stops every node still running (SIGTERM, then SIGKILL).
  ~MultinodeCluster();
  MultinodeCluster(const MultinodeCluster&) = delete;
  MultinodeCluster& operator=(const MultinodeCluster&) = delete;

  // Starts node `index` (lease owner "node-<index>", its own API and admin ports, log and
  // ports files) and waits until its /readyz answers 200. Throws std::runtime_error if it
  // does not become ready.
  void start(int index);
  // SIGKILL, as a crash: the node's claims stay in the database until their leases run out.
  void kill(int index);
  bool running(int index) const;
  int size() const { return static_cast<int>(nodes_.size()); }
  // The lease owner name of node `index`.
  static std::string owner(int index) { return "node-" + std::to_string(index); }

  // The balancer's port: what kiosks and partners connect to.
  int port() const { return balancer_->port(); }
  const TcpBalancer& balancer() const { return *balancer_; }

  // kaiban-orchestrator `arguments` with the harness's settings plus the PostgreSQL store.
  ProcessResult cli(const std::vector<std::string>& arguments) const;
  // `summary` and `status --all`, parsed.
  Poco::JSON::Object::Ptr summary() const;
  std::vector<Poco::JSON::Object::Ptr> statuses() const;
  // Applications in state `completed`, per summary.
  int completed() const;

  std::filesystem::path logOf(int index) const;

 private:
  struct Node {
    int api_port = 0;
    std::unique_ptr<ChildProcess> process;
  };
  std::vector<std::string> storeSettings() const;

  KaibanHarness& harness_;
  const std::string postgres_url_;
  const std::vector<std::string> settings_;
  std::vector<Node> nodes_;
  std::unique_ptr<TcpBalancer> balancer_;
};

}  // namespace kaiban::testing
