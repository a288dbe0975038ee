// Member: one etcd server process that shoal starts on this host (Debian's etcd-server,
// /usr/bin/etcd), with the settings a store needs, and stops.
//
// A manager's datastore is either such a member (managed: data under the manager's data dir)
// or an external cluster (--etcd-endpoints). The settings shoal changes from etcd's
// defaults, and why:
//   --max-txn-ops, --max-request-bytes   one store commit is one transaction (datastore.h);
//                                        a batch of 10,000 task writes must fit
//   --quota-backend-bytes                the default 2 GiB is below 1M tasks and history
//   --snapshot-count                     etcd's default (100,000) with 1 KiB records keeps
//                                        ~100 MB of log in memory; fewer, for memory
// The member's data dir and log file are owner-only (0700/0600); etcd itself makes its files
// 0600.
//
// Thread safety: not thread-safe; one owner starts and stops it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace shoal::etcd {

struct MemberOptions {
  std::string binary = "/usr/bin/etcd";
  std::string name = "default";
  std::filesystem::path data_dir;  // made 0700 if missing
  std::string client_address;      // host:port the member serves clients on (plain HTTP/2)
  std::string peer_address;        // host:port for the other members
  // name=http://host:port,... of every member; empty: a new one-member cluster.
  std::string initial_cluster;
  bool join_existing = false;  // --initial-cluster-state existing
  int64_t max_txn_ops = 1'000'000;
  int64_t max_request_bytes = 128 << 20;
  int64_t quota_backend_bytes = int64_t{8} << 30;
  int64_t snapshot_count = 10'000;
  // Raft timing (etcd's defaults): how fast a dead leader is replaced, against how easily a
  // busy machine triggers a needless election. docs/ha.md, "Failover budget".
  std::chrono::milliseconds heartbeat_interval{100};
  std::chrono::milliseconds election_timeout{1000};
  std::filesystem::path log_file;  // the member's stdout and stderr; empty: data_dir/../etcd.log
};

// A loopback TCP port free at the time of the call (the kernel's pick for port 0), for
// members on one host: tests, benchmarks. Another process may take it before it is used.
int free_loopback_port();

class Member {
 public:
  // Starts the member and waits until it answers a read (a leader is elected), at most
  // `ready_timeout`. Errors: kInternal (cannot start; it exited, with the end of its log),
  // kUnavailable (not ready in time; it is stopped).
  static Result<std::unique_ptr<Member>> start(MemberOptions options,
                                               std::chrono::milliseconds ready_timeout);
  ~Member();  // stop(5 s)

  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  // SIGTERM, then SIGKILL after `grace`; reaps it. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // SIGKILL at once (a member that dies), reaped.
  void kill();

  pid_t pid() const { return pid_; }
  const MemberOptions& options() const { return options_; }
  // What the member wrote to its log, at most the last `max_bytes`.
  std::string log_tail(size_t max_bytes = 4096) const;

 private:
  Member(MemberOptions options, pid_t pid) : options_(std::move(options)), pid_(pid) {}

  const MemberOptions options_;
  pid_t pid_ = -1;
};

}  // namespace shoal::etcd
