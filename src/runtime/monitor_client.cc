#include "runtime/monitor_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/process.h"

namespace shoal::runtime {
namespace {

using Millis = std::chrono::milliseconds;

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads one '\n'-terminated line from `fd` (or what came before EOF) within `timeout`.
// Errors: kUnavailable on timeout.
Result<std::string> read_line(int fd, Millis timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string line;
  char buf[512];
  for (;;) {
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return error(Code::kUnavailable, "timed out");
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = ::read(fd, buf, sizeof(buf));
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return line;
    line.append(buf, static_cast<size_t>(got));
    if (size_t nl = line.find('\n'); nl != std::string::npos) return line.substr(0, nl);
  }
}

void kill_monitor(const std::string& state_dir) {
  std::string pid_text = read_file(state_dir + "/" + std::string(monitor::kPidFile));
  pid_t pid = static_cast<pid_t>(std::atoi(pid_text.c_str()));
  if (pid > 1) ::kill(pid, SIGKILL);
}

}  // namespace

Result<MonitorStatus> parse_status_line(std::string_view line) {
  MonitorStatus st;
  auto rest = [&](std::string_view prefix) { return line.substr(prefix.size()); };
  int64_t pid = 0;
  if (line.starts_with("created ") || line.starts_with("running ")) {
    std::string_view tail = rest("created ");
    if (monitor::detail::take_int(tail, pid) && pid > 0) {
      st.state = line.starts_with("created ") ? MonitorStatus::State::kCreated
                                              : MonitorStatus::State::kRunning;
      st.pid = pid;
      return st;
    }
  } else if (line.starts_with("exited ") && monitor::parse_exit(rest("exited "), st.exit)) {
    st.state = MonitorStatus::State::kExited;
    return st;
  } else if (line.starts_with("error ")) {
    return error(Code::kInternal, "{}", rest("error "));
  }
  return error(Code::kInternal, "monitor answered \"{}\"", line);
}

Result<MonitorStatus> launch_monitor(const MonitorLaunch& l, Millis timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return error(Code::kInternal, "pipe: {}", std::strerror(errno));
  Fd sync_r(fds[0]), sync_w(fds[1]);
  constexpr int kChildSyncFd = 3;
  std::vector<std::string> argv = {l.monitor_binary,
                                   "--id",
                                   l.id,
                                   "--bundle",
                                   l.bundle,
                                   "--state-dir",
                                   l.state_dir,
                                   "--runtime",
                                   l.runtime,
                                   "--runtime-root",
                                   l.runtime_root,
                                   "--log-max-bytes",
                                   std::to_string(l.log_max_bytes),
                                   "--sync-fd",
                                   std::to_string(kChildSyncFd)};
  if (l.start) argv.push_back("--start");
  if (l.tty) argv.push_back("--tty");
  SpawnOptions options;
  options.argv = std::move(argv);
  options.extra_fds = {{sync_w.fd, kChildSyncFd}};
  SHOAL_ASSIGN_OR_RETURN(pid_t pid, spawn(options));
  ::close(sync_w.release());
  int first = wait_exit_code(pid);  // the monitor's first process exits once it has forked
  if (first != 0) {
    return error(Code::kInternal, "{} exited with {} before starting", l.monitor_binary, first);
  }
  auto line = read_line(sync_r.fd, timeout);
  if (!line.is_ok()) {
    kill_monitor(l.state_dir);
    return error(Code::kUnavailable, "container {}: the monitor did not report within {} ms", l.id,
                 timeout.count());
  }
  auto status = parse_status_line(line.value());
  if (status.is_ok()) return status;
  std::string why = last_runtime_error(l.state_dir);
  if (line.value().empty())
    return error(Code::kInternal, "the monitor of {} died while starting", l.id);
  return error(Code::kInternal, "{}", why.empty() ? status.status().message() : why);
}

Result<int> connect_monitor(const std::string& state_dir) {
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.fd < 0) return error(Code::kInternal, "socket: {}", std::strerror(errno));
  std::string path = state_dir + "/" + std::string(monitor::kSocketFile);
  Fd dir;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    dir.fd = ::open(state_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir.fd < 0) return error(Code::kNotFound, "no monitor at {}", state_dir);
    path = "/proc/self/fd/" + std::to_string(dir.fd) + "/" + std::string(monitor::kSocketFile);
  }
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return error(Code::kNotFound, "no monitor listens at {}", state_dir);
    }
    return error(Code::kInternal, "connect to the monitor at {}: {}", state_dir,
                 std::strerror(errno));
  }
  ::fcntl(sock.fd, F_SETFL, ::fcntl(sock.fd, F_GETFL) | O_NONBLOCK);
  return sock.release();
}

Result<std::string> monitor_request(const std::string& state_dir, std::string_view request,
                                    Millis timeout) {
  SHOAL_ASSIGN_OR_RETURN(int fd, connect_monitor(state_dir));
  Fd sock(fd);
  std::string line = std::string(request) + "\n";
  if (::send(sock.fd, line.data(), line.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(line.size())) {
    return error(Code::kInternal, "send to the monitor at {}: {}", state_dir, std::strerror(errno));
  }
  auto reply = read_line(sock.fd, timeout);
  if (!reply.is_ok()) {
    return error(Code::kUnavailable, "the monitor at {} did not answer \"{}\"", state_dir, request);
  }
  if (reply.value().empty()) {
    return error(Code::kInternal, "the monitor at {} closed without answering", state_dir);
  }
  return reply;
}

std::optional<monitor::ExitRecord> read_exit_file(const std::string& state_dir) {
  std::ifstream in(state_dir + "/" + std::string(monitor::kExitFile));
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  monitor::ExitRecord record;
  if (!monitor::parse_exit(text, record)) return std::nullopt;
  return record;
}

std::string last_runtime_error(const std::string& state_dir) {
  std::ifstream in(state_dir + "/" + std::string(monitor::kRuntimeLogFile));
  std::string line, last;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    auto level = j.find("level");
    auto msg = j.find("msg");
    if (level != j.end() && msg != j.end() && msg->is_string() && *level == "error") {
      last = msg->get<std::string>();
    }
  }
  return last;
}

}  // namespace shoal::runtime
