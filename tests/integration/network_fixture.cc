#include "network_fixture.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace shoal::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Background::Background(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    execvp(args[0], args.data());
    _exit(127);
  }
}

Background::~Background() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
}

void NetworkTest::SetUp() {
  dir_ = std::make_unique<TempDir>();
  ASSERT_FALSE(dir_->path().empty());
  auto net = network::make_node_network(options());
  ASSERT_TRUE(net.is_ok()) << net.status().message();
  net_ = std::move(net).value();
}

void NetworkTest::TearDown() {
  servers_.clear();
  if (net_) {
    Status removed = net_->recover({});
    EXPECT_TRUE(removed.is_ok()) << removed.message();
  }
  net_.reset();
  www_.clear();
  dir_.reset();
}

network::NodeNetworkOptions NetworkTest::options() const {
  network::NodeNetworkOptions o;
  o.data_dir = dir_->path();
  o.default_bridge = kTestDefaultBridge;
  o.default_subnet = "172.30.0.0/16";
  o.bridge_prefix = kTestBridgePrefix;
  o.nft_table = kTestTable;
  return o;
}

void NetworkTest::restart() {
  net_.reset();
  auto net = network::make_node_network(options());
  ASSERT_TRUE(net.is_ok()) << net.status().message();
  net_ = std::move(net).value();
}

api::Network NetworkTest::network(std::string id, std::string name, std::string subnet,
                                  std::string gateway, bool ingress) {
  api::Network n;
  n.ID = std::move(id);
  n.Spec.Name = std::move(name);
  n.Spec.Ingress = ingress;
  n.DriverState.Name = "overlay";
  n.IPAMOptions = api::IPAMOptions{{"default", {}}, {{std::move(subnet), "", std::move(gateway)}}};
  return n;
}

api::Task NetworkTest::task(std::string id, std::string service,
                            std::vector<api::NetworkAttachment> attachments,
                            std::vector<api::PortConfig> ports) {
  api::Task t;
  t.ID = std::move(id);
  t.ServiceID = std::move(service);
  t.NetworksAttachments = std::move(attachments);
  if (!ports.empty()) {
    auto endpoint = std::make_shared<api::Endpoint>();
    endpoint->Ports = std::move(ports);
    t.Endpoint = std::move(endpoint);
  }
  return t;
}

void NetworkTest::serve(const network::Sandbox& sandbox, const std::string& body) {
  auto www = std::make_unique<TempDir>();
  std::ofstream(www->path() + "/index.html") << body;
  servers_.push_back(std::make_unique<Background>(
      std::vector<std::string>{"nsenter", "--net=" + sandbox.netns_path.string(), "busybox",
                               "httpd", "-f", "-p", "8080", "-h", www->path()}));
  www_.push_back(std::move(www));
  std::string address = sandbox.addresses.at(0).substr(0, sandbox.addresses[0].find('/'));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (curl("http://" + address + ":8080/") != body) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "httpd in " << sandbox.netns_path << " does not answer";
    std::this_thread::sleep_for(20ms);
  }
}

std::string NetworkTest::curl(const std::string& url) {
  CommandResult r = run_command({"curl", "-s", "--max-time", "3", url}, {}, 10s);
  return r.exit_code == 0 ? r.out : "";
}

std::multiset<std::string> NetworkTest::bodies(const std::string& url, int n) {
  std::multiset<std::string> out;
  for (int i = 0; i < n; ++i) out.insert(curl(url));
  return out;
}

std::string host_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string out;
  for (ifaddrs* a = list; a != nullptr && out.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    std::string name = a->ifa_name;
    if (name == "lo" || name.starts_with("sh") || name.starts_with("sv")) continue;
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
    out = text;
  }
  freeifaddrs(list);
  return out;
}

std::string NetworkTest::leftovers(const std::vector<std::string>& task_ids) const {
  std::string out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir_->path() + "/netns", ec)) {
    out += "netns file " + f.path().string() + "\n";
  }
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    if (line.find(dir_->path()) != std::string::npos) out += "mount " + line + "\n";
  }
  CommandResult links = run_command({"ip", "-o", "link", "show"});
  std::istringstream in(links.out);
  for (std::string line; std::getline(in, line);) {
    bool ours = line.find(std::string(": ") + kTestBridgePrefix) != std::string::npos ||
                line.find(kTestDefaultBridge) != std::string::npos;
    for (const auto& id : task_ids)
      ours = ours || line.find("sv" + id.substr(0, 12)) != std::string::npos;
    if (ours) out += "link " + line + "\n";
  }
  CommandResult table = run_command({"nft", "list", "table", "ip", kTestTable});
  if (table.exit_code == 0) out += "nft table " + std::string(kTestTable) + "\n";
  return out;
}

std::string NetworkTest::settled_leftovers(const std::vector<std::string>& task_ids) const {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string out = leftovers(task_ids);
  while (!out.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    out = leftovers(task_ids);
  }
  return out;
}

bool NetworkTest::wait_link_gone(const std::string& name) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (fs::exists("/sys/class/net/" + name)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

}  // namespace shoal::testing
