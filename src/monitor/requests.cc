// shoal-monitor's socket: accepting clients and answering their one-line requests
// (runtime/monitor_protocol.h).
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "monitor/monitor_impl.h"
#include "monitor/sys.h"

namespace shoal::monitor {

void Monitor::on_accept() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    if (clients_.size() >= kMaxClients) {
      ::close(fd);
      continue;
    }
    clients_.push_back(Client{fd, {}, false});
    watch(fd);
  }
}

void Monitor::on_client(Client& c) {
  char buf[512];
  ssize_t n = ::read(c.fd, buf, sizeof(buf));
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return;
    close_client(c);
    return;
  }
  c.in.append(buf, static_cast<size_t>(n));
  if (c.in.size() > 4096) return close_client(c);
  size_t nl;
  while (c.fd >= 0 && (nl = c.in.find('\n')) != std::string::npos) {
    std::string request = c.in.substr(0, nl);
    c.in.erase(0, nl + 1);
    std::string reply = answer(request, c);
    if (!reply.empty()) write_all(c.fd, reply + "\n");
  }
}

std::string Monitor::answer(std::string_view request, Client& c) {
  if (request == "status") return status_line();
  if (request == "start") {
    std::string err;
    if (state_ == State::kExited) return status_line();
    return start(err) ? status_line() : "error " + err;
  }
  if (request == "wait") {
    if (state_ == State::kExited && out_r_ < 0 && err_r_ < 0) return status_line();
    c.waiting = true;
    return {};
  }
  bool stop = request.starts_with("stop ");
  if (stop || request.starts_with("signal ")) {
    int sig = std::atoi(std::string(request.substr(stop ? 5 : 7)).c_str());
    if (sig <= 0 || sig >= 65) return "error bad signal";
    if (state_ == State::kExited) return "ok";
    // The init of a pid namespace gets no signal it has no handler for (the kernel drops
    // it): a stop signal it does not catch could only end in SIGKILL after the grace
    // period, so it is SIGKILL now.
    if (stop && sig != SIGKILL && !catches(init_pid_, sig)) sig = SIGKILL;
    if (::kill(init_pid_, sig) != 0 && errno != ESRCH) {
      return std::string("error kill: ") + std::strerror(errno);
    }
    return sig == SIGKILL && stop ? "ok killed" : "ok";
  }
  return "error unknown request";
}

std::string Monitor::status_line() const {
  switch (state_) {
    case State::kCreated:
      return "created " + std::to_string(init_pid_);
    case State::kRunning:
      return "running " + std::to_string(init_pid_);
    case State::kExited:
      break;
  }
  return "exited " + std::to_string(exit_.code) + " " + std::to_string(exit_.signal);
}

void Monitor::close_client(Client& c) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
}

}  // namespace shoal::monitor
