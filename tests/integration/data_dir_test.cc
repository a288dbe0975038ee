// The data dir at rest: a data dir left 0755 is tightened to 0700, every file shoal writes in
// it is owner-only (the exceptions a container needs are listed below), and no file holds a
// secret's or a config's bytes or a private key other than the node's own TLS key. The secret
// still reaches a non-root container user, also after a restart (read back from the
// encrypted store).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kSecretBytes = "shoal-at-rest-secret-7f3a9c";
constexpr const char* kConfigBytes = "shoal-at-rest-config-2b8e4d";

class DataDirTest : public RuntimeIntegrationTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir((tmp_.path() + "/data").c_str(), 0755), 0);
    ASSERT_EQ(::chmod((tmp_.path() + "/data").c_str(), 0755), 0);  // whatever our umask
    RuntimeIntegrationTest::SetUp();
  }

  std::map<std::string, std::string> docker_env() const {
    return {{"DOCKER_HOST", "unix://" + socket_}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}};
  }

  // `printf %s <bytes> | docker <args> -`
  void create_from_stdin(const std::string& what, const std::string& name,
                         const std::string& bytes) {
    CommandResult r = run_command(
        {"sh", "-c", "printf %s '" + bytes + "' | docker " + what + " create " + name + " -"},
        docker_env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::string sha256(const std::string& bytes) {
    CommandResult r = run_command({"sh", "-c", "printf %s '" + bytes + "' | sha256sum"});
    return r.out.substr(0, 64);
  }

  // A service whose task runs as nobody and prints what it could read.
  void create_reader(const std::string& name) {
    ok({"service", "create", "-d", "--name", name, "--user", "65534:65534", "--secret", "s",
        "--config", "source=c,target=/cfg", kImage, "sh", "-c",
        "id -u; ls / >/dev/null && echo root-ok; cat /etc/hosts /etc/resolv.conf /etc/hostname "
        ">/dev/null && echo files-ok; sha256sum /run/secrets/s /cfg; exec sleep 1d"});
  }

  bool reader_saw_everything(const std::string& name) const {
    std::string logs = docker({"service", "logs", name}).out;
    return contains(logs, "65534") && contains(logs, "root-ok") && contains(logs, "files-ok") &&
           contains(logs, sha256(kSecretBytes) + "  /run/secrets/s") &&
           contains(logs, sha256(kConfigBytes) + "  /cfg");
  }

  static mode_t mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode;
  }
};

// What a path under the data dir must look like: nullopt when its mode is not shoal's to
// decide (what the image or the container made, or a mount the kernel shows).
struct Expect {
  std::optional<mode_t> mode;  // the exact permission bits
  bool descend = true;         // check what is below a directory
};

// The exceptions, each for a reason:
//   containers/<task>/upper            0755: it is the container's "/", which a non-root user
//                                      must open (Docker's is 0755); below it, and below the
//                                      overlay mount rootfs/ and overlay's work/, are the
//                                      container's own files
//   containers/<task>/{hosts,resolv.conf,hostname}
//                                      0644: bind-mounted read-only into the container, for
//                                      any user in it, as Docker's
//   containers/<task>/secrets/*        a tmpfs (memory, not disk) with the files in Docker's
//                                      modes (0444 unless the service says otherwise)
//   images/layers/<id>/                0755 and the image's own modes below
//   runc/<id>                          0711: runc makes it so (state.json inside is 0600)
//   netns/<name>                       a bind mount of the kernel's nsfs handle
Expect expected(const std::vector<std::string>& rel, bool is_dir) {
  const size_t n = rel.size();
  auto at = [&](size_t i) -> const std::string& { return rel[i]; };
  if (n >= 3 && at(0) == "containers") {
    const std::string& part = at(2);
    if (part == "upper") return {0755, false};
    if (part == "rootfs" || part == "work") return {std::nullopt, false};
    if (n == 3 && (part == "hosts" || part == "resolv.conf" || part == "hostname")) return {0644};
    if (part == "secrets" && n == 4) return {std::nullopt};
  }
  if (n == 3 && at(0) == "images" && at(1) == "layers") return {0755, false};
  if (n == 2 && at(0) == "runc" && is_dir) return {0711};
  if (n == 2 && at(0) == "netns") return {std::nullopt};
  return {is_dir ? mode_t{0700} : mode_t{0600}};
}

// Every mode under `root` that differs from expected(): "path: mode" lines.
std::vector<std::string> mode_violations(const fs::path& root) {
  std::vector<std::string> out;
  std::vector<std::pair<fs::path, std::vector<std::string>>> todo = {{root, {}}};
  while (!todo.empty()) {
    auto [dir, rel] = todo.back();
    todo.pop_back();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::vector<std::string> r = rel;
      r.push_back(entry.path().filename().string());
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0) continue;  // gone meanwhile
      bool is_dir = S_ISDIR(st.st_mode);
      Expect e = expected(r, is_dir);
      mode_t mode = st.st_mode & 07777;
      bool bad = false;
      if (S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode)) {
        bad = S_ISSOCK(st.st_mode) && (mode & 077) != 0;  // sockets: owner only
      } else if (e.mode) {
        bad = mode != *e.mode;
      }
      if (bad) {
        std::ostringstream line;
        line << entry.path().string() << ": " << std::oct << mode;
        out.push_back(line.str());
      }
      if (is_dir && e.descend) todo.push_back({entry.path(), r});
    }
  }
  return out;
}

// Regular files under `root` whose bytes contain `needle`.
std::vector<std::string> files_containing(const fs::path& root, const std::string& needle) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::end(it); it.increment(ec)) {
    if (ec || !it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos) out.push_back(it->path().string());
  }
  return out;
}

TEST_F(DataDirTest, DataDirIsPrivateAndSecretsConfigsAndCaKeyAreEncryptedAtRest) {
  // The 0755 data dir was tightened, and the daemon said so.
  EXPECT_EQ(mode_of(data_) & 07777, 0700u);
  EXPECT_TRUE(contains(daemon_->log(), "had mode 755")) << tail(daemon_->log());
  EXPECT_EQ(mode_of(data_ + "/keys/data.key") & 07777, 0600u);

  create_from_stdin("secret", "s", kSecretBytes);
  create_from_stdin("config", "c", kConfigBytes);
  create_reader("reader");
  ASSERT_TRUE(eventually([&] { return reader_saw_everything("reader"); }, 120s))
      << docker({"service", "logs", "reader"}).out
      << docker({"service", "ps", "reader", "--no-trunc"}).out;

  // Owner-only everywhere, with the listed exceptions, while a task runs.
  std::vector<std::string> violations = mode_violations(data_);
  EXPECT_TRUE(violations.empty()) << join(violations);

  // After a restart the secret and config come back from the encrypted store: a new task
  // gets their bytes.
  restart();
  EXPECT_EQ(mode_of(data_) & 07777, 0700u);
  EXPECT_EQ(trim(ok({"secret", "inspect", "s", "--format", "{{.Spec.Name}}"})), "s");
  create_reader("after");
  ASSERT_TRUE(eventually([&] { return reader_saw_everything("after"); }, 120s))
      << docker({"service", "logs", "after"}).out
      << docker({"service", "ps", "after", "--no-trunc"}).out;

  // With the tasks gone (and their secret tmpfs with them), no file holds the bytes, nor a
  // private key other than this node's own TLS key.
  ok({"service", "rm", "reader", "after"});
  ASSERT_TRUE(eventually([&] { return task_dirs().empty(); }, 120s));
  EXPECT_TRUE(files_containing(data_, kSecretBytes).empty())
      << join(files_containing(data_, kSecretBytes));
  EXPECT_TRUE(files_containing(data_, kConfigBytes).empty())
      << join(files_containing(data_, kConfigBytes));
  std::vector<std::string> keys = files_containing(data_, "PRIVATE KEY");
  EXPECT_EQ(keys, std::vector<std::string>{data_ + "/certificates/swarm-node.key"}) << join(keys);
  violations = mode_violations(data_);
  EXPECT_TRUE(violations.empty()) << join(violations);
}

}  // namespace
}  // namespace shoal::testing
