// This process's memory and CPU time as the kernel counts them (/proc/self/status, getrusage).
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

// CPU time this process has used so far, every thread, user + system, in seconds.
double process_cpu_seconds();

}  // namespace shoal::scale
