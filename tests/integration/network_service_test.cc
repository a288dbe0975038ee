// The acceptance test for published ports, with the real docker CLI against a real
// daemon running runc containers: an ingress port reaches every task, and removing the
// service leaves no namespace, veth, bridge or nft rule behind.
#include <set>

#include "network_fixture.h"
#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

class NetworkServiceTest : public RuntimeIntegrationTest {
 protected:
  // What the daemon's node network has on the host: netns files, sandbox records, links it
  // names (host veths "sv...", bridges "shl..."), its nft table. Empty when nothing is left.
  std::string network_leftovers() const {
    std::string out;
    std::error_code ec;
    for (const auto& dir : {data_ + "/netns", data_ + "/network/sandboxes"}) {
      for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
        out += "file " + f.path().string() + "\n";
      }
    }
    for (const auto& link : std::filesystem::directory_iterator("/sys/class/net", ec)) {
      std::string name = link.path().filename().string();
      if (name.starts_with("sv") || name.starts_with("shl")) out += "link " + name + "\n";
    }
    if (run_command({"nft", "list", "table", "ip", "shoal"}).exit_code == 0)
      out += "nft table shoal\n";
    return out;
  }

  // The bodies of `n` GETs of `url` (failed requests give "").
  static std::multiset<std::string> bodies(const std::string& url, int n) {
    std::multiset<std::string> out;
    for (int i = 0; i < n; ++i) {
      CommandResult r = run_command({"curl", "-s", "--max-time", "5", url}, {}, 10s);
      out.insert(r.exit_code == 0 ? trim(r.out) : "");
    }
    return out;
  }
};

TEST_F(NetworkServiceTest, IngressPortReachesEveryTaskAndServiceRmLeavesNothing) {
  ASSERT_EQ(network_leftovers(), "");
  ok({"service", "create", "--name", "web", "--replicas", "3", "-p", "8080:8080", kImage, "sh",
      "-c", "hostname > /www/index.html; exec httpd -f -p 8080 -h /www"});
  ASSERT_TRUE(eventually([&] { return running_tasks("web") == 3; }, 120s))
      << ok({"service", "ps", "web", "--no-trunc"}) << tail(daemon_->log());

  // Each task serves its hostname: the first 12 characters of its task ID.
  std::set<std::string> hostnames;
  std::istringstream ids(ok({"service", "ps", "web", "--no-trunc", "--filter",
                             "desired-state=running", "--format", "{{.ID}}"}));
  for (std::string id; ids >> id;) hostnames.insert(id.substr(0, 12));
  ASSERT_EQ(hostnames.size(), 3u);

  for (const std::string& url :
       {std::string("http://127.0.0.1:8080/"), "http://" + host_address() + ":8080/"}) {
    std::set<std::string> seen;
    // Connections rotate over the tasks; httpd may need a moment after RUNNING.
    eventually(
        [&] {
          for (const auto& body : bodies(url, 6)) {
            if (!body.empty()) seen.insert(body);
          }
          return seen == hostnames;
        },
        30s);
    EXPECT_EQ(seen, hostnames) << url;
  }

  ok({"service", "rm", "web"});
  EXPECT_TRUE(eventually([&] { return network_leftovers().empty(); }, 60s)) << network_leftovers();
}

TEST_F(NetworkServiceTest, HostPortIsReportedAndAnAddedPortRollsTheTasks) {
  ok({"service", "create", "--name", "h", "--publish", "mode=host,target=8080,published=8081",
      "--publish", "mode=host,target=53,published=8053,protocol=udp", kImage, "httpd", "-f", "-p",
      "8080", "-h", "/etc"});
  ASSERT_TRUE(eventually([&] { return running_tasks("h") == 1; }, 120s))
      << ok({"service", "ps", "h", "--no-trunc"}) << tail(daemon_->log());
  auto running = [&] {
    return trim(ok({"service", "ps", "h", "--filter", "desired-state=running", "--format",
                    "{{.ID}} {{.Ports}}"}));
  };
  // The task's Status.PortStatus, as `docker service ps` shows it.
  std::string before = running();
  EXPECT_TRUE(contains(before, "*:8081->8080/tcp,*:8053->53/udp")) << before;
  EXPECT_TRUE(eventually(
      [&] { return !bodies("http://127.0.0.1:8081/hostname", 1).begin()->empty(); }, 30s));

  // A published port added to the endpoint replaces the task (swarmkit's IsTaskDirty), and
  // the new task is reachable on it.
  ok({"service", "update", "--publish-add", "8082:8080", "h"});
  ASSERT_TRUE(eventually(
      [&] {
        std::string now = running();
        return !now.empty() && now.substr(0, 12) != before.substr(0, 12) && running_tasks("h") == 1;
      },
      120s))
      << ok({"service", "ps", "h", "--no-trunc"});
  EXPECT_TRUE(eventually(
      [&] { return !bodies("http://127.0.0.1:8082/hostname", 1).begin()->empty(); }, 30s));

  ok({"service", "rm", "h"});
  EXPECT_TRUE(eventually([&] { return network_leftovers().empty(); }, 60s)) << network_leftovers();
}

}  // namespace
}  // namespace shoal::testing
