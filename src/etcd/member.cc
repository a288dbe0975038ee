#include "etcd/member.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "common/process.h"
#include "etcd/client.h"

namespace shoal::etcd {
namespace {

std::filesystem::path log_path(const MemberOptions& o) {
  return o.log_file.empty() ? o.data_dir.parent_path() / (o.name + "-etcd.log") : o.log_file;
}

std::vector<std::string> argv_of(const MemberOptions& o) {
  const std::string client_url = "http://" + o.client_address;
  const std::string peer_url = "http://" + o.peer_address;
  return {
      o.binary,
      "--name=" + o.name,
      "--data-dir=" + o.data_dir.string(),
      "--listen-client-urls=" + client_url,
      "--advertise-client-urls=" + client_url,
      "--listen-peer-urls=" + peer_url,
      "--initial-advertise-peer-urls=" + peer_url,
      "--initial-cluster=" +
          (o.initial_cluster.empty() ? o.name + "=" + peer_url : o.initial_cluster),
      std::string("--initial-cluster-state=") + (o.join_existing ? "existing" : "new"),
      "--max-txn-ops=" + std::to_string(o.max_txn_ops),
      "--max-request-bytes=" + std::to_string(o.max_request_bytes),
      "--quota-backend-bytes=" + std::to_string(o.quota_backend_bytes),
      "--snapshot-count=" + std::to_string(o.snapshot_count),
      "--heartbeat-interval=" + std::to_string(o.heartbeat_interval.count()),
      "--election-timeout=" + std::to_string(o.election_timeout.count()),
      // shoal compacts the history itself (datastore.h); no HTTP/1 gateway or metrics page.
      "--enable-grpc-gateway=false",
      "--logger=zap",
      "--log-outputs=stderr",
  };
}

bool exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

Result<std::unique_ptr<Member>> Member::start(MemberOptions options,
                                              std::chrono::milliseconds ready_timeout) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return error(Code::kInternal, "etcd member: cannot make {}: {}", options.data_dir.string(),
                 ec.message());
  }
  // etcd refuses a data dir looser than 0700 only with a warning; make it so ourselves.
  ::chmod(options.data_dir.c_str(), 0700);
  const std::filesystem::path log = log_path(options);
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return error(Code::kInternal, "etcd member: cannot open {}: {}", log.string(),
                 std::strerror(errno));
  }
  SpawnOptions spawn_options;
  spawn_options.argv = argv_of(options);
  spawn_options.stdout_fd = log_fd;
  spawn_options.stderr_fd = log_fd;
  auto pid = spawn(spawn_options);
  ::close(log_fd);
  if (!pid.is_ok()) return pid.status();
  std::unique_ptr<Member> member(new Member(std::move(options), *pid));

  // Ready when a linearizable read answers: the member runs and its cluster has a leader.
  Client client(
      ClientOptions{{member->options_.client_address}, {}, std::chrono::milliseconds(500)});
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (true) {
    if (exited(member->pid_)) {
      member->pid_ = -1;
      return error(Code::kInternal, "etcd member {} exited while starting; its log ends:\n{}",
                   member->options_.name, member->log_tail());
    }
    if (client.range("/", "", 0, 1).is_ok()) return member;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string tail = member->log_tail();
      member->stop();
      return error(Code::kUnavailable,
                   "etcd member {} did not answer within {} ms; its log ends:\n{}",
                   member->options_.name, ready_timeout.count(), tail);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Member::~Member() { stop(); }

void Member::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  int pidfd = open_pidfd(pid_);
  ::kill(pid_, SIGTERM);
  if (pidfd >= 0) {
    pollfd ready{pidfd, POLLIN, 0};  // readable once the member has exited
    ::poll(&ready, 1, static_cast<int>(grace.count()));
    ::close(pidfd);
  }
  if (!exited(pid_)) {
    ::kill(pid_, SIGKILL);
    wait_exit_code(pid_);
  }
  pid_ = -1;
}

void Member::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit_code(pid_);
  pid_ = -1;
}

std::string Member::log_tail(size_t max_bytes) const {
  std::ifstream in(log_path(options_), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace shoal::etcd
