#include "monitor/monitor.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/monitor_impl.h"
#include "monitor/sys.h"

extern char** environ;

namespace shoal::monitor {

namespace proto = runtime::monitor;
using runtime::logs::LogWriter;
using runtime::logs::Stream;

std::vector<std::string> Monitor::runtime_args(std::initializer_list<std::string> tail) const {
  std::vector<std::string> args = {o_.runtime,
                                   "--root",
                                   o_.runtime_root,
                                   "--log",
                                   o_.state_dir + "/" + std::string(proto::kRuntimeLogFile),
                                   "--log-format",
                                   "json"};
  args.insert(args.end(), tail);
  return args;
}

pid_t Monitor::spawn_runtime(const std::vector<std::string>& args, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, null_fd_, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGHUP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return pid;
}

// Runs the runtime to completion; false (with `err`) when it could not run or failed.
bool Monitor::run_runtime(const std::vector<std::string>& args, int out_fd, int err_fd,
                          std::string& err) {
  pid_t pid = spawn_runtime(args, out_fd, err_fd);
  if (pid < 0) {
    err = "cannot run " + args[0] + ": " + std::strerror(errno);
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  err = "runtime " + args[kVerbIndex] + " failed (" +
        (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                           : "signal " + std::to_string(WTERMSIG(status))) +
        "); see " + std::string(proto::kRuntimeLogFile);
  return false;
}

bool Monitor::setup(std::string& err) {
  auto fail = [&](const char* what) {
    err = std::string(what) + ": " + std::strerror(errno);
    return false;
  };
  null_fd_ = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd_ < 0) return fail("open /dev/null");
  if (!o_.tty) {
    int out[2], errp[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(errp, O_CLOEXEC) != 0) return fail("pipe");
    out_r_ = out[0], out_w_ = out[1], err_r_ = errp[0], err_w_ = errp[1];
  }
  if (!logs_.open()) return fail("open container.log");

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  sigfd_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd_ < 0) return fail("signalfd");

  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) return fail("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // Bind relative to the state dir: its absolute path may exceed sun_path's 108 bytes.
  if (::chdir(o_.state_dir.c_str()) != 0) return fail("chdir state dir");
  std::strncpy(addr.sun_path, proto::kSocketFile.data(), sizeof(addr.sun_path) - 1);
  ::unlink(addr.sun_path);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return fail("bind monitor.sock");
  }
  if (o_.tty) {
    console_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (console_fd_ < 0) return fail("socket");
    sockaddr_un console{};
    console.sun_family = AF_UNIX;
    std::strncpy(console.sun_path, proto::kConsoleSocketFile.data(), sizeof(console.sun_path) - 1);
    ::unlink(console.sun_path);
    if (::bind(console_fd_, reinterpret_cast<sockaddr*>(&console), sizeof(console)) != 0 ||
        ::listen(console_fd_, 1) != 0) {
      return fail("console socket");
    }
  }
  if (::chdir("/") != 0) return fail("chdir /");
  if (::listen(listen_fd_, 16) != 0) return fail("listen");
  write_file_atomic(o_.state_dir, proto::kPidFile, std::to_string(::getpid()) + "\n");
  return true;
}

// Creates the container; with --start, creates and starts it with one `runc run --detach`
// (one runtime process instead of two: the init is re-parented to us all the same).
bool Monitor::create(std::string& err) {
  std::string pid_file = o_.state_dir + "/" + std::string(proto::kInitPidFile);
  auto args = o_.start
                  ? runtime_args({"run", "--detach", "--bundle", o_.bundle, "--pid-file", pid_file})
                  : runtime_args({"create", "--bundle", o_.bundle, "--pid-file", pid_file});
  if (o_.tty) {
    // runc dials it from the bundle dir (its working directory): the short relative name
    // when the bundle is the state dir (as the daemon lays them out), else the full path.
    std::string console(proto::kConsoleSocketFile);
    args.push_back("--console-socket");
    args.push_back(o_.bundle == o_.state_dir ? console : o_.state_dir + "/" + console);
  }
  args.push_back(o_.id);
  // runc makes the container's missing mount points (e.g. /run/secrets) inside its rootfs
  // with the umask it inherits; under the daemon's 077 a non-root container user could not
  // reach them. It gets 022, as under Docker's daemon (this process has no other threads).
  // Its log file is made here first, so that it stays private.
  std::string runtime_log = o_.state_dir + "/" + std::string(proto::kRuntimeLogFile);
  if (int fd = ::open(runtime_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      fd >= 0) {
    ::close(fd);
  }
  mode_t daemon_umask = ::umask(022);
  bool created =
      o_.tty ? run_runtime(args, null_fd_, null_fd_, err) : run_runtime(args, out_w_, err_w_, err);
  ::umask(daemon_umask);
  if (!created) return false;
  ::chmod(pid_file.c_str(), 0600);  // written by runc under 022
  if (o_.tty) {
    if (!receive_console(err)) return false;
  } else {
    // The container holds the write ends now; ours would keep the pipes from ever closing.
    ::close(out_w_);
    ::close(err_w_);
    out_w_ = err_w_ = -1;
  }
  init_pid_ = static_cast<pid_t>(std::atoi(read_small_file(pid_file).c_str()));
  if (init_pid_ <= 0) {
    err = "runtime wrote no init pid";
    return false;
  }
  state_ = o_.start ? State::kRunning : State::kCreated;
  return true;
}

// runc has connected to the console socket and sent the pty master (SCM_RIGHTS) before it
// exited: the master becomes the container's output.
bool Monitor::receive_console(std::string& err) {
  int conn = ::accept4(console_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  ::close(console_fd_);
  console_fd_ = -1;
  ::unlink((o_.state_dir + "/" + std::string(proto::kConsoleSocketFile)).c_str());
  if (conn < 0) {
    err = std::string("the runtime sent no terminal: ") + std::strerror(errno);
    return false;
  }
  char name[4096];
  iovec iov{name, sizeof(name)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  while ((n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  ::close(conn);
  cmsghdr* c = n < 0 ? nullptr : CMSG_FIRSTHDR(&msg);
  if (c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
    err = "the runtime sent no terminal";
    return false;
  }
  std::memcpy(&out_r_, CMSG_DATA(c), sizeof(int));
  return true;
}

bool Monitor::start(std::string& err) {
  if (state_ != State::kCreated) return true;
  if (!run_runtime(runtime_args({"start", o_.id}), null_fd_, null_fd_, err)) return false;
  state_ = State::kRunning;
  return true;
}

void Monitor::report(std::string_view line) {
  if (o_.sync_fd < 0) return;
  write_all(o_.sync_fd, std::string(line) + "\n");
  ::close(o_.sync_fd);
}

int Monitor::run() {
  std::string err;
  if (!setup(err) || !create(err)) {
    if (init_pid_ > 0) ::kill(init_pid_, SIGKILL);
    ::unlink((o_.state_dir + "/" + std::string(proto::kSocketFile)).c_str());
    ::unlink((o_.state_dir + "/" + std::string(proto::kPidFile)).c_str());
    ::unlink((o_.state_dir + "/" + std::string(proto::kConsoleSocketFile)).c_str());
    report("error " + err);
    return 1;
  }
  report(status_line());
  loop();
  return 0;
}

void Monitor::watch(int fd) const {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
}

void Monitor::loop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  for (int fd : {sigfd_, out_r_, err_r_, listen_fd_}) {
    if (fd >= 0) watch(fd);
  }
  epoll_event events[16];
  while (!done_) {
    int n = ::epoll_wait(epfd_, events, 16, -1);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n && !done_; ++i) {
      int fd = events[i].data.fd;
      if (fd == sigfd_) {
        on_sigchld();
      } else if (fd == out_r_ || fd == err_r_) {
        on_pipe(fd);
      } else if (fd == listen_fd_) {
        on_accept();
      } else if (fd == timer_fd_) {
        // Output may trail the exit only briefly (a process outside the container holding
        // the pipe must not keep the task from ending).
        if (out_r_ >= 0) close_pipe(out_r_);
        if (err_r_ >= 0) close_pipe(err_r_);
      } else {
        for (Client& c : clients_) {
          if (c.fd == fd) on_client(c);
        }
        std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
      }
      maybe_finish();
    }
  }
}

void Monitor::on_sigchld() {
  signalfd_siginfo info;
  while (::read(sigfd_, &info, sizeof(info)) == sizeof(info)) {
  }
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (pid != init_pid_ || state_ == State::kExited) continue;  // an orphan we adopted
    exit_.finished_nanos = now_nanos();
    if (WIFSIGNALED(status)) {
      exit_.signal = WTERMSIG(status);
      exit_.code = 128 + exit_.signal;
    } else {
      exit_.code = WEXITSTATUS(status);
    }
    state_ = State::kExited;
    timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    itimerspec spec{};
    spec.it_value.tv_sec = kDrainSeconds;
    ::timerfd_settime(timer_fd_, 0, &spec, nullptr);
    watch(timer_fd_);
  }
}

void Monitor::on_pipe(int fd) {
  Stream stream = fd == err_r_ ? Stream::kStderr : Stream::kStdout;
  char buf[64 * 1024];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n < 0 && errno == EINTR) return;
  if (n > 0) {
    logs_.append(stream, std::string_view(buf, static_cast<size_t>(n)), now_nanos());
    return;
  }
  logs_.finish(stream, now_nanos());
  close_pipe(fd == err_r_ ? err_r_ : out_r_);
}

void Monitor::close_pipe(int& fd) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  fd = -1;
}

// Once the init has exited and its output is drained: exit file, waiters, goodbye.
void Monitor::maybe_finish() {
  if (state_ != State::kExited || out_r_ >= 0 || err_r_ >= 0 || done_) return;
  int64_t now = now_nanos();
  logs_.finish(Stream::kStdout, now);
  logs_.finish(Stream::kStderr, now);
  write_file_atomic(o_.state_dir, proto::kExitFile, proto::format_exit(exit_));
  ::unlink((o_.state_dir + "/" + std::string(proto::kSocketFile)).c_str());
  ::unlink((o_.state_dir + "/" + std::string(proto::kPidFile)).c_str());
  std::string line = status_line() + "\n";
  for (Client& c : clients_) {
    if (c.fd >= 0 && c.waiting) write_all(c.fd, line);
    if (c.fd >= 0) ::close(c.fd);
  }
  clients_.clear();
  done_ = true;
}

int run_monitor(const Options& options) { return Monitor(options).run(); }

}  // namespace shoal::monitor
