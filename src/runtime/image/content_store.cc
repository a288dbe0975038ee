#include "runtime/image/content_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/image/digest.h"
#include "runtime/image/layer_unpack.h"

namespace shoal::runtime::image {
namespace fs = std::filesystem;
namespace {

Status errno_status(std::string_view what, const fs::path& path) {
  return error(Code::kInternal, "{} {}: {}", what, path.string(), std::strerror(errno));
}

Status write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("cannot write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::vector<std::string> hex_names(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() == 64 && is_hex_prefix(name)) out.push_back(std::string(kSha256Prefix) + name);
  }
  return out;
}

}  // namespace

Result<ContentStore> ContentStore::open(fs::path root) {
  std::error_code ec;
  for (const char* sub : {"blobs/sha256", "layers", "tmp"}) {
    fs::create_directories(root / sub, ec);
    if (ec)
      return error(Code::kInternal, "cannot create {}: {}", (root / sub).string(), ec.message());
  }
  for (const auto& e : fs::directory_iterator(root / "tmp", ec)) remove_tree(e.path());
  return ContentStore(std::move(root));
}

fs::path ContentStore::blob_path(std::string_view digest) const {
  return root_ / "blobs" / "sha256" / std::string(digest.substr(kSha256Prefix.size()));
}

Status ContentStore::put_blob(std::string_view digest, std::string_view bytes,
                              std::string_view what) const {
  SHOAL_ASSIGN_OR_RETURN(std::string hex, digest_hex(digest));
  (void)hex;
  if (std::string actual = sha256_digest(bytes); actual != digest) {
    return error(Code::kDataLoss, "{} {} digest mismatch: content is {}", what, digest, actual);
  }
  // A file already there is kept only when it is intact (a crash may have left a torn one).
  if (has_blob(digest) && get_blob(digest).is_ok()) return Status::ok();
  return write_file_atomic(blob_path(digest), bytes, tmp_dir(), /*durable=*/false);
}

Result<std::string> ContentStore::get_blob(std::string_view digest) const {
  if (!is_sha256_digest(digest)) return error(Code::kInvalidArgument, "invalid digest {}", digest);
  SHOAL_ASSIGN_OR_RETURN(std::string bytes, read_whole_file(blob_path(digest)));
  if (sha256_digest(bytes) != digest) {
    return error(Code::kDataLoss, "blob {} digest mismatch: the stored file is corrupt", digest);
  }
  return bytes;
}

bool ContentStore::has_blob(std::string_view digest) const {
  std::error_code ec;
  return is_sha256_digest(digest) && fs::is_regular_file(blob_path(digest), ec);
}

void ContentStore::remove_blob(std::string_view digest) const {
  if (!is_sha256_digest(digest)) return;
  std::error_code ec;
  fs::remove(blob_path(digest), ec);
}

std::vector<std::string> ContentStore::blobs() const {
  return hex_names(root_ / "blobs" / "sha256");
}

fs::path ContentStore::layer_dir(std::string_view diff_id) const {
  return root_ / "layers" / std::string(diff_id.substr(kSha256Prefix.size()));
}

bool ContentStore::has_layer(std::string_view diff_id) const {
  std::error_code ec;
  return is_sha256_digest(diff_id) && fs::is_directory(layer_dir(diff_id), ec);
}

std::optional<fs::path> ContentStore::detach_layer(std::string_view diff_id) const {
  if (!has_layer(diff_id)) return std::nullopt;
  auto aside = temp_dir("removed-");
  if (!aside.is_ok()) return std::nullopt;
  if (::rename(layer_dir(diff_id).c_str(), (*aside / "layer").c_str()) != 0) {
    remove_tree(*aside);
    return std::nullopt;
  }
  return *aside;
}

void ContentStore::remove_layer(std::string_view diff_id) const {
  if (auto aside = detach_layer(diff_id)) {
    remove_tree(*aside);
  } else if (has_layer(diff_id)) {
    remove_tree(layer_dir(diff_id));
  }
}

std::vector<std::string> ContentStore::layers() const { return hex_names(root_ / "layers"); }

Result<fs::path> ContentStore::temp_file(std::string_view prefix) const {
  std::string templ = (tmp_dir() / (std::string(prefix) + "XXXXXX")).string();
  int fd = ::mkstemp(templ.data());
  if (fd < 0) return errno_status("cannot create a temporary file in", tmp_dir());
  ::close(fd);
  return fs::path(templ);
}

Result<fs::path> ContentStore::temp_dir(std::string_view prefix) const {
  std::string templ = (tmp_dir() / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr)
    return errno_status("cannot create a directory in", tmp_dir());
  return fs::path(templ);
}

Status ContentStore::sync() const {
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open", root_);
  int rc = ::syncfs(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    return errno_status("cannot sync the file system of", root_);
  }
  return Status::ok();
}

Status write_file_atomic(const fs::path& path, std::string_view bytes, const fs::path& tmp_dir,
                         bool durable) {
  std::string templ = (tmp_dir / (path.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(templ.data());
  if (fd < 0) return errno_status("cannot create a temporary file in", tmp_dir);
  Status st = write_all(fd, bytes, templ);
  if (st.is_ok() && ::fchmod(fd, 0600) != 0) st = errno_status("cannot chmod", templ);
  if (st.is_ok() && durable && ::fsync(fd) != 0) st = errno_status("cannot fsync", templ);
  ::close(fd);
  if (st.is_ok() && ::rename(templ.c_str(), path.c_str()) != 0)
    st = errno_status("cannot rename to", path);
  if (!st.is_ok()) {
    ::unlink(templ.c_str());
    return st;
  }
  if (durable) fsync_dir(path.parent_path());
  return Status::ok();
}

Result<std::string> read_whole_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return error(Code::kNotFound, "{} does not exist", path.string());
    return errno_status("cannot open", path);
  }
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = errno_status("cannot read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace shoal::runtime::image
