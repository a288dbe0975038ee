// An etcd v3 client: one gRPC channel to a cluster's client endpoints and the calls shoal
// makes (a page of a key range at a revision, one conditional transaction, a compaction),
// each with a deadline and its failure turned into a Status that says which call failed.
//
// The generated protobuf types (etcdserverpb) appear in this header: only src/etcd/ and its
// tests include it; the rest of shoal sees the store's Datastore seam.
//
// Thread safety: a Client may be used from any number of threads (gRPC stubs are).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace shoal::etcd {

// PEM contents; all empty means plaintext (a member on loopback or a unix socket).
struct ClientTls {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

struct ClientOptions {
  // Each member's client address: one host:port (or unix:path), or several IPv4 host:port
  // that the channel fails over between.
  std::vector<std::string> endpoints;
  ClientTls tls;
  std::chrono::milliseconds call_timeout{5000};
  // A transaction carries a whole store batch: allow large messages both ways.
  int max_message_bytes = 256 << 20;
};

// A gRPC failure of `call` as a Status: kInvalidArgument (a request etcd refuses),
// kOutOfSequence (a compacted revision), kNotFound, kPermissionDenied, kFailedPrecondition;
// kUnavailable for the rest (unreachable, no leader, deadline, cancelled).
Status status_of(const grpc::Status& status, std::string_view call);

// How a call ended when it did not succeed: definitely not applied, or unknown (the request
// may have reached the leader before the connection or the deadline went).
bool outcome_unknown(const Status& status);

// The first key after every key that starts with `prefix` (etcd's range_end for a prefix).
std::string prefix_end(std::string_view prefix);

class Client {
 public:
  explicit Client(ClientOptions options);

  // Up to `limit` keys of [key, range_end) in key order, as of `revision` (0: the latest).
  // Errors: kUnavailable (no member answers, no leader, deadline), kOutOfSequence
  // (`revision` has been compacted), kInvalidArgument (a request etcd refuses).
  Result<etcdserverpb::RangeResponse> range(std::string_view key, std::string_view range_end,
                                            int64_t revision, int64_t limit);
  // One transaction. A failed comparison is not an error: see TxnResponse::succeeded().
  // Errors as range(); outcome_unknown() says whether it may have been applied.
  Result<etcdserverpb::TxnResponse> txn(const etcdserverpb::TxnRequest& request);
  // Drops the history before `revision` (not the keys' current values).
  Status compact(int64_t revision);

  const ClientOptions& options() const { return options_; }
  // For the other services (leases, elections, watches) on the same connection.
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  const ClientOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
};

}  // namespace shoal::etcd
