#include "etcd/client.h"

#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

namespace shoal::etcd {

// etcd's gRPC codes (its rpctypes package): INVALID_ARGUMENT for a request it refuses (too
// many operations, too large, duplicate keys), OUT_OF_RANGE for a compacted revision,
// UNAVAILABLE for no leader or a proposal that timed out, DEADLINE_EXCEEDED for ours.
Status status_of(const grpc::Status& status, std::string_view call) {
  std::string message = fmt::format("etcd {}: {}", call, status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return Status::ok();
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status(Code::kInvalidArgument, std::move(message));
    case grpc::StatusCode::OUT_OF_RANGE:
      return Status(Code::kOutOfSequence, std::move(message));
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return Status(Code::kPermissionDenied, std::move(message));
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Status(Code::kFailedPrecondition, std::move(message));
    case grpc::StatusCode::NOT_FOUND:
      return Status(Code::kNotFound, std::move(message));
    default:
      // UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN, INTERNAL: the request may or may
      // not have been applied.
      return Status(Code::kUnavailable, std::move(message));
  }
}

namespace {

std::shared_ptr<grpc::Channel> make_channel(const ClientOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // Each client its own connections: a test's members come and go on reused ports.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // One endpoint as given (host:port, unix:path); several as one ipv4: target, which
  // pick_first leaves for the next address when a member fails.
  std::string target = options.endpoints.size() == 1 ? options.endpoints[0] : "ipv4:";
  for (size_t i = 0; options.endpoints.size() > 1 && i < options.endpoints.size(); ++i) {
    if (i > 0) target += ",";
    target += options.endpoints[i];
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls.ca_pem.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls.ca_pem;
    ssl.pem_cert_chain = options.tls.cert_pem;
    ssl.pem_private_key = options.tls.key_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(target, credentials, args);
}

}  // namespace

bool outcome_unknown(const Status& status) { return status.code() == Code::kUnavailable; }

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key (etcd's convention for "to the end")
}

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      channel_(make_channel(options_)),
      kv_(etcdserverpb::KV::NewStub(channel_)) {}

Result<etcdserverpb::RangeResponse> Client::range(std::string_view key, std::string_view range_end,
                                                  int64_t revision, int64_t limit) {
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(key));
  request.set_range_end(std::string(range_end));
  request.set_revision(revision);
  request.set_limit(limit);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  context.set_wait_for_ready(true);
  etcdserverpb::RangeResponse response;
  Status s = status_of(kv_->Range(&context, request, &response), "range");
  if (!s.is_ok()) return s;
  return response;
}

Result<etcdserverpb::TxnResponse> Client::txn(const etcdserverpb::TxnRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  context.set_wait_for_ready(true);
  etcdserverpb::TxnResponse response;
  Status s = status_of(kv_->Txn(&context, request, &response), "txn");
  if (!s.is_ok()) return s;
  return response;
}

Status Client::compact(int64_t revision) {
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  etcdserverpb::CompactionResponse response;
  return status_of(kv_->Compact(&context, request, &response), "compact");
}

}  // namespace shoal::etcd
