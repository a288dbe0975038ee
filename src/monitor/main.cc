// shoal-monitor: see monitor.h and runtime/monitor_protocol.h. The daemon starts it; it is
// not meant to be run by hand.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "monitor/monitor.h"
#include "runtime/monitor_protocol.h"

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "shoal-monitor: %s\nusage: shoal-monitor --id ID --bundle DIR --state-dir DIR "
               "--runtime PATH --runtime-root DIR [--log-max-bytes N] [--sync-fd FD] [--start] "
               "[--tty]\n",
               why);
  return 2;
}

// Parses the flags; nullptr on success, else what is wrong.
const char* parse(int argc, char** argv, shoal::monitor::Options& o) {
  o.log_max_bytes = shoal::runtime::monitor::kDefaultLogMaxBytes;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--start" || flag == "--tty") {
      (flag == "--start" ? o.start : o.tty) = true;
      continue;
    }
    if (i + 1 >= argc) return "a flag lacks its value";
    const char* value = argv[++i];
    if (flag == "--id") {
      o.id = value;
    } else if (flag == "--bundle") {
      o.bundle = value;
    } else if (flag == "--state-dir") {
      o.state_dir = value;
    } else if (flag == "--runtime") {
      o.runtime = value;
    } else if (flag == "--runtime-root") {
      o.runtime_root = value;
    } else if (flag == "--log-max-bytes") {
      o.log_max_bytes = std::strtoll(value, nullptr, 10);
    } else if (flag == "--sync-fd") {
      o.sync_fd = std::atoi(value);
    } else {
      return "unknown flag";
    }
  }
  if (o.id.empty() || o.bundle.empty() || o.state_dir.empty() || o.runtime.empty() ||
      o.runtime_root.empty()) {
    return "--id, --bundle, --state-dir, --runtime and --runtime-root are required";
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  shoal::monitor::Options options;
  if (const char* why = parse(argc, argv, options)) return usage(why);

  // Detach from the daemon: the parent returns at once (the daemon reaps it), the child leads
  // a new session and adopts the container's processes as a child subreaper.
  pid_t child = fork();
  if (child < 0) {
    std::perror("shoal-monitor: fork");
    return 1;
  }
  if (child > 0) _exit(0);
  setsid();
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  return shoal::monitor::run_monitor(options);
}
