// Resolving a container's user the way Docker does (moby/sys/user GetExecUser), against the
// /etc/passwd and /etc/group of its rootfs: "name", "uid", "name:group", "uid:gid", ...
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shoal::runtime::oci {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// The rootfs's user database, parsed leniently as libc does: malformed lines are skipped.
struct UserDb {
  std::vector<PasswdEntry> passwd;
  std::vector<GroupEntry> groups;

  static UserDb parse(std::string_view passwd_text, std::string_view group_text);
};

struct ExecUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;  // the user's groups in /etc/group, then `groups`
  std::string home = "/";
};

// Resolves `user` ("" = root) and the extra `groups` (names or numbers, ContainerSpec.Groups):
//   - a name must exist in passwd; a number that does not is used as is (gid 0, home "/");
//   - ":group" likewise against group (a number that is missing is used as is);
//   - without ":group" the gid is the passwd entry's; supplementary gids are the groups that
//     list the user by name.
// Errors: kInvalidArgument "unable to find user <u>: no matching entries in passwd file",
// "unable to find group <g>: no matching entries in group file" (Docker's texts).
Result<ExecUser> resolve_user(const UserDb& db, std::string_view user,
                              const std::vector<std::string>& groups);

}  // namespace shoal::runtime::oci
