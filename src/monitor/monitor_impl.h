// Internal to shoal-monitor: the Monitor's state and steps (monitor.cc: launch, event loop,
// exit; requests.cc: the socket's requests).
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/monitor.h"
#include "runtime/logs/log_writer.h"
#include "runtime/monitor_protocol.h"

namespace shoal::monitor {

inline constexpr size_t kMaxClients = 64;
inline constexpr int kDrainSeconds = 2;  // how long output may trail the init's exit
inline constexpr size_t kVerbIndex = 7;  // of runtime_args(): the runtime's subcommand

class Monitor {
 public:
  explicit Monitor(const Options& options)
      : o_(options), logs_(options.state_dir, options.log_max_bytes) {}
  int run();

 private:
  enum class State { kCreated, kRunning, kExited };
  struct Client {
    int fd = -1;
    std::string in;
    bool waiting = false;
  };

  bool setup(std::string& err);
  pid_t spawn_runtime(const std::vector<std::string>& args, int out_fd, int err_fd);
  bool receive_console(std::string& err);
  bool run_runtime(const std::vector<std::string>& args, int out_fd, int err_fd, std::string& err);
  std::vector<std::string> runtime_args(std::initializer_list<std::string> tail) const;
  bool create(std::string& err);
  bool start(std::string& err);
  void report(std::string_view line);
  void loop();
  void on_sigchld();
  void on_pipe(int fd);
  void on_accept();
  void on_client(Client& c);
  std::string answer(std::string_view request, Client& c);
  std::string status_line() const;
  void close_client(Client& c);
  void close_pipe(int& fd);
  void maybe_finish();
  void watch(int fd) const;

  const Options& o_;
  runtime::logs::LogWriter logs_;
  State state_ = State::kCreated;
  pid_t init_pid_ = -1;
  runtime::monitor::ExitRecord exit_{};
  int epfd_ = -1, sigfd_ = -1, listen_fd_ = -1, timer_fd_ = -1, null_fd_ = -1;
  int out_r_ = -1, out_w_ = -1, err_r_ = -1, err_w_ = -1;
  int console_fd_ = -1;  // --tty: the socket runc sends the pty master to
  std::vector<Client> clients_;
  bool done_ = false;
};

}  // namespace shoal::monitor
