#include "store/codec.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace shoal::store {
namespace {

using testing::json_of;

template <typename T>
T round_trip(const T& object) {
  std::string record;
  codec::encode(object, &record);
  T out;
  Status s = codec::decode(record, &out);
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

TEST(CodecTest, FieldIdsAreUnique) { codec::check_field_ids(); }

TEST(CodecTest, RoundTripsEveryKind) {
  api::Service service = testing::make_service("svc1", "web");
  service.Version.Index = 42;
  service.CreatedAt = Timestamp::from_unix_nanos(1);
  service.UpdatedAt = Timestamp::from_unix_nanos(-5);  // before 1970
  service.Spec.Mode.Replicated.reset();
  service.Spec.Mode.Global.emplace();  // an empty struct that is set
  service.Spec.UpdateConfig.emplace();
  service.Spec.UpdateConfig->MaxFailureRatio = 0.25f;
  EXPECT_EQ(json_of(round_trip(service)), json_of(service));
  EXPECT_TRUE(round_trip(service).Spec.Mode.Global.has_value());
  EXPECT_FALSE(round_trip(service).Spec.Mode.Replicated.has_value());

  api::Node node = testing::make_node("n1", "host-1", "named");
  node.ManagerStatus.emplace();
  node.ManagerStatus->Leader = true;
  EXPECT_EQ(json_of(round_trip(node)), json_of(node));
  api::Secret secret = testing::make_secret("s1", "pw");
  EXPECT_EQ(round_trip(secret).Spec.Data, secret.Spec.Data);
  EXPECT_EQ(json_of(round_trip(secret)), json_of(secret));
  api::Config config = testing::make_config("c1", "cfg");
  EXPECT_EQ(json_of(round_trip(config)), json_of(config));
  api::Network network = testing::make_network("net1", "backend");
  EXPECT_EQ(json_of(round_trip(network)), json_of(network));
  api::Swarm cluster = testing::make_cluster("cl1");
  EXPECT_EQ(json_of(round_trip(cluster)), json_of(cluster));
  auto spec = testing::make_spec("busybox");
  EXPECT_EQ(json_of(round_trip(*spec)), json_of(*spec));
  EXPECT_EQ(round_trip(*spec).RestartPolicy->MaxAttempts, std::optional<uint64_t>(0));
}

TEST(CodecTest, TaskStoresItsSpecByReference) {
  auto spec = testing::make_spec("busybox");
  api::Task task = testing::make_task("t1", "svc1", 3, "n1", spec);
  task.Status.ContainerStatus.emplace();
  task.Status.ContainerStatus->ExitCode = -1;
  std::string record;
  codec::encode(task, "hash-1", &record);
  std::string with_spec;
  codec::encode(task, "", &with_spec);
  EXPECT_LT(record.size() + 50, with_spec.size()) << "the spec is not inlined";

  std::string asked;
  api::Task out;
  Status s = codec::decode(
      record,
      [&](std::string_view ref) -> Result<std::shared_ptr<const api::TaskSpec>> {
        asked = std::string(ref);
        return spec;
      },
      &out);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(asked, "hash-1");
  EXPECT_EQ(out.Spec, spec) << "the resolved spec is shared, not copied";
  EXPECT_EQ(json_of(out), json_of(task));

  Status missing = codec::decode(
      record,
      [](std::string_view) -> Result<std::shared_ptr<const api::TaskSpec>> {
        return error(Code::kInternal, "no such spec");
      },
      &out);
  EXPECT_EQ(missing.message(), "no such spec");
}

TEST(CodecTest, UnknownFieldsAreSkippedAndMissingOnesZero) {
  // A secret record read as a config: Spec.Driver is unknown to ConfigSpec and skipped;
  // everything else lines up.
  api::Secret secret = testing::make_secret("s1", "pw");
  secret.Spec.Driver.emplace();
  secret.Spec.Driver->Name = "vault";
  secret.Spec.Templating.emplace();
  secret.Spec.Templating->Name = "golang";
  std::string record;
  codec::encode(secret, &record);
  api::Config config;
  ASSERT_TRUE(codec::decode(record, &config).is_ok());
  EXPECT_EQ(config.ID, "s1");
  EXPECT_EQ(config.Spec.Name, "pw");
  EXPECT_EQ(config.Spec.Data, secret.Spec.Data);
  ASSERT_TRUE(config.Spec.Templating.has_value());
  EXPECT_EQ(config.Spec.Templating->Name, "golang");
}

TEST(CodecTest, CorruptRecordsAreErrors) {
  std::string record;
  codec::encode(testing::make_node("n1", "host"), &record);
  api::Node node;
  EXPECT_EQ(codec::decode("", &node).code(), Code::kInternal);
  EXPECT_EQ(codec::decode("\x07", &node).code(), Code::kInternal);
  // A cut between two top-level fields reads as a record without the later fields (the
  // datastore guards records against truncation); any other cut is an error, never a crash.
  int failures = 0;
  for (size_t cut = 2; cut < record.size(); ++cut) {
    Status s = codec::decode(std::string_view(record).substr(0, cut), &node);
    EXPECT_TRUE(s.is_ok() || s.code() == Code::kInternal) << s.to_string();
    failures += s.is_ok() ? 0 : 1;
  }
  EXPECT_GT(failures, static_cast<int>(record.size()) / 2);
}

}  // namespace
}  // namespace shoal::store
