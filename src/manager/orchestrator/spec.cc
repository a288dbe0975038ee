#include "manager/orchestrator/spec.h"

#include "api/codec.h"
#include "store/codec.h"

namespace shoal::manager::orchestrator {

std::string spec_key(const api::TaskSpec& spec) {
  std::string out;
  store::codec::encode(spec, &out);
  return out;
}

const std::string& SpecKeys::key(const std::shared_ptr<const api::TaskSpec>& spec) {
  auto [it, inserted] = memo_.try_emplace(spec.get());
  if (inserted) it->second = {spec, spec_key(*spec)};
  return it->second.second;
}

bool SpecKeys::same(const std::shared_ptr<const api::TaskSpec>& a,
                    const std::shared_ptr<const api::TaskSpec>& b) {
  return a == b || key(a) == key(b);
}

ServiceTemplate::ServiceTemplate(const api::Service& service)
    : spec_(std::make_shared<const api::TaskSpec>(service.Spec.TaskTemplate)),
      version_(service.Version.Index),
      key_(spec_key(*spec_)),
      endpoint_key_(api::encode(service.Spec.EndpointSpec.value_or(api::EndpointSpec{}))) {
  if (spec_->Placement && !spec_->Placement->Constraints.empty()) {
    auto parsed = parse_constraints(spec_->Placement->Constraints);
    if (parsed.is_ok()) {
      constraints_ = std::move(parsed).value();
    } else {
      constraints_valid_ = false;
    }
  }
}

bool ServiceTemplate::node_fits(const api::Node& node) const {
  return constraints_valid_ && node_matches(constraints_, node);
}

const ServiceTemplate::Verdict& ServiceTemplate::verdict(
    const std::shared_ptr<const api::TaskSpec>& spec) const {
  auto [it, inserted] = verdicts_.try_emplace(spec.get());
  if (!inserted) return it->second;
  Verdict& v = it->second;
  v.spec = spec;
  v.same = spec == spec_ || spec_key(*spec) == key_;
  if (!v.same) {
    api::TaskSpec with_task_placement = *spec_;
    with_task_placement.Placement = spec->Placement;
    v.same_but_placement = spec_key(with_task_placement) == spec_key(*spec);
  }
  return v;
}

bool ServiceTemplate::same_spec(const api::Task& task) const { return verdict(task.Spec).same; }

bool ServiceTemplate::is_dirty(const api::Task& task, const api::Node* node) const {
  if (task.Endpoint != nullptr) {
    auto [it, inserted] = endpoint_same_.try_emplace(task.Endpoint.get());
    if (inserted) it->second = {task.Endpoint, api::encode(task.Endpoint->Spec) == endpoint_key_};
    if (!it->second.second) return true;
  }
  const Verdict& v = verdict(task.Spec);
  if (v.same) return false;
  return !(v.same_but_placement && node != nullptr && node_fits(*node));
}

bool TaskConstraints::node_fits(const std::shared_ptr<const api::TaskSpec>& spec,
                                const api::Node& node) {
  auto it = parsed_.find(spec.get());
  if (it == parsed_.end()) {
    Result<std::vector<Constraint>> constraints = std::vector<Constraint>{};
    if (spec->Placement && !spec->Placement->Constraints.empty()) {
      constraints = parse_constraints(spec->Placement->Constraints);
    }
    it = parsed_.emplace(spec.get(), std::make_pair(spec, std::move(constraints))).first;
  }
  const auto& constraints = it->second.second;
  return constraints.is_ok() && node_matches(*constraints, node);
}

const ServiceTemplate& TemplateCache::get(const api::Service& service) {
  auto& slot = by_service_[service.ID];
  if (slot == nullptr || slot->version() != service.Version.Index) {
    slot = std::make_unique<ServiceTemplate>(service);
  }
  return *slot;
}

}  // namespace shoal::manager::orchestrator
