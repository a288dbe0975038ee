// A tiny in-memory cluster for planner tests: one service, its tasks, nodes, and a fake
// scheduler and agent that move tasks along. Plans are applied the way commit_plan would
// (Version bumped, CreatedAt stamped), without a store.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/task_lifecycle.h"
#include "manager/orchestrator/global.h"
#include "manager/orchestrator/inputs.h"
#include "manager/orchestrator/jobs.h"
#include "manager/orchestrator/replicated.h"

namespace shoal::manager::orchestrator::testing {

using namespace std::chrono_literals;

inline Timestamp t0() { return Timestamp::from_unix_nanos(1'700'000'000'000'000'000); }

inline std::shared_ptr<const api::Node> make_node(
    const std::string& id, api::NodeState state = api::NodeState::kReady,
    api::NodeAvailability availability = api::NodeAvailability::kActive,
    api::StringMap labels = {}) {
  api::Node node;
  node.ID = id;
  node.Spec.Role = api::NodeRole::kWorker;
  node.Spec.Availability = availability;
  node.Spec.Labels = std::move(labels);
  node.Description.Hostname = "host-" + id;
  node.Status.State = state;
  return std::make_shared<const api::Node>(std::move(node));
}

inline api::Service replicated_service(uint64_t replicas, const std::string& image = "busybox") {
  api::Service s;
  s.ID = "svc1";
  s.Version.Index = 1;
  s.Spec.Name = "web";
  s.Spec.Labels = {{"svc-label", "x"}};
  s.Spec.TaskTemplate.ContainerSpec.emplace();
  s.Spec.TaskTemplate.ContainerSpec->Image = image;
  s.Spec.Mode.Replicated.emplace();
  s.Spec.Mode.Replicated->Replicas = replicas;
  return s;
}

inline api::Service global_service(const std::string& image = "busybox") {
  api::Service s = replicated_service(0, image);
  s.Spec.Mode = {};
  s.Spec.Mode.Global.emplace();
  return s;
}

class World {
 public:
  explicit World(api::Service service)
      : service_(std::make_shared<api::Service>(std::move(service))) {}

  Timestamp now = t0();
  std::unique_ptr<IdGenerator> ids = std::make_unique<IdGenerator>(42);
  NodeMap nodes;
  std::map<std::string, api::Task> tasks;  // by ID
  RunningSince running_since;

  const api::Service& service() const { return *service_; }
  // Edits the service as the control API would (new Version).
  template <typename Fn>
  void edit_service(Fn&& fn) {
    auto next = std::make_shared<api::Service>(*service_);
    fn(*next);
    next->Version.Index = ++version_;
    service_ = std::move(next);
  }

  void add_node(std::shared_ptr<const api::Node> node) { nodes[node->ID] = std::move(node); }

  // One planning pass (does not apply it).
  Plan plan() {
    ServiceInputs in;
    in.service = service_;
    in.tmpl = &templates_.get(*service_);
    for (const auto& [id, t] : tasks) in.tasks.push_back(std::make_shared<const api::Task>(t));
    in.nodes = &nodes;
    in.running_since = &running_since;
    in.now = now;
    in.ids = ids.get();
    const api::ServiceMode& mode = service_->Spec.Mode;
    if (mode.Global) return plan_global(in);
    if (mode.ReplicatedJob) return plan_replicated_job(in);
    if (mode.GlobalJob) return plan_global_job(in);
    return plan_replicated(in);
  }

  // Applies a plan as commit_plan would (no conflicts possible here).
  void apply(const Plan& plan) {
    if (plan.service_update()) {
      auto next = std::make_shared<api::Service>(*plan.service_update());
      next->Version.Index = ++version_;
      service_ = std::move(next);
    }
    for (const Unit& unit : plan.units()) {
      for (const TaskPtr& created : unit.creates) {
        api::Task t = *created;
        t.CreatedAt = t.UpdatedAt = now;
        t.Version.Index = ++version_;
        tasks[t.ID] = std::move(t);
      }
      for (const TaskPtr& updated : unit.updates) {
        api::Task t = *updated;
        ASSERT_EQ(tasks.at(t.ID).Version, t.Version) << "stale update of " << t.ID;
        t.Version.Index = ++version_;
        t.UpdatedAt = now;
        tasks[t.ID] = std::move(t);
      }
      for (const Deletion& d : unit.deletes) tasks.erase(d.id);
    }
  }

  // plan() then apply(); returns the plan.
  Plan step() {
    Plan p = plan();
    apply(p);
    return p;
  }

  // Moves a task's observed state (the agent's report).
  void report(const std::string& id, api::TaskState state) {
    api::Task& t = tasks.at(id);
    api::TaskState before = t.Status.State;
    ASSERT_TRUE(api::advance_task(t, state, "", now).is_ok());
    t.Version.Index = ++version_;
    if (state == api::TaskState::kRunning && before < api::TaskState::kRunning) {
      running_since[id] = now;
    }
  }

  // The fake scheduler and agent: unassigned wanted tasks go to `node` (global ones keep
  // theirs); tasks desired running (or complete) start; tasks desired to stop stop.
  void agent(const std::string& node = "n1") {
    for (auto& [id, t] : tasks) {
      if (api::is_terminal(t.Status.State)) continue;
      if (t.DesiredState > api::TaskState::kComplete) {
        if (t.Status.State >= api::TaskState::kAssigned) report(id, api::TaskState::kShutdown);
        continue;
      }
      if (t.Status.State < api::TaskState::kAssigned) {
        if (t.NodeID.empty()) t.NodeID = node;
        report(id, api::TaskState::kAssigned);
      }
      if ((t.DesiredState == api::TaskState::kRunning ||
           t.DesiredState == api::TaskState::kComplete) &&
          t.Status.State < api::TaskState::kRunning) {
        report(id, api::TaskState::kRunning);
      }
    }
  }

  // Alternates planning and the agent until a plan changes nothing (at most `rounds`).
  int settle(int rounds = 50) {
    for (int i = 0; i < rounds; ++i) {
      Plan p = step();
      agent();
      if (p.empty()) return i;
    }
    ADD_FAILURE() << "did not settle in " << rounds << " rounds";
    return rounds;
  }

  // Tasks desired at most `limit`, by slot then ID.
  std::vector<const api::Task*> active(api::TaskState limit = api::TaskState::kRunning) const {
    std::vector<const api::Task*> out;
    for (const auto& [id, t] : tasks) {
      if (t.DesiredState <= limit) out.push_back(&t);
    }
    std::sort(out.begin(), out.end(), [](const api::Task* a, const api::Task* b) {
      return a->Slot != b->Slot ? a->Slot < b->Slot : a->ID < b->ID;
    });
    return out;
  }

  size_t running_count() const {
    size_t n = 0;
    for (const auto& [id, t] : tasks) {
      if (t.Status.State == api::TaskState::kRunning && t.DesiredState <= api::TaskState::kRunning)
        n++;
    }
    return n;
  }

  // Adds a task directly (for table tests).
  api::Task& put(api::Task t) {
    if (t.CreatedAt.is_zero()) t.CreatedAt = now;
    if (t.Status.Timestamp.is_zero()) t.Status.Timestamp = t.CreatedAt;
    if (t.ServiceID.empty()) t.ServiceID = service_->ID;
    t.Version.Index = ++version_;
    std::string id = t.ID;
    return tasks[id] = std::move(t);
  }

  // A task of the current spec in `slot` on `node`, in `state`, desired `desired`.
  api::Task& put_task(const std::string& id, int64_t slot, const std::string& node,
                      api::TaskState state, api::TaskState desired = api::TaskState::kRunning) {
    api::Task t;
    t.ID = id;
    t.Slot = slot;
    t.NodeID = node;
    t.Spec = templates_.get(*service_).spec();
    t.Status.State = state;
    t.DesiredState = desired;
    return put(std::move(t));
  }

  const ServiceTemplate& tmpl() { return templates_.get(*service_); }

 private:
  std::shared_ptr<api::Service> service_;
  uint64_t version_ = 100;
  TemplateCache templates_;
};

}  // namespace shoal::manager::orchestrator::testing
