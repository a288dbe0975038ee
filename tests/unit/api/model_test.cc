// The model headers compile together and keep the invariants the rest of shoal relies on.
#include "api/model.h"

#include <gtest/gtest.h>

namespace shoal::api {
namespace {

TEST(ModelTest, ReadsLikeTheGoTypes) {
  Service service;
  service.Version.Index = 3;
  service.Spec.Name = "web";
  service.Spec.TaskTemplate.ContainerSpec.emplace().Image = "nginx";
  service.Spec.Mode.Replicated.emplace().Replicas = 2;
  EXPECT_EQ(service.Spec.TaskTemplate.ContainerSpec->Image, "nginx");
  EXPECT_EQ(*service.Spec.Mode.Replicated->Replicas, 2u);

  Node node;
  node.Spec.Availability = NodeAvailability::kDrain;
  EXPECT_EQ(to_string(node.Spec.Availability), "drain");
}

TEST(ModelTest, TaskSpecIsNeverNull) {
  Task task;
  ASSERT_NE(task.Spec, nullptr);
  EXPECT_EQ(task.Spec, TaskSpec::empty());
  EXPECT_TRUE(task.Status.Timestamp.is_zero());
}

TEST(ModelTest, EnumsRoundTripTheirSpelling) {
  EXPECT_EQ(parse_enum<TaskState>("running"), TaskState::kRunning);
  EXPECT_EQ(parse_enum<TaskState>(""), TaskState::kUnset);
  EXPECT_EQ(parse_enum<TaskState>("Running"), std::nullopt);
  EXPECT_EQ(to_string(UpdateState::kRollbackCompleted), "rollback_completed");
  EXPECT_EQ(to_string(RuntimeType::kNetworkAttachment), "attachment");
  EXPECT_EQ(to_string(Consistency::kFull), "consistent");
  EXPECT_EQ(enum_choices<NodeAvailability>(), "active, pause or drain");
  EXPECT_GT(TaskState::kComplete, TaskState::kRunning);
}

TEST(ModelTest, TaskIsLean) {
  std::printf(
      "sizeof(Task)=%zu sizeof(TaskSpec)=%zu sizeof(ContainerSpec)=%zu sizeof(Service)=%zu\n",
      sizeof(Task), sizeof(TaskSpec), sizeof(ContainerSpec), sizeof(Service));
  EXPECT_LE(sizeof(Task), 512u);
}

}  // namespace
}  // namespace shoal::api
