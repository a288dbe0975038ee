// Daemon: the `shoal daemon` node process — its resources, start and stop.
//
// start() brings a node up in this order, undoing what it did if a step fails:
//   1. create <data-dir> (0700) and the socket's directory (0755) as needed;
//   2. lock <data-dir>/shoal.lock, then <socket>.lock (LockFile): a second daemon on the
//      same data dir or socket fails here, naming the holder's pid and the lock path;
//   3. open the store on <data-dir> (SQLite datastore, store.db);
//   4. register the API routes and bind the unix socket (mode 0660). Holding the socket
//      lock proves a file already at the socket path belongs to a dead daemon: it is
//      removed and the path taken over;
//   5. start the HTTP server.
// stop() undoes it: stop accepting and remove the socket, cancel streams, join every thread
// (HTTP server), close the store, release the locks (last, so no second daemon starts
// while this one still writes).
//
// Thread safety: start() once from one thread; stop() is idempotent and may be called from
// any thread that is not a handler (the CLI calls it from its signal-waiting main thread).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "daemon/lock_file.h"

namespace shoal::http {
class Server;
}
namespace shoal::store {
class Store;
}

namespace shoal::daemon {

struct DaemonOptions {
  std::string data_dir = "/var/lib/shoal";
  std::string socket_path = "/run/shoal/shoal.sock";
  size_t io_threads = 2;
};

class Daemon {
 public:
  // Starts a daemon; it serves until stop() or destruction. Errors: kConflict when another
  // daemon holds the data dir or the socket; kInvalidArgument for a bad socket path;
  // kInternal for directories, the store or the socket that cannot be created; the store's
  // errors from opening.
  static Result<std::unique_ptr<Daemon>> start(const DaemonOptions& options);

  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Stops serving and releases everything (see the file comment). Idempotent.
  void stop();

  const DaemonOptions& options() const { return options_; }
  store::Store& store() { return *store_; }

  // The value of /_ping's Swarm header: "inactive" until swarm init exists.
  std::string swarm_state() const;

 private:
  explicit Daemon(DaemonOptions options);
  Status init();

  const DaemonOptions options_;
  // Released in reverse order of declaration when not stopped explicitly.
  std::optional<LockFile> data_lock_;
  std::optional<LockFile> socket_lock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

}  // namespace shoal::daemon
