// How confined a task's container is, seen from inside it: Docker's default seccomp filter
// (keyrings, user namespaces and mounts denied; CAP_SYS_ADMIN gives mounts back), the OOM
// kill of a memory-limited task as `docker service ps` and `docker inspect` show it, and a
// read-only root file system.
#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

// The runtime fixture plus an image "probe:1": the busybox test image with
// tests/support/syscall_probe.c built static into /bin.
class ConfinementTest : public RuntimeIntegrationTest {
 protected:
  static constexpr const char* kProbeImage = "probe:1";

  void SetUp() override {
    RuntimeIntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    std::string probe = tmp_.path() + "/syscall_probe";
    CommandResult built = run_command(
        {"gcc", "-static", "-O2", "-o", probe, source_dir() + "/tests/support/syscall_probe.c"});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    CommandResult made = run_command({"bash", source_dir() + "/tests/support/make_test_image.sh",
                                      tmp_.path() + "/probe-image", "1", "probe"},
                                     {{"EXTRA_BINS", probe}});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ok({"load", "-i", tmp_.path() + "/probe-image/image.tar"});
  }

  // The service's output once it holds `marker` (every script below ends with one).
  std::string logs_until(const std::string& service, const std::string& marker) {
    std::string logs;
    bool seen = eventually([&] {
      CommandResult r = docker({"service", "logs", "--raw", service});
      logs = r.out + r.err;
      return contains(logs, marker);
    });
    EXPECT_TRUE(seen) << docker({"service", "ps", service, "--no-trunc"}).out << logs
                      << tail(daemon_->log());
    return logs;
  }
};

TEST_F(ConfinementTest, DefaultSeccompFilterDeniesKeyringsUserNamespacesAndMountsWithEperm) {
  ok({"service", "create", "-d", "--name", "deny", kProbeImage, "sh", "-c",
      "syscall_probe add_key; syscall_probe keyctl; "
      "unshare -U true; echo unshare=$?; "
      "mount -t tmpfs none /tmp; echo mount=$?; "
      "grep Seccomp: /proc/self/status; echo end-of-probes; exec sleep 1d"});
  std::string logs = logs_until("deny", "end-of-probes");
  EXPECT_TRUE(contains(logs, "add_key: Operation not permitted")) << logs;
  EXPECT_TRUE(contains(logs, "keyctl: Operation not permitted")) << logs;
  EXPECT_TRUE(contains(logs, "unshare(0x10000000): Operation not permitted")) << logs;
  EXPECT_TRUE(contains(logs, "unshare=1")) << logs;
  EXPECT_TRUE(contains(logs, "mount=1")) << logs;
  EXPECT_TRUE(contains(logs, "Seccomp:\t2")) << logs;  // mode 2: a filter
}

TEST_F(ConfinementTest, CapAddSysAdminAllowsMountAndUnshareButNotKeyrings) {
  ok({"service", "create", "-d", "--name", "admin", "--cap-add", "SYS_ADMIN", kProbeImage, "sh",
      "-c",
      "mount -t tmpfs none /tmp && grep -q ' /tmp tmpfs ' /proc/mounts && echo mounted; "
      "unshare -U true && echo unshared; "
      "syscall_probe add_key; echo end-of-probes; exec sleep 1d"});
  std::string logs = logs_until("admin", "end-of-probes");
  EXPECT_TRUE(contains(logs, "mounted")) << logs;
  EXPECT_TRUE(contains(logs, "unshared")) << logs;
  EXPECT_TRUE(contains(logs, "add_key: Operation not permitted")) << logs;
}

TEST_F(ConfinementTest, OomKilledTaskFailsWithExitCode137AndSaysOomKilled) {
  // dd reads 100 MiB of zeros into one buffer: past the 32 MiB limit.
  ok({"service", "create", "-d", "--name", "hog", "--limit-memory", "32m", "--restart-condition",
      "none", kProbeImage, "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"});
  std::string ps;
  ASSERT_TRUE(eventually([&] {
    ps = docker({"service", "ps", "hog", "--no-trunc", "--format", "{{.CurrentState}}|{{.Error}}"})
             .out;
    return contains(ps, "Failed");
  })) << ps
      << tail(daemon_->log());
  // With --no-trunc the CLI prints the error quoted (%q), as for Docker's tasks.
  EXPECT_TRUE(contains(ps, "|\"task: non-zero exit (137): OOMKilled\"")) << ps;

  std::string task = trim(ok({"service", "ps", "hog", "-q", "--no-trunc"}));
  std::string inspected = trim(ok({"inspect", "--type", "task", "--format",
                                   "{{.Status.State}}|{{.Status.Err}}|"
                                   "{{.Status.ContainerStatus.ExitCode}}",
                                   task}));
  EXPECT_EQ(inspected, "failed|task: non-zero exit (137): OOMKilled|137");
}

TEST_F(ConfinementTest, ReadOnlyRootIsUnwritableWhileShmAndTmpfsMountsAreWritable) {
  ok({"service", "create", "-d", "--name", "ro", "--read-only", "--mount",
      "type=tmpfs,target=/scratch", kProbeImage, "sh", "-c",
      "touch /x 2>/dev/null && echo root-rw || echo root-ro; "
      "touch /tmp/x 2>/dev/null && echo tmp-rw || echo tmp-ro; "
      "touch /dev/shm/x && echo shm-rw; touch /scratch/x && echo scratch-rw; "
      "echo end-of-probes; exec sleep 1d"});
  std::string logs = logs_until("ro", "end-of-probes");
  EXPECT_TRUE(contains(logs, "root-ro")) << logs;
  EXPECT_TRUE(contains(logs, "tmp-ro")) << logs;
  EXPECT_TRUE(contains(logs, "shm-rw")) << logs;
  EXPECT_TRUE(contains(logs, "scratch-rw")) << logs;
}

}  // namespace
}  // namespace shoal::testing
