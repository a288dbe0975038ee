// What a hollow agent reports for an assignment message: the whole decision of a stand-in
// agent, as a pure function (no state is kept per task).
//
// A hollow agent runs nothing. For each task the message carries it reports the state a
// real agent would reach with a container that starts at once and runs until stopped,
// in one report with the final state (the dispatcher accepts any forward jump):
//   - desired running (a service task) and not yet running  → RUNNING "started";
//   - desired complete (a job task) and not yet ended        → COMPLETE "finished";
//   - desired shutdown or remove and not yet ended           → SHUTDOWN "shutdown";
//   - anything else (already there, ended, desired ready,
//     or a removal)                                           → nothing.
// Because the decision reads only the task as the dispatcher sent it, a new assignment
// stream (its complete set) re-derives every report a lost one would have carried; and the
// dispatcher does not echo an agent's own reports, so a task is reported once per change
// the manager makes to it.
//
// Thread safety: pure function.
#pragma once

#include <vector>

#include "common/time.h"
#include "protocol/messages.h"

namespace shoal::scale {

inline constexpr const char* kStartedMessage = "started";
inline constexpr const char* kFinishedMessage = "finished";
inline constexpr const char* kShutdownMessage = "shutdown";

// The reports for `message`, stamped `now`, in the message's order.
std::vector<protocol::TaskStatusUpdate> hollow_reports(const protocol::AssignmentsMessage& message,
                                                       Timestamp now);

}  // namespace shoal::scale
