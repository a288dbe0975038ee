#include "common/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace shoal {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<pid_t> spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return error(Code::kInternal, "spawn: empty argv");
  Fd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (null_fd.fd < 0)
    return error(Code::kInternal, "cannot open /dev/null: {}", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  auto pick = [&](int fd) { return fd >= 0 ? fd : null_fd.fd; };
  posix_spawn_file_actions_adddup2(&actions, pick(options.stdin_fd), 0);
  posix_spawn_file_actions_adddup2(&actions, pick(options.stdout_fd), 1);
  posix_spawn_file_actions_adddup2(&actions, pick(options.stderr_fd), 2);
  int highest = 2;
  for (const auto& [from, to] : options.extra_fds) {
    posix_spawn_file_actions_adddup2(&actions, from, to);
    highest = std::max(highest, to);
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);
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
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return error(Code::kInternal, "cannot run {}: {}", options.argv[0], std::strerror(rc));
  return pid;
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return exit_code_of(status);
}

Result<RunResult> run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                      size_t max_output) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return error(Code::kInternal, "pipe: {}", std::strerror(errno));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);
  SpawnOptions options;
  options.argv = argv;
  options.stdout_fd = options.stderr_fd = write_end.fd;
  SHOAL_ASSIGN_OR_RETURN(pid_t pid, spawn(options));
  ::close(write_end.fd);
  write_end.fd = -1;
  Fd pidfd(open_pidfd(pid));
  RunResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool output_open = true, exited = false;
  char buf[4096];
  while (output_open || !exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{output_open ? read_end.fd : -1, POLLIN, 0},
                     {exited ? -1 : pidfd.fd, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) {
      ssize_t got = ::read(read_end.fd, buf, sizeof(buf));
      if (got > 0) {
        size_t keep = std::min(static_cast<size_t>(got),
                               max_output - std::min(max_output, result.output.size()));
        result.output.append(buf, keep);
      } else if (got == 0 || errno != EINTR) {
        output_open = false;
      }
    }
    if (fds[1].revents != 0 || pidfd.fd < 0) exited = true;
  }
  result.exit_code = wait_exit_code(pid);
  return result;
}

}  // namespace shoal
