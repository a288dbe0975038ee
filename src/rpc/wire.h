// protocol/messages.h messages ⇄ their protobuf form (proto/shoal/dispatcher.proto). Objects
// are Docker JSON (api/codec.h) in bytes fields.
//
// Thread safety: pure functions.
#pragma once

#include "common/status.h"
#include "protocol/messages.h"
#include "shoal/dispatcher.pb.h"

namespace shoal::rpc {

void to_proto(const protocol::AssignmentsMessage& in, AssignmentsMessage& out);
// Errors: kInvalidArgument naming the object when a JSON document does not decode.
Result<protocol::AssignmentsMessage> from_proto(const AssignmentsMessage& in);

void to_proto(const protocol::UpdateTaskStatusRequest& in, UpdateTaskStatusRequest& out);
Result<protocol::UpdateTaskStatusRequest> from_proto(const UpdateTaskStatusRequest& in);

}  // namespace shoal::rpc
