#include <gtest/gtest.h>

#include "runtime/oci/capabilities.h"
#include "runtime/oci/user.h"

namespace shoal::runtime::oci {
namespace {

using Strings = std::vector<std::string>;

TEST(UserDb, ParsesLenientlyLikeLibc) {
  UserDb db = UserDb::parse(
      "# comment\nroot:x:0:0:root:/root:/bin/sh\nbroken line\nbad:x:notanumber:0::/:/bin/sh\n"
      "app:x:1000:1001:App:/home/app:/bin/sh\r\n",
      "root:x:0:\napp:x:1001:\nusers:x:100:app,other\n\n");
  ASSERT_EQ(db.passwd.size(), 2u);
  EXPECT_EQ(db.passwd[1].name, "app");
  EXPECT_EQ(db.passwd[1].home, "/home/app");
  ASSERT_EQ(db.groups.size(), 3u);
  EXPECT_EQ(db.groups[2].members, (Strings{"app", "other"}));
}

TEST(ResolveUser, Table) {
  UserDb db =
      UserDb::parse("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\n",
                    "root:x:0:\napp:x:1001:\nusers:x:100:app\n");
  struct Case {
    std::string user;
    Strings groups;
    uint32_t uid, gid;
    std::vector<uint32_t> extra;
    std::string home;
  } cases[] = {
      {"", {}, 0, 0, {}, "/root"},
      {"root", {}, 0, 0, {}, "/root"},
      {"app", {}, 1000, 1001, {100}, "/home/app"},
      {"1000", {}, 1000, 1001, {100}, "/home/app"},
      {"app:root", {}, 1000, 0, {}, "/home/app"},
      {"app:0", {}, 1000, 0, {}, "/home/app"},
      {"4242", {}, 4242, 0, {}, "/"},
      {"4242:4343", {}, 4242, 4343, {}, "/"},
      {"app", {"users", "77"}, 1000, 1001, {100, 77}, "/home/app"},
  };
  for (const Case& c : cases) {
    auto got = resolve_user(db, c.user, c.groups);
    ASSERT_TRUE(got.is_ok()) << c.user << ": " << got.status().message();
    EXPECT_EQ(got->uid, c.uid) << c.user;
    EXPECT_EQ(got->gid, c.gid) << c.user;
    EXPECT_EQ(got->additional_gids, c.extra) << c.user;
    EXPECT_EQ(got->home, c.home) << c.user;
  }
  EXPECT_FALSE(resolve_user(db, "bob", {}).is_ok());
  EXPECT_FALSE(resolve_user(db, "app:staff", {}).is_ok());
  EXPECT_FALSE(resolve_user(db, "app", {"staff"}).is_ok());
}

TEST(Capabilities, TweakTable) {
  struct Case {
    const char* name;
    Strings add, drop;
    size_t want_size;
    Strings must_have, must_lack;
  } cases[] = {
      {"defaults", {}, {}, 14, {"CAP_CHOWN", "CAP_KILL"}, {"CAP_SYS_ADMIN"}},
      {"add lower-case without prefix", {"sys_admin"}, {}, 15, {"CAP_SYS_ADMIN"}, {}},
      {"drop", {}, {"CAP_NET_RAW"}, 13, {}, {"CAP_NET_RAW"}},
      {"add wins over drop", {"CHOWN"}, {"chown"}, 14, {"CAP_CHOWN"}, {}},
      {"drop all then add",
       {"NET_BIND_SERVICE"},
       {"ALL"},
       1,
       {"CAP_NET_BIND_SERVICE"},
       {"CAP_CHOWN"}},
      {"add all minus drop", {"all"}, {"SYS_ADMIN"}, 40, {"CAP_BPF"}, {"CAP_SYS_ADMIN"}},
  };
  for (const Case& c : cases) {
    auto got = tweak_capabilities(c.add, c.drop);
    ASSERT_TRUE(got.is_ok()) << c.name;
    EXPECT_EQ(got->size(), c.want_size) << c.name;
    for (const auto& cap : c.must_have) {
      EXPECT_NE(std::find(got->begin(), got->end(), cap), got->end()) << c.name << " " << cap;
    }
    for (const auto& cap : c.must_lack) {
      EXPECT_EQ(std::find(got->begin(), got->end(), cap), got->end()) << c.name << " " << cap;
    }
    EXPECT_TRUE(std::is_sorted(got->begin(), got->end())) << c.name;
  }
  auto bad = tweak_capabilities({"CAP_FLY"}, {});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "unknown capability: \"CAP_FLY\"");
}

}  // namespace
}  // namespace shoal::runtime::oci
