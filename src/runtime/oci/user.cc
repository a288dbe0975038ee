#include "runtime/oci/user.h"

#include <algorithm>
#include <charconv>

namespace shoal::runtime::oci {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool parse_id(std::string_view s, uint32_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  for (std::string_view line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    fn(line);
  }
}

const PasswdEntry* find_user(const UserDb& db, std::string_view name_or_id, bool numeric,
                             uint32_t id) {
  for (const PasswdEntry& e : db.passwd) {
    if (e.name == name_or_id || (numeric && e.uid == id)) return &e;
  }
  return nullptr;
}

const GroupEntry* find_group(const UserDb& db, std::string_view name_or_id, bool numeric,
                             uint32_t id) {
  for (const GroupEntry& g : db.groups) {
    if (g.name == name_or_id || (numeric && g.gid == id)) return &g;
  }
  return nullptr;
}

Result<uint32_t> resolve_group(const UserDb& db, std::string_view group) {
  uint32_t id = 0;
  bool numeric = parse_id(group, id);
  if (const GroupEntry* g = find_group(db, group, numeric, id)) return g->gid;
  if (numeric) return id;
  return error(Code::kInvalidArgument, "unable to find group {}: no matching entries in group file",
               group);
}

}  // namespace

UserDb UserDb::parse(std::string_view passwd_text, std::string_view group_text) {
  UserDb db;
  for_each_line(passwd_text, [&](std::string_view line) {
    auto f = split(line, ':');
    PasswdEntry e;
    if (f.size() < 7 || !parse_id(f[2], e.uid) || !parse_id(f[3], e.gid)) return;
    e.name = f[0];
    e.home = f[5];
    db.passwd.push_back(std::move(e));
  });
  for_each_line(group_text, [&](std::string_view line) {
    auto f = split(line, ':');
    GroupEntry g;
    if (f.size() < 4 || !parse_id(f[2], g.gid)) return;
    g.name = f[0];
    if (!f[3].empty()) {
      for (std::string_view m : split(f[3], ',')) g.members.emplace_back(m);
    }
    db.groups.push_back(std::move(g));
  });
  return db;
}

Result<ExecUser> resolve_user(const UserDb& db, std::string_view user,
                              const std::vector<std::string>& groups) {
  ExecUser out;
  std::string_view name = user, group;
  bool has_group = false;
  if (size_t colon = user.find(':'); colon != std::string_view::npos) {
    name = user.substr(0, colon);
    group = user.substr(colon + 1);
    has_group = true;
  }
  std::string user_name;
  if (!name.empty()) {
    uint32_t id = 0;
    bool numeric = parse_id(name, id);
    if (const PasswdEntry* e = find_user(db, name, numeric, id)) {
      out.uid = e->uid;
      out.gid = e->gid;
      if (!e->home.empty()) out.home = e->home;
      user_name = e->name;
    } else if (numeric) {
      out.uid = id;
    } else {
      return error(Code::kInvalidArgument,
                   "unable to find user {}: no matching entries in passwd file", name);
    }
  } else if (const PasswdEntry* root = find_user(db, "", true, 0)) {
    out.gid = root->gid;
    if (!root->home.empty()) out.home = root->home;
    user_name = root->name;
  }
  if (has_group && !group.empty()) {
    SHOAL_ASSIGN_OR_RETURN(out.gid, resolve_group(db, group));
  } else if (!user_name.empty()) {
    for (const GroupEntry& g : db.groups) {
      if (std::find(g.members.begin(), g.members.end(), user_name) != g.members.end()) {
        out.additional_gids.push_back(g.gid);
      }
    }
  }
  for (const std::string& g : groups) {
    SHOAL_ASSIGN_OR_RETURN(uint32_t gid, resolve_group(db, g));
    if (std::find(out.additional_gids.begin(), out.additional_gids.end(), gid) ==
        out.additional_gids.end()) {
      out.additional_gids.push_back(gid);
    }
  }
  return out;
}

}  // namespace shoal::runtime::oci
