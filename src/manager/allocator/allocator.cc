#include "manager/allocator/allocator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "manager/task_order.h"

namespace shoal::manager::allocator {

namespace {

using OwnCommits = absl::flat_hash_map<const void*, std::shared_ptr<const void>>;

SubnetPool default_pool() { return SubnetPool::make({}, 0).value(); }

// Writes `unit` if its object is still the version it was planned from.
template <typename T>
Status write_unit(store::WriteTxn& tx, const Unit<T>& unit, char* written) {
  auto current = tx.get<T>(unit.base->ID);
  if (!current || current->Version.Index != unit.base->Version.Index) return Status::ok();
  *written = 1;
  return tx.update(unit.planned);
}

template <typename T>
Status write_all(store::Batch& batch, const std::vector<Unit<T>>& units,
                 std::vector<char>& written) {
  written.assign(units.size(), 0);
  for (size_t i = 0; i < units.size(); ++i) {
    SHOAL_RETURN_IF_ERROR(
        batch.update([&](store::WriteTxn& tx) { return write_unit(tx, units[i], &written[i]); }));
  }
  return Status::ok();
}

// After a commit: units not written (or all of them, if the commit failed) give their claims
// back; written ones are remembered so that their events change nothing.
template <typename T>
void settle(AllocState& state, OwnCommits& own, const std::vector<Unit<T>>& units,
            const std::vector<char>& written, bool failed) {
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit<T>& unit = units[i];
    if (failed || i >= written.size() || !written[i]) {
      state.unhold(unit.planned);
      state.hold(*unit.base);
    } else {
      own.emplace(unit.base.get(), unit.base);
    }
  }
}

// Whether two versions of a task hold the same addresses.
bool same_holdings(const api::Task& a, const api::Task& b) {
  bool holds_a = a.Status.State <= api::TaskState::kRunning;
  bool holds_b = b.Status.State <= api::TaskState::kRunning;
  if (holds_a != holds_b) return false;
  if (!holds_a) return true;
  return std::equal(a.NetworksAttachments.begin(), a.NetworksAttachments.end(),
                    b.NetworksAttachments.begin(), b.NetworksAttachments.end(),
                    [](const api::NetworkAttachment& x, const api::NetworkAttachment& y) {
                      return x.Network.ID == y.Network.ID && x.Addresses == y.Addresses;
                    });
}

bool same_allocation(const api::Network& a, const api::Network& b) {
  return is_allocated(a) == is_allocated(b) && allocated_subnet(a) == allocated_subnet(b) &&
         a.DriverState.Options == b.DriverState.Options &&
         (ipv4_config(a.IPAMOptions) == nullptr) == (ipv4_config(b.IPAMOptions) == nullptr) &&
         (ipv4_config(a.IPAMOptions) == nullptr ||
          (ipv4_config(a.IPAMOptions)->Gateway == ipv4_config(b.IPAMOptions)->Gateway &&
           ipv4_config(a.IPAMOptions)->Range == ipv4_config(b.IPAMOptions)->Range));
}

}  // namespace

Allocator::Allocator(store::Store& store) : store_(store), state_(default_pool()) {}

store::WatchFilter Allocator::filter() const {
  return store::WatchFilter::of(
      {store::Kind::kCluster, store::Kind::kNetwork, store::Kind::kService, store::Kind::kTask});
}

void Allocator::set_pool(const api::Swarm* cluster) {
  std::vector<std::string> pools = cluster ? cluster->DefaultAddrPool : std::vector<std::string>{};
  uint32_t size = cluster ? cluster->SubnetSize : 0;
  if (pools == pool_config_ && size == subnet_size_) return;
  pool_config_ = pools;
  subnet_size_ = size;
  auto pool = SubnetPool::make(pools, size);
  if (!pool.is_ok()) {
    spdlog::error("allocator: cluster address pool: {}; using {}/{}", pool.status().message(),
                  kDefaultAddrPool, kDefaultSubnetSize);
  }
  state_.reset_pool(pool.is_ok() ? std::move(pool).value() : default_pool(), networks_);
  networks_dirty_ = true;
}

void Allocator::on_snapshot(const store::ReadTxn& snapshot) {
  state_ = AllocState(default_pool());
  pool_config_.clear();
  subnet_size_ = 0;
  networks_.clear();
  dirty_services_.clear();
  failed_services_.clear();
  new_tasks_.clear();
  fresh_tasks_.clear();
  own_commits_.clear();
  logged_.clear();
  tasks_waiting_ = false;

  std::shared_ptr<const api::Swarm> cluster;
  snapshot.for_each<api::Swarm>(store::by::All{}, [&](const std::shared_ptr<const api::Swarm>& c) {
    cluster = c;
    return false;  // the first (the only) one
  });
  auto pool = SubnetPool::make(cluster ? cluster->DefaultAddrPool : std::vector<std::string>{},
                               cluster ? cluster->SubnetSize : 0);
  if (pool.is_ok()) state_ = AllocState(std::move(pool).value());
  if (cluster) {
    pool_config_ = cluster->DefaultAddrPool;
    subnet_size_ = cluster->SubnetSize;
  }
  // Networks first: services and tasks hold addresses in them.
  snapshot.for_each<api::Network>(store::by::All{}, [&](const NetworkPtr& n) {
    networks_[n->ID] = n;
    state_.hold(*n);
  });
  snapshot.for_each<api::Service>(store::by::All{}, [&](const ServicePtr& s) { state_.hold(*s); });
  snapshot.for_each<api::Task>(store::by::All{}, [&](const TaskPtr& t) {
    state_.hold(*t);
    if (t->Status.State == api::TaskState::kNew) new_tasks_[t->ID] = t;
  });
  networks_dirty_ = true;
  all_services_dirty_ = true;
  retry_tasks_ = true;
}

bool Allocator::own_commit(const store::AnyObject& old) {
  const void* key = std::visit([](const auto& p) -> const void* { return p.get(); }, old);
  return key != nullptr && own_commits_.erase(key) > 0;
}

void Allocator::on_event(const store::Event& event) {
  bool own = own_commit(event.old_object);
  switch (event.kind) {
    case store::Kind::kCluster:
      set_pool(event.new_as<api::Swarm>().get());  // deleted: Docker's defaults
      break;
    case store::Kind::kNetwork: {
      const auto& old = event.old_as<api::Network>();
      const auto& now = event.new_as<api::Network>();
      if (!own && !(old && now && same_allocation(*old, *now))) {
        if (old) state_.unhold(*old);
        if (now) state_.hold(*now);
      }
      on_network(old, now);
      break;
    }
    case store::Kind::kService: {
      const auto& old = event.old_as<api::Service>();
      const auto& now = event.new_as<api::Service>();
      if (!own) {
        if (old) state_.unhold(*old);
        if (now) state_.hold(*now);
      }
      if (!own) on_service(old, now);
      break;
    }
    case store::Kind::kTask: {
      const auto& old = event.old_as<api::Task>();
      const auto& now = event.new_as<api::Task>();
      if (!own && !(old && now && same_holdings(*old, *now))) {
        if (old) state_.unhold(*old);
        if (now) state_.hold(*now);
        // Addresses freed: a task waiting for one may get it now.
        if (old && !old->NetworksAttachments.empty() && tasks_waiting_) retry_tasks_ = true;
      }
      on_task(old, now);
      break;
    }
    default:
      break;
  }
}

void Allocator::on_network(const NetworkPtr& old, const NetworkPtr& now) {
  if (now) {
    networks_[now->ID] = now;
    if (!is_allocated(*now)) networks_dirty_ = true;
  } else if (old) {
    networks_.erase(old->ID);
    networks_dirty_ = true;  // its subnet is free again
  }
  // Names resolve differently, the ingress network may have come or gone, a network may be
  // allocated now: services and waiting tasks are planned again.
  all_services_dirty_ = true;
  retry_tasks_ = true;
}

void Allocator::on_service(const ServicePtr& old, const ServicePtr& now) {
  if (now) {
    dirty_services_.insert(now->ID);
  } else if (old) {
    dirty_services_.erase(old->ID);
    failed_services_.erase(old->ID);
  }
  // A port or an address may have been freed for a service that could not get one.
  dirty_services_.insert(failed_services_.begin(), failed_services_.end());
}

void Allocator::on_task(const TaskPtr& old, const TaskPtr& now) {
  if (now && now->Status.State == api::TaskState::kNew) {
    // New, or changed (a write of this allocator's may have been skipped for it): plan it.
    new_tasks_.insert_or_assign(now->ID, now);
    fresh_tasks_.insert(now->ID);
    return;
  }
  const std::string& id = now ? now->ID : old->ID;
  new_tasks_.erase(id);
  fresh_tasks_.erase(id);
}

std::optional<Timestamp> Allocator::tick(Timestamp now) {
  own_commits_.clear();
  bool ok = true;
  if (networks_dirty_) ok = allocate_networks(now);
  bool tasks_to_plan = !fresh_tasks_.empty() || (retry_tasks_ && !new_tasks_.empty());
  if (all_services_dirty_ || !dirty_services_.empty() || tasks_to_plan) {
    ok = allocate_services_and_tasks(now) && ok;
  }
  if (ok) return std::nullopt;
  return now + kRetryDelay;
}

bool Allocator::allocate_networks(Timestamp) {
  networks_dirty_ = false;
  std::vector<NetworkPtr> todo;
  for (const auto& [id, network] : networks_) {
    if (!is_allocated(*network)) todo.push_back(network);
  }
  if (todo.empty()) return true;
  std::vector<PlanError> errors;
  std::vector<Unit<api::Network>> units = plan_networks(state_, std::move(todo), errors);
  log_errors(errors);
  if (units.empty()) return true;
  std::vector<char> written;
  Status status =
      store_.batch([&](store::Batch& batch) { return write_all(batch, units, written); });
  settle(state_, own_commits_, units, written, !status.is_ok());
  if (status.is_ok()) return true;
  spdlog::warn("allocator: commit failed, retrying: {}", status.to_string());
  networks_dirty_ = true;
  return false;
}

Allocator::Inputs Allocator::read_inputs(const std::vector<TaskPtr>& tasks) {
  Inputs in;
  store::ReadTxn view = store_.view();
  view.for_each<api::Network>(store::by::All{}, [&](const NetworkPtr& n) { in.networks.add(n); });
  if (all_services_dirty_) {
    in.services = view.find<api::Service>();
  } else {
    for (const std::string& id : dirty_services_) {
      if (auto s = view.get<api::Service>(id)) in.services.push_back(std::move(s));
    }
    std::sort(in.services.begin(), in.services.end(),
              [](const ServicePtr& a, const ServicePtr& b) { return a->ID < b->ID; });
  }
  for (const TaskPtr& t : tasks) {
    auto [it, inserted] = in.services_of_tasks.try_emplace(t->ServiceID);
    if (inserted && !t->ServiceID.empty()) it->second = view.get<api::Service>(t->ServiceID);
  }
  return in;
}

bool Allocator::allocate_services_and_tasks(Timestamp now) {
  std::vector<TaskPtr> todo;
  for (const auto& [id, task] : new_tasks_) {
    if (retry_tasks_ || fresh_tasks_.contains(id)) todo.push_back(task);
  }
  sort_by_service_slot_id(todo);
  Inputs in = read_inputs(todo);  // the snapshot is released before planning
  all_services_dirty_ = false;
  dirty_services_.clear();
  retry_tasks_ = false;
  fresh_tasks_.clear();

  std::vector<PlanError> errors;
  auto service_units = plan_services(state_, in.networks, in.services, errors);
  failed_services_.clear();
  for (const PlanError& e : errors) failed_services_.insert(e.id);
  log_errors(errors);
  // Tasks copy their service's endpoint: the one planned in this tick when there is one.
  for (const auto& u : service_units) {
    auto it = in.services_of_tasks.find(u.base->ID);
    if (it != in.services_of_tasks.end()) it->second = std::make_shared<api::Service>(u.planned);
  }
  // Tasks are planned and written kTasksPerChunk at a time: a tick may take 100,000 new
  // tasks, and their planned copies need not all exist at once.
  size_t to_pending = 0;
  for (size_t begin = 0; begin == 0 || begin < todo.size(); begin += kTasksPerChunk) {
    size_t end = std::min(todo.size(), begin + kTasksPerChunk);
    std::vector<TaskPtr> chunk(todo.begin() + static_cast<std::ptrdiff_t>(begin),
                               todo.begin() + static_cast<std::ptrdiff_t>(end));
    auto task_units = plan_tasks(
        state_, in.networks, chunk,
        [&](const std::string& id) { return in.services_of_tasks.at(id); }, now);
    to_pending += std::count_if(task_units.begin(), task_units.end(), [](const auto& u) {
      return u.planned.Status.State == api::TaskState::kPending;
    });
    if (!write_units(begin == 0 ? service_units : decltype(service_units){}, task_units)) {
      retry_tasks_ = true;  // this chunk's claims are undone; the rest is planned again
      return false;
    }
  }
  tasks_waiting_ = to_pending < todo.size();
  return true;
}

bool Allocator::write_units(const std::vector<Unit<api::Service>>& service_units,
                            const std::vector<Unit<api::Task>>& task_units) {
  if (service_units.empty() && task_units.empty()) return true;
  std::vector<char> services_written, tasks_written;
  Status status = store_.batch([&](store::Batch& batch) {
    SHOAL_RETURN_IF_ERROR(write_all(batch, service_units, services_written));
    return write_all(batch, task_units, tasks_written);
  });
  settle(state_, own_commits_, service_units, services_written, !status.is_ok());
  settle(state_, own_commits_, task_units, tasks_written, !status.is_ok());
  if (status.is_ok()) return true;
  spdlog::warn("allocator: commit failed, retrying: {}", status.to_string());
  for (const auto& u : service_units) dirty_services_.insert(u.base->ID);
  return false;
}

void Allocator::log_errors(const std::vector<PlanError>& errors) {
  for (const PlanError& e : errors) {
    if (logged_.insert(e.message).second) spdlog::warn("allocator: {}", e.message);
  }
}

std::unique_ptr<Reconciler> make_allocator(AllocatorDeps deps) {
  return std::make_unique<Allocator>(deps.store);
}

}  // namespace shoal::manager::allocator
