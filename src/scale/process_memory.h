// This process's memory as the kernel counts it (/proc/self/status).
//
// Thread safety: any thread.
#pragma once

#include <cstdint>

namespace shoal::scale {

struct ProcessMemory {
  uint64_t rss_kib = 0;       // VmRSS: resident now
  uint64_t peak_rss_kib = 0;  // VmHWM: the most ever resident
};

// Zeros when /proc is not readable.
ProcessMemory process_memory();

}  // namespace shoal::scale
