// Manager–agent protocol over real gRPC + mutual TLS: N hollow agents (sessions, heartbeats
// at the dispatcher's period, an open assignment stream each) against one manager in a
// child process; reports the manager's CPU (% of one core, from /proc/<pid>/stat over a
// window) and RSS. Also the per-task cost of the wire format (Docker JSON in protobuf bytes).
//
//   rpc_bench [--agents 1000] [--period-s 5] [--window-s 30]
//
// The manager process is forked before anything touches gRPC; the root CA is made first so
// both sides share it (the parent signs the agents' certificates, the child its own).
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/codec.h"
#include "ca/certs.h"
#include "ca/node_ca.h"
#include "ca/root_ca.h"
#include "common/id.h"
#include "manager/dispatcher/dispatcher.h"
#include "rpc/dispatcher_client.h"
#include "rpc/server.h"
#include "rpc/wire.h"
#include "store/datastore/memory.h"
#include "store/store.h"

namespace {

using namespace shoal;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

struct Options {
  int agents = 1000;
  int period_s = 5;
  int window_s = 30;
};

rpc::TlsIdentity sign(const ca::KeyPair& root, const std::string& id, api::NodeRole role,
                      Timestamp now) {
  auto key = ca::make_key_and_csr();
  auto cert = ca::sign_csr(root, {key->csr_pem, id, role, "bench", std::chrono::hours(24)}, now);
  if (!cert) {
    std::fprintf(stderr, "sign: %s\n", cert.status().to_string().c_str());
    std::exit(1);
  }
  return {root.cert_pem, *cert, key->key_pem};
}

std::string node_id(int i) { return "node" + std::to_string(i); }

// The manager: store + dispatcher + NodeCA + RpcServer; writes its port to `port_fd`.
[[noreturn]] void run_manager(const ca::KeyPair& root, const Options& options, int port_fd) {
  auto clock = std::make_shared<SystemClock>();
  auto store = store::Store::open(std::make_unique<store::MemoryDatastore>(), clock);
  if (!store) std::exit(2);
  Status written = (*store)->update([&](store::WriteTxn& tx) {
    api::Swarm cluster;
    cluster.ID = "bench";
    cluster.Spec.Name = "default";
    cluster.Spec.Dispatcher.HeartbeatPeriod = std::chrono::seconds(options.period_s);
    auto random = [](size_t n) { return std::string(n, 'r'); };
    SHOAL_RETURN_IF_ERROR(ca::install_root(cluster, root, false, random));
    SHOAL_RETURN_IF_ERROR(tx.create(cluster));
    for (int i = 0; i <= options.agents; ++i) {
      api::Node node;
      node.ID = node_id(i);
      node.Spec.Role = i == 0 ? api::NodeRole::kManager : api::NodeRole::kWorker;
      node.Spec.Availability = api::NodeAvailability::kActive;
      node.Status.State = api::NodeState::kDown;
      SHOAL_RETURN_IF_ERROR(tx.create(node));
    }
    return Status::ok();
  });
  if (!written) {
    std::fprintf(stderr, "store: %s\n", written.to_string().c_str());
    std::exit(2);
  }
  IdGenerator ids(1);
  manager::dispatcher::Dispatcher dispatcher(**store, *clock, ids, {.seed = 1});
  if (!dispatcher.start()) std::exit(2);
  ca::NodeCA node_ca(**store, *clock, ids);
  rpc::RpcServer server("127.0.0.1:0",
                        sign(root, node_id(0), api::NodeRole::kManager, clock->now()), dispatcher,
                        node_ca);
  Status started = server.start();
  if (!started) {
    std::fprintf(stderr, "server: %s\n", started.to_string().c_str());
    std::exit(2);
  }
  int port = server.port();
  if (write(port_fd, &port, sizeof port) != sizeof port) std::exit(2);
  close(port_fd);
  while (true) pause();  // killed by the parent
}

// utime + stime of `pid`, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

void wire_cost() {
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  spec->ContainerSpec->Image = "nginx:1.25@sha256:" + std::string(64, 'a');
  spec->ContainerSpec->Env = {"A=1", "B=2"};
  spec->ContainerSpec->Labels = {{"com.example", "x"}};
  auto task = std::make_shared<api::Task>();
  task->ID = std::string(25, 't');
  task->ServiceID = std::string(25, 's');
  task->NodeID = std::string(25, 'n');
  task->Slot = 3;
  task->Spec = spec;
  task->DesiredState = api::TaskState::kRunning;
  task->Status.State = api::TaskState::kAssigned;
  protocol::AssignmentsMessage message;
  message.Type = protocol::AssignmentsType::kIncremental;
  for (int i = 0; i < 100; ++i)
    message.Changes.push_back({protocol::AssignmentAction::kUpdate, task});
  constexpr int kRounds = 200;
  size_t bytes = 0;
  auto start = Steady::now();
  for (int r = 0; r < kRounds; ++r) {
    rpc::AssignmentsMessage wire;
    rpc::to_proto(message, wire);
    std::string out = wire.SerializeAsString();
    bytes = out.size();
    rpc::AssignmentsMessage parsed;
    parsed.ParseFromString(out);
    auto back = rpc::from_proto(parsed);
    if (!back) std::exit(3);
  }
  double per_task_us =
      std::chrono::duration<double, std::micro>(Steady::now() - start).count() / (kRounds * 100);
  std::printf("wire: one task encode+serialize+parse+decode %.1f us, %zu bytes on the wire\n",
              per_task_us, bytes / 100);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--agents")
      options.agents = value;
    else if (flag == "--period-s")
      options.period_s = value;
    else if (flag == "--window-s")
      options.window_s = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 1;
    }
  }
  auto root = ca::make_root_ca(SystemClock().now());
  if (!root) return 1;
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pid_t manager = fork();
  if (manager == 0) {
    close(fds[0]);
    run_manager(*root, options, fds[1]);
  }
  close(fds[1]);
  int port = 0;
  if (read(fds[0], &port, sizeof port) != sizeof port) {
    std::fprintf(stderr, "manager did not start\n");
    return 1;
  }
  std::string addr = "127.0.0.1:" + std::to_string(port);
  std::printf("manager pid %d on %s; idle RSS %ld KiB\n", manager, addr.c_str(), rss_kib(manager));

  struct Agent {
    std::unique_ptr<rpc::GrpcDispatcherClient> client;
    std::string session;
    std::unique_ptr<protocol::AssignmentStream> stream;
  };
  std::vector<Agent> agents(options.agents);
  auto t0 = Steady::now();
  for (int i = 0; i < options.agents; ++i) {
    auto identity = sign(*root, node_id(i + 1), api::NodeRole::kWorker, SystemClock().now());
    agents[i].client = std::make_unique<rpc::GrpcDispatcherClient>(addr, identity);
    api::NodeDescription d;
    d.Hostname = node_id(i + 1);
    auto session = agents[i].client->session({node_id(i + 1), d, ""});
    if (!session) {
      std::fprintf(stderr, "session %d: %s\n", i, session.status().to_string().c_str());
      return 1;
    }
    agents[i].session = session->SessionID;
    auto stream = agents[i].client->assignments({session->SessionID});
    if (!stream) return 1;
    agents[i].stream = std::move(stream).value();
  }
  double connect_s = std::chrono::duration<double>(Steady::now() - t0).count();
  std::printf("%d agents connected (session + assignment stream) in %.1f s; manager RSS %ld KiB\n",
              options.agents, connect_s, rss_kib(manager));

  // Heartbeats: each agent at its own phase within the period, from 4 threads.
  std::atomic<bool> stop{false};
  std::atomic<long> beats{0}, failures{0};
  std::vector<std::thread> threads;
  const auto period = std::chrono::seconds(options.period_s);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto start = Steady::now();
      for (long round = 0; !stop; ++round) {
        for (int i = t; i < options.agents && !stop; i += 4) {
          auto due = start + round * period + period * i / options.agents;
          std::this_thread::sleep_until(due);
          auto beat = agents[i].client->heartbeat({agents[i].session});
          (beat ? beats : failures)++;
        }
      }
    });
  }
  std::this_thread::sleep_for(period);  // warm-up: one full round
  long ticks0 = cpu_ticks(manager);
  long beats0 = beats;
  auto w0 = Steady::now();
  std::this_thread::sleep_for(std::chrono::seconds(options.window_s));
  long ticks = cpu_ticks(manager) - ticks0;
  double window = std::chrono::duration<double>(Steady::now() - w0).count();
  double cpu = 100.0 * ticks / sysconf(_SC_CLK_TCK) / window;
  std::printf(
      "steady state over %.0f s: %ld heartbeats (%.0f/s), %ld failed; manager CPU %.1f %% "
      "of one core; RSS %ld KiB\n",
      window, beats - beats0, (beats - beats0) / window, failures.load(), cpu, rss_kib(manager));
  stop = true;
  for (auto& th : threads) th.join();
  kill(manager, SIGKILL);
  waitpid(manager, nullptr, 0);
  wire_cost();
  std::fflush(stdout);
  std::_Exit(0);  // the agents' channels need not be torn down one by one
}
