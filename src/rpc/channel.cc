#include "rpc/channel.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "shoal/dispatcher.grpc.pb.h"

namespace shoal::rpc {
namespace {

grpc::ChannelArguments base_args(std::chrono::milliseconds max_backoff) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(max_backoff.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  // A dead manager is noticed on open streams within ~20 s even without traffic.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  // One connection per client object: tests and the hollow fleet open many clients.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return args;
}

}  // namespace

void keep_grpc_alive() {
  // grpc_init, and a callback server with no port that lives as long as the process: it
  // holds a reference on the process-wide callback completion queue, so that queue is
  // never torn down and rebuilt while other servers and channels come and go.
  static grpc::Server* const keeper = [] {
    grpc_init();
    static Dispatcher::CallbackService idle;
    grpc::ServerBuilder builder;
    builder.RegisterService(&idle);
    return builder.BuildAndStart().release();
  }();
  (void)keeper;
}

std::shared_ptr<grpc::Channel> secure_channel(const std::string& addr, const TlsIdentity& identity,
                                              std::chrono::milliseconds max_backoff) {
  keep_grpc_alive();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = identity.ca_pem;
  options.pem_private_key = identity.key_pem;
  options.pem_cert_chain = identity.cert_pem;
  auto args = base_args(max_backoff);
  args.SetSslTargetNameOverride("swarm-manager");
  return grpc::CreateCustomChannel(addr, grpc::SslCredentials(options), args);
}

std::shared_ptr<grpc::Channel> unverified_channel(const std::string& addr) {
  keep_grpc_alive();
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  auto args = base_args(std::chrono::milliseconds(1000));
  return grpc::CreateCustomChannel(addr, grpc::experimental::TlsCredentials(options), args);
}

}  // namespace shoal::rpc
