#include "daemon_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace shoal::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// waitpid with a deadline; true when reaped (status in *status).
bool wait_until(pid_t pid, Clock::time_point deadline, int* status) {
  while (true) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // not our child any more
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout) {
  CommandResult result;
  TempDir tmp;
  std::string out_path = tmp.path() + "/out", err_path = tmp.path() + "/err";
  pid_t pid = fork();
  if (pid < 0) return result;
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    auto args = c_argv(argv);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (!wait_until(pid, Clock::now() + timeout, &status)) {
    result.timed_out = true;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  result.exit_code = result.timed_out ? -1 : exit_code_of(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

DaemonProcess::DaemonProcess(std::string data_dir, std::string socket_path, std::string log_file,
                             std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)),
      socket_(std::move(socket_path)),
      log_file_(std::move(log_file)),
      extra_args_(std::move(extra_args)) {}

DaemonProcess::~DaemonProcess() {
  if (running()) stop(SIGTERM);
}

bool DaemonProcess::start() {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test process
    int log = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<std::string> argv = {SHOAL_BINARY, "daemon", "--data-dir",  data_dir_,
                                     "--socket",   socket_,  "--log-level", "debug"};
    argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
    auto args = c_argv(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
  return true;
}

bool DaemonProcess::wait_ready(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!running()) return false;
    pid_t r = waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return false;
    }
    if (ping(socket_, 1s)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

int DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (!running()) return exit_code_of(status_);
  if (!wait_until(pid_, Clock::now() + timeout, &status_)) return -1;
  pid_ = -1;
  return exit_code_of(status_);
}

int DaemonProcess::stop(int sig, std::chrono::milliseconds timeout) {
  if (!running()) return exit_code_of(status_);
  kill(pid_, sig);
  if (!wait_until(pid_, Clock::now() + timeout, &status_)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
    return -1;
  }
  pid_ = -1;
  return exit_code_of(status_);
}

void DaemonProcess::kill9() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, &status_, 0);
  pid_ = -1;
}

std::string DaemonProcess::log() const { return read_file(log_file_); }

bool ping(const std::string& socket_path, std::chrono::milliseconds timeout) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return false;
  }
  const char req[] = "GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof(req) - 1)) {
    close(fd);
    return false;
  }
  std::string got;
  auto deadline = Clock::now() + timeout;
  char buf[1024];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (poll(&p, 1, left > 0 ? left : 0) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return got.starts_with("HTTP/1.1 200 OK") && got.ends_with("\r\n\r\nOK");
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/shoal-it-XXXXXX";
  if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

}  // namespace shoal::testing
