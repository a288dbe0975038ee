// Internal to the api codec: field lists of task_spec.h and task.h (see field.h). Go struct
// order, Go tags.
#pragma once

#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/json/fields_container.h"
#include "api/json/fields_network.h"
#include "api/task.h"
#include "api/task_spec.h"

namespace shoal::api::json {

// runtime.PluginPrivilege and runtime.PluginSpec are protobuf types: lower-case keys.
template <class V, Is<runtime::PluginPrivilege> T>
void fields(V& v, T& o) {
  v("name", o.Name, kOmitEmpty);
  v("description", o.Description, kOmitEmpty);
  v("value", o.Value, kOmitEmpty);
}

template <class V, Is<runtime::PluginSpec> T>
void fields(V& v, T& o) {
  v("name", o.Name, kOmitEmpty);
  v("remote", o.Remote, kOmitEmpty);
  v("privileges", o.Privileges, kOmitEmpty);
  v("disabled", o.Disabled, kOmitEmpty);
  v("env", o.Env, kOmitEmpty);
}

template <class V, Is<NetworkAttachmentSpec> T>
void fields(V& v, T& o) {
  v("ContainerID", o.ContainerID);
}

template <class V, Is<ResourceRequirements> T>
void fields(V& v, T& o) {
  v("Limits", o.Limits, kOmitEmpty);
  v("Reservations", o.Reservations, kOmitEmpty);
}

template <class V, Is<RestartPolicy> T>
void fields(V& v, T& o) {
  v("Condition", o.Condition, kOmitEmpty);
  v("Delay", o.Delay, kOmitEmpty);
  v("MaxAttempts", o.MaxAttempts, kOmitEmpty);
  v("Window", o.Window, kOmitEmpty);
}

template <class V, Is<SpreadOver> T>
void fields(V& v, T& o) {
  v("SpreadDescriptor", o.SpreadDescriptor);
}

template <class V, Is<PlacementPreference> T>
void fields(V& v, T& o) {
  v("Spread", o.Spread);
}

template <class V, Is<Placement> T>
void fields(V& v, T& o) {
  v("Constraints", o.Constraints, kOmitEmpty);
  v("Preferences", o.Preferences, kOmitEmpty);
  v("MaxReplicas", o.MaxReplicas, kOmitEmpty);
  v("Platforms", o.Platforms, kOmitEmpty);
}

template <class V, Is<TaskSpec> T>
void fields(V& v, T& o) {
  v("ContainerSpec", o.ContainerSpec, kOmitEmpty);
  v("PluginSpec", o.PluginSpec, kOmitEmpty);
  v("NetworkAttachmentSpec", o.NetworkAttachmentSpec, kOmitEmpty);
  v("Resources", o.Resources, kOmitEmpty);
  v("RestartPolicy", o.RestartPolicy, kOmitEmpty);
  v("Placement", o.Placement, kOmitEmpty);
  v("Networks", o.Networks, kOmitEmpty);
  v("LogDriver", o.LogDriver, kOmitEmpty);
  v("ForceUpdate", o.ForceUpdate);
  v("Runtime", o.Runtime, kOmitEmpty);
  v("ServiceName", o.ServiceName, kOmitEmpty);  // shoal's; never in API answers
}

template <class V, Is<ContainerStatus> T>
void fields(V& v, T& o) {
  v("ContainerID", o.ContainerID);
  v("PID", o.PID);
  v("ExitCode", o.ExitCode);
}

template <class V, Is<PortStatus> T>
void fields(V& v, T& o) {
  v("Ports", o.Ports, kOmitEmpty);
}

template <class V, Is<TaskStatus> T>
void fields(V& v, T& o) {
  v("Timestamp", o.Timestamp, kOmitEmpty);
  v("State", o.State, kOmitEmpty);
  v("Message", o.Message, kOmitEmpty);
  v("Err", o.Err, kOmitEmpty);
  v("ContainerStatus", o.ContainerStatus, kOmitEmpty);
  v("PortStatus", o.PortStatus, kOmitEmpty);
}

template <class V, Is<Task> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  embed<Annotations>(v, o);
  v("Spec", o.Spec, kOmitEmpty);
  v("ServiceID", o.ServiceID, kOmitEmpty);
  v("Slot", o.Slot, kOmitEmpty);
  v("NodeID", o.NodeID, kOmitEmpty);
  v("Status", o.Status, kOmitEmpty);
  v("DesiredState", o.DesiredState, kOmitEmpty);
  v("NetworksAttachments", o.NetworksAttachments, kOmitEmpty);
  v("GenericResources", o.GenericResources, kOmitEmpty);
  v("JobIteration", o.JobIteration, kOmitEmpty);
  v("Endpoint", o.Endpoint, kOmitEmpty);
}

}  // namespace shoal::api::json
