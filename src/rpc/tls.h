// TLS material of one node for the rpc layer (the contents of <data-dir>/certificates/,
// ca/cert_dir.h), and what a verified peer certificate says.
//
// Thread safety: values; pure functions.
#pragma once

#include <string>

#include "common/status.h"

namespace shoal::rpc {

// A node's TLS identity: the cluster's trust bundle, the node's certificate and its key
// (all PEM).
struct TlsIdentity {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// The address part of a gRPC peer string: "ipv4:1.2.3.4:5" → "1.2.3.4",
// "ipv6:[::1]:5" → "::1"; anything else is returned unchanged.
std::string peer_ip(const std::string& grpc_peer);

}  // namespace shoal::rpc
