// Daemon: the `shoal daemon` node process — its resources, start and stop.
//
// start() brings a node up in this order, undoing what it did if a step fails:
//   1. create <data-dir> (0700) and the socket's directory (0755) as needed;
//   2. lock <data-dir>/shoal.lock, then <socket>.lock (LockFile): a second daemon on the
//      same data dir or socket fails here, naming the holder's pid and the lock path;
//   3. open the store on <data-dir> (SQLite datastore, store.db) and the image store on
//      <data-dir>/images;
//   4. make the executor (--executor) with what it brings (executor_factory.h: the runc
//      executor's node network and containers), and restore the swarm membership
//      saved in the data dir (SwarmNode): a manager starts its manager role (and, with a
//      transport, serves other nodes on its listen address), a worker its worker role;
//   5. register the API routes and bind the unix socket (mode 0660). Holding the socket
//      lock proves a file already at the socket path belongs to a dead daemon: it is
//      removed and the path taken over;
//   6. start the HTTP server.
// stop() undoes it: stop accepting and remove the socket, cancel streams, join every thread
// (HTTP server), stop the node's role (tasks keep running), close the store, release the locks
// (last, so no second daemon starts while this one still writes).
//
// Thread safety: start() once from one thread; stop() is idempotent and may be called from
// any thread that is not a handler (the CLI calls it from its signal-waiting main thread).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/id.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/executor_factory.h"
#include "daemon/lock_file.h"
#include "http/limits.h"
#include "manager/controlapi/limits.h"
#include "protocol/forward.h"

namespace shoal::http {
class Router;
class Server;
}  // namespace shoal::http
namespace shoal::store {
class Store;
}
namespace shoal::agent {
class Executor;
}
namespace shoal::manager::controlapi {
class Context;
}
namespace shoal::runtime::image {
class ImageSource;
class ImageStore;
}  // namespace shoal::runtime::image
namespace shoal::runtime::logs {
class LogReader;
}

namespace shoal::daemon {

class ClusterTransport;

struct DaemonOptions {
  std::string data_dir = "/var/lib/shoal";
  std::string socket_path = "/run/shoal/shoal.sock";
  size_t io_threads = 2;
  // The API server's timeouts and connection limit (--http-header-timeout,
  // --http-idle-timeout, --http-body-timeout, --http-max-connections; http/limits.h).
  http::ConnectionLimits http_limits{};
  // What runs tasks (daemon/executor_factory.h): "runc" (containers) or "hollow" (none).
  // The library default is hollow (in-process tests); `shoal daemon` defaults to runc.
  std::string executor = "hollow";
  // The OCI runtime of the runc executor: a name in PATH or a path (--oci-runtime).
  std::string oci_runtime = "runc";
  // shoal-monitor; empty = next to the shoal binary.
  std::string monitor_binary;
  // Registries (host or host:port) pulled from over plain http (--insecure-registry);
  // localhost and 127.0.0.0/8 always are.
  std::vector<std::string> insecure_registries;
  // --listen-addr: where a manager serves other nodes when swarm init leaves Docker's
  // default "0.0.0.0:2377" ("" = that default). --advertise-addr: the address swarm init
  // and join advertise when the request gives none ("" = the host's address).
  std::string listen_addr;
  std::string advertise_addr;
  // Bounds on what one request may ask for (--max-replicas).
  manager::controlapi::Limits limits;
  // The store's datastore: empty = the embedded SQLite under data_dir; otherwise an etcd
  // cluster's client endpoints (--etcd-endpoints, host:port) and, for TLS, the PEM files of
  // its CA and of this client (--etcd-cafile, --etcd-certfile, --etcd-keyfile).
  std::vector<std::string> etcd_endpoints;
  std::string etcd_ca_file;
  std::string etcd_cert_file;
  std::string etcd_key_file;
  // How this node reaches other nodes (grpc_transport.h in the binary); null = a
  // single-node daemon: swarm join answers 501 and the manager serves nobody.
  std::shared_ptr<ClusterTransport> transport;
};

class SwarmNode;
class WriteForwarder;
struct ReplicatedStore;

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
  // The node's images (<data-dir>/images), for the container runtime: it sees the
  // ImageSource seam only. Valid from a successful start() until stop().
  runtime::image::ImageSource& image_source();

 private:
  explicit Daemon(DaemonOptions options);
  Status init();
  // The leader's side of WriteForwarder: a request a follower manager forwarded.
  protocol::ForwardedResponse serve_forwarded(const protocol::ForwardedRequest& request);

  const DaemonOptions options_;
  // Released in reverse order of declaration when not stopped explicitly.
  std::optional<LockFile> data_lock_;
  std::optional<LockFile> socket_lock_;
  std::shared_ptr<const Clock> clock_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<store::Store> store_;
  // The store's etcd when --etcd-endpoints names one (null: the embedded SQLite).
  std::unique_ptr<ReplicatedStore> replicated_;
  std::unique_ptr<runtime::image::ImageStore> images_;
  DaemonExecutor executor_;  // its network outlives it (stop())
  std::unique_ptr<runtime::logs::LogReader> logs_;
  std::unique_ptr<SwarmNode> node_;
  // With a shared store: sends a follower's writes to the leader (the router's interceptor).
  std::unique_ptr<WriteForwarder> forwarder_;
  // The router server_ owns, for serving forwarded requests; null while there is none.
  std::atomic<const http::Router*> router_{nullptr};
  std::unique_ptr<manager::controlapi::Context> control_;
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

}  // namespace shoal::daemon
