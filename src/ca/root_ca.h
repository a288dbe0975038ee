// The cluster's CA material inside the cluster object (api::Swarm), and root rotation
// (swarmkit api.Cluster.RootCA and manager/controlapi/ca_rotation.go, simplified).
//
// Layout: Spec.CAConfig.SigningCACert holds the current root; while a rotation is in
// progress it is followed by the previous root and by the current root cross-signed with
// the previous root's key (swarmkit's cross-signed intermediate). SigningCAKey is the
// current root's key; TLSInfo describes the current root; JoinTokens carry its digest.
// Nodes trust the bundle (current + previous root); certificates signed during a rotation
// carry the cross-signed root after the leaf, so that a node still holding only the old
// root verifies them too.
//
// Rotation: install_root(..., keep_previous = true) makes a new root current, keeps the
// old one trusted, makes new join tokens (the old ones stop working) and sets
// RootRotationInProgress. Nodes renew against the new root (their renewer sees the bundle
// change); when every READY node's Description.TLSInfo equals the cluster's
// (rotation_done), finish_rotation drops the old root and clears the flag.
//
// Thread safety: pure functions over values.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/model.h"
#include "ca/certs.h"
#include "common/status.h"

namespace shoal::ca {

// `n` bytes of secret randomness (the same shape as controlapi::RandomBytes).
using RandomBytes = std::function<std::string(size_t n)>;

// The CA material of a cluster.
struct ClusterCA {
  std::string bundle_pem;  // what nodes trust (current root, then the previous one)
  KeyPair current;         // the current root and its key (signs everything)
  std::string cross_pem;   // the current root signed by the previous one; "" if none

  // A signed leaf as handed to a node: the leaf, then the cross-signed root if any.
  std::string chain(std::string leaf_pem) const { return std::move(leaf_pem) + cross_pem; }
};

// Errors: kFailedPrecondition "the cluster has no root CA" when the material is absent;
// kInternal "the cluster's root CA is corrupt: ..." when it does not parse or match.
Result<ClusterCA> cluster_ca(const api::Swarm& cluster);

// Every PEM certificate block of a bundle, as text, in order.
std::vector<std::string> split_pem(std::string_view bundle);

// Makes `root` the cluster's current root: signing material, TLSInfo, two new join tokens;
// keep_previous (when the cluster has a root) keeps the old root in the bundle, adds `root`
// cross-signed by it, and sets RootRotationInProgress.
// Errors: tls_info's kInvalidArgument; cluster_ca's and cross_sign's errors with
// keep_previous (cluster unchanged then).
Status install_root(api::Swarm& cluster, const KeyPair& root, bool keep_previous,
                    const RandomBytes& random);

// A new join token for the cluster's current root. Errors: cluster_ca's.
Result<std::string> new_join_token(const api::Swarm& cluster, const RandomBytes& random);

// True when every READY node's Description.TLSInfo equals the cluster's TLSInfo.
bool rotation_done(const api::Swarm& cluster,
                   const std::vector<std::shared_ptr<const api::Node>>& nodes);

// Drops the previous root and the cross-signed one, and clears RootRotationInProgress.
void finish_rotation(api::Swarm& cluster);

// The TLSInfo of `cluster` equals `info` (all three fields).
bool same_tls_info(const api::TLSInfo& a, const api::TLSInfo& b);

}  // namespace shoal::ca
