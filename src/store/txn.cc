#include "store/txn.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <vector>

#include "common/mutex.h"

namespace shoal::store {
namespace {
thread_local int t_read_txns = 0;
// The store mutexes this thread holds shared through ReadTxns.
thread_local std::vector<const absl::Mutex*> t_shared_locks;

// Takes `mu` shared unless this thread already does; the analysis cannot follow a lock
// taken on one path only, which ~ReadTxn releases.
absl::Mutex* lock_shared(absl::Mutex* mu) NO_THREAD_SAFETY_ANALYSIS {
  if (std::find(t_shared_locks.begin(), t_shared_locks.end(), mu) != t_shared_locks.end()) {
    return nullptr;  // nested: the outer ReadTxn's lock covers this one
  }
  mu->ReaderLock();
  t_shared_locks.push_back(mu);
  return mu;
}

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kCluster:
      return "cluster";
    case Kind::kNode:
      return "node";
    case Kind::kService:
      return "service";
    case Kind::kTask:
      return "task";
    case Kind::kNetwork:
      return "network";
    case Kind::kSecret:
      return "secret";
    case Kind::kConfig:
      return "config";
  }
  return "object";
}

std::strong_ordering operator<=>(FoldedName a, FoldedName b) {
  size_t n = std::min(a.text.size(), b.text.size());
  for (size_t i = 0; i < n; ++i) {
    char x = fold(a.text[i]);
    char y = fold(b.text[i]);
    if (x != y) return static_cast<unsigned char>(x) <=> static_cast<unsigned char>(y);
  }
  return a.text.size() <=> b.text.size();
}

uint64_t prefix_rank(FoldedName name) {
  uint64_t r = 0;
  for (size_t i = 0; i < 8; ++i) {
    r = (r << 8) | (i < name.text.size() ? static_cast<unsigned char>(fold(name.text[i])) : 0u);
  }
  return r;
}

bool folded_starts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         FoldedName{text.substr(0, prefix.size())} == FoldedName{prefix};
}

std::string task_name(const api::Task& task, std::string_view service_name) {
  if (!task.Name.empty()) return task.Name;
  std::string name(service_name);
  name += '.';
  name += task.Slot != 0 ? std::to_string(task.Slot) : task.NodeID;
  name += '.';
  name += task.ID;
  return name;
}

namespace internal {
int read_txns_held_by_this_thread() { return t_read_txns; }
}  // namespace internal

ReadTxn::ReadTxn(const Tables& tables, absl::Mutex* mu, const std::atomic<uint64_t>* revision)
    : tables_(tables),
      held_(lock_shared(mu)),
      snapshot_(true),
      revision_(revision->load(std::memory_order_acquire)),
      overlay_(nullptr) {
  ++t_read_txns;
}

ReadTxn::~ReadTxn() {
  if (held_ != nullptr) {
    auto it = std::find(t_shared_locks.rbegin(), t_shared_locks.rend(), held_);
    t_shared_locks.erase(std::next(it).base());
    held_->ReaderUnlock();
  }
  if (snapshot_) --t_read_txns;
}

std::shared_ptr<const api::Task> ReadTxn::find_task_by_name(std::string_view name) const {
  // "<service name>.<slot or node ID>.<task ID>": the task ID is after the last dot.
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return nullptr;
  auto task = get<api::Task>(name.substr(dot + 1));
  if (!task) return nullptr;
  auto service = get<api::Service>(task->ServiceID);
  std::string expected = task_name(*task, service ? std::string_view(service->Spec.Name) : "");
  return expected == name ? task : nullptr;
}

void WriteTxn::canonicalize(api::Task& task) {
  if (!task.Spec) task.Spec = api::TaskSpec::empty();
  task.Spec = pool_->intern(task.Spec, &aliases_)->spec;
}

void WriteTxn::begin_unit() {
  recording_ = true;
  unit_start_ = overlay_.order.size();
  undo_.clear();
}

void WriteTxn::end_unit() {
  recording_ = false;
  undo_.clear();
}

void WriteTxn::rollback_unit() {
  // New entries are erased by their undo step; drop their order entries first, since those
  // view the keys being erased.
  overlay_.order.resize(unit_start_);
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    const internal::Undo& undo = *it;
    visit_kind(undo.kind, [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      auto& pending = overlay_.of<T>();
      auto entry = pending.find(undo.key);
      if (undo.inserted) {
        pending.erase(entry);
      } else {
        entry->second.after = std::static_pointer_cast<const T>(undo.after);
      }
    });
  }
  end_unit();
}

}  // namespace shoal::store
