// Node networking: how long attach() and detach() take per sandbox when 100 sandboxes are
// made one after another and then removed (namespace, veth pair, addresses, route, and for
// the ingress variant the nftables table rebuilt at every change). Real kernel; run as root.
//
//   build/bench/network_attach [--benchmark_filter=...]
// Counters (per repetition): attach_p50_ms / detach_p50_ms (median over the 100 sandboxes),
// attach_max_ms, and all_100_ms (the 100 attaches together). Uses its own bridge prefix,
// default bridge and nft table, so it does not touch a running daemon's.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "network/node_network.h"

namespace shoal {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr int kSandboxes = 100;

double ms_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

api::Network ingress_network() {
  api::Network n;
  n.ID = "benchingress0123456789abc";
  n.Spec.Name = "ingress";
  n.Spec.Ingress = true;
  n.DriverState.Name = "overlay";
  n.IPAMOptions = api::IPAMOptions{{"default", {}}, {{"10.211.0.0/16", "", "10.211.0.1"}}};
  return n;
}

// Tasks of one service: with `ingress`, each on the ingress network publishing 18099;
// otherwise on the default bridge with no port.
std::vector<api::Task> tasks(bool ingress) {
  std::vector<api::Task> out;
  auto endpoint = std::make_shared<api::Endpoint>();
  endpoint->Ports = {
      {"", api::PortConfigProtocol::kTCP, 8080, 18099, api::PortConfigPublishMode::kIngress}};
  for (int i = 0; i < kSandboxes; ++i) {
    api::Task t;
    t.ID = fmt::format("bench{:03}xxxxxxxxxxxxxxxxx", i);
    t.ServiceID = "benchsvc";
    if (ingress) {
      t.NetworksAttachments = {{ingress_network(), {fmt::format("10.211.1.{}/16", i + 2)}}};
      t.Endpoint = endpoint;
    }
    out.push_back(std::move(t));
  }
  return out;
}

void BM_AttachDetach100(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  char dir_template[] = "/tmp/shoal-network-bench-XXXXXX";
  std::filesystem::path dir = mkdtemp(dir_template);
  network::NodeNetworkOptions options;
  options.data_dir = dir;
  options.default_bridge = "shoalbn0";
  options.default_subnet = "172.31.0.0/16";
  options.bridge_prefix = "shb";
  options.nft_table = "shoal_bench";
  auto net = network::make_node_network(options);
  if (!net.is_ok()) {
    state.SkipWithError(net.status().message().c_str());
    return;
  }
  auto all = tasks(state.range(0) != 0);
  std::vector<double> attach_ms, detach_ms;
  double all_ms = 0;
  for (auto _ : state) {
    attach_ms.clear();
    detach_ms.clear();
    auto all_start = SteadyClock::now();
    for (const api::Task& t : all) {
      auto start = SteadyClock::now();
      auto sandbox = (*net)->attach(t);
      attach_ms.push_back(ms_since(start));
      if (!sandbox.is_ok()) state.SkipWithError(sandbox.status().message().c_str());
    }
    all_ms = ms_since(all_start);
    for (const api::Task& t : all) {
      auto start = SteadyClock::now();
      Status s = (*net)->detach(t.ID);
      detach_ms.push_back(ms_since(start));
      if (!s.is_ok()) state.SkipWithError(s.message().c_str());
    }
  }
  state.counters["attach_p50_ms"] = median(attach_ms);
  state.counters["attach_max_ms"] = *std::max_element(attach_ms.begin(), attach_ms.end());
  state.counters["detach_p50_ms"] = median(detach_ms);
  state.counters["all_100_ms"] = all_ms;
  (void)(*net)->recover({});
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AttachDetach100)
    ->ArgName("ingress_port")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(false);

}  // namespace
}  // namespace shoal

BENCHMARK_MAIN();
