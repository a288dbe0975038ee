#include "rpc/status_map.h"

#include <string>

namespace shoal::rpc {
namespace {

grpc::StatusCode grpc_code(Code code) {
  switch (code) {
    case Code::kOk:
      return grpc::StatusCode::OK;
    case Code::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case Code::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case Code::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case Code::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case Code::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case Code::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case Code::kConflict:
      return grpc::StatusCode::ABORTED;
    case Code::kOutOfSequence:
      return grpc::StatusCode::ABORTED;
    case Code::kUnimplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
    case Code::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case Code::kInternal:
      return grpc::StatusCode::INTERNAL;
    case Code::kDataLoss:
      return grpc::StatusCode::DATA_LOSS;
  }
  return grpc::StatusCode::UNKNOWN;
}

Code shoal_code(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return Code::kOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return Code::kInvalidArgument;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Code::kFailedPrecondition;
    case grpc::StatusCode::UNAUTHENTICATED:
      return Code::kUnauthenticated;
    case grpc::StatusCode::PERMISSION_DENIED:
      return Code::kPermissionDenied;
    case grpc::StatusCode::NOT_FOUND:
      return Code::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS:
      return Code::kAlreadyExists;
    case grpc::StatusCode::ABORTED:
      return Code::kConflict;
    case grpc::StatusCode::UNIMPLEMENTED:
      return Code::kUnimplemented;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Code::kUnavailable;
    case grpc::StatusCode::DATA_LOSS:
      return Code::kDataLoss;
    default:
      return Code::kInternal;
  }
}

constexpr int kMaxCode = static_cast<int>(Code::kDataLoss);

}  // namespace

grpc::Status to_grpc(const Status& status) {
  if (status.is_ok()) return grpc::Status::OK;
  return grpc::Status(grpc_code(status.code()), status.message(),
                      std::to_string(static_cast<int>(status.code())));
}

Status from_grpc(const grpc::Status& status) {
  if (status.ok()) return Status::ok();
  Code code = shoal_code(status.error_code());
  // The exact Code, when the peer is a shoal server (error_details holds its number).
  const std::string& details = status.error_details();
  if (!details.empty() && details.size() <= 2 &&
      details.find_first_not_of("0123456789") == std::string::npos) {
    int n = std::stoi(details);
    if (n > 0 && n <= kMaxCode) code = static_cast<Code>(n);
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
      status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    code = Code::kUnavailable;
  }
  return Status(code, status.error_message());
}

}  // namespace shoal::rpc
