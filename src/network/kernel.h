// The kernel side of a sandbox record: making and removing a sandbox's namespace and veth
// pairs, and the bridges they hang on. Each function either does all of its work or undoes
// what it did before returning an error; removal is idempotent.
//
// Thread safety: functions are safe to call concurrently for different sandboxes; bridges
// are shared, so NodeNetwork serializes ensure_bridge/remove_bridge calls.
#pragma once

#include <string_view>

#include "common/status.h"
#include "network/netlink.h"
#include "network/sandbox.h"

namespace shoal::network {

// Makes the bridge of `interface` exist, up, with its gateway address and route_localnet on
// (so DNAT from 127.0.0.1 can leave through it). Idempotent.
// Errors: kInternal (kernel refusals), naming the bridge.
Status ensure_bridge(RouteSocket& host, const InterfaceRecord& interface);

// Deletes a bridge. OK when it does not exist. Errors: kInternal.
Status remove_bridge(RouteSocket& host, std::string_view name);

// Makes the sandbox: its namespace (with lo up), one veth pair per interface with the host
// end on the interface's bridge and the other end in the namespace, named and addressed as
// recorded, and the default route. REQUIRES: the bridges exist. A namespace or host veth
// left at the record's names by an earlier crash is replaced.
// Errors: kInternal (nothing of the sandbox is left then).
Status build_sandbox(RouteSocket& host, const SandboxRecord& record);

// Removes the sandbox's namespace (unmount, unlink). The kernel then destroys it with the
// veth pairs in it, asynchronously and batched with other namespaces (deleting each veth
// here would wait for an RCU grace period per link: tens of milliseconds on a busy host),
// once no process is left in it. With `delete_links`, host veths that still exist are also
// deleted (a namespace that some process still holds: recovery removes those). Idempotent.
// Errors: kInternal for a link or mount that could not be removed.
Status remove_sandbox(RouteSocket& host, const SandboxRecord& record, bool delete_links);

// True when the sandbox's namespace is bound and every host veth exists.
bool sandbox_intact(RouteSocket& host, const SandboxRecord& record);

// Writes `value` to a /proc/sys file. Errors: kInternal naming the file.
Status write_sysctl(std::string_view path, std::string_view value);

}  // namespace shoal::network
