// Internal to the api codec: field lists of node.h (see field.h). Go struct order, Go tags.
#pragma once

#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/node.h"

namespace shoal::api::json {

template <class V, Is<NodeSpec> T>
void fields(V& v, T& o) {
  embed<Annotations>(v, o);
  v("Role", o.Role, kOmitEmpty);
  v("Availability", o.Availability, kOmitEmpty);
}

template <class V, Is<PluginDescription> T>
void fields(V& v, T& o) {
  v("Type", o.Type, kOmitEmpty);
  v("Name", o.Name, kOmitEmpty);
}

template <class V, Is<EngineDescription> T>
void fields(V& v, T& o) {
  v("EngineVersion", o.EngineVersion, kOmitEmpty);
  v("Labels", o.Labels, kOmitEmpty);
  v("Plugins", o.Plugins, kOmitEmpty);
}

template <class V, Is<NodeDescription> T>
void fields(V& v, T& o) {
  v("Hostname", o.Hostname, kOmitEmpty);
  v("Platform", o.Platform, kOmitEmpty);
  v("Resources", o.Resources, kOmitEmpty);
  v("Engine", o.Engine, kOmitEmpty);
  v("TLSInfo", o.TLSInfo, kOmitEmpty);
}

template <class V, Is<NodeStatus> T>
void fields(V& v, T& o) {
  v("State", o.State, kOmitEmpty);
  v("Message", o.Message, kOmitEmpty);
  v("Addr", o.Addr, kOmitEmpty);
}

template <class V, Is<ManagerStatus> T>
void fields(V& v, T& o) {
  v("Leader", o.Leader, kOmitEmpty);
  v("Reachability", o.Reachability, kOmitEmpty);
  v("Addr", o.Addr, kOmitEmpty);
}

template <class V, Is<Node> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  v("Spec", o.Spec, kOmitEmpty);
  v("Description", o.Description, kOmitEmpty);
  v("Status", o.Status, kOmitEmpty);
  v("ManagerStatus", o.ManagerStatus, kOmitEmpty);
}

}  // namespace shoal::api::json
