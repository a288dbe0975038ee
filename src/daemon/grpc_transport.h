// GrpcTransport: the ClusterTransport (cluster_transport.h) of the shoal binary — gRPC with
// mutual TLS through src/rpc: rpc::join_cluster for joins, rpc::GrpcDispatcherClient and
// rpc::GrpcCAClient for a worker's link, rpc::RpcServer for a manager's endpoint.
//
// Thread safety: stateless; thread-safe.
#pragma once

#include <memory>

#include "daemon/cluster_transport.h"

namespace shoal::daemon {

std::shared_ptr<ClusterTransport> make_grpc_transport();

}  // namespace shoal::daemon
