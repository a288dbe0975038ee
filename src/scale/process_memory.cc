#include "scale/process_memory.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace shoal::scale {

ProcessMemory process_memory() {
  ProcessMemory m;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
    if (line.rfind("VmHWM:", 0) == 0) m.peak_rss_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return m;
}

}  // namespace shoal::scale
