// Golden fixtures in tests/data/api: Docker's exact JSON for daemon responses (from the v1.41
// API reference examples, in the shape Go's encoding/json gives the moby v20.10 types) and
// the docker CLI's request bodies (docker-cli-api.md §5, §6, §7.2, §9, §10, §11.1).
// Each decodes and re-encodes to the same JSON, key order included; where the model cannot
// reproduce a request byte for byte (a field newer than v1.41, Go's nil-vs-empty), the
// expected output is in <name>.reencoded.json and the difference is explained below.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "api/codec.h"

namespace shoal::api {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(SHOAL_TEST_DATA_DIR) + "/api/" + name);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A decoded value encoded again, both ways.
struct Encoded {
  Json tree;         // to_json
  std::string text;  // encode
};

// Decodes the body as T and encodes it again.
template <class T>
Result<Encoded> reencode(std::string_view body) {
  SHOAL_ASSIGN_OR_RETURN(T value, decode<T>(body));
  return Encoded{to_json(value), encode(value)};
}

struct Golden {
  const char* file;
  std::function<Result<Encoded>(std::string_view)> reencode;
  // Expected output when it differs from the input, and why.
  const char* expected = nullptr;
};

void PrintTo(const Golden& g, std::ostream* os) { *os << g.file; }

class GoldenTest : public testing::TestWithParam<Golden> {};

TEST_P(GoldenTest, DecodesAndReencodesToDockersShape) {
  const Golden& golden = GetParam();
  const std::string input = read_fixture(golden.file);
  Result<Encoded> out = golden.reencode(input);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const Json expected = Json::parse(golden.expected ? read_fixture(golden.expected) : input);
  // ordered_json compares key order too.
  EXPECT_EQ(out->tree, expected) << "got:\n"
                                 << out->tree.dump(2) << "\nwant:\n"
                                 << expected.dump(2);
  // The fixtures hold no characters Go escapes beyond what nlohmann does, so the compact
  // text must be identical byte for byte.
  EXPECT_EQ(out->text, expected.dump());
}

INSTANTIATE_TEST_SUITE_P(
    DaemonResponses, GoldenTest,
    testing::Values(
        Golden{"service_replicated.json", reencode<Service>},
        Golden{"service_replicated_job.json", reencode<Service>},
        Golden{"service_global.json", reencode<Service>}, Golden{"task.json", reencode<Task>},
        Golden{"task_job_host_ports.json", reencode<Task>}, Golden{"task_new.json", reencode<Task>},
        Golden{"node.json", reencode<Node>}, Golden{"node_worker_down.json", reencode<Node>},
        Golden{"swarm.json", reencode<Swarm>}, Golden{"info_active.json", reencode<Info>},
        Golden{"info_inactive.json", reencode<Info>}, Golden{"secret.json", reencode<Secret>},
        Golden{"config.json", reencode<Config>},
        Golden{"network_resource.json", reencode<NetworkResource>},
        Golden{"network_resource_empty.json", reencode<NetworkResource>},
        Golden{"service_create_response.json", reencode<ServiceCreateResponse>},
        Golden{"service_update_response.json", reencode<ServiceUpdateResponse>},
        Golden{"network_create_response.json", reencode<NetworkCreateResponse>},
        Golden{"unlock_key_response.json", reencode<SwarmUnlockKeyResponse>}));

INSTANTIATE_TEST_SUITE_P(
    CliRequests, GoldenTest,
    testing::Values(
        Golden{"cli_service_create_minimal.json", reencode<ServiceSpec>},
        Golden{"cli_service_create_full.json", reencode<ServiceSpec>},
        Golden{"cli_service_create_jobs.json", reencode<ServiceSpec>},
        // Privileges.NoNewPrivileges is API 1.46; v1.41 has no such field, so it is dropped.
        Golden{"cli_stack_deploy_service.json", reencode<ServiceSpec>,
               "cli_stack_deploy_service.reencoded.json"},
        Golden{"cli_stack_deploy_global.json", reencode<ServiceSpec>},
        // "Labels":null reads as no labels, written {}; "DefaultAddrPool":[] reads as none,
        // written null (Go nil).
        Golden{"cli_swarm_init.json", reencode<InitRequest>, "cli_swarm_init.reencoded.json"},
        Golden{"cli_swarm_init_flags.json", reencode<InitRequest>},
        Golden{"cli_swarm_join.json", reencode<JoinRequest>},
        Golden{"cli_swarm_unlock.json", reencode<UnlockRequest>},
        Golden{"cli_node_update.json", reencode<NodeSpec>},
        Golden{"cli_secret_create.json", reencode<SecretSpec>},
        Golden{"cli_secret_create_driver.json", reencode<SecretSpec>},
        Golden{"cli_config_create.json", reencode<ConfigSpec>},
        // CLI 28 orders NetworkCreate differently and omits EnableIPv6 (a *bool since 1.44);
        // v1.41's struct always has it. IPAM "Options":{} is written null (Go nil map).
        Golden{"cli_network_create.json", reencode<NetworkCreateRequest>,
               "cli_network_create.reencoded.json"},
        Golden{"cli_stack_network_create.json", reencode<NetworkCreateRequest>,
               "cli_stack_network_create.reencoded.json"}));

TEST(GoldenFacts, CliDefaultsDecodeAsUnset) {
  auto spec = decode<ServiceSpec>(read_fixture("cli_service_create_minimal.json"));
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  ASSERT_TRUE(spec->Mode.Replicated.has_value());
  EXPECT_FALSE(spec->Mode.Replicated->Replicas.has_value());  // the server defaults it to 1
  ASSERT_TRUE(spec->EndpointSpec.has_value());
  EXPECT_EQ(spec->EndpointSpec->Mode, ResolutionMode::kVIP);
  EXPECT_EQ(spec->TaskTemplate.ContainerSpec->Init, false);

  auto stack = decode<ServiceSpec>(read_fixture("cli_stack_deploy_service.json"));
  ASSERT_TRUE(stack.is_ok()) << stack.status().to_string();
  EXPECT_EQ(stack->EndpointSpec->Mode, ResolutionMode::kUnset);
  EXPECT_EQ(stack->UpdateConfig->Order, UpdateOrder::kUnset);
  EXPECT_FALSE(stack->TaskTemplate.RestartPolicy->Delay.has_value());
  EXPECT_FALSE(stack->TaskTemplate.ContainerSpec->Privileges->CredentialSpec.has_value());
}

TEST(GoldenFacts, SecretDataIsBinaryAndConfigDataRoundTrips) {
  auto secret = decode<SecretSpec>(read_fixture("cli_secret_create.json"));
  ASSERT_TRUE(secret.is_ok());
  EXPECT_EQ(secret->Data, "secret value\n");
  auto node = decode<Node>(read_fixture("node.json"));
  ASSERT_TRUE(node.is_ok());
  EXPECT_EQ(node->Description.TLSInfo.CertIssuerSubject.size(), 21u);
  EXPECT_EQ(node->Description.TLSInfo.CertIssuerSubject.substr(0, 2), std::string("\x30\x13"));
}

TEST(GoldenFacts, TimesAndDurationsDecodeToValues) {
  auto service = decode<Service>(read_fixture("service_replicated.json"));
  ASSERT_TRUE(service.is_ok()) << service.status().to_string();
  EXPECT_EQ(service->CreatedAt.unix_nanos(), 1465333551880065305);
  EXPECT_EQ(service->Spec.UpdateConfig->Monitor, std::chrono::seconds(15));
  EXPECT_FLOAT_EQ(service->Spec.UpdateConfig->MaxFailureRatio, 0.15f);
  EXPECT_EQ(service->Spec.TaskTemplate.ContainerSpec->Mounts[2].TmpfsOptions->Mode, 01777u);
  auto task = decode<Task>(read_fixture("task_new.json"));
  ASSERT_TRUE(task.is_ok());
  EXPECT_TRUE(task->Status.Timestamp.is_zero());
  EXPECT_EQ(task->Spec->ContainerSpec->Image, "nginx:latest");
}

}  // namespace
}  // namespace shoal::api
