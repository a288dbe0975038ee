// AssignmentSet: what one node's agent has been told over its assignment stream, and the
// changes that bring it up to date with the store (swarmkit's assignmentSet).
//
// Which objects a node gets:
//   - every task with NodeID = the node and Status.State >= ASSIGNED, whatever its desired
//     state (terminal tasks too: the agent keeps their containers until they are deleted);
//     a deleted task (or one moved off the node) is sent as a removal;
//   - the secrets and configs referenced by the ContainerSpec of those tasks that have not
//     ended (State <= RUNNING); when the last such task ends or goes, the object is removed
//     from the node. Nothing else: a node never sees a secret its tasks do not use.
// A task already sent is sent again only when something the agent acts on changed
// (agent_visible_change()) or while it is still ASSIGNED; status changes the agent itself
// reported are not echoed back.
//
// Output: changes are merged into a ChangeMap keyed by object, so many store changes to one
// object give one change; the map orders secrets and configs before tasks.
//
// Thread safety: none; the dispatcher guards each set with its lock.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "protocol/messages.h"
#include "store/txn.h"

namespace shoal::manager::dispatcher {

// Object kinds in the order a message lists them.
enum class ItemKind : uint8_t { kSecret, kConfig, kTask };
using ItemKey = std::pair<ItemKind, std::string>;
using ChangeMap = std::map<ItemKey, protocol::AssignmentChange>;

// True when `now` differs from `sent` in what the agent acts on: desired state, spec, node,
// service, slot, name, labels, network attachments.
bool agent_visible_change(const api::Task& sent, const api::Task& now);

class AssignmentSet {
 public:
  explicit AssignmentSet(std::string node_id) : node_id_(std::move(node_id)) {}

  // Builds the complete set from `snapshot` into `out` (every change an update).
  void build(const store::ReadTxn& snapshot, ChangeMap& out);
  // Brings task `id` up to date with `snapshot` (added, updated, removed, or untouched).
  // Returns whether `out` got a change.
  bool sync_task(const store::ReadTxn& snapshot, std::string_view id, ChangeMap& out);
  // sync_task() for every task of the node and every task in the set (after the dispatcher
  // may have missed changes). Returns whether `out` got a change.
  bool resync(const store::ReadTxn& snapshot, ChangeMap& out);

  size_t task_count() const { return tasks_.size(); }
  // Secrets and configs currently assigned.
  size_t dependency_count() const { return users_.size(); }

 private:
  struct Entry {
    std::shared_ptr<const api::Task> task;  // as last sent
    bool holds_dependencies = false;
  };

  bool add_or_update(const store::ReadTxn& snapshot, const std::shared_ptr<const api::Task>& task,
                     ChangeMap& out);
  bool remove(const std::string& id, ChangeMap& out);
  void acquire(const store::ReadTxn& snapshot, const api::Task& task, ChangeMap& out);
  bool release(const api::Task& task, ChangeMap& out);

  const std::string node_id_;
  std::unordered_map<std::string, Entry> tasks_;
  // Secret/config → the IDs of the unfinished tasks using it.
  std::map<ItemKey, std::unordered_set<std::string>> users_;
};

}  // namespace shoal::manager::dispatcher
