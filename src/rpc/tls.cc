#include "rpc/tls.h"

namespace shoal::rpc {

std::string peer_ip(const std::string& grpc_peer) {
  std::string rest;
  if (grpc_peer.rfind("ipv4:", 0) == 0) {
    rest = grpc_peer.substr(5);
    auto colon = rest.rfind(':');
    return colon == std::string::npos ? rest : rest.substr(0, colon);
  }
  if (grpc_peer.rfind("ipv6:", 0) == 0) {
    rest = grpc_peer.substr(5);
    auto close = rest.find(']');
    if (!rest.empty() && rest[0] == '[' && close != std::string::npos) {
      return rest.substr(1, close - 1);
    }
    return rest;
  }
  return grpc_peer;
}

}  // namespace shoal::rpc
