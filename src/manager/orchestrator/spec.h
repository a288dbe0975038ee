// Task specs as the orchestrators compare them: which tasks run a service's current
// TaskTemplate ("up to date"), and the one shared TaskSpec a service version's new tasks get.
//
// Two specs are equal when their store records are equal (store/codec.h): every field,
// ForceUpdate included. The store gives committed tasks of equal specs one canonical pointer
// (store/spec_pool.h), so most comparisons are a pointer compare; other pointers are encoded
// once and remembered.
//
// Thread safety: none (each reconciler owns its own).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/model.h"
#include "manager/constraint.h"

namespace shoal::manager::orchestrator {

// The content key of a spec (its store record).
std::string spec_key(const api::TaskSpec& spec);

// Remembers the key of every spec pointer it was asked about (and keeps the spec alive, so a
// pointer is never reused while remembered).
class SpecKeys {
 public:
  const std::string& key(const std::shared_ptr<const api::TaskSpec>& spec);
  // Same content.
  bool same(const std::shared_ptr<const api::TaskSpec>& a,
            const std::shared_ptr<const api::TaskSpec>& b);

 private:
  std::unordered_map<const api::TaskSpec*,
                     std::pair<std::shared_ptr<const api::TaskSpec>, std::string>>
      memo_;
};

// One version of a service's TaskTemplate.
class ServiceTemplate {
 public:
  explicit ServiceTemplate(const api::Service& service);

  // The spec new tasks of this version share (built once).
  const std::shared_ptr<const api::TaskSpec>& spec() const { return spec_; }
  // The service Version.Index this template was built from.
  uint64_t version() const { return version_; }

  // True if the task's spec has the template's content.
  bool same_spec(const api::Task& task) const;

  // swarmkit's IsTaskDirty: the task must be replaced to run this template. False when the
  // spec is equal, or when only Placement differs and `node` (the task's node; may be null)
  // satisfies the template's constraints, so a constraint change moves only the tasks that
  // no longer fit. Also true when the task was allocated with another EndpointSpec than the
  // service's (a published port added or changed must reach the running tasks).
  bool is_dirty(const api::Task& task, const api::Node* node) const;

  // The template's placement constraints. Constraints that do not parse match no node
  // (the control API refuses them, so this only guards against a corrupt store).
  const std::vector<Constraint>& constraints() const { return constraints_; }
  bool constraints_valid() const { return constraints_valid_; }
  // node_matches with the rule above.
  bool node_fits(const api::Node& node) const;

 private:
  struct Verdict {
    std::shared_ptr<const api::TaskSpec> spec;  // keeps the pointer from being reused
    bool same = false;
    bool same_but_placement = false;
  };
  const Verdict& verdict(const std::shared_ptr<const api::TaskSpec>& spec) const;

  std::shared_ptr<const api::TaskSpec> spec_;
  uint64_t version_ = 0;
  std::string key_;
  std::string endpoint_key_;  // the service's EndpointSpec, encoded
  std::vector<Constraint> constraints_;
  bool constraints_valid_ = true;
  mutable std::unordered_map<const api::TaskSpec*, Verdict> verdicts_;
  // Whether a task's Endpoint (tasks of one allocation share it) has endpoint_key_'s spec.
  mutable std::unordered_map<const api::Endpoint*,
                             std::pair<std::shared_ptr<const api::Endpoint>, bool>>
      endpoint_same_;
};

// Whether a node satisfies a task's own placement constraints (the ones it was scheduled
// with), parsed once per spec. Constraints that do not parse match no node.
class TaskConstraints {
 public:
  bool node_fits(const std::shared_ptr<const api::TaskSpec>& spec, const api::Node& node);

 private:
  std::unordered_map<const api::TaskSpec*, std::pair<std::shared_ptr<const api::TaskSpec>,
                                                     Result<std::vector<Constraint>>>>
      parsed_;
};

// ServiceTemplates by service ID, rebuilt when a service's version changes.
class TemplateCache {
 public:
  const ServiceTemplate& get(const api::Service& service);
  void forget(const std::string& service_id) { by_service_.erase(service_id); }

 private:
  std::unordered_map<std::string, std::unique_ptr<ServiceTemplate>> by_service_;
};

}  // namespace shoal::manager::orchestrator
