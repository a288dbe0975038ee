// Internal to the api codec: field lists of common.h (see field.h). Go struct order, Go tags.
#pragma once

#include "api/common.h"
#include "api/json/field.h"

namespace shoal::api::json {

template <class V, Is<Version> T>
void fields(V& v, T& o) {
  v("Index", o.Index, kOmitEmpty);
}

template <class V, Is<Meta> T>
void fields(V& v, T& o) {
  v("Version", o.Version, kOmitEmpty);
  v("CreatedAt", o.CreatedAt, kOmitEmpty);
  v("UpdatedAt", o.UpdatedAt, kOmitEmpty);
}

// Go tags Labels `json:"Labels"` (no omitempty); we write an empty map as {}.
template <class V, Is<Annotations> T>
void fields(V& v, T& o) {
  v("Name", o.Name, kOmitEmpty);
  v("Labels", o.Labels, kNonNull);
}

template <class V, Is<Driver> T>
void fields(V& v, T& o) {
  v("Name", o.Name, kOmitEmpty);
  v("Options", o.Options, kOmitEmpty);
}

template <class V, Is<TLSInfo> T>
void fields(V& v, T& o) {
  v("TrustRoot", o.TrustRoot, kOmitEmpty);
  v("CertIssuerSubject", o.CertIssuerSubject, kOmitEmpty);
  v("CertIssuerPublicKey", o.CertIssuerPublicKey, kOmitEmpty);
}

template <class V, Is<Platform> T>
void fields(V& v, T& o) {
  v("Architecture", o.Architecture, kOmitEmpty);
  v("OS", o.OS, kOmitEmpty);
}

template <class V, Is<NamedGenericResource> T>
void fields(V& v, T& o) {
  v("Kind", o.Kind, kOmitEmpty);
  v("Value", o.Value, kOmitEmpty);
}

template <class V, Is<DiscreteGenericResource> T>
void fields(V& v, T& o) {
  v("Kind", o.Kind, kOmitEmpty);
  v("Value", o.Value, kOmitEmpty);
}

template <class V, Is<GenericResource> T>
void fields(V& v, T& o) {
  v("NamedResourceSpec", o.NamedResourceSpec, kOmitEmpty);
  v("DiscreteResourceSpec", o.DiscreteResourceSpec, kOmitEmpty);
}

template <class V, Is<Resources> T>
void fields(V& v, T& o) {
  v("NanoCPUs", o.NanoCPUs, kOmitEmpty);
  v("MemoryBytes", o.MemoryBytes, kOmitEmpty);
  v("GenericResources", o.GenericResources, kOmitEmpty);
}

template <class V, Is<Limit> T>
void fields(V& v, T& o) {
  v("NanoCPUs", o.NanoCPUs, kOmitEmpty);
  v("MemoryBytes", o.MemoryBytes, kOmitEmpty);
  v("Pids", o.Pids, kOmitEmpty);
}

}  // namespace shoal::api::json
