// Renewer: keeps a node's certificate fresh (swarmkit ca/renewer.go, node/node.go's root
// CA watch). It renews
//   - at a random point between 50 % and 80 % of the certificate's lifetime (swarmkit's
//     CertLowerRotationRange/CertUpperRotationRange, so that a fleet does not renew at
//     once), and
//   - when the cluster's trust bundle (CAClient::root_ca) differs from the one this node
//     holds (a root rotation: the new certificate is signed by the new root),
// with a fresh key each time, through an abstract CAClient (src/rpc implements it over
// the node's mutual-TLS connection). Renewed material is written to the CertDir first,
// then handed to `on_renewed` (the rpc layer reloads its credentials there).
// Failures are retried after kRetryDelay (doubling up to kMaxRetryDelay); the old
// certificate stays in use meanwhile.
//
// Planning is pure (next_renewal, plan_renewal); the thread only waits and applies.
//
// Thread safety: start/stop from one owner thread; stop() is idempotent and joins.
// check_now() may be called from any thread. on_renewed runs on the renewer's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "ca/cert_dir.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/time.h"

namespace shoal::ca {

// What the renewer asks of the cluster. Implementations must be thread-safe.
class CAClient {
 public:
  virtual ~CAClient() = default;
  // The cluster's current trust bundle (PEM). Errors: the transport's.
  virtual Result<std::string> root_ca() = 0;
  // A certificate for this node (identity taken by the CA from the presented certificate)
  // signed for `csr_pem`. Errors: the transport's; NodeCA::renew's.
  virtual Result<std::string> renew(std::string_view csr_pem) = 0;
};

inline constexpr double kRenewLowerFraction = 0.5;
inline constexpr double kRenewUpperFraction = 0.8;
inline constexpr std::chrono::seconds kRootCheckPeriod{10};
inline constexpr std::chrono::seconds kRetryDelay{1};
inline constexpr std::chrono::seconds kMaxRetryDelay{60};

// The renewal time of a certificate valid [not_before, not_after]: not_before +
// fraction * lifetime. REQUIRES: fraction in [kRenewLowerFraction, kRenewUpperFraction].
Timestamp next_renewal(Timestamp not_before, Timestamp not_after, double fraction);

// Why a renewal is due, if it is.
enum class RenewReason : uint8_t { kNone, kExpiring, kRootChanged };

// Pure decision: renew when `now` reached `renew_at`, or when the cluster's bundle (if
// known) differs from the held one.
RenewReason plan_renewal(Timestamp now, Timestamp renew_at, std::string_view held_ca_pem,
                         const std::optional<std::string>& cluster_ca_pem);

class Renewer {
 public:
  using OnRenewed = std::function<void(const NodeCerts&)>;

  // `seed` picks the random renewal fraction (pass something node-specific).
  // The referents must outlive the Renewer.
  Renewer(CAClient& client, const CertDir& dir, const Clock& clock, uint64_t seed,
          OnRenewed on_renewed, std::chrono::nanoseconds root_check_period = kRootCheckPeriod);
  ~Renewer();
  Renewer(const Renewer&) = delete;
  Renewer& operator=(const Renewer&) = delete;

  // Starts the thread with the node's current material. Errors: kInvalidArgument when
  // current.cert_pem does not parse; kFailedPrecondition when already started.
  Status start(NodeCerts current);
  // Stops and joins the thread. Idempotent.
  void stop();
  // Wakes the thread to check the root now (e.g. the dispatcher said the root changed).
  void check_now();

  // One step, without the thread (tests; the thread calls it too): asks for the root,
  // renews if plan_renewal says so, and returns when to step next (kNone: in
  // root_check_period or at the renewal time, whichever is first; after a failure: the
  // retry delay). REQUIRES: start() not called (or stopped) when called directly;
  // `current` as start's. Errors: none; failures only move the next step closer.
  Timestamp step(NodeCerts& current, Timestamp now);

  // The number of successful renewals so far (for tests and logs).
  uint64_t renewals() const;

 private:
  void run(NodeCerts current);
  // Picks the next renewal time of `current` (a fresh random fraction).
  void plan_next(const NodeCerts& current, Timestamp now);

  CAClient& client_;
  const CertDir& dir_;
  const Clock& clock_;
  const OnRenewed on_renewed_;
  const std::chrono::nanoseconds root_check_period_;
  std::mt19937_64 rng_;

  mutable Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool wake_ GUARDED_BY(mu_) = false;
  uint64_t renewals_ GUARDED_BY(mu_) = 0;
  std::chrono::nanoseconds retry_delay_{0};  // renewer thread only
  std::optional<Timestamp> renew_at_;        // renewer thread only
  std::thread thread_;
};

}  // namespace shoal::ca
