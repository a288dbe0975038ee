// Pure tests of service spec normalization, validation and insertDefaults.
#include "manager/controlapi/service_spec.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/codec.h"
#include "fixture.h"
#include "manager/controlapi/image_ref.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::seconds;

api::ServiceSpec minimal(std::string image = "nginx:latest") {
  api::ServiceSpec spec;
  spec.Name = "web";
  spec.TaskTemplate.ContainerSpec.emplace();
  spec.TaskTemplate.ContainerSpec->Image = std::move(image);
  return spec;
}

api::ServiceSpec normalized(api::ServiceSpec spec) {
  auto result = normalize_service_spec(std::move(spec), testing::seeded_random(1));
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result.is_ok() ? *result : api::ServiceSpec{};
}

TEST(NormalizeTest, FillsDockerDefaults) {
  api::ServiceSpec spec = minimal();
  spec.Name = "";
  spec.TaskTemplate.RestartPolicy.emplace();
  spec.UpdateConfig.emplace();
  spec.EndpointSpec.emplace();
  spec.EndpointSpec->Ports.push_back(api::PortConfig{"", {}, 80, 8080, {}});
  api::ServiceSpec out = normalized(spec);
  EXPECT_FALSE(out.Name.empty());
  EXPECT_NE(out.Name.find('_'), std::string::npos);
  ASSERT_TRUE(out.Mode.Replicated);
  EXPECT_EQ(out.Mode.Replicated->Replicas, 1u);
  EXPECT_EQ(out.TaskTemplate.Runtime, api::RuntimeType::kContainer);
  EXPECT_EQ(out.TaskTemplate.ContainerSpec->Isolation, api::Isolation::kDefault);
  EXPECT_EQ(out.TaskTemplate.RestartPolicy->Condition, api::RestartPolicyCondition::kAny);
  EXPECT_EQ(out.TaskTemplate.RestartPolicy->MaxAttempts, 0u);
  EXPECT_EQ(out.UpdateConfig->FailureAction, api::UpdateFailureAction::kPause);
  EXPECT_EQ(out.UpdateConfig->Order, api::UpdateOrder::kStopFirst);
  EXPECT_EQ(out.EndpointSpec->Mode, api::ResolutionMode::kVIP);
  EXPECT_EQ(out.EndpointSpec->Ports[0].Protocol, api::PortConfigProtocol::kTCP);
  EXPECT_EQ(out.EndpointSpec->Ports[0].PublishMode, api::PortConfigPublishMode::kIngress);
  // Normalizing a normalized spec changes nothing.
  EXPECT_EQ(api::encode(normalized(out)), api::encode(out));
}

TEST(NormalizeTest, JobDefaults) {
  api::ServiceSpec spec = minimal();
  spec.Mode.ReplicatedJob.emplace();
  api::ServiceSpec out = normalized(spec);
  EXPECT_EQ(out.Mode.ReplicatedJob->MaxConcurrent, 1u);
  EXPECT_EQ(out.Mode.ReplicatedJob->TotalCompletions, 1u);
  spec.Mode.ReplicatedJob->MaxConcurrent = 3;
  out = normalized(spec);
  EXPECT_EQ(out.Mode.ReplicatedJob->TotalCompletions, 3u);
  EXPECT_FALSE(out.Mode.Replicated);
}

TEST(NormalizeTest, Refusals) {
  api::ServiceSpec two_modes = minimal();
  two_modes.Mode.Global.emplace();
  two_modes.Mode.Replicated.emplace();
  EXPECT_ERROR(normalize_service_spec(two_modes, testing::seeded_random(1)).status(),
               Code::kInvalidArgument, "must specify only one service mode");
  api::ServiceSpec no_container = minimal();
  no_container.TaskTemplate.ContainerSpec.reset();
  EXPECT_ERROR(normalize_service_spec(no_container, testing::seeded_random(1)).status(),
               Code::kInvalidArgument, "mismatched Runtime and *Spec fields");
  api::ServiceSpec plugin = minimal();
  plugin.TaskTemplate.Runtime = api::RuntimeType::kPlugin;
  EXPECT_ERROR(normalize_service_spec(plugin, testing::seeded_random(1)).status(),
               Code::kInvalidArgument, "unsupported runtime");
}

struct BadSpec {
  const char* name;
  std::function<void(api::ServiceSpec&)> edit;
  const char* message;  // after "rpc error: code = InvalidArgument desc = "
};

TEST(ValidateTest, RefusesWhatSwarmkitRefuses) {
  using std::chrono::nanoseconds;
  const BadSpec cases[] = {
      {"no image", [](api::ServiceSpec& s) { s.TaskTemplate.ContainerSpec->Image = ""; },
       "ContainerSpec: image reference must be provided"},
      {"bad image", [](api::ServiceSpec& s) { s.TaskTemplate.ContainerSpec->Image = "Nginx"; },
       "ContainerSpec: \"Nginx\" is not a valid repository/tag"},
      {"bad name", [](api::ServiceSpec& s) { s.Name = "web.1"; },
       "name must be valid as a DNS name component"},
      {"long name", [](api::ServiceSpec& s) { s.Name = std::string(64, 'a'); },
       "name must be 63 characters or fewer"},
      {"cpu",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.Resources = api::ResourceRequirements{api::Limit{100000, 0, 0}, {}};
       },
       "invalid cpu value 0.0001: Must be at least 0.001"},
      {"memory",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.Resources = api::ResourceRequirements{{}, api::Resources{0, 1024, {}}};
       },
       "invalid memory value 1024: Must be at least 4MiB"},
      {"restart delay",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.RestartPolicy = api::RestartPolicy{{}, nanoseconds(-1), {}, {}};
       },
       "TaskSpec: restart-delay cannot be negative"},
      {"restart window",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.RestartPolicy = api::RestartPolicy{{}, {}, {}, nanoseconds(-1)};
       },
       "TaskSpec: restart-window cannot be negative"},
      {"constraint",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.Placement = api::Placement{{"node.role"}, {}, 0, {}};
       },
       "constraint expected one operator from ==, !="},
      {"update delay",
       [](api::ServiceSpec& s) {
         s.UpdateConfig = api::UpdateConfig{1, nanoseconds(-5), {}, {}, 0, {}};
       },
       "TaskSpec: update-delay cannot be negative"},
      {"update monitor",
       [](api::ServiceSpec& s) {
         s.UpdateConfig = api::UpdateConfig{1, {}, {}, nanoseconds(-5), 0, {}};
       },
       "TaskSpec: update-monitor cannot be negative"},
      {"failure ratio",
       [](api::ServiceSpec& s) { s.UpdateConfig = api::UpdateConfig{1, {}, {}, {}, 1.5, {}}; },
       "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"},
      {"job update config",
       [](api::ServiceSpec& s) {
         s.Mode = {};
         s.Mode.ReplicatedJob = api::ReplicatedJob{1, 1};
         s.UpdateConfig.emplace();
       },
       "Jobs may not have an update config"},
      {"duplicate mounts",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Mounts = {
             api::Mount{api::MountType::kTmpfs, "", "/x", false, {}, {}, {}, {}},
             api::Mount{api::MountType::kTmpfs, "", "/x", false, {}, {}, {}, {}}};
       },
       "ContainerSpec: duplicate mount point: /x"},
      {"health interval",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Healthcheck =
             api::HealthConfig{{"CMD", "true"}, nanoseconds(10), {}, {}, 0};
       },
       "ContainerSpec: Interval in HealthConfig cannot be less than 1ms"},
      {"health retries",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Healthcheck =
             api::HealthConfig{{"CMD", "true"}, {}, {}, {}, -1};
       },
       "ContainerSpec: Retries in HealthConfig cannot be negative"},
      {"secret ref",
       [](api::ServiceSpec& s) {
         s.TaskTemplate.ContainerSpec->Secrets = {api::SecretReference{{}, "id", "name"}};
       },
       "malformed secret reference, no target provided"},
      {"secret targets",
       [](api::ServiceSpec& s) {
         api::SecretReferenceFileTarget file{"f", "0", "0", 0444};
         s.TaskTemplate.ContainerSpec->Secrets = {api::SecretReference{file, "id1", "a"},
                                                  api::SecretReference{file, "id2", "b"}};
       },
       "secret references 'a' and 'b' have a conflicting target: 'f'"},
      {"dnsrr ingress",
       [](api::ServiceSpec& s) {
         s.EndpointSpec =
             api::EndpointSpec{api::ResolutionMode::kDNSRR,
                               {api::PortConfig{"", api::PortConfigProtocol::kTCP, 80, 8080,
                                                api::PortConfigPublishMode::kIngress}}};
       },
       "EndpointSpec: port published with ingress mode can't be used with dnsrr mode"},
      {"duplicate ports",
       [](api::ServiceSpec& s) {
         api::PortConfig p{"", api::PortConfigProtocol::kTCP, 80, 8080,
                           api::PortConfigPublishMode::kIngress};
         s.EndpointSpec = api::EndpointSpec{api::ResolutionMode::kVIP, {p, p}};
       },
       "EndpointSpec: duplicate published ports provided"},
  };
  for (const BadSpec& c : cases) {
    SCOPED_TRACE(c.name);
    api::ServiceSpec spec = normalized(minimal());
    c.edit(spec);
    EXPECT_ERROR(validate_service_spec(spec), Code::kInvalidArgument,
                 std::string("rpc error: code = InvalidArgument desc = ") + c.message);
  }
}

TEST(ValidateTest, AcceptsTheFullCliSpec) {
  auto body = api::parse_json(R"({"Name":"x","Labels":{},"TaskTemplate":{"ContainerSpec":{
    "Image":"nginx:latest@sha256:b0d2ca2c2a1bfc1c4e4d1ab2bdbc2d0d0e8ef1a51d1b53b4e4f7b2ba3fbb1d8c",
    "Init":false,"DNSConfig":{}},"Resources":{"Limits":{},"Reservations":{}},
    "Placement":{"Platforms":[{"Architecture":"amd64","OS":"linux"}]},"ForceUpdate":0},
    "Mode":{"Replicated":{}},"EndpointSpec":{"Mode":"vip"}})");
  ASSERT_TRUE(body.is_ok());
  api::ServiceSpec spec;
  ASSERT_TRUE(api::from_json(*body, spec).is_ok());
  EXPECT_TRUE(validate_service_spec(normalized(spec)).is_ok());
}

TEST(ImageRefTest, Grammar) {
  for (const char* good : {"nginx", "nginx:1.25", "library/nginx:latest", "localhost:5000/a/b:c",
                           "registry.example.com/team/app@sha256:0123456789abcdef0123456789abcdef",
                           "busybox:1.36.1-musl", "a_b__c-d", "[::1]:5000/x"}) {
    EXPECT_TRUE(is_valid_image_reference(good)) << good;
  }
  for (const char* bad : {"", "Nginx", "nginx:", "nginx@sha256:12", ":tag", "a//b", "-a",
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          "nginx:tag:other", "Registry.local/Team/x"}) {
    EXPECT_FALSE(is_valid_image_reference(bad)) << bad;
  }
}

TEST(InsertDefaultsTest, ShowsSwarmkitDefaults) {
  api::ServiceSpec out = insert_defaults(normalized(minimal()));
  EXPECT_EQ(out.TaskTemplate.ContainerSpec->StopGracePeriod, seconds(10));
  EXPECT_TRUE(out.TaskTemplate.ContainerSpec->DNSConfig);
  EXPECT_TRUE(out.TaskTemplate.Resources);
  EXPECT_TRUE(out.TaskTemplate.Placement);
  ASSERT_TRUE(out.TaskTemplate.RestartPolicy);
  EXPECT_EQ(out.TaskTemplate.RestartPolicy->Condition, api::RestartPolicyCondition::kAny);
  EXPECT_EQ(out.TaskTemplate.RestartPolicy->Delay, seconds(5));
  for (const auto* config : {&out.UpdateConfig, &out.RollbackConfig}) {
    ASSERT_TRUE(*config);
    EXPECT_EQ((*config)->Parallelism, 1u);
    EXPECT_EQ((*config)->FailureAction, api::UpdateFailureAction::kPause);
    EXPECT_EQ((*config)->Monitor, seconds(5));
    EXPECT_EQ((*config)->Order, api::UpdateOrder::kStopFirst);
  }
  // Set values are kept; only missing parts are filled.
  api::ServiceSpec custom = normalized(minimal());
  custom.UpdateConfig = api::UpdateConfig{3,  seconds(1), api::UpdateFailureAction::kContinue,
                                          {}, 0,          api::UpdateOrder::kStartFirst};
  custom.TaskTemplate.RestartPolicy =
      api::RestartPolicy{api::RestartPolicyCondition::kNone, {}, 0, {}};
  out = insert_defaults(custom);
  EXPECT_EQ(out.UpdateConfig->Parallelism, 3u);
  EXPECT_EQ(out.UpdateConfig->Monitor, seconds(5));
  EXPECT_EQ(out.UpdateConfig->Order, api::UpdateOrder::kStartFirst);
  EXPECT_EQ(out.TaskTemplate.RestartPolicy->Condition, api::RestartPolicyCondition::kNone);
  EXPECT_EQ(out.TaskTemplate.RestartPolicy->Delay, seconds(5));
}

}  // namespace
}  // namespace shoal::manager::controlapi
