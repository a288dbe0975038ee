#include "runtime/oci/spec.h"

#include <gtest/gtest.h>

namespace shoal::runtime::oci {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

TEST(CommandLine, FollowsDockersEntrypointAndCmdRules) {
  struct Case {
    const char* name;
    Strings command, args, entrypoint, cmd, want;
  } cases[] = {
      {"image only", {}, {}, {"/entry"}, {"serve", "-v"}, {"/entry", "serve", "-v"}},
      {"image cmd only", {}, {}, {}, {"sh"}, {"sh"}},
      {"args replace cmd, keep entrypoint",
       {},
       {"x", "y"},
       {"/entry"},
       {"serve"},
       {"/entry", "x", "y"}},
      {"args without entrypoint", {}, {"sleep", "1d"}, {}, {"sh"}, {"sleep", "1d"}},
      {"command replaces both", {"sleep"}, {}, {"/entry"}, {"serve"}, {"sleep"}},
      {"command plus args", {"sleep"}, {"1d"}, {"/entry"}, {"serve"}, {"sleep", "1d"}},
  };
  for (const Case& c : cases) {
    api::ContainerSpec spec;
    spec.Command = c.command;
    spec.Args = c.args;
    image::ImageConfig image;
    image.Entrypoint = c.entrypoint;
    image.Cmd = c.cmd;
    auto got = command_line(spec, image);
    ASSERT_TRUE(got.is_ok()) << c.name;
    EXPECT_EQ(got.value(), c.want) << c.name;
  }
  auto none = command_line(api::ContainerSpec{}, image::ImageConfig{});
  ASSERT_FALSE(none.is_ok());
  EXPECT_EQ(none.status().message(), "no command specified");
}

TEST(Environment, SpecOverImageOverDefaults) {
  struct Case {
    const char* name;
    Strings spec_env, image_env, want;
  } cases[] = {
      {"defaults", {}, {}, {std::string(kDefaultPath), "HOSTNAME=h"}},
      {"image path replaces default", {}, {"PATH=/bin", "A=1"}, {"PATH=/bin", "HOSTNAME=h", "A=1"}},
      {"spec wins over image",
       {"A=2", "B=3"},
       {"A=1", "C=4"},
       {std::string(kDefaultPath), "HOSTNAME=h", "A=2", "B=3", "C=4"}},
      {"spec may set HOSTNAME", {"HOSTNAME=x"}, {}, {std::string(kDefaultPath), "HOSTNAME=x"}},
      {"a bare key removes", {"HOSTNAME"}, {}, {std::string(kDefaultPath)}},
      {"values may hold =", {"Q=a=b"}, {}, {std::string(kDefaultPath), "HOSTNAME=h", "Q=a=b"}},
  };
  for (const Case& c : cases) {
    api::ContainerSpec spec;
    spec.Env = c.spec_env;
    image::ImageConfig image;
    image.Env = c.image_env;
    EXPECT_EQ(environment(spec, image, "h"), c.want) << c.name;
  }
}

TEST(Environment, TtyAddsTermXtermAsDocker) {
  api::ContainerSpec spec;
  spec.TTY = true;
  EXPECT_EQ(environment(spec, image::ImageConfig{}, "h"),
            (Strings{std::string(kDefaultPath), "HOSTNAME=h", "TERM=xterm"}));
  spec.Env = {"TERM=vt100"};
  EXPECT_EQ(environment(spec, image::ImageConfig{}, "h"),
            (Strings{std::string(kDefaultPath), "HOSTNAME=h", "TERM=vt100"}));
}

TEST(Rlimits, NamesMapToRlimitTypes) {
  auto got = rlimits({{"nofile", 2048, 1024}, {"nproc", 100, 50}});
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got.value(), json::parse(R"([{"type":"RLIMIT_NOFILE","hard":2048,"soft":1024},
                                          {"type":"RLIMIT_NPROC","hard":100,"soft":50}])"));
  auto bad = rlimits({{"files", 1, 1}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "invalid ulimit name: files");
}

// A spec built from a minimal task, with tweaks applied by each test.
struct Fixture {
  api::ContainerSpec spec;
  image::ImageConfig image;
  UserDb users = UserDb::parse(
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n",
      "root:x:0:\nnogroup:x:65534:\nwheel:x:10:root\n");
  SpecInputs in;

  Fixture() {
    image.Cmd = {"sh"};
    in.spec = &spec;
    in.image = &image;
    in.users = &users;
    in.rootfs = "/data/containers/t1/rootfs";
    in.hostname = "t1host";
    in.hosts_file = "/data/containers/t1/hosts";
    in.resolv_conf_file = "/data/containers/t1/resolv.conf";
    in.hostname_file = "/data/containers/t1/hostname";
    in.cgroups_path = "/shoal/t1";
    in.seccomp_arch = SeccompArch::kX86_64;
  }
  json build() {
    auto got = build_spec(in);
    EXPECT_TRUE(got.is_ok()) << got.status().message();
    return got.is_ok() ? got.value() : json();
  }
};

const json* find_mount(const json& spec, std::string_view dest) {
  for (const json& m : spec["mounts"]) {
    if (m["destination"] == dest) return &m;
  }
  return nullptr;
}

TEST(BuildSpec, MinimalContainer) {
  Fixture f;
  json s = f.build();
  EXPECT_EQ(s["process"]["args"], json({"sh"}));
  EXPECT_EQ(s["process"]["cwd"], "/");
  EXPECT_EQ(s["process"]["terminal"], false);
  EXPECT_EQ(s["process"]["user"], json({{"uid", 0}, {"gid", 0}, {"additionalGids", {10}}}));
  EXPECT_EQ(s["process"]["env"],
            json({std::string(kDefaultPath), "HOSTNAME=t1host", "HOME=/root"}));
  EXPECT_EQ(s["process"]["capabilities"]["bounding"].size(), 14u);
  EXPECT_EQ(s["root"], json({{"path", "/data/containers/t1/rootfs"}, {"readonly", false}}));
  EXPECT_EQ(s["hostname"], "t1host");
  EXPECT_EQ(s["linux"]["cgroupsPath"], "/shoal/t1");
  EXPECT_EQ(s["linux"]["namespaces"].back(), json({{"type", "network"}}));
  EXPECT_FALSE(s["linux"]["resources"].contains("memory"));
  EXPECT_EQ(s["linux"]["seccomp"], default_seccomp_profile(s["process"]["capabilities"]["bounding"],
                                                           SeccompArch::kX86_64));
  EXPECT_FALSE(s["process"].contains("noNewPrivileges"));
  for (const char* dest : {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                           "/sys/fs/cgroup", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"}) {
    EXPECT_NE(find_mount(s, dest), nullptr) << dest;
  }
  EXPECT_EQ(find_mount(s, "/etc/hosts")->at("source"), "/data/containers/t1/hosts");
  EXPECT_NE(
      std::find(s["linux"]["maskedPaths"].begin(), s["linux"]["maskedPaths"].end(), "/proc/kcore"),
      s["linux"]["maskedPaths"].end());
}

TEST(BuildSpec, UserAndWorkingDir) {
  struct Case {
    std::string spec_user, image_user, dir, image_dir;
    Strings groups;
    json want_user;
    std::string want_cwd, want_home;
  } cases[] = {
      {"nobody", "", "", "/app", {}, {{"uid", 65534}, {"gid", 65534}}, "/app", "HOME=/nonexistent"},
      {"",
       "nobody",
       "/work",
       "/app",
       {},
       {{"uid", 65534}, {"gid", 65534}},
       "/work",
       "HOME=/nonexistent"},
      {"1000:1000", "", "", "", {}, {{"uid", 1000}, {"gid", 1000}}, "/", "HOME=/"},
      {"nobody:wheel", "", "", "", {}, {{"uid", 65534}, {"gid", 10}}, "/", "HOME=/nonexistent"},
      {"1000",
       "",
       "",
       "",
       {"wheel", "4242"},
       {{"uid", 1000}, {"gid", 0}, {"additionalGids", {10, 4242}}},
       "/",
       "HOME=/"},
  };
  for (const Case& c : cases) {
    Fixture f;
    f.spec.User = c.spec_user;
    f.image.User = c.image_user;
    f.spec.Dir = c.dir;
    f.image.WorkingDir = c.image_dir;
    f.spec.Groups = c.groups;
    json s = f.build();
    EXPECT_EQ(s["process"]["user"], c.want_user) << c.spec_user;
    EXPECT_EQ(s["process"]["cwd"], c.want_cwd) << c.spec_user;
    EXPECT_EQ(s["process"]["env"].back(), c.want_home) << c.spec_user;
  }
}

TEST(BuildSpec, UnknownUserOrGroupIsDockersError) {
  Fixture f;
  f.spec.User = "alice";
  auto got = build_spec(f.in);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().message(),
            "unable to find user alice: no matching entries in passwd file");
  f.spec.User = "root:staff";
  got = build_spec(f.in);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().message(),
            "unable to find group staff: no matching entries in group file");
}

TEST(BuildSpec, ResourcesLimitsAndSysctls) {
  Fixture f;
  f.in.limits = api::Limit{1500000000, 64 << 20, 100};
  f.spec.Sysctls = {{"net.core.somaxconn", "1024"}};
  f.spec.Ulimits = {{"nofile", 1024, 512}};
  json s = f.build();
  EXPECT_EQ(s["linux"]["resources"]["cpu"], json({{"quota", 150000}, {"period", 100000}}));
  EXPECT_EQ(s["linux"]["resources"]["memory"], json({{"limit", 64 << 20}}));
  EXPECT_EQ(s["linux"]["resources"]["pids"], json({{"limit", 100}}));
  EXPECT_EQ(s["linux"]["sysctl"], json({{"net.core.somaxconn", "1024"}}));
  EXPECT_EQ(s["process"]["rlimits"][0]["type"], "RLIMIT_NOFILE");
}

TEST(BuildSpec, CapabilitiesFollowAddAndDrop) {
  Fixture f;
  f.spec.CapabilityAdd = {"net_admin"};
  f.spec.CapabilityDrop = {"CAP_CHOWN", "mknod"};
  json caps = f.build()["process"]["capabilities"]["effective"];
  auto has = [&](const char* c) { return std::find(caps.begin(), caps.end(), c) != caps.end(); };
  EXPECT_TRUE(has("CAP_NET_ADMIN"));
  EXPECT_FALSE(has("CAP_CHOWN"));
  EXPECT_FALSE(has("CAP_MKNOD"));
  EXPECT_EQ(caps.size(), 13u);
}

TEST(BuildSpec, TtyAsksForATerminal) {
  Fixture f;
  EXPECT_EQ(f.build()["process"]["terminal"], false);
  f.spec.TTY = true;
  EXPECT_EQ(f.build()["process"]["terminal"], true);
}

TEST(BuildSpec, SeccompFollowsTheCapabilitiesAndTheArch) {
  Fixture f;
  auto allows = [](const json& seccomp, std::string_view name) {
    const json& names = seccomp["syscalls"][0]["names"];
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  EXPECT_FALSE(allows(f.build()["linux"]["seccomp"], "mount"));
  f.spec.CapabilityAdd = {"SYS_ADMIN"};
  json s = f.build();
  EXPECT_TRUE(allows(s["linux"]["seccomp"], "mount"));
  EXPECT_EQ(s["linux"]["seccomp"]["architectures"][0], "SCMP_ARCH_X86_64");
  f.in.seccomp_arch = SeccompArch::kAarch64;
  EXPECT_EQ(f.build()["linux"]["seccomp"]["architectures"][0], "SCMP_ARCH_AARCH64");
  f.in.seccomp_arch = std::nullopt;
  EXPECT_FALSE(f.build()["linux"].contains("seccomp"));
}

TEST(BuildSpec, NetnsInitReadOnlyAnnotations) {
  Fixture f;
  f.in.netns_path = "/data/netns/t1";
  f.spec.Init = true;
  f.in.init_binary = "/usr/bin/tini-static";
  f.spec.ReadOnly = true;
  f.in.annotations = {{"com.docker.swarm.task.id", "t1"}};
  json s = f.build();
  EXPECT_EQ(s["linux"]["namespaces"].back(),
            json({{"type", "network"}, {"path", "/data/netns/t1"}}));
  EXPECT_EQ(s["process"]["args"], json({"/sbin/docker-init", "--", "sh"}));
  ASSERT_NE(find_mount(s, "/sbin/docker-init"), nullptr);
  EXPECT_EQ(find_mount(s, "/sbin/docker-init")->at("source"), "/usr/bin/tini-static");
  EXPECT_EQ(s["root"]["readonly"], true);
  EXPECT_EQ(find_mount(s, "/etc/hosts")->at("options"), json({"rbind", "rprivate", "ro"}));
  EXPECT_EQ(s["annotations"], json({{"com.docker.swarm.task.id", "t1"}}));

  f.in.init_binary.clear();
  EXPECT_FALSE(build_spec(f.in).is_ok());
}

TEST(BuildSpec, UserMountsAndFiles) {
  Fixture f;
  api::Mount bind;
  bind.Type = api::MountType::kBind;
  bind.Source = "/srv/data";
  bind.Target = "/data/sub";
  bind.ReadOnly = true;
  api::Mount vol;
  vol.Type = api::MountType::kVolume;
  vol.Source = "v1";
  vol.Target = "/data";
  api::Mount tmp;
  tmp.Type = api::MountType::kTmpfs;
  tmp.Target = "/dev/shm";
  tmp.TmpfsOptions = api::TmpfsOptions{1 << 20, 01777};
  f.in.mounts = {{bind, "/srv/data"}, {vol, "/var/lib/shoal/volumes/v1/_data"}, {tmp, ""}};
  f.in.files = {{"/data/containers/t1/secrets/s1", "/run/secrets/s"}};
  json s = f.build();

  // Parents before children, whatever the spec's order.
  std::vector<std::string> dests;
  for (const json& m : s["mounts"]) dests.push_back(m["destination"]);
  auto pos = [&](std::string_view d) {
    return std::find(dests.begin(), dests.end(), d) - dests.begin();
  };
  EXPECT_LT(pos("/data"), pos("/data/sub"));
  EXPECT_EQ(*find_mount(s, "/data/sub"), json({{"destination", "/data/sub"},
                                               {"type", "bind"},
                                               {"source", "/srv/data"},
                                               {"options", {"rbind", "ro", "rprivate"}}}));
  EXPECT_EQ(find_mount(s, "/data")->at("source"), "/var/lib/shoal/volumes/v1/_data");
  // The user's /dev/shm replaces the default one.
  EXPECT_EQ(std::count(dests.begin(), dests.end(), "/dev/shm"), 1);
  EXPECT_EQ(find_mount(s, "/dev/shm")->at("options"),
            json({"noexec", "nosuid", "nodev", "rprivate", "size=1048576", "mode=1777"}));
  EXPECT_EQ(find_mount(s, "/run/secrets/s")->at("options"), json({"rbind", "ro", "rprivate"}));

  api::Mount relative;
  relative.Type = api::MountType::kTmpfs;
  relative.Target = "data";
  f.in.mounts = {{relative, ""}};
  EXPECT_EQ(build_spec(f.in).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal::runtime::oci
