// docker service logs against real containers: tail, timestamps, since, and -f streaming new
// lines (inotify) and ending cleanly when the client goes away.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

// A `docker ...` left running in the background, its stdout in a file; killed on destruction.
class BackgroundDocker {
 public:
  BackgroundDocker(const std::string& socket, const std::string& dir,
                   const std::vector<std::string>& args)
      : out_(dir + "/bg-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) +
             ".out") {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("DOCKER_HOST", ("unix://" + socket).c_str(), 1);
      ::setenv("DOCKER_CONFIG", (dir + "/docker").c_str(), 1);
      int fd = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv = {const_cast<char*>("docker")};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execvp("docker", argv.data());
      ::_exit(127);
    }
  }
  ~BackgroundDocker() { stop(); }
  std::string output() const {
    std::ifstream in(out_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Kills the client (it "goes away") and reaps it.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  static inline int counter_ = 0;
  std::string out_;
  pid_t pid_ = -1;
};

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t p = 0; (p = text.find(part, p)) != std::string::npos; p += part.size()) ++n;
  return n;
}

TEST_F(RuntimeIntegrationTest, ServiceLogsTailTimestampsAndFollow) {
  // Each task prints a line a second, so a follower sees new lines arrive.
  ok({"service", "create", "-d", "--name", "lg", "--replicas", "2", kImage, "sh", "-c",
      "i=0; while true; do echo line $i; i=$((i+1)); sleep 1; done"});
  ASSERT_TRUE(eventually([&] {
    return count(docker({"service", "logs", "lg"}).out, "line 2") == 2;
  })) << docker({"service", "logs", "lg"}).out
      << tail(daemon_->log());

  // --tail applies per task.
  std::string last = docker({"service", "logs", "--tail", "1", "lg"}).out;
  EXPECT_EQ(count(last, "| line "), 2u) << last;
  // Timestamps in front of the task context, RFC 3339.
  std::string stamped = docker({"service", "logs", "--timestamps", "--tail", "1", "lg"}).out;
  EXPECT_TRUE(contains(stamped, "Z lg.")) << stamped;
  // --since in the future: nothing.
  EXPECT_EQ(count(docker({"service", "logs", "--since", "2100-01-01T00:00:00Z", "lg"}).out, "line"),
            0u);

  // -f: the backlog, then new lines as they are written.
  {
    BackgroundDocker follow(socket_, tmp_.path(), {"service", "logs", "-f", "--tail", "0", "lg"});
    ASSERT_TRUE(eventually([&] { return count(follow.output(), "| line ") >= 4; }, 60s))
        << follow.output();
  }
  // Clients that go away end their streams: the daemon keeps serving after many of them.
  for (int i = 0; i < 8; ++i) {
    BackgroundDocker follow(socket_, tmp_.path(), {"service", "logs", "-f", "lg"});
    ASSERT_TRUE(eventually([&] { return contains(follow.output(), "| line "); }, 60s))
        << follow.output();
  }
  CommandResult after = docker({"service", "logs", "--tail", "1", "lg"}, 30s);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(count(after.out, "| line "), 2u) << after.out;

  // Task logs, by task ID.
  std::string task = trim(docker({"service", "ps", "lg", "-q"}).out.substr(0, 25));
  std::string one = docker({"service", "logs", "--tail", "2", task}).out;
  EXPECT_EQ(count(one, "| line "), 2u) << one;
}

TEST_F(RuntimeIntegrationTest, LogsWithoutStreamsAreRefused) {
  ok({"service", "create", "-d", "--name", "q", kImage, "sleep", "1d"});
  CommandResult r = curl({"-s", "http://localhost/v1.41/services/q/logs?stdout=0&stderr=0"});
  EXPECT_TRUE(contains(r.out, "Bad parameters: you must choose at least one stream")) << r.out;
  r = curl({"-s", "http://localhost/v1.41/services/q/logs?stdout=1&tail=x"});
  EXPECT_TRUE(contains(r.out, "tail value must be a positive integer")) << r.out;
  r = curl({"-s", "http://localhost/v1.41/services/nope/logs?stdout=1"});
  EXPECT_TRUE(contains(r.out, "service nope not found")) << r.out;
}

TEST_F(RuntimeIntegrationTest, TtyServiceRunsOnATerminalAndItsLogsAreRaw) {
  ok({"service", "create", "-d", "--name", "term", "--tty", kImage, "sh", "-c",
      "[ -t 1 ] && echo stdout-is-a-terminal; echo TERM=$TERM; echo to-stderr >&2; "
      "echo end-of-output; exec sleep 1d"});
  std::string logs;
  ASSERT_TRUE(eventually([&] {
    logs = docker({"service", "logs", "--raw", "term"}).out;
    return contains(logs, "end-of-output");
  })) << logs
      << docker({"service", "ps", "term", "--no-trunc"}).out << tail(daemon_->log());
  // One stream, the terminal's: its line ends are \r\n, stderr comes through stdout.
  EXPECT_TRUE(contains(logs, "stdout-is-a-terminal\r\n")) << logs;
  EXPECT_TRUE(contains(logs, "TERM=xterm")) << logs;
  EXPECT_TRUE(contains(logs, "to-stderr")) << logs;
  // Raw bytes, not frames: the CLI refuses a TTY service's logs without --raw (its rule).
  fails({"service", "logs", "term"}, "tty service logs only supported with --raw");
  std::string task = trim(ok({"service", "ps", "term", "-q", "--no-trunc"}));
  std::string by_task = docker({"service", "logs", "--raw", task}).out;
  EXPECT_TRUE(contains(by_task, "end-of-output")) << by_task;
}

}  // namespace
}  // namespace shoal::testing
