#include "runtime/image/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/image/digest.h"
#include "runtime/image/layer_writer.h"

namespace shoal::runtime::image {
namespace fs = std::filesystem;
namespace {

constexpr size_t kBufferSize = 256 * 1024;
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMeta = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadFree>;

// The source file's bytes, hashed as libarchive reads them.
struct SourceReader {
  int fd = -1;
  Sha256 hash;
  std::vector<char> buf = std::vector<char>(kBufferSize);

  // Reads the next block into buf; -1 with errno set on error, 0 at the end.
  ssize_t next() {
    ssize_t n;
    do n = ::read(fd, buf.data(), buf.size());
    while (n < 0 && errno == EINTR);
    if (n > 0) hash.update(buf.data(), static_cast<size_t>(n));
    return n;
  }
  static la_ssize_t callback(archive* a, void* self, const void** out) {
    auto* r = static_cast<SourceReader*>(self);
    ssize_t n = r->next();
    if (n < 0) {
      archive_set_error(a, errno, "read: %s", std::strerror(errno));
      return -1;
    }
    *out = r->buf.data();
    return n;
  }
};

// The decompressed tar stream (the raw archive's data), hashed as the tar reader reads it.
struct StreamReader {
  archive* raw = nullptr;
  Sha256 hash;
  std::vector<char> buf = std::vector<char>(kBufferSize);

  la_ssize_t next() {
    la_ssize_t n = archive_read_data(raw, buf.data(), buf.size());
    if (n > 0) hash.update(buf.data(), static_cast<size_t>(n));
    return n;
  }
  static la_ssize_t callback(archive* a, void* self, const void** out) {
    auto* s = static_cast<StreamReader*>(self);
    la_ssize_t n = s->next();
    if (n < 0) {
      archive_set_error(a, EINVAL, "%s", archive_error_string(s->raw));
      return -1;
    }
    *out = s->buf.data();
    return n;
  }
};

Status io_status(archive* a, std::string_view what, std::string_view path) {
  int e = archive_errno(a);
  const char* msg = archive_error_string(a);
  std::string text = msg ? msg : "unknown error";
  if (e == ENOSPC || e == EIO || e == EDQUOT || e == EROFS || e == ENOMEM) {
    return error(Code::kInternal, "unpacking layer: {} {}: {}", what, path, text);
  }
  return error(Code::kInvalidArgument, "invalid layer: {} {}: {}", what, path, text);
}

// One unpack: the readers, the writer and what the entries asked for.
class Unpacker {
 public:
  explicit Unpacker(LayerWriter writer) : writer_(std::move(writer)) {}
  ~Unpacker() {
    if (source_.fd >= 0) ::close(source_.fd);
  }

  Status open(const fs::path& source);
  Status extract_all();
  Status finish();  // drains the streams, applies opaque markers and directory attributes
  UnpackedLayer result() { return {stream_.hash.digest(), source_.hash.digest(), size_}; }

 private:
  Status extract(archive_entry* entry);

  LayerWriter writer_;
  SourceReader source_;
  StreamReader stream_;
  ReadArchive raw_, tar_;
  std::vector<std::string> opaque_;
  int64_t size_ = 0;
};

Status Unpacker::open(const fs::path& source) {
  source_.fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (source_.fd < 0) {
    return error(Code::kInternal, "cannot open layer {}: {}", source.string(),
                 std::strerror(errno));
  }
  raw_.reset(archive_read_new());
  archive_read_support_filter_all(raw_.get());
  archive_read_support_format_raw(raw_.get());
  if (archive_read_open(raw_.get(), &source_, nullptr, &SourceReader::callback, nullptr) !=
      ARCHIVE_OK) {
    return io_status(raw_.get(), "reading", source.string());
  }
  archive_entry* raw_entry = nullptr;
  int r = archive_read_next_header(raw_.get(), &raw_entry);
  if (r == ARCHIVE_EOF) return Status(Code::kInvalidArgument, "invalid layer: empty stream");
  if (r < ARCHIVE_WARN) return io_status(raw_.get(), "decompressing", source.string());
  stream_.raw = raw_.get();
  tar_.reset(archive_read_new());
  archive_read_support_format_tar(tar_.get());
  if (archive_read_open(tar_.get(), &stream_, nullptr, &StreamReader::callback, nullptr) !=
      ARCHIVE_OK) {
    return io_status(tar_.get(), "reading tar", source.string());
  }
  return Status::ok();
}

Status Unpacker::extract_all() {
  while (true) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(tar_.get(), &entry);
    if (r == ARCHIVE_EOF) return Status::ok();
    if (r < ARCHIVE_WARN) return io_status(tar_.get(), "reading tar", "stream");
    SHOAL_RETURN_IF_ERROR(extract(entry));
  }
}

Status Unpacker::extract(archive_entry* entry) {
  const char* raw_name = archive_entry_pathname(entry);
  std::optional<std::string> rel = clean_layer_path(raw_name ? raw_name : "");
  if (!rel)
    return error(Code::kInvalidArgument, "invalid layer: path {} leaves the layer", raw_name);
  if (rel->empty()) return Status::ok();  // the root itself: kept 0755
  size_t slash = rel->rfind('/');
  std::string dir = slash == std::string::npos ? "" : rel->substr(0, slash);
  std::string_view base = std::string_view(*rel).substr(slash == std::string::npos ? 0 : slash + 1);
  if (base == kOpaqueMarker) {
    opaque_.push_back(dir);
    return Status::ok();
  }
  if (base.starts_with(kWhiteoutMeta)) return Status::ok();
  if (base.starts_with(kWhiteoutPrefix)) {
    std::string_view name = base.substr(kWhiteoutPrefix.size());
    if (name.empty() || name == "." || name == "..") {
      return error(Code::kInvalidArgument, "invalid layer: malformed whiteout {}", *rel);
    }
    return writer_.whiteout(dir.empty() ? std::string(name) : dir + "/" + std::string(name),
                            static_cast<uid_t>(archive_entry_uid(entry)),
                            static_cast<gid_t>(archive_entry_gid(entry)));
  }
  std::string link_rel;
  if (const char* link = archive_entry_hardlink(entry)) {
    std::optional<std::string> target = clean_layer_path(link);
    if (!target || target->empty()) {
      return error(Code::kInvalidArgument, "invalid layer: hardlink {} to {} leaves the layer",
                   *rel, link);
    }
    link_rel = *target;
  } else if (archive_entry_filetype(entry) == AE_IFREG) {
    size_ += archive_entry_size(entry);
  }
  return writer_.write(tar_.get(), entry, *rel, link_rel);
}

Status Unpacker::finish() {
  // The tar reader stops at the end-of-archive blocks; the diff ID covers the whole stream.
  la_ssize_t n;
  while ((n = stream_.next()) > 0) {
  }
  if (n < 0) return io_status(raw_.get(), "decompressing", "stream");
  ssize_t m;
  while ((m = source_.next()) > 0) {
  }
  if (m < 0) return error(Code::kInternal, "reading layer: {}", std::strerror(errno));
  for (const auto& dir : opaque_) SHOAL_RETURN_IF_ERROR(writer_.mark_opaque(dir));
  return writer_.finish();
}

Status check_digest(std::string_view expected, const std::string& actual) {
  if (expected.empty() || expected == actual) return Status::ok();
  return error(Code::kDataLoss, "layer {} digest mismatch: content is {}", expected, actual);
}

Status move_into_place(const fs::path& tmp, const fs::path& dest) {
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY) {
      remove_tree(tmp);  // a concurrent unpack of the same layer won
      return Status::ok();
    }
    return error(Code::kInternal, "cannot move layer into {}: {}", dest.string(),
                 std::strerror(errno));
  }
  return Status::ok();
}

// When an unpack failed half-way: whether the source's digests differ from `expect`, read
// through the raw stream alone (a corrupt blob is a digest mismatch, not a bad archive).
Status mismatch_of(const fs::path& source, const UnpackExpect& expect) {
  SourceReader src;
  src.fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (src.fd < 0) return Status::ok();
  StreamReader stream;
  ReadArchive raw(archive_read_new());
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  archive_entry* entry = nullptr;
  bool readable =
      archive_read_open(raw.get(), &src, nullptr, &SourceReader::callback, nullptr) == ARCHIVE_OK &&
      archive_read_next_header(raw.get(), &entry) >= ARCHIVE_WARN;
  stream.raw = raw.get();
  while (readable) {
    la_ssize_t n = stream.next();
    if (n == 0) break;
    if (n < 0) readable = false;
  }
  while (src.next() > 0) {
  }
  ::close(src.fd);
  std::string blob = src.hash.digest();
  if (!expect.blob_digest.empty() && blob != expect.blob_digest)
    return check_digest(expect.blob_digest, blob);
  if (expect.diff_id.empty()) return Status::ok();
  if (!readable) return check_digest(expect.diff_id, "an unreadable stream");
  return check_digest(expect.diff_id, stream.hash.digest());
}

}  // namespace

std::optional<std::string> clean_layer_path(std::string_view name) {
  bool rooted = name.starts_with('/');
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t next = name.find('/', pos);
    if (next == std::string_view::npos) next = name.size();
    std::string_view part = name.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      } else if (!rooted) {
        return std::nullopt;
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}

void remove_tree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) spdlog::warn("cannot remove {}: {}", path.string(), ec.message());
}

Result<UnpackedLayer> unpack_layer(const fs::path& source, const fs::path& staging,
                                   const fs::path& dest, const UnpackExpect& expect) {
  std::string templ = (staging / "layer-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    return error(Code::kInternal, "cannot create a directory in {}: {}", staging.string(),
                 std::strerror(errno));
  }
  fs::path tmp(templ);
  auto unpacked = [&]() -> Result<UnpackedLayer> {
    SHOAL_ASSIGN_OR_RETURN(LayerWriter writer, LayerWriter::open(tmp));
    Unpacker u(std::move(writer));
    SHOAL_RETURN_IF_ERROR(u.open(source));
    SHOAL_RETURN_IF_ERROR(u.extract_all());
    SHOAL_RETURN_IF_ERROR(u.finish());
    if (::chmod(tmp.c_str(), 0755) != 0) {
      return error(Code::kInternal, "unpacking layer: chmod {}: {}", tmp.string(),
                   std::strerror(errno));
    }
    UnpackedLayer out = u.result();
    if (!expect.diff_id.empty() && expect.diff_id != out.diff_id) {
      return check_digest(expect.diff_id, out.diff_id);
    }
    SHOAL_RETURN_IF_ERROR(check_digest(expect.blob_digest, out.blob_digest));
    SHOAL_RETURN_IF_ERROR(move_into_place(tmp, dest));
    return out;
  }();
  if (unpacked.is_ok()) return unpacked;
  remove_tree(tmp);
  if (unpacked.status().code() != Code::kDataLoss) {
    SHOAL_RETURN_IF_ERROR(mismatch_of(source, expect));
  }
  return unpacked;
}

}  // namespace shoal::runtime::image
