// Building blocks shared by every swarm object (moby api/types/swarm common.go, and the
// resource types of task.go that nodes use too): Version, Meta, Annotations, Driver, TLSInfo,
// Platform, Resources, Limit, GenericResource; plus the C++ spellings of Go's basic types.
//
// Mapping rules for the whole model (namespace shoal::api):
//   - struct and member names are Docker's Go names, so code reads like the API
//     (`spec.TaskTemplate.ContainerSpec->Image`, `task.Status.State`);
//   - a Go embedded struct is a C++ base class (`struct Node : Meta`, `node.Version.Index`);
//   - Go `*T` is std::optional<T>; `[]*T` is std::vector<T>;
//   - time.Duration is std::chrono::nanoseconds; time.Time is shoal::Timestamp;
//   - []byte is Bytes (binary, base64 in JSON); map[string]string is StringMap;
//   - Go int is int64_t; string enums are enum classes (see enum.h);
//   - where a member's name equals its type's name the type is written `api::T`.
// Default-constructed values equal Go's zero values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace shoal::api {

using StringMap = std::map<std::string, std::string>;

// Go []byte: arbitrary bytes held in a string; a distinct type so the JSON codec writes it as
// standard padded base64.
struct Bytes : std::string {
  using std::string::string;
  Bytes() = default;
  explicit Bytes(std::string s) : std::string(std::move(s)) {}
};

// The object's version: the store revision of its last write. `?version=` must match it.
struct Version {
  uint64_t Index = 0;
  bool operator==(const Version&) const = default;
};

// Embedded in every stored object.
struct Meta {
  api::Version Version;
  Timestamp CreatedAt;
  Timestamp UpdatedAt;
};

// Name and labels of an object.
struct Annotations {
  std::string Name;
  StringMap Labels;
};

// A driver (network, IPAM, logging, secret, templating) and its options.
struct Driver {
  std::string Name;
  StringMap Options;
};

// The cluster's or a node's TLS trust information.
struct TLSInfo {
  // PEM-encoded root CA certificate(s).
  std::string TrustRoot;
  // Raw subject and public key of the issuer of the node certificates.
  Bytes CertIssuerSubject;
  Bytes CertIssuerPublicKey;
};

struct Platform {
  std::string Architecture;
  std::string OS;
};

// A named generic resource ("GPU" = "uuid-1").
struct NamedGenericResource {
  std::string Kind;
  std::string Value;
};

// A countable generic resource ("SSD" = 2).
struct DiscreteGenericResource {
  std::string Kind;
  int64_t Value = 0;
};

// One of NamedResourceSpec or DiscreteResourceSpec is set.
struct GenericResource {
  std::optional<NamedGenericResource> NamedResourceSpec;
  std::optional<DiscreteGenericResource> DiscreteResourceSpec;
};

// Resources a node has, or a task reserves.
struct Resources {
  int64_t NanoCPUs = 0;
  int64_t MemoryBytes = 0;
  std::vector<GenericResource> GenericResources;
};

// Resource limits of a task (Pids is the pids cgroup limit, 0 = unlimited).
struct Limit {
  int64_t NanoCPUs = 0;
  int64_t MemoryBytes = 0;
  int64_t Pids = 0;
};

}  // namespace shoal::api
