// Internal to the api codec: field lists of container.h, mount.h, and the secret and config
// types (secret.h, config.h) (see field.h). Go struct order, Go tags.
#pragma once

#include "api/config.h"
#include "api/container.h"
#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/mount.h"
#include "api/secret.h"

namespace shoal::api::json {

template <class V, Is<SecretSpec> T>
void fields(V& v, T& o) {
  embed<Annotations>(v, o);
  v("Data", o.Data, kOmitEmpty);
  v("Driver", o.Driver, kOmitEmpty);
  v("Templating", o.Templating, kOmitEmpty);
}

template <class V, Is<Secret> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  v("Spec", o.Spec);
}

template <class V, Is<SecretReferenceFileTarget> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("UID", o.UID);
  v("GID", o.GID);
  v("Mode", o.Mode);
}

template <class V, Is<SecretReference> T>
void fields(V& v, T& o) {
  v("File", o.File);
  v("SecretID", o.SecretID);
  v("SecretName", o.SecretName);
}

template <class V, Is<SecretCreateResponse> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
}

template <class V, Is<ConfigSpec> T>
void fields(V& v, T& o) {
  embed<Annotations>(v, o);
  v("Data", o.Data, kOmitEmpty);
  v("Templating", o.Templating, kOmitEmpty);
}

template <class V, Is<Config> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  v("Spec", o.Spec);
}

template <class V, Is<ConfigReferenceFileTarget> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("UID", o.UID);
  v("GID", o.GID);
  v("Mode", o.Mode);
}

template <class V, Is<ConfigReferenceRuntimeTarget> T>
void fields(V&, T&) {}

template <class V, Is<ConfigReference> T>
void fields(V& v, T& o) {
  v("File", o.File, kOmitEmpty);
  v("Runtime", o.Runtime, kOmitEmpty);
  v("ConfigID", o.ConfigID);
  v("ConfigName", o.ConfigName);
}

template <class V, Is<ConfigCreateResponse> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
}

template <class V, Is<BindOptions> T>
void fields(V& v, T& o) {
  v("Propagation", o.Propagation, kOmitEmpty);
  v("NonRecursive", o.NonRecursive, kOmitEmpty);
}

template <class V, Is<VolumeOptions> T>
void fields(V& v, T& o) {
  v("NoCopy", o.NoCopy, kOmitEmpty);
  v("Labels", o.Labels, kOmitEmpty);
  v("DriverConfig", o.DriverConfig, kOmitEmpty);
}

template <class V, Is<TmpfsOptions> T>
void fields(V& v, T& o) {
  v("SizeBytes", o.SizeBytes, kOmitEmpty);
  v("Mode", o.Mode, kOmitEmpty);
}

template <class V, Is<Mount> T>
void fields(V& v, T& o) {
  v("Type", o.Type, kOmitEmpty);
  v("Source", o.Source, kOmitEmpty);
  v("Target", o.Target, kOmitEmpty);
  v("ReadOnly", o.ReadOnly, kOmitEmpty);
  v("Consistency", o.Consistency, kOmitEmpty);
  v("BindOptions", o.BindOptions, kOmitEmpty);
  v("VolumeOptions", o.VolumeOptions, kOmitEmpty);
  v("TmpfsOptions", o.TmpfsOptions, kOmitEmpty);
}

template <class V, Is<DNSConfig> T>
void fields(V& v, T& o) {
  v("Nameservers", o.Nameservers, kOmitEmpty);
  v("Search", o.Search, kOmitEmpty);
  v("Options", o.Options, kOmitEmpty);
}

template <class V, Is<SELinuxContext> T>
void fields(V& v, T& o) {
  v("Disable", o.Disable);
  v("User", o.User);
  v("Role", o.Role);
  v("Type", o.Type);
  v("Level", o.Level);
}

template <class V, Is<CredentialSpec> T>
void fields(V& v, T& o) {
  v("Config", o.Config);
  v("File", o.File);
  v("Registry", o.Registry);
}

template <class V, Is<Privileges> T>
void fields(V& v, T& o) {
  v("CredentialSpec", o.CredentialSpec);
  v("SELinuxContext", o.SELinuxContext);
}

template <class V, Is<HealthConfig> T>
void fields(V& v, T& o) {
  v("Test", o.Test, kOmitEmpty);
  v("Interval", o.Interval, kOmitEmpty);
  v("Timeout", o.Timeout, kOmitEmpty);
  v("StartPeriod", o.StartPeriod, kOmitEmpty);
  v("Retries", o.Retries, kOmitEmpty);
}

template <class V, Is<Ulimit> T>
void fields(V& v, T& o) {
  v("Name", o.Name);
  v("Hard", o.Hard);
  v("Soft", o.Soft);
}

template <class V, Is<ContainerSpec> T>
void fields(V& v, T& o) {
  v("Image", o.Image, kOmitEmpty);
  v("Labels", o.Labels, kOmitEmpty);
  v("Command", o.Command, kOmitEmpty);
  v("Args", o.Args, kOmitEmpty);
  v("Hostname", o.Hostname, kOmitEmpty);
  v("Env", o.Env, kOmitEmpty);
  v("Dir", o.Dir, kOmitEmpty);
  v("User", o.User, kOmitEmpty);
  v("Groups", o.Groups, kOmitEmpty);
  v("Privileges", o.Privileges, kOmitEmpty);
  v("Init", o.Init, kOmitEmpty);
  v("StopSignal", o.StopSignal, kOmitEmpty);
  v("TTY", o.TTY, kOmitEmpty);
  v("OpenStdin", o.OpenStdin, kOmitEmpty);
  v("ReadOnly", o.ReadOnly, kOmitEmpty);
  v("Mounts", o.Mounts, kOmitEmpty);
  v("StopGracePeriod", o.StopGracePeriod, kOmitEmpty);
  v("Healthcheck", o.Healthcheck, kOmitEmpty);
  v("Hosts", o.Hosts, kOmitEmpty);
  v("DNSConfig", o.DNSConfig, kOmitEmpty);
  v("Secrets", o.Secrets, kOmitEmpty);
  v("Configs", o.Configs, kOmitEmpty);
  v("Isolation", o.Isolation, kOmitEmpty);
  v("Sysctls", o.Sysctls, kOmitEmpty);
  v("CapabilityAdd", o.CapabilityAdd, kOmitEmpty);
  v("CapabilityDrop", o.CapabilityDrop, kOmitEmpty);
  v("Ulimits", o.Ulimits, kOmitEmpty);
  v("RegistryAuth", o.RegistryAuth, kOmitEmpty);  // shoal's; never in API answers
}

}  // namespace shoal::api::json
