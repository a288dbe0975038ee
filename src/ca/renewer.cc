#include "ca/renewer.h"

#include <algorithm>

#include "ca/certs.h"
#include "common/mutex.h"

namespace shoal::ca {

Timestamp next_renewal(Timestamp not_before, Timestamp not_after, double fraction) {
  auto lifetime = not_after - not_before;
  return not_before + std::chrono::nanoseconds(
                          static_cast<int64_t>(static_cast<double>(lifetime.count()) * fraction));
}

RenewReason plan_renewal(Timestamp now, Timestamp renew_at, std::string_view held_ca_pem,
                         const std::optional<std::string>& cluster_ca_pem) {
  if (cluster_ca_pem && *cluster_ca_pem != held_ca_pem) return RenewReason::kRootChanged;
  if (now >= renew_at) return RenewReason::kExpiring;
  return RenewReason::kNone;
}

Renewer::Renewer(CAClient& client, const CertDir& dir, const Clock& clock, uint64_t seed,
                 OnRenewed on_renewed, std::chrono::nanoseconds root_check_period)
    : client_(client),
      dir_(dir),
      clock_(clock),
      on_renewed_(std::move(on_renewed)),
      root_check_period_(root_check_period),
      rng_(seed) {}

Renewer::~Renewer() { stop(); }

Status Renewer::start(NodeCerts current) {
  SHOAL_RETURN_IF_ERROR(identity_of(current.cert_pem).status());
  MutexLock lock(mu_);
  if (thread_.joinable()) return Status(Code::kFailedPrecondition, "the renewer is running");
  stopping_ = false;
  thread_ =
      std::thread([this, current = std::move(current)]() mutable { run(std::move(current)); });
  return Status::ok();
}

void Renewer::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Renewer::check_now() {
  {
    MutexLock lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

uint64_t Renewer::renewals() const {
  MutexLock lock(mu_);
  return renewals_;
}

void Renewer::plan_next(const NodeCerts& current, Timestamp now) {
  auto id = identity_of(current.cert_pem);
  if (!id.is_ok()) {
    renew_at_ = now;  // a certificate that does not parse: replace it
    return;
  }
  std::uniform_real_distribution<double> fraction(kRenewLowerFraction, kRenewUpperFraction);
  renew_at_ = next_renewal(id->not_before, id->not_after, fraction(rng_));
}

Timestamp Renewer::step(NodeCerts& current, Timestamp now) {
  if (!renew_at_) plan_next(current, now);
  std::optional<std::string> cluster_ca;
  if (auto root = client_.root_ca(); root.is_ok()) cluster_ca = *std::move(root);
  RenewReason reason = plan_renewal(now, *renew_at_, current.ca_pem, cluster_ca);
  if (reason == RenewReason::kNone) {
    retry_delay_ = std::chrono::nanoseconds(0);
    return std::min(*renew_at_, now + root_check_period_);
  }

  auto retry = [&] {
    retry_delay_ = retry_delay_.count() == 0
                       ? std::chrono::nanoseconds(kRetryDelay)
                       : std::min<std::chrono::nanoseconds>(retry_delay_ * 2, kMaxRetryDelay);
    return now + retry_delay_;
  };
  auto key = make_key_and_csr();
  if (!key.is_ok()) return retry();
  auto cert = client_.renew(key->csr_pem);
  if (!cert.is_ok()) return retry();
  NodeCerts next{cluster_ca.value_or(current.ca_pem), *std::move(cert), std::move(key->key_pem)};
  // Never install what the node could not use.
  if (!verify_chain(next.cert_pem, next.ca_pem, now).is_ok()) return retry();
  if (!dir_.write(next).is_ok()) return retry();
  current = std::move(next);
  plan_next(current, now);
  retry_delay_ = std::chrono::nanoseconds(0);
  {
    MutexLock lock(mu_);
    ++renewals_;
  }
  if (on_renewed_) on_renewed_(current);
  return std::min(*renew_at_, now + root_check_period_);
}

void Renewer::run(NodeCerts current) {
  MutexLock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Timestamp next = step(current, clock_.now());
    lock.lock();
    auto wait = std::max(next - clock_.now(), std::chrono::nanoseconds(0));
    cv_.wait_for(lock, wait, [&]() REQUIRES(mu_) { return stopping_ || wake_; });
    wake_ = false;
  }
}

}  // namespace shoal::ca
