// What this machine is, as a node description: hostname, platform, CPUs and memory, and
// shoal's version as the engine version. Shared by every executor's describe().
//
// Thread safety: a free function; safe from any thread.
#pragma once

#include "api/node.h"
#include "common/status.h"

namespace shoal::agent {

// Hostname from gethostname(2); Platform{Architecture = uname machine ("x86_64"),
// OS = "linux"}; Resources{NanoCPUs = online CPUs × 1e9, MemoryBytes = physical memory};
// Engine.EngineVersion = shoal's version.
// Errors: kInternal when the hostname or the processor count cannot be read.
Result<api::NodeDescription> describe_host();

}  // namespace shoal::agent
