#include "manager/controlapi/errors.h"

namespace shoal::manager::controlapi {

std::string_view grpc_code_name(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Code::kUnauthenticated:
      return "Unauthenticated";
    case Code::kPermissionDenied:
      return "PermissionDenied";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kConflict:
      return "Aborted";
    case Code::kOutOfSequence:
      return "Unknown";
    case Code::kUnimplemented:
      return "Unimplemented";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kInternal:
      return "Internal";
    case Code::kDataLoss:
      return "DataLoss";
  }
  return "Unknown";
}

Status rpc_status(Code code, std::string_view message) {
  return Status(code, fmt::format("rpc error: code = {} desc = {}", grpc_code_name(code), message));
}

Status from_store(Status status) {
  switch (status.code()) {
    case Code::kOutOfSequence:
    case Code::kAlreadyExists:
      if (status.message().starts_with("rpc error:")) return status;
      return rpc_status(status.code(), status.message());
    default:
      return status;
  }
}

Status manager_state_error(api::LocalNodeState state, bool is_manager) {
  using api::LocalNodeState;
  switch (state) {
    case LocalNodeState::kActive:
      if (is_manager) return Status::ok();
      return Status(Code::kUnavailable, std::string(kWorkerText));
    case LocalNodeState::kLocked:
      return Status(Code::kUnavailable, std::string(kLockedText));
    case LocalNodeState::kPending:
    case LocalNodeState::kError:
      if (is_manager) return Status(Code::kUnavailable, std::string(kManagerNotReadyText));
      return Status(Code::kUnavailable, std::string(kWorkerText));
    case LocalNodeState::kUnset:
    case LocalNodeState::kInactive:
      break;
  }
  return Status(Code::kUnavailable, std::string(kNotInSwarmText));
}

}  // namespace shoal::manager::controlapi
