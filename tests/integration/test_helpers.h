// Small helpers the integration fixtures share: polling with a deadline and text checks.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace shoal::testing {

// Polls `probe` every 200 ms until it returns true or `timeout` passes; then one last try.
inline bool eventually(const std::function<bool()>& probe,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return probe();
}

// `s` without trailing newlines and spaces.
inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The arguments joined by single spaces (for messages).
inline std::string join(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

// The last `n` characters of a log (for failure messages).
inline std::string tail(const std::string& log, size_t n = 3000) {
  return log.size() > n ? log.substr(log.size() - n) : log;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace shoal::testing
