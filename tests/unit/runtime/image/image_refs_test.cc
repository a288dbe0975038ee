#include "runtime/image/image_refs.h"

#include <gtest/gtest.h>

namespace shoal::runtime::image {
namespace {

std::string id_of(char c) { return "sha256:" + std::string(64, c); }
const std::string kBusybox = "docker.io/library/busybox";

IndexState sample() {
  IndexState s;
  auto add = [&](char c, std::vector<std::string> tags, std::vector<std::string> digests) {
    ImageRecord r;
    r.id = id_of(c);
    r.repo_tags = std::move(tags);
    r.repo_digests = std::move(digests);
    s.images[r.id] = r;
  };
  add('a', {kBusybox + ":latest", kBusybox + ":1"}, {kBusybox + "@" + id_of('d')});
  add('b', {"127.0.0.1:5000/busybox:1"}, {"127.0.0.1:5000/busybox@" + id_of('e')});
  add('c', {}, {});                                              // untagged
  add('f', {kBusybox + ":2", "docker.io/library/other:2"}, {});  // two repositories
  return s;
}

TEST(ResolveImage, MobysOrder) {
  IndexState s = sample();
  struct Case {
    std::string name;
    std::optional<char> id;
    Code code = Code::kOk;
    std::string message;
  } cases[] = {
      {"busybox", 'a', Code::kOk, ""},
      {"busybox:latest", 'a', Code::kOk, ""},
      {"docker.io/library/busybox:1", 'a', Code::kOk, ""},
      {"busybox@" + id_of('d'), 'a', Code::kOk, ""},
      {"busybox:nope@" + id_of('d'), 'a', Code::kOk, ""},  // digest wins over tag
      {"127.0.0.1:5000/busybox:1", 'b', Code::kOk, ""},
      {"127.0.0.1:5000/busybox@" + id_of('e'), 'b', Code::kOk, ""},
      {id_of('c'), 'c', Code::kOk, ""},
      {std::string(64, 'c'), 'c', Code::kOk, ""},
      {"ccc", 'c', Code::kOk, ""},
      {"sha256:ccc", 'c', Code::kOk, ""},
      {"busybox:nope", std::nullopt, Code::kNotFound, "No such image: busybox:nope"},
      {"nothere", std::nullopt, Code::kNotFound, "No such image: nothere:latest"},
      {id_of('9'), std::nullopt, Code::kNotFound, "No such image: " + id_of('9')},
      {"sha256:999", std::nullopt, Code::kNotFound, "No such image: sha256:999"},
      {"Bad:Ref", std::nullopt, Code::kInvalidArgument,
       "invalid reference format: repository name (Bad) must be lowercase"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = resolve_image(s, c.name);
    if (c.id) {
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      EXPECT_EQ(*r, id_of(*c.id));
    } else {
      ASSERT_FALSE(r.is_ok());
      EXPECT_EQ(r.status().code(), c.code);
      EXPECT_EQ(r.status().message(), c.message);
    }
  }
}

TEST(ResolveImage, AmbiguousPrefix) {
  IndexState s;
  for (std::string id : {"sha256:ab" + std::string(62, '1'), "sha256:ab" + std::string(62, '2')}) {
    s.images[id].id = id;
  }
  auto r = resolve_image(s, "ab");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), "image ID prefix ab is ambiguous (2 matches found)");
  EXPECT_TRUE(resolve_image(s, "ab1").is_ok());
}

TEST(SetReference, MovesATagBetweenImages) {
  IndexState s = sample();
  EXPECT_EQ(set_reference(s, kBusybox + ":1", id_of('c')), id_of('a'));
  EXPECT_EQ(s.images[id_of('c')].repo_tags, std::vector<std::string>{kBusybox + ":1"});
  EXPECT_EQ(s.images[id_of('a')].repo_tags, std::vector<std::string>{kBusybox + ":latest"});
  EXPECT_EQ(set_reference(s, kBusybox + ":1", id_of('c')), "");  // already there
  EXPECT_EQ(set_reference(s, kBusybox + "@" + id_of('7'), id_of('c')), "");
  EXPECT_EQ(s.images[id_of('c')].repo_digests.size(), 1u);
  s.layer_sizes.clear();
  EXPECT_TRUE(validate(s).is_ok());
}

TEST(PlanDelete, Table) {
  const std::string running = "task1";
  struct Case {
    std::string what, name;
    bool force = false;
    std::optional<char> in_use;  // the image a running container uses
    std::vector<std::string> untag;
    bool deleted = false;
    std::string error;  // a conflict's message prefix
  } cases[] = {
      {"one of two tags: untag only", "busybox:1", false, {}, {kBusybox + ":1"}, false, ""},
      {"default tag", "busybox", false, {}, {kBusybox + ":latest"}, false, ""},
      {"last tag of the repo takes its digests and the image",
       "127.0.0.1:5000/busybox:1",
       false,
       {},
       {"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/busybox@" + id_of('e')},
       true,
       ""},
      {"last tag but in use: untagged, image kept",
       "127.0.0.1:5000/busybox:1",
       true,
       'b',
       {"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/busybox@" + id_of('e')},
       false,
       ""},
      {"single reference in use: refused",
       "127.0.0.1:5000/busybox:1",
       false,
       'b',
       {},
       false,
       "conflict: unable to remove repository reference \"127.0.0.1:5000/busybox:1\" (must force)"},
      {"digest reference",
       "busybox@" + id_of('d'),
       false,
       {},
       {kBusybox + "@" + id_of('d')},
       false,
       ""},
      {"untagged image by ID", id_of('c'), false, {}, {}, true, ""},
      {"by ID prefix, one repository: untag all then delete",
       "bbbb",
       false,
       {},
       {"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/busybox@" + id_of('e')},
       true,
       ""},
      {"by ID, several repositories: must force",
       "ffff",
       false,
       {},
       {},
       false,
       "conflict: unable to delete ffffffffffff (must be forced) - image is referenced in multiple "
       "repositories"},
      {"by ID, several repositories, forced",
       "ffff",
       true,
       {},
       {kBusybox + ":2", "docker.io/library/other:2"},
       true,
       ""},
      {"by ID while running: cannot be forced",
       id_of('c'),
       true,
       'c',
       {},
       false,
       "conflict: unable to delete cccccccccccc (cannot be forced) - image is being used by "
       "running container task1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    IndexState s = sample();
    InUseCheck in_use = [&](const std::string& id) -> std::optional<std::string> {
      if (c.in_use && id == id_of(*c.in_use)) return running;
      return std::nullopt;
    };
    auto plan = plan_delete(s, c.name, c.force, in_use);
    if (!c.error.empty()) {
      ASSERT_FALSE(plan.is_ok());
      EXPECT_EQ(plan.status().code(), Code::kConflict);
      EXPECT_EQ(plan.status().message().rfind(c.error, 0), 0u) << plan.status().message();
      continue;
    }
    ASSERT_TRUE(plan.is_ok()) << plan.status().to_string();
    EXPECT_EQ(plan->untag, c.untag);
    EXPECT_EQ(plan->delete_image, c.deleted);
  }
}

TEST(PlanDelete, UnknownNames) {
  IndexState s = sample();
  auto plan =
      plan_delete(s, "busybox:nope", false, [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(plan.is_ok());
  EXPECT_EQ(plan.status().message(), "No such image: busybox:nope");
}

TEST(Familiar, Table) {
  EXPECT_EQ(familiar("docker.io/library/busybox:1"), "busybox:1");
  EXPECT_EQ(familiar("docker.io/user/app@" + id_of('a')), "user/app@" + id_of('a'));
  EXPECT_EQ(familiar("127.0.0.1:5000/busybox:1"), "127.0.0.1:5000/busybox:1");
}

}  // namespace
}  // namespace shoal::runtime::image
