// Test helper: writes tar archives (optionally gzip-compressed) with libarchive, entry by
// entry, so layer and archive tests build exactly the input they need.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <string>

namespace shoal::runtime::image::testing {

class TarBuilder {
 public:
  enum class Compression { kNone, kGzip };

  explicit TarBuilder(const std::string& path, Compression c = Compression::kNone) {
    a_ = archive_write_new();
    archive_write_set_format_pax_restricted(a_);
    if (c == Compression::kGzip) archive_write_add_filter_gzip(a_);
    archive_write_open_filename(a_, path.c_str());
  }
  ~TarBuilder() { close(); }
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  TarBuilder& file(const std::string& name, const std::string& content, int mode = 0644,
                   int uid = 0, int gid = 0,
                   const std::map<std::string, std::string>& xattrs = {}) {
    archive_entry* e = entry(name, AE_IFREG, mode, uid, gid);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    for (const auto& [k, v] : xattrs)
      archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    archive_write_header(a_, e);
    archive_write_data(a_, content.data(), content.size());
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& dir(const std::string& name, int mode = 0755, int uid = 0, int gid = 0) {
    return simple(entry(name, AE_IFDIR, mode, uid, gid));
  }
  TarBuilder& symlink(const std::string& name, const std::string& target) {
    archive_entry* e = entry(name, AE_IFLNK, 0777, 0, 0);
    archive_entry_set_symlink(e, target.c_str());
    return simple(e);
  }
  TarBuilder& hardlink(const std::string& name, const std::string& target) {
    archive_entry* e = entry(name, AE_IFREG, 0644, 0, 0);
    archive_entry_set_hardlink(e, target.c_str());
    archive_entry_set_size(e, 0);
    return simple(e);
  }
  TarBuilder& fifo(const std::string& name) { return simple(entry(name, AE_IFIFO, 0640, 0, 0)); }
  void close() {
    if (a_ == nullptr) return;
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
  }

 private:
  archive_entry* entry(const std::string& name, unsigned type, int mode, int uid, int gid) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, static_cast<mode_t>(mode));
    archive_entry_set_uid(e, uid);
    archive_entry_set_gid(e, gid);
    archive_entry_set_mtime(e, 1704067200, 0);
    return e;
  }
  TarBuilder& simple(archive_entry* e) {
    archive_write_header(a_, e);
    archive_entry_free(e);
    return *this;
  }

  archive* a_ = nullptr;
};

}  // namespace shoal::runtime::image::testing
