#include "ca/cert_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace shoal::ca {
namespace {

Status io_error(const std::string& path) {
  return error(Code::kInternal, "{}: {}", path, std::strerror(errno));
}

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return io_error(path);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::ok() : io_error(path);
}

// Writes `content` to dir/name through dir/.name.tmp, fsync, rename, fsync of dir.
Status write_atomic(const std::string& dir, std::string_view name, std::string_view content,
                    mode_t mode) {
  std::string path = dir + "/" + std::string(name);
  std::string tmp = dir + "/." + std::string(name) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return io_error(tmp);
  ::fchmod(fd, mode);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status status = io_error(tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return status;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Status status = io_error(tmp);
    ::unlink(tmp.c_str());
    return status;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status status = io_error(path);
    ::unlink(tmp.c_str());
    return status;
  }
  return fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return error(Code::kNotFound, "{}: no such file", path);
    return io_error(path);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

CertDir::CertDir(std::string data_dir)
    : dir_(std::move(data_dir) + "/" + std::string(kCertDirName)) {}

Status CertDir::write(const NodeCerts& certs) const {
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return io_error(dir_);
  SHOAL_RETURN_IF_ERROR(write_atomic(dir_, kNodeKeyFile, certs.key_pem, 0600));
  SHOAL_RETURN_IF_ERROR(write_atomic(dir_, kNodeCertFile, certs.cert_pem, 0600));
  return write_atomic(dir_, kRootCAFile, certs.ca_pem, 0600);
}

Result<NodeCerts> CertDir::read() const {
  NodeCerts certs;
  SHOAL_ASSIGN_OR_RETURN(certs.ca_pem, read_file(dir_ + "/" + std::string(kRootCAFile)));
  SHOAL_ASSIGN_OR_RETURN(certs.cert_pem, read_file(dir_ + "/" + std::string(kNodeCertFile)));
  SHOAL_ASSIGN_OR_RETURN(certs.key_pem, read_file(dir_ + "/" + std::string(kNodeKeyFile)));
  return certs;
}

bool CertDir::exists() const {
  for (std::string_view name : {kRootCAFile, kNodeCertFile, kNodeKeyFile}) {
    if (::access((dir_ + "/" + std::string(name)).c_str(), F_OK) != 0) return false;
  }
  return true;
}

Status CertDir::remove() const {
  for (std::string_view name : {kRootCAFile, kNodeCertFile, kNodeKeyFile}) {
    std::string path = dir_ + "/" + std::string(name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error(path);
  }
  if (::rmdir(dir_.c_str()) != 0 && errno != ENOENT) return io_error(dir_);
  return Status::ok();
}

}  // namespace shoal::ca
