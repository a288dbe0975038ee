#include "etcd/watcher.h"

#include <grpcpp/client_context.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace shoal::etcd {

Watcher::Watcher(std::shared_ptr<Client> client, std::string prefix, int64_t after_revision,
                 OnRevision on_revision, OnEnd on_end)
    : client_(std::move(client)),
      prefix_(std::move(prefix)),
      on_revision_(std::move(on_revision)),
      on_end_(std::move(on_end)),
      delivered_(after_revision) {
  thread_ = std::thread([this] { run(); });
}

Watcher::~Watcher() { stop(); }

void Watcher::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    if (stream_ != nullptr) stream_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t Watcher::delivered() const {
  MutexLock lock(mu_);
  return delivered_;
}

void Watcher::run() {
  std::chrono::milliseconds backoff(100);
  while (true) {
    Status ended = watch_once();
    MutexLock lock(mu_);
    if (stopping_) return;
    if (ended.code() == Code::kOutOfSequence) {
      lock.unlock();
      on_end_(ended);
      return;
    }
    // The stream broke (a member went away, the connection dropped): open another from the
    // revision after the last one delivered.
    spdlog::debug("etcd watch of {}: {}; again in {} ms", prefix_, ended.message(),
                  backoff.count());
    if (wake_.wait_for(lock, backoff, [&] {
          mu_.assert_held();  // wait_for runs the predicate under the lock
          return stopping_;
        }))
      return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

Status Watcher::watch_once() {
  auto stub = etcdserverpb::Watch::NewStub(client_->channel());
  grpc::ClientContext context;
  int64_t from = 0;
  {
    MutexLock lock(mu_);
    if (stopping_) return Status::ok();
    stream_ = &context;
    from = delivered_ + 1;
  }
  auto stream = stub->Watch(&context);
  etcdserverpb::WatchRequest request;
  auto* create = request.mutable_create_request();
  create->set_key(prefix_);
  create->set_range_end(prefix_end(prefix_));
  create->set_start_revision(from);

  Status ended(Code::kUnavailable, "the watch stream ended");
  etcdserverpb::WatchResponse response;
  if (stream->Write(request)) {
    while (stream->Read(&response)) {
      if (response.compact_revision() > 0) {
        ended = error(Code::kOutOfSequence,
                      "etcd watch: revision {} has been compacted (the oldest kept is {}); "
                      "reload",
                      from, response.compact_revision());
        break;
      }
      if (response.canceled()) {
        ended = error(Code::kUnavailable, "etcd watch canceled: {}", response.cancel_reason());
        break;
      }
      // A transaction's events arrive together, in one response, with its revision.
      WatchedRevision batch;
      auto deliver = [&] {
        if (batch.changes.empty()) return;
        from = batch.revision + 1;
        on_revision_(std::move(batch));
        MutexLock lock(mu_);
        delivered_ = from - 1;
        batch = WatchedRevision{};
      };
      for (const auto& event : response.events()) {
        const int64_t revision = event.kv().mod_revision();
        if (revision != batch.revision) deliver();
        batch.revision = revision;
        WatchedChange change;
        change.key = event.kv().key();
        if (event.type() == mvccpb::Event::DELETE) {
          change.op = WatchedChange::Op::kDelete;
        } else {
          change.value = event.kv().value();
        }
        batch.changes.push_back(std::move(change));
      }
      deliver();
    }
  }
  {
    MutexLock lock(mu_);
    stream_ = nullptr;
  }
  context.TryCancel();
  stream->Finish();
  return ended;
}

}  // namespace shoal::etcd
