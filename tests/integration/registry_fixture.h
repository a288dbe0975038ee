// Integration-test fixture: a real registry — Debian's docker-registry (`docker-registry
// serve CONFIG`) on 127.0.0.1:<free port>, its storage in a temporary directory — and the
// test image (tests/support/make_test_image.sh: busybox-static, one layer) built once and
// pushed into it with skopeo.
//
//   RegistryProcess reg;              // nothing runs yet
//   ASSERT_TRUE(reg.start()) << reg.log();
//   ASSERT_TRUE(reg.push(test_image_dir(), "1", "busybox:1")) << reg.log();
//   ... pull reg.address() + "/busybox:1" ...
//
// Every wait has a timeout; stop() (and the destructor) ends the registry with SIGTERM,
// then SIGKILL after 10 s, and its temporary directory goes with the object.
#pragma once

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "daemon_fixture.h"

namespace shoal::testing {

// tests/support/ of this source tree.
inline std::filesystem::path support_dir() {
  return std::filesystem::path(SHOAL_SOURCE_DIR) / "tests" / "support";
}

// A directory holding the test image as built by make_test_image.sh (oci/ with tag "1",
// image.tar tagged busybox:1): built once per test process, removed at exit.
inline const std::string& test_image_dir() {
  static TempDir dir;
  static std::once_flag once;
  std::call_once(once, [] {
    CommandResult r =
        run_command({(support_dir() / "make_test_image.sh").string(), dir.path(), "1"});
    if (r.exit_code != 0) std::fprintf(stderr, "make_test_image.sh failed: %s\n", r.err.c_str());
  });
  return dir.path();
}

class RegistryProcess {
 public:
  RegistryProcess() = default;
  ~RegistryProcess() { stop(); }
  RegistryProcess(const RegistryProcess&) = delete;
  RegistryProcess& operator=(const RegistryProcess&) = delete;

  // Starts the registry on a free port and waits (20 s at most) until it accepts
  // connections. False when it could not start (see log()).
  bool start() {
    if (port_ == 0) port_ = free_port();
    std::ofstream config(config_path());
    config << "version: 0.1\n"
           << "log:\n  level: warn\n"
           << "storage:\n  filesystem:\n    rootdirectory: " << storage() << "\n"
           << "  delete:\n    enabled: true\n"
           << "http:\n  addr: " << address() << "\n";
    if (!user_.empty()) {
      // htpasswd with a bcrypt hash, the only kind the registry accepts.
      const char* salt = crypt_gensalt("$2b$", 10, nullptr, 0);
      const char* hash = salt ? crypt(password_.c_str(), salt) : nullptr;
      if (!hash) return false;
      std::ofstream(dir_.path() + "/htpasswd") << user_ << ":" << hash << "\n";
      config << "auth:\n  htpasswd:\n    realm: shoal-test\n    path: " << dir_.path()
             << "/htpasswd\n";
    }
    config.close();
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      int log = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      int in = open("/dev/null", O_RDONLY);
      dup2(in, 0);
      dup2(log, 1);
      dup2(log, 2);
      execlp("docker-registry", "docker-registry", "serve", config_path().c_str(), nullptr);
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (accepts()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Stops it (SIGTERM, SIGKILL after 10 s). Its storage stays until destruction, so a
  // start() afterwards serves the same content on the same port.
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waitpid(pid_, nullptr, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }

  // From the next start(), every request needs these credentials (basic auth, htpasswd).
  void require_login(std::string user, std::string password) {
    user_ = std::move(user);
    password_ = std::move(password);
  }

  // Copies the OCI layout `oci_dir`:`src_tag` into this registry as `repo_tag` with skopeo.
  bool push(const std::string& image_dir, const std::string& src_tag, const std::string& repo_tag) {
    std::vector<std::string> argv = {"skopeo", "--insecure-policy", "copy",
                                     "--dest-tls-verify=false"};
    if (!user_.empty()) argv.push_back("--dest-creds=" + user_ + ":" + password_);
    argv.push_back("oci:" + image_dir + "/oci:" + src_tag);
    argv.push_back("docker://" + address() + "/" + repo_tag);
    CommandResult r = run_command(argv, {{"TMPDIR", dir_.path()}}, std::chrono::seconds(120));
    if (r.exit_code != 0) std::ofstream(log_path(), std::ios::app) << "skopeo: " << r.out << r.err;
    return r.exit_code == 0;
  }

  // The file holding blob `digest` ("sha256:...") in the registry's storage.
  std::filesystem::path blob_file(const std::string& digest) const {
    std::string hex = digest.substr(digest.find(':') + 1);
    return std::filesystem::path(storage()) / "docker/registry/v2/blobs/sha256" / hex.substr(0, 2) /
           hex / "data";
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string storage() const { return dir_.path() + "/storage"; }
  std::string log() const {
    std::ifstream in(log_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  bool running() const { return pid_ > 0; }

 private:
  std::string config_path() const { return dir_.path() + "/config.yml"; }
  std::string log_path() const { return dir_.path() + "/registry.log"; }

  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  bool accepts() const {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    return ok;
  }

  TempDir dir_;
  std::string user_, password_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace shoal::testing
