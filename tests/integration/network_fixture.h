// Fixture for node-networking integration tests: a real NodeNetwork (namespaces, veths,
// bridges, nftables) on a temporary data dir, with names of its own (bridge prefix, default
// bridge, nft table) so it cannot touch a daemon running on the same host; busybox httpd
// servers started inside sandboxes with nsenter; and a check that nothing is left behind.
//
// Teardown kills the servers, removes every sandbox (recover with no live task), and the
// temporary directory. Every wait has a timeout.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/task.h"
#include "daemon_fixture.h"
#include "network/node_network.h"

namespace shoal::testing {

inline constexpr const char* kTestTable = "shoal_it";
inline constexpr const char* kTestBridgePrefix = "shi";
inline constexpr const char* kTestDefaultBridge = "shoalit0";

// The host's first IPv4 address on a link that is not loopback nor made by shoal (bridges,
// veths); "" when there is none.
std::string host_address();

// A process killed (SIGKILL) and reaped on destruction.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

class NetworkTest : public ::testing::Test {
 public:
  void SetUp() override;
  void TearDown() override;

  network::NodeNetworkOptions options() const;
  // Makes the node network again on the same data dir (a daemon restart).
  void restart();

  static api::Network network(std::string id, std::string name, std::string subnet,
                              std::string gateway, bool ingress = false);

 protected:
  // A task of `service` with one attachment per (network, address) and `ports` as its
  // service's Endpoint.Ports.
  static api::Task task(std::string id, std::string service,
                        std::vector<api::NetworkAttachment> attachments,
                        std::vector<api::PortConfig> ports = {});

  // Starts `busybox httpd -f -p 8080` inside the sandbox, serving `body` as index.html, and
  // waits (10 s at most) until it answers at `address`:8080.
  void serve(const network::Sandbox& sandbox, const std::string& body);
  // curl -s with a 3 s limit; the body, or "" on failure.
  static std::string curl(const std::string& url);
  // Bodies seen over `n` requests.
  static std::multiset<std::string> bodies(const std::string& url, int n);
  // What the node network left on the host: netns files and mounts under the data dir,
  // links of the test's names, the nft table. Empty when nothing is left.
  std::string leftovers(const std::vector<std::string>& task_ids) const;
  // leftovers(), once it is empty or after 10 s: the kernel destroys a removed namespace's
  // veth pairs asynchronously.
  std::string settled_leftovers(const std::vector<std::string>& task_ids) const;
  // Waits (10 s at most) until no link is named `name`; true when it is gone.
  static bool wait_link_gone(const std::string& name);
  // The host end of a task's first interface.
  static std::string host_veth(const std::string& task_id) {
    return "sv" + task_id.substr(0, 12) + "0";
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<network::Attacher> net_;
  std::vector<std::unique_ptr<Background>> servers_;
  std::vector<std::unique_ptr<TempDir>> www_;
};

}  // namespace shoal::testing
