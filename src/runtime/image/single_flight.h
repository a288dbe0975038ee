// SingleFlight: concurrent calls for the same key share one execution. The first caller
// runs the function; callers that arrive while it runs wait and get a copy of its result.
// A call that arrives after it finished runs again (nothing is cached).
//
// Used for pulls (one download per image, however many tasks ask) and layer unpacks (one
// per diff ID, however many images share it).
//
// Thread safety: run() may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/mutex.h"

namespace shoal::runtime::image {

template <typename V>
class SingleFlight {
 public:
  // fn's result for `key`, from this call or from the one in progress. `*shared` (when
  // given) tells whether the result came from another caller's run.
  V run(const std::string& key, const std::function<V()>& fn, bool* shared = nullptr) {
    std::shared_ptr<Call> call;
    bool leader = false;
    {
      MutexLock lock(mu_);
      auto& slot = calls_[key];
      if (!slot) {
        slot = std::make_shared<Call>();
        leader = true;
      }
      call = slot;
    }
    if (shared) *shared = !leader;
    if (!leader) {
      MutexLock lock(mu_);
      cv_.wait(lock, [&]() REQUIRES(mu_) { return call->value.has_value(); });
      return *call->value;
    }
    V value = fn();
    {
      MutexLock lock(mu_);
      call->value = value;
      calls_.erase(key);
    }
    cv_.notify_all();
    return value;
  }

 private:
  struct Call {
    std::optional<V> value;
  };
  Mutex mu_;
  CondVar cv_;
  std::map<std::string, std::shared_ptr<Call>> calls_;
};

}  // namespace shoal::runtime::image
