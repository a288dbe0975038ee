// The cluster CA in the swarm calls (swarmkit manager/controlapi/cluster.go and
// ca_rotation.go, on top of src/ca): init makes the root CA and this manager's certificate;
// update stores --cert-expiry, rotates join tokens with the real CA digest, and on a
// changed Spec.CAConfig.ForceRotate (`docker swarm ca --rotate`) makes a new root, new join
// tokens and a new certificate for this manager, keeping the old root trusted until every
// READY node holds the new one (ca/root_ca.h).
//
// The CA's signing material lives in the cluster object (Spec.CAConfig.SigningCACert/Key,
// see ca/node_ca.h); API answers strip it. This node's files are <data-dir>/certificates/
// (ca/cert_dir.h), written after the store commit that made them current.
//
// Thread safety: pure planning over values plus the Context's thread-safe referents.
#pragma once

#include <optional>

#include "api/model.h"
#include "ca/cert_dir.h"
#include "common/status.h"
#include "manager/controlapi/context.h"

namespace shoal::manager::controlapi {

// swarm init: gives `cluster` a new root CA (signing material, TLSInfo, join tokens) and
// returns the manager certificate of `node` (whose ID and role are set), whose
// Description.TLSInfo it fills. Errors: kInternal from the CA (OpenSSL failures).
Result<ca::NodeCerts> plan_cluster_ca(const Context& ctx, api::Swarm& cluster, api::Node& node);

// swarm update: carries the CA material of `current` into `next` (whose Spec is the
// request's), refusing signing material in the request, and rotates the root when
// ForceRotate changed. Returns this manager's new certificates when it rotated.
// `self` is this node (its Description.TLSInfo is updated on rotation).
// Errors: kInvalidArgument "rotating to a given root CA (--ca-cert/--ca-key) is not
// supported yet"; the CA's errors. (Spec.CAConfig.ExternalCAs are stored and not used.)
Result<std::optional<ca::NodeCerts>> plan_ca_update(const Context& ctx, const api::Swarm& current,
                                                    const api::Spec& requested, api::Swarm& next,
                                                    api::Node* self);

}  // namespace shoal::manager::controlapi
