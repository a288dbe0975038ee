// Property tests: random histories of scaling, spec changes, task failures, node outages and
// a lazy agent; after every planning pass the invariants below must hold, and once the
// chaos stops the service must converge.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;

// Desired states only rise, the planners never touch observed state, and no slot (global:
// node) ever has two tasks wanted at once.
class Invariants {
 public:
  void check(const World& w, bool per_node) {
    std::map<std::string, int> wanted;
    for (const auto& [id, t] : w.tasks) {
      auto [it, fresh] = desired_.try_emplace(id, t.DesiredState);
      EXPECT_GE(t.DesiredState, it->second) << "desired state of " << id << " was lowered";
      it->second = t.DesiredState;
      if (t.DesiredState <= TaskState::kRunning) {
        std::string key = per_node ? t.NodeID : std::to_string(t.Slot);
        EXPECT_EQ(++wanted[key], 1) << "two tasks wanted in slot " << key;
      }
      if (!per_node) {
        EXPECT_GE(t.Slot, 1);
      } else {
        EXPECT_EQ(t.Slot, 0);
        EXPECT_FALSE(t.NodeID.empty());
      }
    }
  }

 private:
  std::map<std::string, TaskState> desired_;
};

// The agent does some of its work: each task moves with probability 0.6.
void lazy_agent(World& w, std::mt19937_64& rng) {
  std::bernoulli_distribution move(0.6);
  for (auto& [id, t] : w.tasks) {
    if (api::is_terminal(t.Status.State) || !move(rng)) continue;
    const api::Node* node = t.NodeID.empty()          ? nullptr
                            : w.nodes.count(t.NodeID) ? w.nodes[t.NodeID].get()
                                                      : nullptr;
    if (node != nullptr && node->Status.State == api::NodeState::kDown) continue;  // cannot report
    if (t.DesiredState > TaskState::kRunning) {
      if (t.Status.State >= TaskState::kAssigned) w.report(id, TaskState::kShutdown);
      continue;
    }
    if (t.Status.State < TaskState::kAssigned) {
      std::vector<std::string> up;
      for (const auto& [nid, n] : w.nodes) {
        if (api::NodeState::kReady == n->Status.State &&
            n->Spec.Availability == api::NodeAvailability::kActive)
          up.push_back(nid);
      }
      if (up.empty()) continue;
      if (t.NodeID.empty()) t.NodeID = up[rng() % up.size()];
      w.report(id, TaskState::kAssigned);
    } else if (t.DesiredState == TaskState::kRunning && t.Status.State < TaskState::kRunning) {
      w.report(id, TaskState::kRunning);
    }
  }
}

void chaos(World& w, std::mt19937_64& rng, bool replicated) {
  std::uniform_int_distribution<int> pct(0, 99);
  if (replicated && pct(rng) < 10) {
    uint64_t replicas = rng() % 7;
    w.edit_service([&](api::Service& s) {
      s.PreviousSpec = s.Spec;
      s.Spec.Mode.Replicated->Replicas = replicas;
      s.UpdateStatus.reset();
    });
  }
  if (pct(rng) < 8) {
    std::string image = "busybox:" + std::to_string(rng() % 3);
    w.edit_service([&](api::Service& s) {
      s.PreviousSpec = s.Spec;
      s.Spec.TaskTemplate.ContainerSpec->Image = image;
      s.UpdateStatus.reset();
    });
  }
  if (pct(rng) < 15) {
    std::vector<std::string> running;
    for (const auto& [id, t] : w.tasks) {
      if (t.Status.State == TaskState::kRunning) running.push_back(id);
    }
    if (!running.empty()) {
      w.report(running[rng() % running.size()],
               pct(rng) < 50 ? TaskState::kFailed : TaskState::kComplete);
    }
  }
  if (pct(rng) < 8) {
    std::string node = "n" + std::to_string(1 + rng() % 3);
    static const api::NodeState states[] = {api::NodeState::kReady, api::NodeState::kDown,
                                            api::NodeState::kReady};
    static const api::NodeAvailability avail[] = {api::NodeAvailability::kActive,
                                                  api::NodeAvailability::kDrain,
                                                  api::NodeAvailability::kPause};
    w.nodes[node] = make_node(node, states[rng() % 3], avail[rng() % 3]);
  }
}

void heal(World& w) {
  for (const char* n : {"n1", "n2", "n3"}) w.nodes[n] = make_node(n);
}

// Runs a random history, then heals the cluster and lets the service converge.
void run_history(World& w, uint64_t seed, bool replicated) {
  std::mt19937_64 rng(seed);
  Invariants inv;
  heal(w);
  for (int round = 0; round < 80; ++round) {
    chaos(w, rng, replicated);
    w.step();
    inv.check(w, !replicated);
    lazy_agent(w, rng);
    w.now = w.now + std::chrono::milliseconds(rng() % 8000);
  }
  heal(w);
  for (int round = 0; round < 300; ++round) {
    w.step();
    inv.check(w, !replicated);
    lazy_agent(w, rng);
    w.now = w.now + 2s;
  }
}

TEST(OrchestratorProperty, ReplicatedConvergesToReplicasSlots) {
  for (uint64_t seed = 0; seed < 60; ++seed) {
    SCOPED_TRACE(seed);
    World w(replicated_service(3, "busybox:0"));
    run_history(w, seed, true);
    uint64_t replicas = *w.service().Spec.Mode.Replicated->Replicas;
    std::set<int64_t> slots;
    size_t running = 0;
    for (const api::Task* t : w.active()) {
      slots.insert(t->Slot);
      running += t->Status.State == TaskState::kRunning ? 1 : 0;
    }
    // Scaling down keeps the best slots (running, balanced), as swarmkit does, so the slot
    // numbers may have gaps; there are Replicas of them, each with one wanted task.
    EXPECT_EQ(slots.size(), replicas);
    EXPECT_EQ(w.active().size(), replicas);
    EXPECT_EQ(running, replicas);
    if (w.service().UpdateStatus) {
      EXPECT_NE(w.service().UpdateStatus->State, api::UpdateState::kUpdating);
      EXPECT_NE(w.service().UpdateStatus->State, api::UpdateState::kRollbackStarted);
    }
  }
}

TEST(OrchestratorProperty, GlobalConvergesToOneTaskPerNode) {
  for (uint64_t seed = 0; seed < 60; ++seed) {
    SCOPED_TRACE(seed);
    World w(global_service("busybox:0"));
    run_history(w, seed, false);
    std::set<std::string> nodes;
    size_t running = 0;
    for (const api::Task* t : w.active()) {
      nodes.insert(t->NodeID);
      running += t->Status.State == TaskState::kRunning ? 1 : 0;
    }
    EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2", "n3"}));
    EXPECT_EQ(running, 3u);
  }
}

}  // namespace
}  // namespace shoal::manager::orchestrator
