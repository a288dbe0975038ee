// The rules a spec must keep before shoal stores it, one table per object part: each row is
// one change to a valid input and the exact error Docker answers for it (code, so HTTP
// status, and text). swarmkit's rpc-prefixed service rules are in service_spec_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <limits>

#include "api/codec.h"
#include "fixture.h"
#include "manager/controlapi/service_spec.h"
#include "manager/controlapi/swarm.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::nanoseconds;

constexpr std::string_view kRpcInvalid = "rpc error: code = InvalidArgument desc = ";

struct ServiceRule {
  const char* name;
  std::function<void(api::ServiceSpec&)> edit;
  std::string message;
};

api::ServiceSpec valid_service() {
  api::ServiceSpec spec;
  spec.Name = "web";
  spec.TaskTemplate.ContainerSpec.emplace();
  spec.TaskTemplate.ContainerSpec->Image = "nginx:latest";
  auto normalized = normalize_service_spec(std::move(spec), testing::seeded_random(1));
  EXPECT_TRUE(normalized.is_ok());
  return *normalized;
}

api::Mount make_mount(api::MountType type, std::string source, std::string target) {
  api::Mount m;
  m.Type = type;
  m.Source = std::move(source);
  m.Target = std::move(target);
  return m;
}

std::string rpc(std::string_view text) { return std::string(kRpcInvalid) + std::string(text); }

TEST(ServiceRulesTest, ContainerMountsModeAndStopGrace) {
  const uint64_t past_int64 = uint64_t{std::numeric_limits<int64_t>::max()} + 1;
  const ServiceRule rules[] = {
      {"relative mount target",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kVolume, "v", "data")};
       },
       "invalid mount target, must be an absolute path: data"},
      {"relative bind source",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kBind, "src", "/data")};
       },
       "invalid bind mount source, must be an absolute path: src"},
      {"absolute volume source",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {
             make_mount(api::MountType::kVolume, "/v", "/data")};
       },
       "invalid volume mount source, must not be an absolute path: /v"},
      {"tmpfs with a source",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kTmpfs, "x", "/tmp")};
       },
       "invalid tmpfs source, source must be empty"},
      {"npipe without a source",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kNamedPipe, "", "p")};
       },
       "invalid npipe source, source must not be empty"},
      {"mount without a type",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kUnset, "", "/x")};
       },
       "invalid MountType: \"\""},
      {"duplicate mount point before a bad one",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kVolume, "", "x"),
                                                 make_mount(api::MountType::kVolume, "", "x")};
       },
       rpc("ContainerSpec: duplicate mount point: x")},
      {"negative stop grace period",
       [](api::ServiceSpec& s) { s.TaskTemplate.ContainerSpec->StopGracePeriod = nanoseconds(-1); },
       rpc("ContainerSpec: StopGracePeriod cannot be negative")},
      {"replicas past int64",
       [=](api::ServiceSpec& s) { s.Mode.Replicated->Replicas = past_int64; },
       rpc("Number of replicas must be non-negative")},
      {"job concurrency past int64",
       [=](api::ServiceSpec& s) {
         s.Mode = {};
         s.Mode.ReplicatedJob = api::ReplicatedJob{past_int64, 1};
       },
       rpc("Maximum concurrent jobs must not be negative")},
      {"job completions past int64",
       [=](api::ServiceSpec& s) {
         s.Mode = {};
         s.Mode.ReplicatedJob = api::ReplicatedJob{1, past_int64};
       },
       rpc("Total completed jobs must not be negative")},
  };
  for (const ServiceRule& rule : rules) {
    SCOPED_TRACE(rule.name);
    api::ServiceSpec spec = valid_service();
    rule.edit(spec);
    EXPECT_ERROR(validate_service_spec(spec), Code::kInvalidArgument, rule.message);
  }
}

TEST(ServiceRulesTest, WhatDockerAcceptsPasses) {
  api::ServiceSpec spec = valid_service();
  spec.TaskTemplate.ContainerSpec->Mounts = {make_mount(api::MountType::kBind, "/srv", "/data"),
                                             make_mount(api::MountType::kVolume, "v", "/v"),
                                             make_mount(api::MountType::kVolume, "", "/anon"),
                                             make_mount(api::MountType::kTmpfs, "", "/tmp")};
  spec.TaskTemplate.ContainerSpec->StopGracePeriod = nanoseconds(0);
  spec.Mode.Replicated->Replicas = 0;
  EXPECT_TRUE(validate_service_spec(spec).is_ok()) << validate_service_spec(spec).to_string();
}

// Spellings refused while the request is read, in the words of moby's conversion.
struct BodyRule {
  const char* body;
  const char* message;
};

template <typename T>
void expect_refused_bodies(std::initializer_list<BodyRule> rules) {
  for (const BodyRule& rule : rules) {
    SCOPED_TRACE(rule.body);
    EXPECT_ERROR(api::decode<T>(rule.body).status(), Code::kInvalidArgument, rule.message);
  }
}

TEST(ServiceRulesTest, RequestSpellingsInDockersWords) {
  expect_refused_bodies<api::ServiceSpec>({
      {R"({"TaskTemplate":{"RestartPolicy":{"Condition":"bogus"}}})",
       "invalid RestartCondition: \"bogus\""},
      {R"({"UpdateConfig":{"FailureAction":"bogus"}})", "unrecognized update failure action bogus"},
      {R"({"RollbackConfig":{"Order":"bogus"}})", "unrecognized update order bogus"},
      {R"({"EndpointSpec":{"Mode":"bogus"}})", "invalid resolution mode: \"bogus\""},
      {R"({"TaskTemplate":{"ContainerSpec":{"Mounts":[{"Type":"bogus"}]}}})",
       "invalid MountType: \"bogus\""},
      {R"({"TaskTemplate":{"ContainerSpec":{"Mounts":[{"BindOptions":{"Propagation":"x"}}]}}})",
       "invalid MountPropagation: \"x\""},
  });
}

TEST(NodeRulesTest, RequestSpellingsInDockersWords) {
  expect_refused_bodies<api::NodeSpec>({
      {R"({"Role":"bogus"})", "invalid Role: \"bogus\""},
      {R"({"Availability":"bogus"})", "invalid Availability: \"bogus\""},
  });
}

struct ClusterRule {
  const char* name;
  std::function<void(api::Spec&)> edit;
  std::string message;
};

TEST(SwarmUpdateRulesTest, RefusesWhatDockerRefuses) {
  const ClusterRule rules[] = {
      {"renamed", [](api::Spec& s) { s.Name = "other"; }, "swarm spec must be named \"default\""},
      {"short cert expiry",
       [](api::Spec& s) { s.CAConfig.NodeCertExpiry = std::chrono::minutes(59); },
       rpc("minimum certificate expiry time is: 1h0m0s")},
      {"negative heartbeat", [](api::Spec& s) { s.Dispatcher.HeartbeatPeriod = nanoseconds(-1); },
       rpc("heartbeat time period cannot be a negative duration")},
      {"external CA without protocol", [](api::Spec& s) { s.CAConfig.ExternalCAs.emplace_back(); },
       "invalid protocol: \"\""},
  };
  for (const ClusterRule& rule : rules) {
    SCOPED_TRACE(rule.name);
    api::Spec spec = default_cluster_spec();
    rule.edit(spec);
    EXPECT_ERROR(update_cluster_spec(spec).status(), Code::kInvalidArgument, rule.message);
  }
  expect_refused_bodies<api::Spec>({
      {R"({"CAConfig":{"ExternalCAs":[{"Protocol":"bogus"}]}})", "invalid protocol: \"bogus\""},
  });
}

}  // namespace
}  // namespace shoal::manager::controlapi
