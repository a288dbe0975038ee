// shoal Status ⇄ grpc::Status, so that an error crosses the wire with its Code and message
// intact (kInvalidArgument "session invalid" on the manager is kInvalidArgument "session
// invalid" in the agent). Each Code maps to the nearest gRPC code (kConflict → ABORTED,
// kOutOfSequence → ABORTED, kDataLoss → DATA_LOSS ...), and the exact Code travels in the
// status's error_details, so the round trip is exact between shoal peers.
//
// Thread safety: pure functions.
#pragma once

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace shoal::rpc {

grpc::Status to_grpc(const Status& status);
// A gRPC failure as a shoal Status; UNAVAILABLE and DEADLINE_EXCEEDED both become
// kUnavailable (the agent treats either as "manager unreachable, retry").
Status from_grpc(const grpc::Status& status);

}  // namespace shoal::rpc
