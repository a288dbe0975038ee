#include "runtime/task_files.h"

#include <gtest/gtest.h>

#include <map>

#include "fake_deps.h"

namespace shoal::runtime {
namespace {

using testing::FakeDeps;

TEST(TaskFiles, HostsAndResolvConf) {
  std::string hosts = default_hosts("web1", {"10.0.0.9 db db.local"});
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost\n"), std::string::npos);
  EXPECT_NE(hosts.find("127.0.1.1\tweb1\n"), std::string::npos);
  EXPECT_TRUE(hosts.ends_with("10.0.0.9 db db.local\n"));

  EXPECT_EQ(resolv_conf("nameserver 127.0.0.53\nsearch lan\n", std::nullopt),
            "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  EXPECT_EQ(resolv_conf("nameserver 10.1.1.1\nnameserver ::1\n", std::nullopt),
            "nameserver 10.1.1.1\n");
  api::DNSConfig dns{{"1.1.1.1"}, {"corp"}, {"ndots:2"}};
  EXPECT_EQ(resolv_conf("nameserver 10.1.1.1\n", dns),
            "nameserver 1.1.1.1\nsearch corp\noptions ndots:2\n");
}

TEST(TaskFiles, SecretAndConfigTargetsFollowDocker) {
  FakeDeps deps;
  auto secret = std::make_shared<api::Secret>();
  secret->ID = "sid";
  secret->Spec.Data = api::Bytes(std::string("pw"));
  deps.secrets["sid"] = secret;
  auto config = std::make_shared<api::Config>();
  config->ID = "cid";
  config->Spec.Data = api::Bytes(std::string("cfg"));
  deps.configs["cid"] = config;

  api::ContainerSpec spec;
  spec.Secrets = {{api::SecretReferenceFileTarget{"s", "", "", 0}, "sid", "s"},
                  {api::SecretReferenceFileTarget{"/etc/pw", "1000", "1001", 0400}, "sid", "s"}};
  spec.Configs = {{api::ConfigReferenceFileTarget{"app.conf", "", "", 0}, std::nullopt, "cid", "c"},
                  {std::nullopt, api::ConfigReferenceRuntimeTarget{}, "cid", "c"}};
  auto files = secret_files(spec, deps);
  ASSERT_TRUE(files.is_ok()) << files.status().message();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].target, "/run/secrets/s");
  EXPECT_EQ((*files)[0].mode, 0444u);
  EXPECT_EQ((*files)[0].data, "pw");
  EXPECT_EQ((*files)[1].target, "/etc/pw");
  EXPECT_EQ((*files)[1].uid, 1000u);
  EXPECT_EQ((*files)[1].gid, 1001u);
  EXPECT_EQ((*files)[1].mode, 0400u);
  EXPECT_EQ((*files)[2].target, "/app.conf");
  EXPECT_EQ((*files)[2].data, "cfg");

  spec.Secrets[0].SecretID = "gone";
  auto missing = secret_files(spec, deps);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "secret s (gone) is not available on this node");

  spec.Secrets = {{api::SecretReferenceFileTarget{"s", "root", "", 0}, "sid", "s"}};
  EXPECT_EQ(secret_files(spec, deps).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal::runtime
