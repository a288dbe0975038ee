#include "scale/api_sampler.h"

#include <pthread.h>

#include <algorithm>
#include <cmath>

#include "common/mutex.h"
#include "manager/controlapi/node.h"
#include "manager/controlapi/service.h"
#include "manager/controlapi/task.h"

namespace shoal::scale {

namespace {

using Steady = std::chrono::steady_clock;

// Runs `call`, adds its duration to `into` and counts a failure in `errors`.
template <typename Call>
void timed(std::vector<double>& into, uint64_t& errors, Call&& call) {
  auto start = Steady::now();
  bool ok = call();
  into.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
  if (!ok) ++errors;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double rank = std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(values.size()));
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

ApiSampler::~ApiSampler() { stop(); }

void ApiSampler::set_service(std::string id) {
  MutexLock lock(mu_);
  service_ = std::move(id);
}

void ApiSampler::start() {
  thread_ = std::thread([this] { run(); });
}

void ApiSampler::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ApiSampler::run() {
  pthread_setname_np(pthread_self(), "api sampler");
  MutexLock lock(mu_);
  while (!stopping_) {
    std::string service = service_;
    lock.unlock();
    round(service);
    lock.lock();
    cv_.wait_for(lock, interval_, [&]() REQUIRES(mu_) { return stopping_; });
  }
}

void ApiSampler::round(const std::string& service) {
  namespace c = manager::controlapi;
  if (!service.empty()) {
    timed(samples_.inspect_ms, samples_.errors,
          [&] { return c::get_service(ctx_, service, /*insert_defaults=*/true).is_ok(); });
    c::TaskFilters filters;
    filters.services = {service};
    filters.desired_states = {api::TaskState::kRunning};
    timed(samples_.task_list_ms, samples_.errors,
          [&] { return c::list_tasks(ctx_, filters).is_ok(); });
  }
  timed(samples_.node_list_ms, samples_.errors,
        [&] { return c::list_nodes(ctx_, c::NodeFilters{}).is_ok(); });
}

}  // namespace shoal::scale
