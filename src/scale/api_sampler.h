// ApiSampler: the control API calls a user makes while a scale run is under way, timed —
// `docker service inspect` (get_service with defaults inserted), `docker service ps -f
// desired-state=running` (list_tasks filtered by service and desired state) and `docker
// node ls` (list_nodes) — one round every `interval` from its own thread, against
// whichever service the run names. Latency is the control API call itself, from the
// call to its result (what the HTTP layer then encodes is not included).
//
// Thread safety: start()/stop()/samples() from one thread; set_service() from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "manager/controlapi/context.h"

namespace shoal::scale {

struct ApiSamples {
  std::vector<double> inspect_ms;    // get_service(insert_defaults)
  std::vector<double> task_list_ms;  // list_tasks{service, desired-state running}
  std::vector<double> node_list_ms;  // list_nodes{}
  uint64_t errors = 0;               // calls that returned an error
};

// The p-th percentile (0 ≤ p ≤ 1) by nearest rank of `values`; 0 for none.
double percentile(std::vector<double> values, double p);

class ApiSampler {
 public:
  // `ctx` must outlive the sampler.
  ApiSampler(const manager::controlapi::Context& ctx, std::chrono::milliseconds interval)
      : ctx_(ctx), interval_(interval) {}
  ~ApiSampler();  // stop()
  ApiSampler(const ApiSampler&) = delete;
  ApiSampler& operator=(const ApiSampler&) = delete;

  // The service the service calls ask about ("" = skip them).
  void set_service(std::string id);
  // REQUIRES: not started.
  void start();
  // Joins the thread. Idempotent.
  void stop();
  // What was measured so far. REQUIRES: stopped.
  const ApiSamples& samples() const { return samples_; }

 private:
  void run();
  void round(const std::string& service);

  const manager::controlapi::Context& ctx_;
  const std::chrono::milliseconds interval_;
  ApiSamples samples_;  // sampler thread while running

  Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::string service_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace shoal::scale
