// Test helper: a fresh directory under /tmp, removed (recursively) on destruction.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace shoal::runtime::image::testing {

class TestDir {
 public:
  TestDir() {
    std::string templ = "/tmp/shoal-image-test-XXXXXX";
    path_ = ::mkdtemp(templ.data()) ? templ : "";
  }
  ~TestDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

inline bool is_empty_dir(const std::filesystem::path& p) {
  return std::filesystem::is_directory(p) &&
         std::filesystem::directory_iterator(p) == std::filesystem::directory_iterator();
}

}  // namespace shoal::runtime::image::testing
