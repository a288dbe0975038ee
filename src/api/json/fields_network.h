// Internal to the api codec: field lists of network.h and engine_network.h (see field.h).
// Go struct order, Go tags.
#pragma once

#include "api/engine_network.h"
#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/network.h"

namespace shoal::api::json {

template <class V, Is<network::ConfigReference> T>
void fields(V& v, T& o) {
  v("Network", o.Network);
}

template <class V, Is<PortConfig> T>
void fields(V& v, T& o) {
  v("Name", o.Name, kOmitEmpty);
  v("Protocol", o.Protocol, kOmitEmpty);
  v("TargetPort", o.TargetPort, kOmitEmpty);
  v("PublishedPort", o.PublishedPort, kOmitEmpty);
  v("PublishMode", o.PublishMode, kOmitEmpty);
}

template <class V, Is<EndpointSpec> T>
void fields(V& v, T& o) {
  v("Mode", o.Mode, kOmitEmpty);
  v("Ports", o.Ports, kOmitEmpty);
}

template <class V, Is<EndpointVirtualIP> T>
void fields(V& v, T& o) {
  v("NetworkID", o.NetworkID, kOmitEmpty);
  v("Addr", o.Addr, kOmitEmpty);
}

template <class V, Is<Endpoint> T>
void fields(V& v, T& o) {
  v("Spec", o.Spec, kOmitEmpty);
  v("Ports", o.Ports, kOmitEmpty);
  v("VirtualIPs", o.VirtualIPs, kOmitEmpty);
}

template <class V, Is<IPAMConfig> T>
void fields(V& v, T& o) {
  v("Subnet", o.Subnet, kOmitEmpty);
  v("Range", o.Range, kOmitEmpty);
  v("Gateway", o.Gateway, kOmitEmpty);
}

template <class V, Is<IPAMOptions> T>
void fields(V& v, T& o) {
  v("Driver", o.Driver, kOmitEmpty);
  v("Configs", o.Configs, kOmitEmpty);
}

template <class V, Is<NetworkSpec> T>
void fields(V& v, T& o) {
  embed<Annotations>(v, o);
  v("DriverConfiguration", o.DriverConfiguration, kOmitEmpty);
  v("IPv6Enabled", o.IPv6Enabled, kOmitEmpty);
  v("Internal", o.Internal, kOmitEmpty);
  v("Attachable", o.Attachable, kOmitEmpty);
  v("Ingress", o.Ingress, kOmitEmpty);
  v("IPAMOptions", o.IPAMOptions, kOmitEmpty);
  v("ConfigFrom", o.ConfigFrom, kOmitEmpty);
  v("Scope", o.Scope, kOmitEmpty);
}

template <class V, Is<Network> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  v("Spec", o.Spec, kOmitEmpty);
  v("DriverState", o.DriverState, kOmitEmpty);
  v("IPAMOptions", o.IPAMOptions, kOmitEmpty);
}

template <class V, Is<NetworkAttachmentConfig> T>
void fields(V& v, T& o) {
  v("Target", o.Target, kOmitEmpty);
  v("Aliases", o.Aliases, kOmitEmpty);
  v("DriverOpts", o.DriverOpts, kOmitEmpty);
}

template <class V, Is<NetworkAttachment> T>
void fields(V& v, T& o) {
  v("Network", o.Network, kOmitEmpty);
  v("Addresses", o.Addresses, kOmitEmpty);
}

template <class V, Is<network::IPAMConfig> T>
void fields(V& v, T& o) {
  v("Subnet", o.Subnet, kOmitEmpty);
  v("IPRange", o.IPRange, kOmitEmpty);
  v("Gateway", o.Gateway, kOmitEmpty);
  v("AuxiliaryAddresses", o.AuxAddress, kOmitEmpty);
}

template <class V, Is<network::IPAM> T>
void fields(V& v, T& o) {
  v("Driver", o.Driver);
  v("Options", o.Options);
  v("Config", o.Config, kNonNull);
}

template <class V, Is<network::PeerInfo> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("IP", o.IP);
}

template <class V, Is<network::Task> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("EndpointID", o.EndpointID);
  v("EndpointIP", o.EndpointIP);
  v("Info", o.Info);
}

template <class V, Is<network::ServiceInfo> T>
void fields(V& v, T& o) {
  v("VIP", o.VIP);
  v("Ports", o.Ports);
  v("LocalLBIndex", o.LocalLBIndex);
  v("Tasks", o.Tasks);
}

template <class V, Is<EndpointResource> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("EndpointID", o.EndpointID);
  v("MacAddress", o.MacAddress);
  v("IPv4Address", o.IPv4Address);
  v("IPv6Address", o.IPv6Address);
}

// Containers, Options and Labels: the daemon writes empty ones as {}.
template <class V, Is<NetworkResource> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("Id", o.ID);
  v("Created", o.Created);
  v("Scope", o.Scope);
  v("Driver", o.Driver);
  v("EnableIPv6", o.EnableIPv6);
  v("IPAM", o.IPAM);
  v("Internal", o.Internal);
  v("Attachable", o.Attachable);
  v("Ingress", o.Ingress);
  v("ConfigFrom", o.ConfigFrom);
  v("ConfigOnly", o.ConfigOnly);
  v("Containers", o.Containers, kNonNull);
  v("Options", o.Options, kNonNull);
  v("Labels", o.Labels, kNonNull);
  v("Peers", o.Peers, kOmitEmpty);
  v("Services", o.Services, kOmitEmpty);
}

template <class V, Is<NetworkCreate> T>
void fields(V& v, T& o) {
  v("CheckDuplicate", o.CheckDuplicate);
  v("Driver", o.Driver);
  v("Scope", o.Scope);
  v("EnableIPv6", o.EnableIPv6);
  v("IPAM", o.IPAM);
  v("Internal", o.Internal);
  v("Attachable", o.Attachable);
  v("Ingress", o.Ingress);
  v("ConfigOnly", o.ConfigOnly);
  v("ConfigFrom", o.ConfigFrom);
  v("Options", o.Options);
  v("Labels", o.Labels);
}

template <class V, Is<NetworkCreateRequest> T>
void fields(V& v, T& o) {
  embed<NetworkCreate>(v, o);
  v("Name", o.Name);
}

template <class V, Is<NetworkCreateResponse> T>
void fields(V& v, T& o) {
  v("Id", o.ID);
  v("Warning", o.Warning);
}

}  // namespace shoal::api::json
