#include "scale/report_pump.h"

#include "common/mutex.h"

namespace shoal::scale {

ReportPump::~ReportPump() { stop(); }

void ReportPump::start(size_t threads) {
  {
    MutexLock lock(mu_);
    stopping_ = false;
  }
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i)
    threads_.emplace_back([this] { run(); });
}

void ReportPump::stop() {
  std::deque<Item> left;
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  {
    MutexLock lock(mu_);
    left.swap(queue_);
  }
  for (Item& item : left) item.done(error(Code::kUnavailable, "fleet stopped"));
}

void ReportPump::push(protocol::DispatcherClient* client, protocol::UpdateTaskStatusRequest request,
                      std::function<void(Status)> done) {
  {
    MutexLock lock(mu_);
    if (!stopping_) {
      queue_.push_back(Item{client, std::move(request), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(error(Code::kUnavailable, "fleet stopped"));
}

void ReportPump::run() {
  MutexLock lock(mu_);
  while (true) {
    cv_.wait(lock, [&]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    item.client->update_task_status_async(std::move(item.request), std::move(item.done));
    lock.lock();
  }
}

}  // namespace shoal::scale
