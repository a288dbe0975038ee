#include "daemon/daemon.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "agent/host.h"
#include "common/time.h"
#include "daemon/executor_factory.h"
#include "daemon/membership_file.h"
#include "daemon/swarm_node.h"
#include "daemon/write_forwarder.h"
#include "etcd/datastore.h"
#include "http/engine/logs_routes.h"
#include "http/engine/ps_routes.h"
#include "http/engine/routes.h"
#include "http/engine/system.h"
#include "http/router.h"
#include "http/server.h"
#include "http/unix_listener.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/info.h"
#include "runtime/image/image_store.h"
#include "runtime/logs/log_reader.h"
#include "runtime/node_containers.h"
#include "shoal/version.h"
#include "store/datastore/data_key.h"
#include "store/datastore/sealed.h"
#include "store/datastore/sqlite.h"
#include "store/store.h"

namespace shoal::daemon {
namespace {

constexpr mode_t kSocketMode = 0660;

// mkdir -p with `mode` for the directories it creates.
Status make_dirs(const std::string& dir, mode_t mode, std::string_view what) {
  std::error_code ec;
  std::filesystem::path p(dir);
  std::filesystem::path built;
  for (const auto& part : p) {
    built /= part;
    if (std::filesystem::is_directory(built, ec)) continue;
    if (::mkdir(built.c_str(), mode) != 0 && errno != EEXIST) {
      return error(Code::kInternal, "cannot create {} {}: {}", what, built.string(),
                   std::strerror(errno));
    }
  }
  if (!std::filesystem::is_directory(p, ec)) {
    return error(Code::kInternal, "{} {} is not a directory", what, dir);
  }
  return Status::ok();
}

// The data dir holds the store, keys and certificates: only its owner may enter it. A looser
// mode left by an older shoal or by `mkdir -p` is tightened, with a warning.
Status make_private(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return error(Code::kInternal, "cannot stat data dir {}: {}", dir, std::strerror(errno));
  }
  mode_t mode = st.st_mode & 07777;
  if (mode == 0700) return Status::ok();
  if (::chmod(dir.c_str(), 0700) != 0) {
    return error(Code::kInternal, "cannot set the mode of data dir {} to 700: {}", dir,
                 std::strerror(errno));
  }
  spdlog::warn("data dir {} had mode {:o}, which lets other users read it; set to 700", dir, mode);
  return Status::ok();
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() { stop(); }

runtime::image::ImageSource& Daemon::image_source() { return *images_; }

Result<std::unique_ptr<Daemon>> Daemon::start(const DaemonOptions& options) {
  std::unique_ptr<Daemon> d(new Daemon(options));
  if (Status st = d->init(); !st.is_ok()) {
    d->stop();
    return st;
  }
  return d;
}

namespace {

Result<std::string> read_pem(const std::string& path, std::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(Code::kInvalidArgument, "{} {}: cannot read it", flag, path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The embedded SQLite log under the data dir, or an etcd cluster (--etcd-endpoints); for
// etcd, *etcd_options says how to reach it.
Result<std::unique_ptr<store::Datastore>> open_datastore(
    const DaemonOptions& options, std::optional<etcd::EtcdDatastoreOptions>* etcd_out) {
  if (options.etcd_endpoints.empty()) {
    SHOAL_ASSIGN_OR_RETURN(auto sqlite, store::SqliteDatastore::open(options.data_dir));
    return std::unique_ptr<store::Datastore>(std::move(sqlite));
  }
  etcd::EtcdDatastoreOptions etcd_options;
  etcd_options.client.endpoints = options.etcd_endpoints;
  etcd::ClientTls& tls = etcd_options.client.tls;
  if (!options.etcd_ca_file.empty()) {
    SHOAL_ASSIGN_OR_RETURN(tls.ca_pem, read_pem(options.etcd_ca_file, "--etcd-cafile"));
  }
  if (!options.etcd_cert_file.empty()) {
    SHOAL_ASSIGN_OR_RETURN(tls.cert_pem, read_pem(options.etcd_cert_file, "--etcd-certfile"));
  }
  if (!options.etcd_key_file.empty()) {
    SHOAL_ASSIGN_OR_RETURN(tls.key_pem, read_pem(options.etcd_key_file, "--etcd-keyfile"));
  }
  if (tls.ca_pem.empty() && (!tls.cert_pem.empty() || !tls.key_pem.empty())) {
    return error(Code::kInvalidArgument,
                 "--etcd-certfile and --etcd-keyfile need --etcd-cafile (TLS to etcd)");
  }
  spdlog::info("store: etcd at {}{}", fmt::join(options.etcd_endpoints, ","),
               tls.ca_pem.empty() ? " (plaintext)" : " (TLS)");
  *etcd_out = etcd_options;
  return std::unique_ptr<store::Datastore>(
      std::make_unique<etcd::EtcdDatastore>(std::move(etcd_options)));
}

}  // namespace

protocol::ForwardedResponse Daemon::serve_forwarded(const protocol::ForwardedRequest& request) {
  const http::Router* router = router_.load(std::memory_order_acquire);
  if (router == nullptr) {
    return protocol::ForwardedResponse{503,
                                       {{"Content-Type", "application/json"}},
                                       R"({"message":"the leader is starting"})"
                                       "\n"};
  }
  return WriteForwarder::serve(*router, request);
}

Status Daemon::init() {
  const std::string& data = options_.data_dir;
  const std::string& sock = options_.socket_path;
  if (data.empty()) return error(Code::kInvalidArgument, "--data-dir must not be empty");
  if (sock.empty()) return error(Code::kInvalidArgument, "--socket must not be empty");

  SHOAL_RETURN_IF_ERROR(make_dirs(data, 0700, "data dir"));
  SHOAL_RETURN_IF_ERROR(make_private(data));
  std::string sock_dir = std::filesystem::path(sock).parent_path().string();
  if (!sock_dir.empty()) SHOAL_RETURN_IF_ERROR(make_dirs(sock_dir, 0755, "socket dir"));

  SHOAL_ASSIGN_OR_RETURN(data_lock_, LockFile::acquire(data + "/shoal.lock", "data dir " + data));
  SHOAL_ASSIGN_OR_RETURN(socket_lock_, LockFile::acquire(sock + ".lock", "socket " + sock));

  clock_ = std::make_shared<SystemClock>();
  ids_ = std::make_unique<IdGenerator>();
  store::FileKeyStore keys(data);
  SHOAL_ASSIGN_OR_RETURN(store::DataKey data_key, keys.data_key());
  std::optional<etcd::EtcdDatastoreOptions> etcd_options;
  SHOAL_ASSIGN_OR_RETURN(auto durable, open_datastore(options_, &etcd_options));
  auto* etcd_datastore = dynamic_cast<etcd::EtcdDatastore*>(durable.get());
  auto datastore =
      std::make_unique<store::SealedDatastore>(std::move(durable), std::move(data_key));
  store::SealedDatastore* sealed = datastore.get();
  if (etcd_datastore != nullptr) {
    // A shared etcd may hold a swarm this node has not joined, sealed with a key it does not
    // have yet (joining as a manager brings the key): leave those records out until then.
    SHOAL_ASSIGN_OR_RETURN(auto membership, load_membership(data));
    sealed->set_skip_unopenable(!membership.has_value());
  }
  SHOAL_ASSIGN_OR_RETURN(store_, store::Store::open(std::move(datastore), clock_));
  if (etcd_datastore != nullptr) {
    replicated_ = std::make_unique<ReplicatedStore>(ReplicatedStore{
        .datastore = etcd_datastore,
        .sealed = sealed,
        .open_records =
            [sealed](std::vector<store::Record>* records, std::deque<std::string>* storage) {
              return sealed->open_records(records, storage);
            },
        .client = std::make_shared<etcd::Client>(etcd_options->client),
        .prefix = etcd_options->prefix});
  }
  runtime::image::ImageStoreOptions image_options;
  image_options.root = std::filesystem::path(data) / "images";
  image_options.registry.insecure_registries = options_.insecure_registries;
  image_options.clock = clock_;
  SHOAL_ASSIGN_OR_RETURN(images_, runtime::image::ImageStore::open(std::move(image_options)));

  SHOAL_ASSIGN_OR_RETURN(executor_, make_daemon_executor({.name = options_.executor,
                                                          .data_dir = data,
                                                          .oci_runtime = options_.oci_runtime,
                                                          .monitor_binary = options_.monitor_binary,
                                                          .images = images_.get()}));
  logs_ = std::make_unique<runtime::logs::LogReader>(std::filesystem::path(data) / "containers");
  SHOAL_ASSIGN_OR_RETURN(auto description, executor_.executor->describe());
  SHOAL_ASSIGN_OR_RETURN(std::string engine_id, load_or_create_engine_id(data, ids_->next()));
  node_ = std::make_unique<SwarmNode>(
      data, engine_id, *store_, *clock_, *ids_, *executor_.executor, std::move(description),
      SwarmNodeOptions{
          .listen_addr = options_.listen_addr,
          .advertise_addr = options_.advertise_addr,
          .transport = options_.transport.get(),
          .replicated = replicated_.get(),
          .forward = [this](const auto& request) { return serve_forwarded(request); }});
  SHOAL_RETURN_IF_ERROR(node_->restore());
  control_ = std::make_unique<manager::controlapi::Context>(*store_, *clock_, *ids_, *node_);
  control_->limits = options_.limits;

  auto router = std::make_unique<http::Router>();
  if (replicated_ && options_.transport) {
    forwarder_ = std::make_unique<WriteForwarder>(*node_, *options_.transport, data);
    router->set_interceptor([forwarder = forwarder_.get()](http::Request& request) {
      return forwarder->intercept(request);
    });
  }
  SHOAL_RETURN_IF_ERROR(http::engine::register_system_routes(
      *router, {.version = kVersion,
                .swarm_state = [this] { return manager::controlapi::swarm_ping_state(*node_); }}));
  SHOAL_RETURN_IF_ERROR(http::engine::register_engine_routes(
      *router, {.control = control_.get(), .version = kVersion, .images = images_.get()}));
  SHOAL_RETURN_IF_ERROR(http::engine::register_logs_routes(
      *router, {.control = control_.get(), .reader = logs_.get()}));
  if (runtime::NodeContainers* containers = executor_.containers) {
    images_->set_in_use_check(
        [containers](const std::string& id) { return containers->container_using(id); });
  }
  SHOAL_RETURN_IF_ERROR(http::engine::register_ps_routes(
      *router, {.control = control_.get(), .containers = executor_.containers}));

  router_.store(router.get(), std::memory_order_release);  // owned by server_ from here
  SHOAL_ASSIGN_OR_RETURN(auto listener, http::UnixListener::open(sock, kSocketMode));
  server_ = std::make_unique<http::Server>(
      std::move(router),
      http::ServerOptions{
          .version = kVersion, .io_threads = options_.io_threads, .limits = options_.http_limits});
  server_->add_listener(std::move(listener));
  SHOAL_RETURN_IF_ERROR(server_->start());
  spdlog::info("shoal daemon {} ready: data dir {}, socket unix://{}, pid {}", kVersion, data, sock,
               ::getpid());
  return Status::ok();
}

void Daemon::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (server_) server_->stop();  // socket removed, streams cancelled, threads joined
  router_.store(nullptr, std::memory_order_release);
  server_.reset();
  if (node_) node_->stop();  // manager role and agent; tasks keep running
  control_.reset();
  forwarder_.reset();
  node_.reset();
  if (images_) images_->set_in_use_check(nullptr);
  executor_.containers = nullptr;
  executor_.executor.reset();
  executor_.network.reset();  // sandboxes stay (tasks keep running)
  logs_.reset();
  images_.reset();
  if (store_) store_->close();
  store_.reset();
  replicated_.reset();
  socket_lock_.reset();
  data_lock_.reset();
}

}  // namespace shoal::daemon
