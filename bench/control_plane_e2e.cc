// End-to-end control-plane benchmark: a real `shoal daemon --executor=hollow` on a temporary
// data dir, driven over its unix socket the way the docker CLI drives it.
//
// Measures, each repeated --runs times (median reported):
//   - POST /services/create of N replicas (100 and 10,000) → every task RUNNING, read by
//     polling GET /services?status=true (ServiceStatus.RunningTasks) every 5 ms;
//   - DELETE /services/{id} → no task of the service left in GET /tasks;
//   - with 10,000 tasks running: latency p50/p99 of GET /services/{id}?insertDefaults=true
//     and of GET /tasks?filters={"service":...} (the calls `docker service inspect` and
//     `docker service ps` make);
//   - daemon RSS idle in a swarm and with 10,000 tasks.
//
// Usage: control_plane_e2e [--shoal PATH] [--runs N] [--replicas N,N,...]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/unix_http.h"

namespace {

using Clock = std::chrono::steady_clock;
using shoal::bench::UnixHttpClient;
using Json = nlohmann::json;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string service_filter(const std::string& key, const std::string& value) {
  return url_escape(Json{{key, {{value, true}}}}.dump());
}

class Daemon {
 public:
  Daemon(const std::string& binary, const std::string& dir) : socket_(dir + "/shoal.sock") {
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = dir + "/daemon.log";
      std::freopen(log.c_str(), "w", stderr);
      execl(binary.c_str(), binary.c_str(), "daemon", "--executor", "hollow", "--data-dir",
            (dir + "/data").c_str(), "--socket", socket_.c_str(), "--log-level", "warn",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 2000; ++i) {
      try {
        UnixHttpClient probe(socket_);
        if (probe.get("/_ping").status == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("daemon did not answer /_ping within 10 s");
  }
  ~Daemon() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  const std::string& socket() const { return socket_; }
  pid_t pid() const { return pid_; }

 private:
  std::string socket_;
  pid_t pid_ = -1;
};

std::string create_service(UnixHttpClient& api, const std::string& name, uint64_t replicas) {
  Json spec = {{"Name", name},
               {"TaskTemplate", {{"ContainerSpec", {{"Image", "busybox:latest"}}}}},
               {"Mode", {{"Replicated", {{"Replicas", replicas}}}}}};
  auto reply = api.post("/v1.41/services/create", spec.dump());
  if (reply.status != 201) throw std::runtime_error("create failed: " + reply.body);
  return Json::parse(reply.body).at("ID").get<std::string>();
}

uint64_t running_tasks(UnixHttpClient& api, const std::string& id) {
  auto reply = api.get("/v1.41/services?status=true&filters=" + service_filter("id", id));
  Json list = Json::parse(reply.body);
  if (list.empty() || !list[0].contains("ServiceStatus")) return 0;
  return list[0]["ServiceStatus"].value("RunningTasks", 0ull);
}

size_t task_count(UnixHttpClient& api, const std::string& id) {
  auto reply = api.get("/v1.41/tasks?filters=" + service_filter("service", id));
  if (reply.status == 404) return 0;  // the service is gone and the filter cannot resolve it
  return Json::parse(reply.body).size();
}

template <typename Pred>
void wait_until(Pred pred, std::chrono::seconds limit, const char* what) {
  auto start = Clock::now();
  while (!pred()) {
    if (Clock::now() - start > limit) throw std::runtime_error(std::string("timed out: ") + what);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

struct Args {
  std::string shoal = "build/shoal";
  int runs = 3;
  std::vector<uint64_t> replicas = {100, 10000};
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--shoal") a.shoal = v;
    if (k == "--runs") a.runs = std::atoi(v.c_str());
    if (k == "--replicas") {
      a.replicas.clear();
      std::stringstream ss(v);
      for (std::string n; std::getline(ss, n, ',');) a.replicas.push_back(std::stoull(n));
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  char tmpl[] = "/tmp/shoal-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  int rc = 0;
  try {
    Daemon daemon(args.shoal, dir);
    UnixHttpClient api(daemon.socket());
    auto init = api.post("/v1.41/swarm/init",
                         R"({"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"127.0.0.1"})");
    if (init.status != 200) throw std::runtime_error("swarm init: " + init.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::printf("daemon RSS in a swarm, idle: %.1f MiB\n", rss_kib(daemon.pid()) / 1024.0);

    int serial = 0;
    for (uint64_t n : args.replicas) {
      std::vector<double> up, down;
      for (int run = 0; run < args.runs; ++run) {
        std::string name = "bench" + std::to_string(serial++);
        auto start = Clock::now();
        std::string id = create_service(api, name, n);
        wait_until([&] { return running_tasks(api, id) == n; }, std::chrono::seconds(300),
                   "all tasks running");
        up.push_back(ms_since(start));

        if (n == args.replicas.back() && run == args.runs - 1) {
          std::printf("daemon RSS with %llu tasks running: %.1f MiB\n",
                      static_cast<unsigned long long>(n), rss_kib(daemon.pid()) / 1024.0);
          std::vector<double> inspect, ps;
          for (int i = 0; i < 200; ++i) {
            auto t = Clock::now();
            api.get("/v1.41/services/" + id + "?insertDefaults=true");
            inspect.push_back(ms_since(t));
            t = Clock::now();
            api.get("/v1.41/tasks?filters=" + service_filter("service", id));
            ps.push_back(ms_since(t));
          }
          std::printf(
              "with %llu tasks: service inspect p50 %.2f ms p99 %.2f ms; "
              "task list of the service p50 %.1f ms p99 %.1f ms\n",
              static_cast<unsigned long long>(n), percentile(inspect, 0.5),
              percentile(inspect, 0.99), percentile(ps, 0.5), percentile(ps, 0.99));
        }

        start = Clock::now();
        auto rm = api.request(boost::beast::http::verb::delete_, "/v1.41/services/" + id);
        if (rm.status != 200) throw std::runtime_error("rm failed: " + rm.body);
        wait_until([&] { return task_count(api, id) == 0; }, std::chrono::seconds(300),
                   "tasks removed");
        down.push_back(ms_since(start));
      }
      std::printf("%6llu replicas: create → all RUNNING median %.0f ms (runs:",
                  static_cast<unsigned long long>(n), percentile(up, 0.5));
      for (double v : up) std::printf(" %.0f", v);
      std::printf("); rm → no tasks median %.0f ms\n", percentile(down, 0.5));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "control_plane_e2e: %s (daemon log in %s/daemon.log)\n", e.what(),
                 dir.c_str());
    return 1;
  }
  std::filesystem::remove_all(dir);
  return rc;
}
