#include "etcd/follower.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace shoal::etcd {

Follower::Follower(store::Store& store, EtcdDatastore& datastore, std::shared_ptr<Client> client,
                   std::string prefix, RecordOpener open)
    : store_(store),
      datastore_(datastore),
      client_(std::move(client)),
      prefix_(std::move(prefix)),
      revision_key_(prefix_ + "revision"),
      open_(std::move(open)) {}

Follower::~Follower() { stop(); }

void Follower::start() {
  MutexLock lock(mu_);
  if (started_) return;
  started_ = true;
  applied_ = datastore_.level_at();
  watcher_ = std::make_unique<Watcher>(
      client_, prefix_, applied_, [this](WatchedRevision w) { on_revision(std::move(w)); },
      [this](Status why) { lost_track(why); });
  reloader_ = std::thread([this] { reload_loop(); });
}

void Follower::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (reloader_.joinable()) reloader_.join();  // it starts no watcher once stopping
  std::unique_ptr<Watcher> watcher;
  {
    MutexLock lock(mu_);
    watcher = std::move(watcher_);
  }
  if (watcher) watcher->stop();  // its callbacks see stopping_ and return
}

void Follower::on_revision(WatchedRevision watched) {
  {
    MutexLock lock(mu_);
    if (stopping_ || reload_) return;
  }
  uint64_t store_revision = 0;
  std::vector<store::Record> records;
  std::deque<std::string> opened;
  Status applied = datastore_.decode_commit(watched, &store_revision, &records);
  if (applied.is_ok() && open_) applied = open_(&records, &opened);
  if (applied.is_ok()) applied = store_.apply_replicated(store_revision, records);
  if (!applied.is_ok()) {
    lost_track(applied);
    return;
  }
  datastore_.followed(store_revision, watched.revision);
  {
    MutexLock lock(mu_);
    applied_ = watched.revision;
  }
  changed_.notify_all();
}

void Follower::lost_track(const Status& why) {
  spdlog::warn("etcd follower: lost track of the leader's commits ({}); reloading the store",
               why.message());
  {
    MutexLock lock(mu_);
    reload_ = true;
  }
  changed_.notify_all();
}

void Follower::reload_loop() {
  while (true) {
    std::unique_ptr<Watcher> watcher;
    {
      MutexLock lock(mu_);
      changed_.wait(lock, [&] {
        mu_.assert_held();  // wait runs the predicate under the lock
        return stopping_ || reload_;
      });
      if (stopping_) return;
      watcher = std::move(watcher_);
    }
    if (watcher) watcher->stop();  // not from its own thread: this is the reloader's
    watcher.reset();
    std::chrono::milliseconds backoff(100);
    Status reloaded;
    while (!(reloaded = store_.reload()).is_ok()) {
      spdlog::warn("etcd follower: reloading the store: {}; again in {} ms", reloaded.message(),
                   backoff.count());
      MutexLock lock(mu_);
      if (changed_.wait_for(lock, backoff, [&] {
            mu_.assert_held();  // as above
            return stopping_;
          }))
        return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
    MutexLock lock(mu_);
    if (stopping_) return;
    reload_ = false;
    ++reloads_;
    applied_ = datastore_.level_at();
    watcher_ = std::make_unique<Watcher>(
        client_, prefix_, applied_, [this](WatchedRevision w) { on_revision(std::move(w)); },
        [this](Status why) { lost_track(why); });
    lock.unlock();
    changed_.notify_all();
  }
}

Status Follower::catch_up(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    MutexLock lock(mu_);
    if (!started_ || stopping_) return Status(Code::kUnavailable, "etcd follower is not running");
  }
  auto head = client_->range(revision_key_, "", 0, 1);
  if (!head.is_ok()) {
    return error(head.status().code(), "etcd follower: cannot read the leader's last commit: {}",
                 head.status().message());
  }
  const int64_t target = head->kvs_size() > 0 ? head->kvs(0).mod_revision() : 0;
  MutexLock lock(mu_);
  bool level = changed_.wait_until(lock, deadline, [&] {
    mu_.assert_held();  // as above
    return stopping_ || (!reload_ && applied_ >= target);
  });
  if (stopping_) return Status(Code::kUnavailable, "etcd follower stopped");
  if (!level) {
    return error(Code::kUnavailable,
                 "etcd follower: still at etcd revision {} after {} ms, the leader's last commit "
                 "is at {}",
                 applied_, timeout.count(), target);
  }
  return Status::ok();
}

int64_t Follower::applied() const {
  MutexLock lock(mu_);
  return applied_;
}

int Follower::reloads() const {
  MutexLock lock(mu_);
  return reloads_;
}

}  // namespace shoal::etcd
