#include "runtime/logs/log_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

#include "runtime/monitor_protocol.h"
#include "runtime/task_meta.h"

namespace shoal::runtime::logs {
namespace fs = std::filesystem;
namespace {

constexpr uint32_t kDirEvents = IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE;

// One task's log as it is read: the file descriptor of container.log, its inode, the bytes
// of a line not complete yet.
struct TaskLog {
  std::string task_id, service_id, node_id;
  fs::path dir;
  int fd = -1;
  ino_t inode = 0;
  std::string partial;
  int watch = -1;
  bool done = false;  // exited and read to the end (task follow)

  ~TaskLog() {
    if (fd >= 0) ::close(fd);
  }
};

bool wanted(const LogEntry& e, const LogOptions& o) {
  if (e.stream == Stream::kStdout && !o.stdout_lines) return false;
  if (e.stream == Stream::kStderr && !o.stderr_lines) return false;
  return o.since.is_zero() || e.time >= o.since;
}

// Appends the complete lines of `data` (after `partial`) as messages.
void parse_lines(TaskLog& t, std::string_view data, const LogOptions& o,
                 std::vector<LogMessage>& out) {
  t.partial.append(data);
  size_t start = 0;
  for (;;) {
    size_t nl = t.partial.find('\n', start);
    if (nl == std::string::npos) break;
    auto entry = parse_json_line(std::string_view(t.partial).substr(start, nl - start));
    start = nl + 1;
    if (!entry.is_ok() || !wanted(entry.value(), o)) continue;
    out.push_back(LogMessage{t.task_id, t.service_id, t.node_id, std::move(entry).value()});
  }
  t.partial.erase(0, start);
}

// Reads `fd` to its end.
void drain(TaskLog& t, int fd, const LogOptions& o, std::vector<LogMessage>& out) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    parse_lines(t, std::string_view(buf, static_cast<size_t>(n)), o, out);
  }
}

// Opens container.log if it is there and not open yet (or was rotated away).
void reopen_if_rotated(TaskLog& t, const LogOptions& o, std::vector<LogMessage>& out) {
  fs::path path = t.dir / std::string(monitor::kLogFile);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (t.fd >= 0 && st.st_ino == t.inode) return;
  if (t.fd >= 0) {
    drain(t, t.fd, o, out);  // the rest of the rotated file first
    ::close(t.fd);
  }
  t.partial.clear();
  t.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  t.inode = st.st_ino;
}

// The task's backlog: the rotated file, then the current one (left open at its end).
std::vector<LogMessage> backlog(TaskLog& t, const LogOptions& o) {
  std::vector<LogMessage> out;
  int rotated =
      ::open((t.dir / std::string(monitor::kRotatedLogFile)).c_str(), O_RDONLY | O_CLOEXEC);
  if (rotated >= 0) {
    drain(t, rotated, o, out);
    ::close(rotated);
    t.partial.clear();
  }
  reopen_if_rotated(t, o, out);
  if (t.fd >= 0) drain(t, t.fd, o, out);
  if (o.tail && static_cast<int64_t>(out.size()) > *o.tail) {
    out.erase(out.begin(), out.end() - std::max<int64_t>(*o.tail, 0));
  }
  return out;
}

std::unique_ptr<TaskLog> open_task(const fs::path& dir, const LogSelector& sel) {
  auto meta = read_task_meta(dir);
  if (!meta.is_ok()) return nullptr;
  if (!sel.task_id.empty() ? meta->TaskID != sel.task_id : meta->ServiceID != sel.service_id) {
    return nullptr;
  }
  auto t = std::make_unique<TaskLog>();
  t->task_id = meta->TaskID;
  t->service_id = meta->ServiceID;
  t->node_id = meta->NodeID;
  t->dir = dir;
  return t;
}

bool emit_sorted(std::vector<LogMessage>& messages, const LogSink& sink) {
  std::stable_sort(messages.begin(), messages.end(), [](const LogMessage& a, const LogMessage& b) {
    return a.entry.time < b.entry.time;
  });
  for (const LogMessage& m : messages) {
    if (!sink(m)) return false;
  }
  return true;
}

}  // namespace

Status LogReader::read(const LogSelector& sel, const LogOptions& o, const LogSink& sink,
                       std::stop_token stop) const {
  int inotify = -1;
  if (o.follow) {
    inotify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (inotify < 0) return error(Code::kInternal, "inotify: {}", std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd >= 0) ::close(fd);
    }
  } inotify_closer{inotify};
  int dir_watch = -1;
  if (o.follow && sel.task_id.empty()) {
    dir_watch = ::inotify_add_watch(inotify, dir_.c_str(), IN_CREATE | IN_MOVED_TO);
  }

  std::map<std::string, std::unique_ptr<TaskLog>> tasks;  // by dir name
  std::map<int, fs::path> unborn;  // watches of new task dirs without their task.json yet
  std::vector<LogMessage> first;
  std::error_code ec;
  auto adopt = [&](const fs::path& dir, std::vector<LogMessage>& out) {
    std::string name = dir.filename().string();
    if (tasks.contains(name)) return;
    // Watch first, then read: a line written in between is read, not lost.
    int watch = inotify >= 0 ? ::inotify_add_watch(inotify, dir.c_str(), kDirEvents) : -1;
    std::unique_ptr<TaskLog> t = open_task(dir, sel);
    if (!t) {
      // task.json may have been written since open_task looked: decide on one fresh read.
      bool written = read_task_meta(dir).is_ok();
      if (written) t = open_task(dir, sel);
      if (!t) {
        if (watch >= 0 && !written) {
          unborn[watch] = dir;  // not written yet: look again when it is
        } else if (watch >= 0) {
          ::inotify_rm_watch(inotify, watch);  // another service's task
        }
        return;
      }
    }
    unborn.erase(watch);
    t->watch = watch;
    std::vector<LogMessage> lines = backlog(*t, o);
    out.insert(out.end(), std::make_move_iterator(lines.begin()),
               std::make_move_iterator(lines.end()));
    tasks.emplace(name, std::move(t));
  };
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec))
    adopt(entry.path(), first);
  if (!emit_sorted(first, sink) || !o.follow) return Status::ok();
  bool one_task = !sel.task_id.empty();
  if (one_task && std::all_of(tasks.begin(), tasks.end(), [](const auto& kv) {
        return fs::exists(kv.second->dir / std::string(monitor::kExitFile));
      })) {
    return Status::ok();  // it has exited: nothing more will come
  }

  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  Closer wake_closer{wake};
  std::stop_callback on_stop(stop, [wake] {
    uint64_t one = 1;
    ssize_t n = ::write(wake, &one, sizeof(one));
    (void)n;
  });
  alignas(inotify_event) char events[16 * 1024];
  while (!stop.stop_requested()) {
    pollfd fds[2] = {{inotify, POLLIN, 0}, {wake, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (stop.stop_requested()) break;
    std::vector<LogMessage> fresh;
    ssize_t n;
    while ((n = ::read(inotify, events, sizeof(events))) > 0) {
      for (char* p = events; p < events + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + ev->len;
        if (ev->wd == dir_watch && ev->len > 0) {
          adopt(dir_ / ev->name, fresh);
        } else if (auto it = unborn.find(ev->wd); it != unborn.end()) {
          fs::path dir = it->second;
          adopt(dir, fresh);
        }
      }
    }
    for (auto& [name, t] : tasks) {
      if (t->done) continue;
      reopen_if_rotated(*t, o, fresh);
      if (t->fd >= 0) drain(*t, t->fd, o, fresh);
      if (!sel.task_id.empty() && fs::exists(t->dir / std::string(monitor::kExitFile))) {
        reopen_if_rotated(*t, o, fresh);
        if (t->fd >= 0) drain(*t, t->fd, o, fresh);
        t->done = true;
      }
    }
    if (!emit_sorted(fresh, sink)) break;
    if (!sel.task_id.empty() &&
        std::all_of(tasks.begin(), tasks.end(), [](const auto& kv) { return kv.second->done; })) {
      break;
    }
  }
  return Status::ok();
}

}  // namespace shoal::runtime::logs
