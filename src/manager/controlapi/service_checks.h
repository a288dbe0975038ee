// The checks of a service spec against the rest of the cluster, run inside the write
// transaction that stores the service (so they see exactly what the write commits over).
// Error texts as listed in service.h.
//
// Thread safety: functions of the transaction passed in.
#pragma once

#include <string_view>

#include "api/service.h"
#include "common/status.h"
#include "store/txn.h"

namespace shoal::manager::controlapi {

// Rewrites every network Target (TaskTemplate.Networks, else the deprecated Spec.Networks)
// to the full ID of the network it names (ID, name or ID prefix), and refuses an explicit
// attachment to the ingress network.
Status resolve_networks(const store::ReadTxn& tx, api::ServiceSpec& spec);

// Published ports of `spec` taken by another service than `self_id` (its spec or its
// allocated endpoint): an ingress port clashes with any use, a host port with an ingress use.
Status check_port_conflicts(const store::ReadTxn& tx, const api::ServiceSpec& spec,
                            std::string_view self_id);

// Every SecretID/ConfigID refers to an existing object of that name.
Status check_references(const store::ReadTxn& tx, const api::ServiceSpec& spec);

// A spec publishing ingress ports needs the ingress network.
Status check_ingress(const store::ReadTxn& tx, const api::ServiceSpec& spec);

// All of the above, in that order.
Status check_against_cluster(const store::ReadTxn& tx, api::ServiceSpec& spec,
                             std::string_view self_id);

}  // namespace shoal::manager::controlapi
