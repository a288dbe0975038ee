// How a container's end is reported to the worker (agent::ExitStatus), and whether the OOM
// killer ended it.
//
// swarm's text for a failed task is moby's exitError: "task: non-zero exit (<code>)", with
// ": <cause>" when the executor knows the cause. Docker knows two: an unhealthy container
// ("dockerexec: unhealthy container") and, for its own containers only, an OOM kill
// (State.OOMKilled, which swarm's task status does not carry). shoal reports the OOM kill as
// the cause, "task: non-zero exit (137): OOMKilled", so `docker service ps --no-trunc` and
// `docker inspect <task>` (Status.Err) say why the task died.
//
// An OOM kill is read from the container's memory cgroup, which runc leaves in place until
// `runc delete` (the executor's remove()): the "oom_kill" counter of memory.oom_control
// (cgroup v1) or memory.events (cgroup v2).
//
// Thread safety: functions; oom_killed() reads files only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/executor.h"

namespace shoal::runtime {

inline constexpr std::string_view kOomKilledCause = "OOMKilled";

// The "oom_kill N" line of memory.oom_control (v1) or memory.events (v2); nullopt when the
// text has none (a kernel older than 4.13 on v1).
std::optional<uint64_t> oom_kill_count(std::string_view file_text);

// Whether a process of container `id` (cgroup /shoal/<id> under the cgroup mounts) was killed
// by the OOM killer. False when the cgroup is gone or the kernel does not count OOM kills.
bool oom_killed(const std::string& id);

// The worker's exit status for exit code `code` (128+N for signal N): Err is empty for code 0
// (and for a non-zero code with no known cause); otherwise it is swarm's text with the
// cause, unhealthy first (the executor stopped the container), then the OOM kill.
agent::ExitStatus exit_status(int64_t code, bool unhealthy, bool oom_killed);

}  // namespace shoal::runtime
