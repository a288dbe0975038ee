#include "daemon/manager_role.h"

#include <spdlog/spdlog.h>

#include "ca/cert_dir.h"
#include "daemon/node_certs.h"

namespace shoal::daemon {

ManagerRole::ManagerRole(store::Store& store, const Clock& clock, IdGenerator& ids,
                         agent::Executor& executor, ManagerRoleOptions options)
    : store_(store),
      clock_(clock),
      ids_(ids),
      options_(options),
      node_(store, clock, ids, executor,
            InProcessNodeOptions{.node_id = options.node_id, .addr = options.addr}),
      loops_(store, clock, ids) {}

ManagerRole::~ManagerRole() { stop(); }

Status ManagerRole::start() {
  SHOAL_RETURN_IF_ERROR(node_.start());
  started_ = true;
  loops_.start();
  start_endpoint();
  spdlog::info("manager role started");
  return Status::ok();
}

void ManagerRole::start_endpoint() {
  if (options_.transport == nullptr || options_.listen_addr.empty()) return;
  node_ca_ =
      std::make_unique<ca::NodeCA>(store_, clock_, ids_,
                                   ca::NodeCAOptions{.etcd_cluster_id = options_.etcd_cluster_id,
                                                     .data_key = options_.data_key});
  cert_dir_ = std::make_unique<ca::CertDir>(options_.data_dir);
  auto certs = issue_manager_certs(store_, options_.node_id, *cert_dir_, clock_.now());
  if (!certs.is_ok()) {
    endpoint_error_ = "no manager certificate: " + certs.status().message();
    spdlog::warn("not serving other nodes: {}", endpoint_error_);
    return;
  }
  auto endpoint = options_.transport->serve(options_.listen_addr, *certs, node_.dispatcher(),
                                            *node_ca_, options_.forward);
  if (!endpoint.is_ok()) {
    endpoint_error_ = endpoint.status().message();
    spdlog::warn("not serving other nodes on {}: {}", options_.listen_addr, endpoint_error_);
    return;
  }
  endpoint_ = std::move(*endpoint);
  endpoint_error_.clear();
  rotation_finisher_ = std::make_unique<RotationFinisher>(*node_ca_);
  rotation_loop_ = std::make_unique<manager::ReconcileLoop>(store_, clock_, *rotation_finisher_);
  rotation_loop_->start();
  ca_client_ = std::make_unique<ca::LocalCAClient>(*node_ca_, options_.node_id);
  renewer_ = std::make_unique<ca::Renewer>(
      *ca_client_, *cert_dir_, clock_, std::hash<std::string>{}(options_.node_id),
      [this](const ca::NodeCerts& renewed) {
        if (Status st = endpoint_->set_certs(renewed); !st.is_ok()) {
          spdlog::error("renewed manager certificate not in use: {}", st.message());
        }
      });
  if (Status st = renewer_->start(*certs); !st.is_ok()) {
    spdlog::warn("manager certificate will not renew: {}", st.message());
  }
  spdlog::info("serving other nodes on {}", options_.listen_addr);
}

void ManagerRole::stop() {
  if (!started_) return;
  started_ = false;
  if (renewer_) renewer_->stop();
  renewer_.reset();
  endpoint_.reset();  // no more calls into the dispatcher or the CA
  if (rotation_loop_) rotation_loop_->stop();
  rotation_loop_.reset();
  rotation_finisher_.reset();
  ca_client_.reset();
  node_ca_.reset();
  loops_.stop();
  node_.stop();
  spdlog::info("manager role stopped");
}

}  // namespace shoal::daemon
