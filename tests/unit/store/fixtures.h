// Sample objects for the store tests.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/codec.h"
#include "api/model.h"
#include "store/store.h"

namespace shoal::store::testing {

inline std::shared_ptr<const api::TaskSpec> make_spec(const std::string& image) {
  api::TaskSpec spec;
  spec.ContainerSpec.emplace();
  spec.ContainerSpec->Image = image;
  spec.ContainerSpec->Env = {"A=1", "B=2"};
  spec.ContainerSpec->Labels = {{"com.example", "yes"}};
  spec.RestartPolicy.emplace();
  spec.RestartPolicy->Condition = api::RestartPolicyCondition::kAny;
  spec.RestartPolicy->MaxAttempts = 0;  // set to zero: must survive
  spec.RestartPolicy->Delay = std::chrono::seconds(5);
  spec.Placement.emplace();
  spec.Placement->Constraints = {"node.role==worker"};
  spec.ForceUpdate = 3;
  spec.Runtime = api::RuntimeType::kContainer;
  return std::make_shared<const api::TaskSpec>(std::move(spec));
}

inline api::Task make_task(const std::string& id, const std::string& service_id, int64_t slot,
                           const std::string& node_id,
                           std::shared_ptr<const api::TaskSpec> spec = nullptr) {
  api::Task task;
  task.ID = id;
  task.ServiceID = service_id;
  task.Slot = slot;
  task.NodeID = node_id;
  task.DesiredState = api::TaskState::kRunning;
  task.Status.State = api::TaskState::kNew;
  task.Status.Message = "created";
  task.Status.Timestamp = Timestamp::from_unix_nanos(1'700'000'000'123'456'789);
  if (spec) task.Spec = std::move(spec);
  return task;
}

inline api::Service make_service(const std::string& id, const std::string& name) {
  api::Service service;
  service.ID = id;
  service.Spec.Name = name;
  service.Spec.Labels = {{"tier", "web"}};
  service.Spec.TaskTemplate = *make_spec("nginx:" + name);
  service.Spec.Mode.Replicated.emplace();
  service.Spec.Mode.Replicated->Replicas = 3;
  return service;
}

inline api::Node make_node(const std::string& id, const std::string& hostname,
                           const std::string& name = "") {
  api::Node node;
  node.ID = id;
  node.Spec.Name = name;
  node.Spec.Role = api::NodeRole::kWorker;
  node.Spec.Availability = api::NodeAvailability::kActive;
  node.Description.Hostname = hostname;
  node.Description.Resources.NanoCPUs = 2'000'000'000;
  node.Status.State = api::NodeState::kReady;
  return node;
}

inline api::Secret make_secret(const std::string& id, const std::string& name) {
  api::Secret secret;
  secret.ID = id;
  secret.Spec.Name = name;
  secret.Spec.Data = api::Bytes(std::string("s3cr\0t", 6));
  return secret;
}

inline api::Config make_config(const std::string& id, const std::string& name) {
  api::Config config;
  config.ID = id;
  config.Spec.Name = name;
  config.Spec.Data = api::Bytes(std::string("key=value\n"));
  return config;
}

inline api::Network make_network(const std::string& id, const std::string& name) {
  api::Network network;
  network.ID = id;
  network.Spec.Name = name;
  network.Spec.Attachable = true;
  network.Spec.Scope = "swarm";
  network.DriverState.Name = "overlay";
  return network;
}

inline api::Swarm make_cluster(const std::string& id) {
  api::Swarm cluster;
  cluster.ID = id;
  cluster.Spec.Name = "default";
  cluster.JoinTokens.Worker = "SWMTKN-1-abc-worker";
  cluster.JoinTokens.Manager = "SWMTKN-1-abc-manager";
  return cluster;
}

// JSON text of an object, for equality checks in tests.
template <typename T>
std::string json_of(const T& object) {
  return api::to_json(object).dump();
}

// A bit of everything: every kind, updates, deletes, `tasks` tasks sharing a spec (t0 moved
// to another spec, t9 deleted) — two commits.
inline Status populate(Store& store, int tasks = 10) {
  auto web = make_spec("nginx");
  SHOAL_RETURN_IF_ERROR(store.update([&](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(make_cluster("c1")));
    SHOAL_RETURN_IF_ERROR(tx.create(make_node("n1", "host-1")));
    SHOAL_RETURN_IF_ERROR(tx.create(make_service("s1", "web")));
    SHOAL_RETURN_IF_ERROR(tx.create(make_network("net1", "backend")));
    SHOAL_RETURN_IF_ERROR(tx.create(make_secret("sec1", "pw")));
    SHOAL_RETURN_IF_ERROR(tx.create(make_config("cfg1", "conf")));
    for (int i = 0; i < tasks; ++i) {
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "s1", i + 1, "n1", web)));
    }
    return Status::ok();
  }));
  return store.update([&](WriteTxn& tx) {
    api::Task t0 = *tx.get<api::Task>("t0");
    t0.Status.State = api::TaskState::kRunning;
    t0.Spec = make_spec("nginx:2");
    SHOAL_RETURN_IF_ERROR(tx.update(t0));
    SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>("t9"));
    return tx.remove<api::Config>("cfg1");
  });
}

// JSON of every object of every kind in `store`, by "<kind>/<ID>".
inline std::map<std::string, std::string> dump(const Store& store) {
  std::map<std::string, std::string> out;
  auto view = store.view();
  for_each_kind([&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    view.for_each<T>(by::All{}, [&](const std::shared_ptr<const T>& o) {
      out[std::string(kind_name(kind_of<T>)) + "/" + o->ID] = json_of(*o);
    });
  });
  return out;
}

}  // namespace shoal::store::testing
