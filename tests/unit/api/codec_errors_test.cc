// Decoding failures: each is kInvalidArgument and names the field (Go's UnmarshalTypeError
// text for mistyped values, the path and the problem otherwise), or, for an enum moby
// refuses in its own words, is that text alone.
#include <gtest/gtest.h>

#include <string>

#include "api/codec.h"

namespace shoal::api {
namespace {

struct BadInput {
  const char* body;
  const char* message;
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.body; }

template <class T>
void expect_error(const BadInput& bad) {
  Result<T> out = decode<T>(bad.body);
  ASSERT_FALSE(out.is_ok()) << bad.body;
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(out.status().message(), bad.message);
}

class ServiceErrorTest : public testing::TestWithParam<BadInput> {};
TEST_P(ServiceErrorTest, NamesThePath) { expect_error<Service>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Nested, ServiceErrorTest,
    testing::Values(
        BadInput{R"({"Spec":{"Mode":{"Replicated":{"Replicas":"3"}}}})",
                 "json: cannot unmarshal string into Go struct field "
                 "ReplicatedService.Spec.Mode.Replicated.Replicas of type uint64"},
        BadInput{R"({"Spec":{"Mode":{"Replicated":{"Replicas":-1}}}})",
                 "json: cannot unmarshal number -1 into Go struct field "
                 "ReplicatedService.Spec.Mode.Replicated.Replicas of type uint64"},
        BadInput{R"({"Spec":{"Mode":{"Replicated":{"Replicas":1.5}}}})",
                 "json: cannot unmarshal number 1.5 into Go struct field "
                 "ReplicatedService.Spec.Mode.Replicated.Replicas of type uint64"},
        BadInput{R"({"Spec":{"Name":7}})",
                 "json: cannot unmarshal number into Go struct field ServiceSpec.Spec.Name of "
                 "type string"},
        BadInput{R"({"Spec":{"Labels":{"a.b":1}}})",
                 "json: cannot unmarshal number into Go struct field ServiceSpec.Spec.Labels of "
                 "type string"},
        BadInput{R"({"Spec":{"Labels":[]}})",
                 "json: cannot unmarshal array into Go struct field ServiceSpec.Spec.Labels of "
                 "type map[string]string"},
        BadInput{R"({"Spec":{"TaskTemplate":{"ContainerSpec":{"Mounts":[{},{"Type":"nfs"}]}}}})",
                 "invalid MountType: \"nfs\""},
        BadInput{R"({"Spec":{"TaskTemplate":{"ContainerSpec":{"TTY":"yes"}}}})",
                 "json: cannot unmarshal string into Go struct field "
                 "ContainerSpec.Spec.TaskTemplate.ContainerSpec.TTY of type bool"},
        BadInput{R"({"Spec":{"TaskTemplate":{"ContainerSpec":{"Env":"A=1"}}}})",
                 "json: cannot unmarshal string into Go struct field "
                 "ContainerSpec.Spec.TaskTemplate.ContainerSpec.Env of type []string"},
        BadInput{R"({"Spec":{"TaskTemplate":{"ContainerSpec":{"StopGracePeriod":"10s"}}}})",
                 "json: cannot unmarshal string into Go struct field "
                 "ContainerSpec.Spec.TaskTemplate.ContainerSpec.StopGracePeriod of type "
                 "time.Duration"},
        BadInput{R"({"Spec":{"TaskTemplate":{"RestartPolicy":{"Condition":"always"}}}})",
                 "invalid RestartCondition: \"always\""},
        BadInput{R"({"Spec":{"UpdateConfig":{"Order":"random"}}})",
                 "unrecognized update order random"},
        BadInput{R"({"Spec":{"UpdateConfig":{"FailureAction":"explode"}}})",
                 "unrecognized update failure action explode"},
        BadInput{R"({"Spec":{"EndpointSpec":{"Mode":"round-robin"}}})",
                 "invalid resolution mode: \"round-robin\""},
        BadInput{R"({"Spec":{"EndpointSpec":{"Ports":[{"Protocol":"icmp"}]}}})",
                 "Spec.EndpointSpec.Ports[0].Protocol: invalid value \"icmp\" "
                 "(expected tcp, udp or sctp)"},
        BadInput{R"({"Spec":{"TaskTemplate":{"ContainerSpec":{"Mounts":[{"BindOptions":)"
                 R"({"Propagation":"up"}}]}}}})",
                 "invalid MountPropagation: \"up\""},
        BadInput{R"({"Spec":{"EndpointSpec":{"Ports":[{"TargetPort":70000000000}]}}})",
                 "json: cannot unmarshal number 70000000000 into Go struct field "
                 "PortConfig.Spec.EndpointSpec.Ports.TargetPort of type uint32"},
        BadInput{R"({"Spec":{"TaskTemplate":"x"}})",
                 "json: cannot unmarshal string into Go struct field ServiceSpec.Spec.TaskTemplate "
                 "of type TaskSpec"},
        BadInput{R"({"CreatedAt":"yesterday"})",
                 "CreatedAt: invalid time \"yesterday\": expected RFC 3339 "
                 "(2006-01-02T15:04:05.999999999Z07:00)"},
        BadInput{R"({"UpdateStatus":{"StartedAt":12}})",
                 "json: cannot unmarshal number into Go struct field "
                 "UpdateStatus.UpdateStatus.StartedAt of type time.Time"},
        BadInput{R"({"Spec":{"UpdateConfig":{"MaxFailureRatio":"0.1"}}})",
                 "json: cannot unmarshal string into Go struct field "
                 "UpdateConfig.Spec.UpdateConfig.MaxFailureRatio of type float32"},
        BadInput{R"([])", "json: cannot unmarshal array into Go value of type Service"},
        BadInput{R"({"ID":"x",})",
                 "invalid JSON: parse error at line 1, column 11: syntax error while parsing "
                 "object key - unexpected '}'; expected string literal"}));

// Enums whose unknown spellings moby's convert package refuses in its own words.
TEST(DecodeErrorTest, NodeRoleAndAvailabilityInDockersWords) {
  expect_error<NodeSpec>({R"({"Availability":"bogus"})", "invalid Availability: \"bogus\""});
  expect_error<Node>({R"({"Spec":{"Availability":"Active"}})", "invalid Availability: \"Active\""});
  expect_error<NodeSpec>({R"({"Role":"boss"})", "invalid Role: \"boss\""});
  expect_error<NodeSpec>({R"({"Role":"a\"b"})", "invalid Role: \"a\\\"b\""});
}

TEST(DecodeErrorTest, ExternalCAProtocolInDockersWords) {
  expect_error<Spec>(
      {R"({"CAConfig":{"ExternalCAs":[{"Protocol":"acme"}]}})", "invalid protocol: \"acme\""});
}

TEST(DecodeErrorTest, TaskState) {
  expect_error<Task>({R"({"Status":{"State":"exploded"}})",
                      "Status.State: invalid value \"exploded\" (expected new, allocated, pending, "
                      "assigned, accepted, preparing, ready, starting, running, complete, "
                      "shutdown, failed, rejected, remove or orphaned)"});
  expect_error<Task>({R"({"Slot":9223372036854775808})",
                      "json: cannot unmarshal number 9223372036854775808 into Go struct field "
                      "Task.Slot of type int64"});
}

TEST(DecodeErrorTest, Base64) {
  expect_error<SecretSpec>({R"({"Data":"not base64!"})", "Data: invalid base64"});
  expect_error<SecretSpec>({R"({"Data":"YWJj="})", "Data: invalid base64"});
  expect_error<SecretSpec>({R"({"Data":"YWI"})", "Data: invalid base64"});
  expect_error<SecretSpec>({R"({"Data":[1,2]})",
                            "json: cannot unmarshal array into Go struct field SecretSpec.Data of "
                            "type []uint8"});
  expect_error<Node>({R"({"Description":{"TLSInfo":{"CertIssuerSubject":"%%%%"}}})",
                      "Description.TLSInfo.CertIssuerSubject: invalid base64"});
}

TEST(DecodeErrorTest, FirstErrorWins) {
  expect_error<ServiceSpec>({R"({"Name":1,"Labels":2})",
                             "json: cannot unmarshal number into Go struct field ServiceSpec.Name "
                             "of type string"});
}

TEST(DecodeTest, NullMeansAbsentAndUnknownKeysAreIgnored) {
  auto spec = decode<ServiceSpec>(
      R"({"Name":null,"Labels":null,"Mode":{"Replicated":null,"Global":{}},"Bogus":[1],)"
      R"("TaskTemplate":{"ContainerSpec":{"Env":["A",null]}},"EndpointSpec":null})");
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  EXPECT_EQ(spec->Name, "");
  EXPECT_FALSE(spec->Mode.Replicated.has_value());
  EXPECT_TRUE(spec->Mode.Global.has_value());
  EXPECT_FALSE(spec->EndpointSpec.has_value());
  EXPECT_EQ(spec->TaskTemplate.ContainerSpec->Env, (std::vector<std::string>{"A", ""}));
}

TEST(DecodeTest, TopLevelNullIsTheZeroValue) {
  auto request = decode<UnlockRequest>("null");
  ASSERT_TRUE(request.is_ok());
  EXPECT_EQ(request->UnlockKey, "");
  EXPECT_FALSE(decode<UnlockRequest>("").is_ok());
  EXPECT_FALSE(decode<UnlockRequest>("\"key\"").is_ok());
}

TEST(DecodeTest, KeysMatchExactlyThenIgnoringCase) {
  auto spec = decode<NodeSpec>(R"({"role":"manager","ROLE":"worker","Role":"worker","name":"n"})");
  ASSERT_TRUE(spec.is_ok());
  EXPECT_EQ(spec->Role, NodeRole::kWorker);  // the exact key wins
  EXPECT_EQ(spec->Name, "n");
}

TEST(DecodeTest, NegativeIntegersAndRanges) {
  auto swarm = decode<Spec>(R"({"Orchestration":{"TaskHistoryRetentionLimit":-1}})");
  ASSERT_TRUE(swarm.is_ok());
  EXPECT_EQ(swarm->Orchestration.TaskHistoryRetentionLimit, -1);
  auto mount = decode<Mount>(R"({"TmpfsOptions":{"SizeBytes":-9223372036854775808}})");
  ASSERT_TRUE(mount.is_ok()) << mount.status().to_string();
  EXPECT_EQ(mount->TmpfsOptions->SizeBytes, std::numeric_limits<int64_t>::min());
  expect_error<Mount>({R"({"TmpfsOptions":{"Mode":-1}})",
                       "json: cannot unmarshal number -1 into Go struct field "
                       "TmpfsOptions.TmpfsOptions.Mode of type uint32"});
}

TEST(DecodeTest, TimesWithOffsetsAreNormalisedToUtc) {
  auto status = decode<TaskStatus>(R"({"Timestamp":"2024-01-02T05:04:05.5+02:00"})");
  ASSERT_TRUE(status.is_ok());
  EXPECT_EQ(format_rfc3339_nano(status->Timestamp), "2024-01-02T03:04:05.5Z");
}

}  // namespace
}  // namespace shoal::api
