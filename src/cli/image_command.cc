// `shoal image ls|pull|rm|load`: the daemon's images, through its Docker-compatible API on
// the unix socket (GET /images/json, POST /images/create, DELETE /images/{name},
// POST /images/load) — the same calls docker images/pull/rmi/load make, printed alike.
#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "runtime/image/content_store.h"
#include "runtime/image/digest.h"
#include "runtime/image/http_fetch.h"
#include "runtime/image/reference.h"

namespace shoal::cli {
namespace {

namespace img = runtime::image;
using nlohmann::json;

constexpr const char* kApiPrefix = "http://localhost/v1.41";

struct ImageFlags {
  std::string socket = "/run/shoal/shoal.sock";
  bool quiet = false;
  bool force = false;
  std::string input;
  std::vector<std::string> names;
};

std::string socket_path(const std::string& flag) {
  return flag.starts_with("unix://") ? flag.substr(7) : flag;
}

std::string url_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) ||
        std::string_view("-_.~/:@").find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

img::HttpRequest request(std::string method, std::string path) {
  img::HttpRequest req;
  req.method = std::move(method);
  req.url = std::move(path);
  return req;
}

// Sends one API request; prints Docker's error texts and returns nullopt on failure.
std::optional<img::HttpResponse> call(const ImageFlags& flags, img::HttpRequest req) {
  req.unix_socket = socket_path(flags.socket);
  req.url = kApiPrefix + req.url;
  req.stall_timeout = std::chrono::seconds(0);
  auto r = img::http_fetch(req);
  if (!r.is_ok()) {
    fmt::print(stderr, "Cannot connect to the shoal daemon at unix://{}. Is the daemon running?\n",
               req.unix_socket);
    return std::nullopt;
  }
  if (r->status >= 400) {
    json j = json::parse(r->body, nullptr, false);
    std::string message =
        j.is_object() && j.contains("message") ? j["message"].get<std::string>() : r->body;
    fmt::print(stderr, "Error response from daemon: {}\n", message);
    return std::nullopt;
  }
  return *r;
}

std::string human_size(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  std::string s = fmt::format("{:.3g}", v);
  return s + units[u];
}

std::string human_age(int64_t created) {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t s = std::max<int64_t>(0, now - created);
  auto plural = [](int64_t n, const char* unit) {
    return fmt::format("{} {}{} ago", n, unit, n == 1 ? "" : "s");
  };
  if (s < 60) return plural(s, "second");
  if (s < 3600) return plural(s / 60, "minute");
  if (s < 48 * 3600) return plural(s / 3600, "hour");
  if (s < 14 * 86400) return plural(s / 86400, "day");
  if (s < 60 * 86400) return plural(s / (7 * 86400), "week");
  if (s < 2 * 365 * 86400) return plural(s / (30 * 86400), "month");
  return plural(s / (365 * 86400), "year");
}

int run_ls(const ImageFlags& flags) {
  auto r = call(flags, request("GET", "/images/json"));
  if (!r) return 1;
  json list = json::parse(r->body, nullptr, false);
  if (!list.is_array()) return 1;
  if (!flags.quiet)
    fmt::print("{:<40} {:<16} {:<14} {:<16} {}\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
               "SIZE");
  for (const auto& image : list) {
    std::string id = img::short_id(image.value("Id", ""));
    if (flags.quiet) {
      fmt::print("{}\n", id);
      continue;
    }
    std::vector<std::string> tags = image.value("RepoTags", std::vector<std::string>{});
    if (tags.empty()) tags.push_back("<none>:<none>");
    for (const auto& t : tags) {
      size_t colon = t.rfind(':');
      std::string repo = t.substr(0, colon),
                  tag = colon == std::string::npos ? "" : t.substr(colon + 1);
      fmt::print("{:<40} {:<16} {:<14} {:<16} {}\n", repo, tag, id,
                 human_age(image.value("Created", int64_t{0})),
                 human_size(image.value("Size", int64_t{0})));
    }
  }
  return 0;
}

// Prints the messages of a JSON message stream; false after an error message.
class MessagePrinter {
 public:
  explicit MessagePrinter(bool quiet) : quiet_(quiet) {}
  void feed(std::string_view data) {
    pending_.append(data);
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      line(pending_.substr(0, nl));
      pending_.erase(0, nl + 1);
    }
  }
  void finish() {
    if (!pending_.empty()) line(pending_);
    pending_.clear();
  }
  bool ok() const { return ok_; }

 private:
  void line(const std::string& text) {
    json m = json::parse(text, nullptr, false);
    if (!m.is_object()) return;
    if (m.contains("error")) {
      ok_ = false;
      fmt::print(stderr, "{}\n",
                 m["error"].is_string() ? m["error"].get<std::string>() : m["error"].dump());
      return;
    }
    if (quiet_) return;
    if (m.contains("stream")) {
      fmt::print("{}", m["stream"].get<std::string>());
    } else if (m.contains("status") &&
               !(m.contains("progressDetail") && m["progressDetail"].contains("current"))) {
      std::string id = m.value("id", "");
      fmt::print("{}{}\n", id.empty() ? "" : id + ": ", m.value("status", ""));
    }
    std::fflush(stdout);
  }

  bool quiet_;
  bool ok_ = true;
  std::string pending_;
};

int run_pull(const ImageFlags& flags) {
  auto ref = img::parse_reference(flags.names.at(0));
  if (!ref.is_ok()) {
    fmt::print(stderr, "{}\n", ref.status().message());
    return 1;
  }
  img::Reference full = img::with_default_tag(*ref);
  if (ref->tag.empty() && ref->digest.empty() && !flags.quiet)
    fmt::print("Using default tag: latest\n");
  std::string tag = full.digest.empty() ? full.tag : full.digest;
  MessagePrinter printer(flags.quiet);
  img::HttpRequest req =
      request("POST", "/images/create?fromImage=" + url_escape(full.familiar_name()) +
                          "&tag=" + url_escape(tag));
  req.on_data = [&](std::string_view d) {
    printer.feed(d);
    return true;
  };
  if (!call(flags, req)) return 1;
  printer.finish();
  if (!printer.ok()) return 1;
  fmt::print("{}\n", full.string());
  return 0;
}

int run_rm(const ImageFlags& flags) {
  int rc = 0;
  for (const auto& name : flags.names) {
    auto r = call(
        flags, request("DELETE", "/images/" + url_escape(name) + (flags.force ? "?force=1" : "")));
    if (!r) {
      rc = 1;
      continue;
    }
    json list = json::parse(r->body, nullptr, false);
    for (const auto& rec : list.is_array() ? list : json::array()) {
      if (rec.contains("Untagged"))
        fmt::print("Untagged: {}\n", rec["Untagged"].get<std::string>());
      if (rec.contains("Deleted")) fmt::print("Deleted: {}\n", rec["Deleted"].get<std::string>());
    }
  }
  return rc;
}

// A directory (an OCI layout) as a tar in memory: regular files and directories.
std::optional<std::string> tar_directory(const std::filesystem::path& dir) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  auto append = [](archive*, void* self, const void* data, size_t n) -> la_ssize_t {
    static_cast<std::string*>(self)->append(static_cast<const char*>(data), n);
    return static_cast<la_ssize_t>(n);
  };
  archive_write_open(a, &out, nullptr, append, nullptr);
  bool ok = true;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       ok && !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    bool is_dir = it->is_directory(ec), is_file = it->is_regular_file(ec);
    if (!is_dir && !is_file) continue;
    std::string rel = std::filesystem::relative(it->path(), dir, ec).string();
    std::string content;
    if (is_file) {
      auto bytes = img::read_whole_file(it->path());
      if (!bytes.is_ok()) return std::nullopt;
      content = std::move(*bytes);
    }
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, rel.c_str());
    archive_entry_set_filetype(e, is_dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, is_dir ? 0755 : 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    ok = archive_write_header(a, e) == ARCHIVE_OK &&
         (content.empty() || archive_write_data(a, content.data(), content.size()) >= 0);
    archive_entry_free(e);
  }
  ok = ok && !ec && archive_write_close(a) == ARCHIVE_OK;
  archive_write_free(a);
  if (!ok) return std::nullopt;
  return out;
}

int run_load(const ImageFlags& flags) {
  std::string archive;
  std::error_code ec;
  if (!flags.input.empty() && std::filesystem::is_directory(flags.input, ec)) {
    auto tar = tar_directory(flags.input);
    if (!tar) {
      fmt::print(stderr, "cannot read the layout in {}\n", flags.input);
      return 1;
    }
    archive = std::move(*tar);
  } else if (flags.input.empty() || flags.input == "-") {
    if (::isatty(0)) {
      fmt::print(stderr, "requested load from stdin, but stdin is empty\n");
      return 1;
    }
    archive.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto bytes = img::read_whole_file(flags.input);
    if (!bytes.is_ok()) {
      fmt::print(stderr, "open {}: {}\n", flags.input, bytes.status().message());
      return 1;
    }
    archive = std::move(*bytes);
  }
  img::HttpRequest req = request("POST", "/images/load?quiet=1");
  req.headers = {"Content-Type: application/x-tar"};
  req.body = std::move(archive);
  auto r = call(flags, std::move(req));
  if (!r) return 1;
  MessagePrinter printer(flags.quiet);
  printer.feed(r->body);
  printer.finish();
  return printer.ok() ? 0 : 1;
}

}  // namespace

void add_image_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ImageFlags>();
  CLI::App* cmd =
      app.add_subcommand("image", "Manage the node's images (through the daemon's API)");
  cmd->add_option("-H,--socket", flags->socket, "The daemon's socket (PATH or unix://PATH)")
      ->capture_default_str();
  cmd->require_subcommand(1);

  CLI::App* ls = cmd->add_subcommand("ls", "List images");
  ls->alias("list");
  ls->add_flag("-q,--quiet", flags->quiet, "Only show image IDs");
  ls->callback([flags, exit_code] { *exit_code = run_ls(*flags); });

  CLI::App* pull = cmd->add_subcommand("pull", "Pull an image from a registry");
  pull->add_option("NAME", flags->names, "Image reference, e.g. 127.0.0.1:5000/busybox:1")
      ->required()
      ->expected(1);
  pull->add_flag("-q,--quiet", flags->quiet, "Print only the image's name");
  pull->callback([flags, exit_code] { *exit_code = run_pull(*flags); });

  CLI::App* rm = cmd->add_subcommand("rm", "Remove images");
  rm->alias("rmi");
  rm->add_option("NAME", flags->names, "Image references or IDs")->required();
  rm->add_flag("-f,--force", flags->force, "Remove an image referenced in several repositories");
  rm->callback([flags, exit_code] { *exit_code = run_rm(*flags); });

  CLI::App* load = cmd->add_subcommand("load", "Load images from a docker save or OCI layout tar");
  load->add_option("-i,--input", flags->input,
                   "Read from this tar file (or OCI layout directory) instead of stdin");
  load->add_flag("-q,--quiet", flags->quiet, "Print nothing but errors");
  load->callback([flags, exit_code] { *exit_code = run_load(*flags); });
}

}  // namespace shoal::cli
