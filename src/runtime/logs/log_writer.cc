#include "runtime/logs/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/monitor_protocol.h"

namespace shoal::runtime::logs {

LogWriter::~LogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool LogWriter::open() {
  std::string path = dir_ + "/" + std::string(monitor::kLogFile);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return false;
  struct stat st {};
  if (::fstat(fd_, &st) == 0) size_ = st.st_size;
  return true;
}

void LogWriter::append(Stream stream, std::string_view data, int64_t now_nanos) {
  std::string& buf = pending(stream);
  while (!data.empty()) {
    size_t room = kMaxLine - buf.size();
    size_t nl = data.find('\n');
    size_t take = nl == std::string_view::npos ? data.size() : nl + 1;
    if (take > room) {  // the line is too long: its first kMaxLine bytes are one piece
      buf.append(data.substr(0, room));
      data.remove_prefix(room);
      emit(stream, buf, now_nanos);
      buf.clear();
      continue;
    }
    if (nl == std::string_view::npos) {
      buf.append(data);
      return;
    }
    if (buf.empty()) {
      emit(stream, data.substr(0, take), now_nanos);
    } else {
      buf.append(data.substr(0, take));
      emit(stream, buf, now_nanos);
      buf.clear();
    }
    data.remove_prefix(take);
  }
}

void LogWriter::finish(Stream stream, int64_t now_nanos) {
  std::string& buf = pending(stream);
  if (!buf.empty()) emit(stream, buf, now_nanos);
  buf.clear();
}

void LogWriter::emit(Stream stream, std::string_view piece, int64_t now_nanos) {
  encoded_.clear();
  runtime::logs::append_json_line(encoded_, piece, stream, now_nanos);
  write_out(encoded_);
}

void LogWriter::write_out(const std::string& encoded) {
  if (fd_ < 0) return;
  if (max_bytes_ > 0 && size_ > 0 && size_ + static_cast<int64_t>(encoded.size()) > max_bytes_) {
    rotate();
  }
  size_t off = 0;
  while (off < encoded.size()) {
    ssize_t n = ::write(fd_, encoded.data() + off, encoded.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk loses log lines, never the container
    }
    off += static_cast<size_t>(n);
  }
  size_ += static_cast<int64_t>(encoded.size());
}

void LogWriter::rotate() {
  std::string path = dir_ + "/" + std::string(monitor::kLogFile);
  std::string rotated = dir_ + "/" + std::string(monitor::kRotatedLogFile);
  ::rename(path.c_str(), rotated.c_str());
  ::close(fd_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  size_ = 0;
}

}  // namespace shoal::runtime::logs
