// LocalCAClient: a CAClient for a manager's own renewer, calling the NodeCA in-process
// (no transport: the manager is the CA). Its certificate then renews before expiry and
// after a root rotation exactly as a worker's does.
//
// Thread safety: as NodeCA (safe from any thread).
#pragma once

#include <string>
#include <string_view>

#include "ca/node_ca.h"
#include "ca/renewer.h"

namespace shoal::ca {

class LocalCAClient final : public CAClient {
 public:
  // `node_ca` must outlive this client; `node_id` is this manager's node ID.
  LocalCAClient(NodeCA& node_ca, std::string node_id)
      : node_ca_(node_ca), node_id_(std::move(node_id)) {}
  // NodeCA::root_ca_pem's result.
  Result<std::string> root_ca() override { return node_ca_.root_ca_pem(); }
  // NodeCA::renew for this manager's node ID.
  Result<std::string> renew(std::string_view csr_pem) override {
    return node_ca_.renew(node_id_, csr_pem);
  }

 private:
  NodeCA& node_ca_;
  const std::string node_id_;
};

}  // namespace shoal::ca
