#include "runtime/recovery.h"

namespace shoal::runtime {

Verdict classify(const TaskFacts& f) {
  if (!f.has_meta) return Verdict::kHalfPrepared;
  if (f.exit_file) return Verdict::kExited;
  if (f.live) {
    switch (f.live->state) {
      case MonitorStatus::State::kCreated:
        return Verdict::kCreated;
      case MonitorStatus::State::kRunning:
      case MonitorStatus::State::kExited:
        return Verdict::kRunning;
    }
  }
  if (f.launched) return Verdict::kLost;
  return f.prepared ? Verdict::kPrepared : Verdict::kHalfPrepared;
}

}  // namespace shoal::runtime
