// Multi-node acceptance on netns machines: a three-machine cluster spreads replicas, drains,
// survives a killed machine (its init and everything under it) and takes it back without
// duplicates; joins with bad or rotated tokens are refused and a worker's certificate
// reaches no control API; `shoal cluster rm` leaves nothing behind.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <set>

#include "ca/cert_dir.h"
#include "netns_cluster.h"
#include "rpc/channel.h"

namespace shoal::testing {
namespace {

// The status line of GET / from ip:port ("" when nothing answers).
std::string http_status_line(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET / HTTP/1.0\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[256];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) out.assign(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out.substr(0, out.find('\r'));
}

int total(const std::map<std::string, int>& per_node) {
  int n = 0;
  for (const auto& [_, count] : per_node) n += count;
  return n;
}

TEST_F(NetnsClusterTest, ReplicasSpreadDrainMovesThemAndAKilledMachineIsReplacedWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(create(3));
  std::map<std::string, std::string> all_ready = {{hostname("m1"), "Ready Active"},
                                                  {hostname("m2"), "Ready Active"},
                                                  {hostname("m3"), "Ready Active"}};
  EXPECT_TRUE(eventually([&] { return nodes() == all_ready; })) << ok("m1", {"node", "ls"});

  ok("m1", {"service", "create", "-d", "--name", "web", "--replicas", "6", "--publish", "8080:80",
            "--no-resolve-image", "busybox", "httpd", "-f", "-p", "80", "-h", "/www"});
  std::map<std::string, int> two_each = {
      {hostname("m1"), 2}, {hostname("m2"), 2}, {hostname("m3"), 2}};
  EXPECT_TRUE(
      eventually([&] { return running_per_node("web") == two_each; }, std::chrono::seconds(60)))
      << ok("m1", {"service", "ps", "web"}) << log_of("m2");
  for (const char* m : {"m1", "m2", "m3"}) {
    EXPECT_EQ(running_containers(m), 2) << m;
    // The ingress port answers on every machine's own address.
    EXPECT_TRUE(eventually([&] {
      return contains(http_status_line(machine(m).ip, 8080), " 200 ");
    })) << m
        << ": " << http_status_line(machine(m).ip, 8080);
  }

  ok("m1", {"node", "update", "--availability", "drain", hostname("m2")});
  EXPECT_TRUE(eventually(
      [&] {
        auto now = running_per_node("web");
        return now.count(hostname("m2")) == 0 && total(now) == 6;
      },
      std::chrono::seconds(60)))
      << ok("m1", {"service", "ps", "web"});
  EXPECT_TRUE(eventually([&] { return running_containers("m2") == 0; })) << log_of("m2");
  ok("m1", {"node", "update", "--availability", "active", hostname("m2")});

  // Power loss of m3: its daemon and containers die at once.
  CommandResult killed = shoal({"machine", "kill", name_, "m3"});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  EXPECT_TRUE(eventually([&] { return nodes()[hostname("m3")].starts_with("Down"); },
                         std::chrono::seconds(30)))
      << ok("m1", {"node", "ls"});
  EXPECT_TRUE(eventually(
      [&] {
        auto now = running_per_node("web");
        return now.count(hostname("m3")) == 0 && total(now) == 6;
      },
      std::chrono::seconds(60)))
      << ok("m1", {"service", "ps", "web"});

  CommandResult started = shoal({"machine", "start", name_, "m3"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_TRUE(eventually([&] { return nodes() == all_ready; }, std::chrono::seconds(30)))
      << ok("m1", {"node", "ls"}) << log_of("m3");
  // Back, it runs nothing the manager gave elsewhere: six tasks, one per slot, six containers.
  EXPECT_TRUE(eventually([&] { return running_containers("m3") == 0; })) << log_of("m3");
  std::vector<std::string> slots;
  auto now = running_per_node("web", &slots);
  EXPECT_EQ(total(now), 6) << ok("m1", {"service", "ps", "web"});
  EXPECT_EQ(std::set<std::string>(slots.begin(), slots.end()).size(), 6u);
  EXPECT_EQ(running_containers("m1") + running_containers("m2") + running_containers("m3"), 6);
}

TEST_F(NetnsClusterTest, BadAndRotatedTokensAreRefusedAndAWorkerCertificateReachesNoControlAPI) {
  ASSERT_NO_FATAL_FAILURE(create(2));
  ok("m2", {"swarm", "leave"});
  std::string token = trim(ok("m1", {"swarm", "join-token", "-q", "worker"}));
  // SWMTKN-1-<CA digest>-<secret>
  std::string forged_secret = token.substr(0, token.size() - 5) + "zzzzz";
  fails("m2", {"swarm", "join", "--token", forged_secret, manager_addr()},
        "A valid join token is necessary to join this cluster");
  std::string digest = token.substr(9, token.rfind('-') - 9);
  std::string other_digest(digest.size(), '1');
  std::string forged_ca = "SWMTKN-1-" + other_digest + token.substr(token.rfind('-'));
  fails("m2", {"swarm", "join", "--token", forged_ca, manager_addr()},
        "remote CA does not match fingerprint");
  EXPECT_EQ(trim(ok("m2", {"info", "--format", "{{.Swarm.LocalNodeState}}"})), "inactive");

  ok("m1", {"swarm", "join-token", "--rotate", "worker"});
  fails("m2", {"swarm", "join", "--token", token, manager_addr()},
        "A valid join token is necessary to join this cluster");
  std::string fresh = trim(ok("m1", {"swarm", "join-token", "-q", "worker"}));
  ok("m2", {"swarm", "join", "--token", fresh, manager_addr()});

  // A worker cannot see the cluster: not through its own API...
  fails("m2", {"service", "ls"}, "This node is not a swarm manager");
  // ...nor with its certificate at the manager's port, which serves only the CA and the
  // dispatcher to nodes.
  auto certs = ca::CertDir(machine("m2").data_dir).read();
  ASSERT_TRUE(certs.is_ok()) << certs.status().to_string();
  rpc::keep_grpc_alive();
  auto channel = rpc::secure_channel(
      manager_addr(), {certs->ca_pem, certs->cert_pem, certs->key_pem}, std::chrono::seconds(1));
  grpc::GenericStub stub(channel);
  auto call = [&](const std::string& method) {
    grpc::ClientContext ctx;
    ctx.set_deadline(rpc::deadline_in(std::chrono::seconds(10)));
    grpc::Slice empty("");  // an empty message: every request type accepts one
    grpc::ByteBuffer request(&empty, 1), response;
    std::mutex mu;
    std::condition_variable cv;
    std::optional<grpc::Status> result;
    stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
      std::lock_guard lock(mu);
      result = s;
      cv.notify_all();
    });
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return result.has_value(); });
    return *result;
  };
  grpc::Status root = call("/shoal.rpc.CA/GetRootCACertificate");
  EXPECT_TRUE(root.ok()) << root.error_message();  // the certificate itself is good
  for (const char* method :
       {"/docker.swarmkit.v1.Control/ListServices", "/shoal.rpc.Control/ListServices"}) {
    grpc::Status listed = call(method);
    EXPECT_FALSE(listed.ok()) << method;
    EXPECT_TRUE(listed.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
                listed.error_code() == grpc::StatusCode::PERMISSION_DENIED)
        << method << ": " << listed.error_code() << " " << listed.error_message();
  }
}

TEST_F(NetnsClusterTest, ClusterRmLeavesNoNamespaceLinkMountProcessOrDirectory) {
  ASSERT_NO_FATAL_FAILURE(create(2));
  ok("m1", {"service", "create", "-d", "--name", "top", "--replicas", "4", "--no-resolve-image",
            "busybox", "sleep", "1000"});
  EXPECT_TRUE(
      eventually([&] { return total(running_per_node("top")) == 4; }, std::chrono::seconds(60)))
      << ok("m1", {"service", "ps", "top"});
  std::vector<std::string> containers;
  for (const auto& m : state_.machines) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(m.data_dir + "/containers", ec)) {
      containers.push_back(e.path().filename().string());
    }
  }
  EXPECT_GE(containers.size(), 4u);
  EXPECT_FALSE(leftovers(name_).empty());  // the check sees a live cluster

  CommandResult rm = shoal({"cluster", "rm", name_});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  created_ = false;
  EXPECT_EQ(join(leftovers(name_)), "");
  for (const auto& id : containers) {
    for (const char* hierarchy : {"pids", "memory", "cpu"}) {
      EXPECT_FALSE(
          std::filesystem::exists(std::string("/sys/fs/cgroup/") + hierarchy + "/shoal/" + id))
          << hierarchy << " cgroup of " << id;
    }
  }
  CommandResult again = shoal({"cluster", "rm", name_});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(contains(again.err, "no cluster " + name_)) << again.err;
}

// The state is saved before each object is made, so whenever `cluster create` dies, `cluster
// rm` finds everything it made (and nothing is made before there is a state to find).
TEST_F(NetnsClusterTest, ClusterRmAfterACreateKilledPartWayLeavesNothing) {
  for (int delay_ms : {40, 120, 250, 400}) {
    CommandResult cut = shoal({"cluster", "create", name_, "--nodes", "4", "--executor", "hollow"},
                              std::chrono::milliseconds(delay_ms));
    CommandResult rm = shoal({"cluster", "rm", name_});
    if (rm.exit_code != 0) {
      EXPECT_TRUE(contains(rm.err, "no cluster " + name_)) << delay_ms << " ms: " << rm.err;
    }
    EXPECT_EQ(join(leftovers(name_)), "") << "create cut after " << delay_ms << " ms ("
                                          << (cut.timed_out ? "killed" : "finished") << ")";
  }
}

// A host reboot empties /run/netns and drops links and nft tables; the disk stays.
// `machine start` makes the missing parts again and the swarm comes back as it was.
TEST_F(NetnsClusterTest, MachineStartAfterItsNetworkIsDeletedRebuildsItAndTheSwarmReturns) {
  ASSERT_NO_FATAL_FAILURE(create(2));
  ok("m1", {"service", "create", "-d", "--name", "top", "--replicas", "2", "--no-resolve-image",
            "busybox", "sleep", "1000"});
  EXPECT_TRUE(eventually([&] { return total(running_per_node("top")) == 2; }))
      << ok("m1", {"service", "ps", "top"});
  std::string manager_id = trim(ok("m1", {"info", "--format", "{{.Swarm.NodeID}}"}));

  CommandResult killed = shoal({"machine", "kill", name_, "m1", "m2"});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  for (const char* m : {"m1", "m2"}) {
    EXPECT_EQ(run_command({"ip", "netns", "delete", provider::netns_name(name_, m)}).exit_code, 0);
  }
  EXPECT_EQ(run_command({"ip", "link", "delete", provider::bridge_name(name_)}).exit_code, 0);
  EXPECT_EQ(run_command({"nft", "delete", "table", "ip", "shoal-cluster-" + name_}).exit_code, 0);
  CommandResult down = shoal({"machine", "ls", name_});
  EXPECT_FALSE(contains(down.out, "running")) << down.out;

  CommandResult started = shoal({"machine", "start", name_, "m1", "m2"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(trim(ok("m1", {"info", "--format", "{{.Swarm.NodeID}}"})), manager_id);
  std::map<std::string, std::string> ready = {{hostname("m1"), "Ready Active"},
                                              {hostname("m2"), "Ready Active"}};
  EXPECT_TRUE(eventually([&] { return nodes() == ready; })) << ok("m1", {"node", "ls"});
  EXPECT_TRUE(eventually([&] {
    return total(running_per_node("top")) == 2 &&
           running_containers("m1") + running_containers("m2") == 2;
  })) << ok("m1", {"service", "ps", "top"})
      << log_of("m1");
}

TEST_F(NetnsClusterTest, CreateRefusesBadInputAndAnExistingName) {
  CommandResult bad = shoal({"cluster", "create", "Bad_Name"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.err, "invalid cluster name \"Bad_Name\"")) << bad.err;
  CommandResult zero = shoal({"cluster", "create", name_, "--nodes", "0"});
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_TRUE(contains(zero.err, "--nodes must be between 1 and 250")) << zero.err;
  CommandResult provider = shoal({"cluster", "create", name_, "--provider", "aws"});
  EXPECT_NE(provider.exit_code, 0);
  EXPECT_TRUE(contains(provider.err, "--provider: unknown provider \"aws\"")) << provider.err;
  EXPECT_EQ(join(leftovers(name_)), "");

  ASSERT_NO_FATAL_FAILURE(create(1));
  CommandResult twice = shoal({"cluster", "create", name_});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_TRUE(contains(twice.err, "cluster " + name_ + " exists")) << twice.err;
  CommandResult rm_manager = shoal({"machine", "rm", name_, "m1"});
  EXPECT_NE(rm_manager.exit_code, 0);
  EXPECT_TRUE(contains(rm_manager.err, "is the manager")) << rm_manager.err;
}

TEST_F(NetnsClusterTest, AddedAndRemovedMachinesJoinAndLeaveAndGlobalHostPortsFollow) {
  ASSERT_NO_FATAL_FAILURE(create(1));
  ok("m1", {"service", "create", "-d", "--name", "edge", "--mode", "global", "--publish",
            "mode=host,target=80,published=8081", "--no-resolve-image", "busybox", "httpd", "-f",
            "-p", "80", "-h", "/www"});
  EXPECT_TRUE(eventually([&] { return running_per_node("edge")[hostname("m1")] == 1; }))
      << ok("m1", {"service", "ps", "edge"});

  // A machine added later joins as a worker and gets the global task, its port on its IP.
  CommandResult added = shoal({"machine", "add", name_});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_TRUE(contains(added.out, "m2")) << added.out;
  reload();
  ok("m2", {"load", "-i", image_tar()});
  EXPECT_TRUE(eventually([&] { return nodes()[hostname("m2")] == "Ready Active"; }))
      << ok("m1", {"node", "ls"});
  EXPECT_TRUE(eventually([&] { return running_per_node("edge")[hostname("m2")] == 1; }))
      << ok("m1", {"service", "ps", "edge"}) << log_of("m2");
  for (const char* m : {"m1", "m2"}) {
    EXPECT_TRUE(eventually([&] {
      return contains(http_status_line(machine(m).ip, 8081), " 200 ");
    })) << m
        << ": " << http_status_line(machine(m).ip, 8081);
  }

  // Removing it takes its node out of the swarm, and the global service follows.
  CommandResult removed = shoal({"machine", "rm", name_, "m2"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(nodes().count(hostname("m2")), 0u) << ok("m1", {"node", "ls"});
  EXPECT_TRUE(eventually([&] {
    return running_per_node("edge") == std::map<std::string, int>{{hostname("m1"), 1}};
  })) << ok("m1", {"service", "ps", "edge"});
  EXPECT_FALSE(std::filesystem::exists(clusters_dir_ + "/" + name_ + "/machines/m2"));
  CommandResult listed = shoal({"machine", "ls", name_});
  EXPECT_TRUE(contains(listed.out, "m1 ") && !contains(listed.out, "m2 ")) << listed.out;
}

}  // namespace
}  // namespace shoal::testing
