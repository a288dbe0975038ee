#include "provider/machine_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

namespace shoal::provider {
namespace {

using Clock = std::chrono::steady_clock;

// A child reports why it failed through the pipe as text; success is a PID.
[[noreturn]] void fail_child(int fd, const char* what) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, "E%s: %s", what, std::strerror(errno));
  if (n > 0) (void)::write(fd, buf, static_cast<size_t>(std::min<int>(n, sizeof buf - 1)));
  ::_exit(127);
}

void on_signal(int) {}

// Closes every descriptor from 3 up except `keep`, so the long-lived init does not hold
// the launching CLI's pipes open (a caller reading the CLI's output to its end would wait).
void close_all_but(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned from = 3;
  for (int fd : keep) {
    if (static_cast<unsigned>(fd) > from) ::syscall(SYS_close_range, from, fd - 1, 0);
    from = std::max(from, static_cast<unsigned>(fd) + 1);
  }
  ::syscall(SYS_close_range, from, ~0U, 0);
}

// PID 1 of the machine's PID namespace: mounts /proc for it, starts the daemon, forwards
// termination signals to it, reaps every orphan, and exits with the daemon.
[[noreturn]] void run_init(const MachineLaunch& launch, int report_fd) {
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    fail_child(report_fd, "mount /proc");
  }
  int log = ::open(launch.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log < 0) fail_child(report_fd, "open log file");
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0) fail_child(report_fd, "open /dev/null");
  close_all_but({log, null, report_fd});

  // An init ignores signals it has no handler for, even from the host: install ones.
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  for (int sig : {SIGTERM, SIGINT, SIGCHLD}) ::sigaction(sig, &sa, nullptr);
  sigset_t waited;
  sigemptyset(&waited);
  for (int sig : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&waited, sig);
  sigset_t old;
  ::sigprocmask(SIG_BLOCK, &waited, &old);

  std::vector<char*> argv;
  for (const auto& a : launch.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t daemon = ::fork();
  if (daemon < 0) fail_child(report_fd, "fork the daemon");
  if (daemon == 0) {
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGTERM, SIGINT, SIGCHLD}) ::sigaction(sig, &dfl, nullptr);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "shoal machine init: exec %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(report_fd);
  ::dup2(null, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);

  for (;;) {
    siginfo_t info{};
    if (::sigwaitinfo(&waited, &info) < 0) continue;
    if (info.si_signo != SIGCHLD) {
      ::kill(daemon, info.si_signo);
      continue;
    }
    int status = 0;
    for (pid_t p; (p = ::waitpid(-1, &status, WNOHANG)) > 0;) {
      if (p != daemon) continue;
      // Leaving kills everything else in the namespace: the machine is off.
      ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  }
}

bool is_zombie(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  auto paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] == 'Z' ||
         text[paren + 2] == 'X';
}

ino_t netns_of(pid_t pid) {
  struct stat st {};
  std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

Result<pid_t> launch_machine(const MachineLaunch& launch) {
  if (netns_inode(launch.netns_path) == 0) {
    return error(Code::kNotFound, "no network namespace at {}", launch.netns_path);
  }
  if (launch.argv.empty() || ::access(launch.argv[0].c_str(), X_OK) != 0) {
    return error(Code::kNotFound, "cannot run {}", launch.argv.empty() ? "" : launch.argv[0]);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return error(Code::kInternal, "pipe: {}", std::strerror(errno));
  }
  pid_t first = ::fork();
  if (first < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return error(Code::kInternal, "fork: {}", std::strerror(errno));
  }
  if (first == 0) {
    ::close(fds[0]);
    ::setsid();
    int ns = ::open(launch.netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) fail_child(fds[1], "enter the network namespace");
    if (::unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS) != 0) fail_child(fds[1], "unshare");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
      fail_child(fds[1], "make / a slave mount");
    }
    if (::sethostname(launch.hostname.data(), launch.hostname.size()) != 0) {
      fail_child(fds[1], "sethostname");
    }
    pid_t init = ::fork();
    if (init < 0) fail_child(fds[1], "fork the init");
    if (init == 0) run_init(launch, fds[1]);
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "P%d", static_cast<int>(init));
    (void)::write(fds[1], buf, static_cast<size_t>(n));
    ::_exit(0);
  }
  ::close(fds[1]);
  // The pipe closes when the init has started the daemon (or failed), since every writer
  // closes it then; read all of it.
  std::string report;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    report.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(first, &status, 0) < 0 && errno == EINTR) {
  }
  auto error_at = report.find('E');
  if (error_at != std::string::npos) {
    return error(Code::kInternal, "cannot start the machine: {}", report.substr(error_at + 1));
  }
  if (report.empty() || report[0] != 'P') {
    return error(Code::kInternal, "cannot start the machine: its launcher exited with {}", status);
  }
  return static_cast<pid_t>(std::stoi(report.substr(1)));
}

ino_t netns_inode(const std::string& netns_path) {
  struct stat st {};
  if (::stat(netns_path.c_str(), &st) != 0) return 0;
  // An unbound file on tmpfs is not a namespace: nsfs inodes live on their own device.
  struct stat own {};
  if (::stat("/proc/self/ns/net", &own) != 0 || st.st_dev != own.st_dev) return 0;
  return st.st_ino;
}

std::vector<pid_t> processes_in_netns(ino_t inode) {
  std::vector<pid_t> out;
  if (inode == 0) return out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 1) continue;
    if (netns_of(static_cast<pid_t>(pid)) == inode) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  return out;
}

bool alive_in_netns(pid_t pid, ino_t inode) {
  return pid > 1 && inode != 0 && netns_of(pid) == inode && !is_zombie(pid);
}

bool signal_and_wait(pid_t pid, ino_t inode, int sig, std::chrono::milliseconds timeout) {
  if (!alive_in_netns(pid, inode)) return true;
  ::kill(pid, sig);
  auto deadline = Clock::now() + timeout;
  while (alive_in_netns(pid, inode)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool kill_netns_processes(ino_t inode, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    bool any = false;
    for (pid_t pid : processes_in_netns(inode)) {
      if (is_zombie(pid)) continue;
      any = true;
      ::kill(pid, SIGKILL);
    }
    if (!any) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

namespace {

bool answers_ping(const std::string& socket_path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    ::close(fd);
    return false;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char request[] = "GET /_ping HTTP/1.0\r\nHost: shoal\r\n\r\n";
    if (::write(fd, request, sizeof request - 1) == sizeof request - 1) {
      char buf[64];
      ssize_t n = ::read(fd, buf, sizeof buf - 1);
      if (n > 12) {
        buf[n] = '\0';
        ok = std::strncmp(buf + 9, "200", 3) == 0;
      }
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

Status wait_for_api(const std::string& socket, pid_t pid, ino_t inode,
                    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (answers_ping(socket)) return Status::ok();
    if (!alive_in_netns(pid, inode)) {
      return error(Code::kUnavailable, "the daemon behind {} exited before answering", socket);
    }
    if (Clock::now() >= deadline) {
      return error(Code::kUnavailable, "the daemon behind {} did not answer within {} s", socket,
                   std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

}  // namespace shoal::provider
