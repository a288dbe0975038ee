// The real `shoal daemon` binary, driven by the real docker CLI and curl.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "daemon_fixture.h"
#include "shoal/version.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

class DaemonIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    data_ = tmp_.path() + "/data";
    socket_ = tmp_.path() + "/run/shoal.sock";
    daemon_ = std::make_unique<DaemonProcess>(data_, socket_, tmp_.path() + "/daemon.log");
    ASSERT_TRUE(daemon_->start());
    ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
  }

  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
    }
    daemon_.reset();
  }

  std::map<std::string, std::string> docker_env() const {
    return {{"DOCKER_HOST", "unix://" + socket_}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}};
  }

  CommandResult curl(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "20", "--unix-socket", socket_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  TempDir tmp_;
  std::string data_, socket_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonIntegrationTest, DockerVersionShowsShoalServer) {
  auto r = run_command({"docker", "version"}, docker_env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  size_t server = r.out.find("Server:");
  ASSERT_NE(server, std::string::npos) << r.out;
  std::string section = r.out.substr(server);
  EXPECT_NE(section.find("Server: shoal"), std::string::npos) << section;
  EXPECT_NE(section.find(std::string(kVersion)), std::string::npos) << section;
  EXPECT_NE(section.find("API version:      1.41 (minimum version 1.12)"), std::string::npos)
      << section;
  EXPECT_NE(section.find("OS/Arch:          linux/"), std::string::npos) << section;
  // The client downgraded to what /_ping announced.
  EXPECT_NE(r.out.find("API version:       1.41 (downgraded from"), std::string::npos) << r.out;
}

TEST_F(DaemonIntegrationTest, CurlPingHeadersAndNotFoundBody) {
  auto get = curl({"-i", "http://localhost/_ping"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  for (const char* h :
       {"HTTP/1.1 200 OK\r\n", "Api-Version: 1.41\r\n", "Ostype: linux\r\n",
        "Docker-Experimental: false\r\n", "Swarm: inactive\r\n",
        "Cache-Control: no-cache, no-store, must-revalidate\r\n", "Pragma: no-cache\r\n"}) {
    EXPECT_NE(get.out.find(h), std::string::npos) << h << " in\n" << get.out;
  }
  EXPECT_NE(get.out.find("Server: shoal/" + std::string(kVersion) + " (linux)\r\n"),
            std::string::npos);
  EXPECT_TRUE(get.out.ends_with("\r\n\r\nOK")) << get.out;

  auto head = curl({"-I", "http://localhost/_ping"});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  EXPECT_NE(head.out.find("Content-Length: 0\r\n"), std::string::npos) << head.out;
  EXPECT_NE(head.out.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(head.out.find("Api-Version: 1.41\r\n"), std::string::npos);

  auto missing = curl({"-i", "http://localhost/v1.41/no/such/path"});
  ASSERT_EQ(missing.exit_code, 0) << missing.err;
  EXPECT_TRUE(missing.out.starts_with("HTTP/1.1 404 Not Found\r\n")) << missing.out;
  EXPECT_NE(missing.out.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_TRUE(missing.out.ends_with("\r\n\r\n{\"message\":\"page not found\"}\n")) << missing.out;

  auto too_new = curl({"-s", "http://localhost/v1.50/version"});
  EXPECT_EQ(too_new.out,
            "{\"message\":\"client version 1.50 is too new. Maximum supported API version is "
            "1.41\"}\n");
}

TEST_F(DaemonIntegrationTest, SecondDaemonOnSameDataDirIsRefused) {
  DaemonProcess second(data_, tmp_.path() + "/run/other.sock", tmp_.path() + "/second.log");
  ASSERT_TRUE(second.start());
  int code = second.wait_exit(10s);
  EXPECT_NE(code, 0);
  EXPECT_NE(code, -1) << "second daemon did not exit by itself";
  std::string log = second.log();
  EXPECT_NE(log.find("another shoal daemon (pid " + std::to_string(daemon_->pid()) + ")"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(data_ + "/shoal.lock"), std::string::npos) << log;
  EXPECT_TRUE(ping(socket_));  // the first one is untouched
}

TEST_F(DaemonIntegrationTest, SecondDaemonOnSameSocketIsRefused) {
  DaemonProcess second(tmp_.path() + "/data2", socket_, tmp_.path() + "/second.log");
  ASSERT_TRUE(second.start());
  int code = second.wait_exit(10s);
  EXPECT_NE(code, 0);
  EXPECT_NE(code, -1) << "second daemon did not exit by itself";
  std::string log = second.log();
  EXPECT_NE(log.find("another shoal daemon (pid " + std::to_string(daemon_->pid()) + ")"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(socket_ + ".lock"), std::string::npos) << log;
  EXPECT_TRUE(ping(socket_));
}

TEST_F(DaemonIntegrationTest, StaleSocketOfACrashedDaemonIsTakenOver) {
  daemon_->kill9();
  ASSERT_TRUE(std::filesystem::exists(socket_));  // left behind by the crash
  EXPECT_FALSE(ping(socket_, 500ms));
  daemon_ = std::make_unique<DaemonProcess>(data_, socket_, tmp_.path() + "/daemon2.log");
  ASSERT_TRUE(daemon_->start());
  ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
  struct stat st {};
  ASSERT_EQ(stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(DaemonIntegrationTest, SigtermStopsPromptlyWithAnOpenConnection) {
  // An idle keep-alive connection (as the docker CLI leaves them) must not hold the stop.
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);

  int code = daemon_->stop(SIGTERM, 10s);  // generous: only "promptly", not a timing test
  close(fd);
  EXPECT_EQ(code, 0) << daemon_->log();
  EXPECT_FALSE(std::filesystem::exists(socket_));
  EXPECT_NE(daemon_->log().find("received SIGTERM, stopping"), std::string::npos);
}

TEST_F(DaemonIntegrationTest, SigintStopsToo) {
  EXPECT_EQ(daemon_->stop(SIGINT, 10s), 0) << daemon_->log();
  EXPECT_FALSE(std::filesystem::exists(socket_));
}

TEST(ShoalBinaryTest, VersionAndHelp) {
  auto v = run_command({SHOAL_BINARY, "--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, "shoal version " + std::string(kVersion) + "\n");
  auto h = run_command({SHOAL_BINARY, "daemon", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--data-dir"), std::string::npos);
  EXPECT_NE(h.out.find("--socket"), std::string::npos);
  EXPECT_NE(h.out.find("--log-level"), std::string::npos);
  auto bad = run_command({SHOAL_BINARY, "daemon", "--log-level", "loud"});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace shoal::testing
