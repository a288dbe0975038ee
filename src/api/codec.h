// JSON codecs of the domain model: every struct in model.h to and from the exact JSON the
// Docker Engine API v1.41 (moby v20.10, Go encoding/json) uses.
//
// Encoding (to_json, encode) writes Docker's shape: Go field names, Go struct order (Json is
// nlohmann::ordered_json), `omitempty` exactly as moby's json tags say (false/0/""/empty
// slice or map/unset optional dropped; structs never dropped, so zero times appear as
// "0001-01-01T00:00:00Z"), times as Go's RFC3339Nano in UTC, durations as integer
// nanoseconds, Bytes as padded standard base64, enums as Docker's lower-case strings.
// Where Go would distinguish a nil from an empty slice or map on a field without omitempty,
// we write null, except Annotations.Labels and NetworkResource.{Containers,Options,Labels}
// and network::IPAM.Config, which we write as {} / [] as the daemon does for stored objects.
//
// Decoding (from_json, decode) accepts what Go accepts for these types: unknown keys ignored,
// keys matched exactly then case-insensitively, null = absent. It is stricter in one way:
// unknown enum spellings are rejected. Every failure is kInvalidArgument naming the field:
// a mistyped value or a number its field cannot hold in Go's words (`json: cannot unmarshal
// number 1e400 into Go struct field ReplicatedService.Mode.Replicated.Replicas of type
// uint64`, see json/decoder.h), others by path (`Spec.Availability: invalid value "bogus"
// (expected active, pause or drain)`).
//
// Do not use nlohmann's `j.get<T>()` on model types: it would find from_json by ADL and drop
// its Status.
//
// The per-type field lists behind these functions (api/json/fields_*.h) are also walked by
// the store's binary record codec (src/store/codec.cc); see api/json/field.h.
//
// Thread safety: all functions are pure; safe to call concurrently.
#pragma once

#include <concepts>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/model.h"
#include "common/status.h"

namespace shoal::api {

using Json = nlohmann::ordered_json;
// Every model struct, by header. Each X(T) instantiates the codec for T (codec_*.cc).
// clang-format off
#define SHOAL_API_COMMON_TYPES(X)                                                 \
  X(Version)                                                                      \
  X(Meta) X(Annotations) X(Driver) X(TLSInfo) X(Platform) X(NamedGenericResource) \
      X(DiscreteGenericResource) X(GenericResource) X(Resources) X(Limit)
#define SHOAL_API_NODE_TYPES(X)                                                               \
  X(NodeSpec)                                                                                 \
  X(PluginDescription) X(EngineDescription) X(NodeDescription) X(NodeStatus) X(ManagerStatus) \
      X(Node)
#define SHOAL_API_CONTAINER_TYPES(X)                                                              \
  X(SecretSpec)                                                                                   \
  X(Secret) X(SecretReferenceFileTarget) X(SecretReference) X(SecretCreateResponse) X(ConfigSpec) \
      X(Config) X(ConfigReferenceFileTarget) X(ConfigReferenceRuntimeTarget) X(ConfigReference)   \
          X(ConfigCreateResponse) X(BindOptions) X(VolumeOptions) X(TmpfsOptions) X(Mount)        \
              X(DNSConfig) X(SELinuxContext) X(CredentialSpec) X(Privileges) X(HealthConfig)      \
                  X(Ulimit) X(ContainerSpec)
#define SHOAL_API_NETWORK_TYPES(X)                                                            \
  X(network::ConfigReference)                                                                 \
  X(PortConfig) X(EndpointSpec) X(EndpointVirtualIP) X(Endpoint) X(IPAMConfig) X(IPAMOptions) \
      X(NetworkSpec) X(Network) X(NetworkAttachmentConfig) X(NetworkAttachment)               \
          X(network::IPAMConfig) X(network::IPAM) X(network::PeerInfo) X(network::Task)       \
              X(network::ServiceInfo) X(EndpointResource) X(NetworkResource) X(NetworkCreate) \
                  X(NetworkCreateRequest) X(NetworkCreateResponse)
#define SHOAL_API_TASK_TYPES(X)                                                            \
  X(runtime::PluginPrivilege)                                                              \
  X(runtime::PluginSpec) X(NetworkAttachmentSpec) X(ResourceRequirements) X(RestartPolicy) \
      X(SpreadOver) X(PlacementPreference) X(Placement) X(TaskSpec) X(ContainerStatus)     \
          X(PortStatus) X(TaskStatus) X(Task)
#define SHOAL_API_SERVICE_TYPES(X)                                                             \
  X(ReplicatedService)                                                                         \
  X(GlobalService) X(ReplicatedJob) X(GlobalJob) X(ServiceMode) X(UpdateConfig) X(ServiceSpec) \
      X(UpdateStatus) X(ServiceStatus) X(JobStatus) X(Service) X(ServiceCreateResponse)        \
          X(ServiceUpdateResponse)
#define SHOAL_API_SWARM_TYPES(X)                                                                   \
  X(OrchestrationConfig)                                                                           \
  X(TaskDefaults) X(EncryptionConfig) X(RaftConfig) X(DispatcherConfig) X(ExternalCA) X(CAConfig)  \
      X(Spec) X(ClusterInfo) X(JoinTokens) X(Swarm) X(InitRequest) X(JoinRequest) X(UnlockRequest) \
          X(SwarmUnlockKeyResponse) X(Peer) X(Info) X(UpdateFlags)
#define SHOAL_API_MODEL_TYPES(X)                                                  \
  SHOAL_API_COMMON_TYPES(X)                                                       \
  SHOAL_API_NODE_TYPES(X) SHOAL_API_CONTAINER_TYPES(X) SHOAL_API_NETWORK_TYPES(X) \
      SHOAL_API_TASK_TYPES(X) SHOAL_API_SERVICE_TYPES(X) SHOAL_API_SWARM_TYPES(X)
// clang-format on
#define SHOAL_API_SAME_AS_(T) std::same_as<U, T> ||
// A struct of the model (one listed above).
template <class U>
concept Codable = SHOAL_API_MODEL_TYPES(SHOAL_API_SAME_AS_)
false;
#undef SHOAL_API_SAME_AS_

// The JSON value of `value` (an object), in Docker's exact shape.
template <Codable T>
Json to_json(const T& value);

// Reads `json` (an object, or null for the zero value) into `out`, which is first reset to
// T{}. Returns OK, or kInvalidArgument naming the field path; `out` is then partly filled.
// A value parsed as plain nlohmann::json converts with api::Json(value).
template <Codable T>
Status from_json(const Json& json, T& out);

// Parses JSON text. Returns kInvalidArgument "invalid JSON: ..." for malformed text and for
// a number beyond a double's range (1e400).
Result<Json> parse_json(std::string_view text);

// A request body as a tree for from_json: every number literal that is not an integer
// (1.5, 1e2, 1e400, 18446744073709551616) is a binary node holding its text, so that the
// decoder reads it as Go would and names it in its errors ("number 1e400").
struct BodyTree {
  Json json;
  // The literal at which parsing stopped because no double holds it (1e400), else "". The
  // tree then holds what came before it, that literal last.
  std::string overflow;
};
// Parses a request body. Errors: kInvalidArgument "invalid JSON: ..." for malformed text.
Result<BodyTree> parse_body_json(std::string_view text);
// Go's error for a number no double holds, met where no field reads it (Go would read it
// into an interface{}): kInvalidArgument "json: cannot unmarshal number 1e400 into Go value
// of type float64".
Status number_overflow(std::string_view literal);

// Compact JSON text of `value` (what an API response body carries), byte for byte as Go's
// encoding/json writes it (including its escaping of <, > and &). Written directly, without
// building a Json tree: the fast path for large list responses.
template <Codable T>
std::string encode(const T& value);

// Appends encode(value) to `out` (e.g. to build a list body "[a,b,...]" in one buffer).
template <Codable T>
void append_json(std::string& out, const T& value);

// Parses a request body into a T. Returns kInvalidArgument for malformed JSON or as from_json
// (never throws: any number, however long, is a 400 naming its field).
template <Codable T>
Result<T> decode(std::string_view body) {
  SHOAL_ASSIGN_OR_RETURN(BodyTree tree, parse_body_json(body));
  T out;
  SHOAL_RETURN_IF_ERROR(from_json(tree.json, out));
  if (!tree.overflow.empty()) return number_overflow(tree.overflow);
  return out;
}

}  // namespace shoal::api
