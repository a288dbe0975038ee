// Cheap property tests: token encoding agrees with the ID encoding, normalization is
// idempotent and never produces what validation refuses.
#include <gtest/gtest.h>

#include <random>

#include "api/codec.h"
#include "common/id.h"
#include "fixture.h"
#include "manager/controlapi/service_spec.h"
#include "manager/controlapi/tokens.h"

namespace shoal::manager::controlapi {
namespace {

TEST(PropertyTest, Base36AgreesWithIdFormatting) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    uint64_t hi = rng(), lo = rng();
    std::string bytes(16, '\0');
    for (int b = 0; b < 8; ++b) {
      bytes[b] = static_cast<char>(hi >> (56 - 8 * b));
      bytes[8 + b] = static_cast<char>(lo >> (56 - 8 * b));
    }
    ASSERT_EQ(to_base36(bytes, kIdLength), format_id(hi, lo));
  }
}

// A random spec built from settings the CLI can send, all valid.
api::ServiceSpec random_spec(std::mt19937_64& rng) {
  auto coin = [&] { return rng() % 2 == 0; };
  api::ServiceSpec spec;
  spec.Name = coin() ? "" : "svc";
  spec.TaskTemplate.ContainerSpec.emplace();
  spec.TaskTemplate.ContainerSpec->Image = coin() ? "busybox" : "registry.local:5000/team/app:1.2";
  switch (rng() % 5) {
    case 0:
      break;
    case 1:
      spec.Mode.Replicated.emplace();
      break;
    case 2:
      spec.Mode.Global.emplace();
      break;
    case 3:
      spec.Mode.ReplicatedJob.emplace();
      break;
    default:
      spec.Mode.GlobalJob.emplace();
      break;
  }
  if (coin()) spec.TaskTemplate.RestartPolicy.emplace();
  if (coin() && !spec.Mode.ReplicatedJob && !spec.Mode.GlobalJob) spec.UpdateConfig.emplace();
  if (coin()) spec.RollbackConfig.emplace();
  if (coin()) {
    spec.EndpointSpec.emplace();
    if (coin())
      spec.EndpointSpec->Ports.push_back(
          api::PortConfig{"", {}, 80, 8000 + uint32_t(rng() % 100), {}});
  }
  if (coin()) spec.TaskTemplate.Placement = api::Placement{{"node.role==manager"}, {}, 0, {}};
  return spec;
}

TEST(PropertyTest, NormalizationIsIdempotentAndValid) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 500; ++i) {
    api::ServiceSpec spec = random_spec(rng);
    auto once = normalize_service_spec(spec, testing::seeded_random(i));
    ASSERT_TRUE(once.is_ok()) << once.status().to_string();
    auto twice = normalize_service_spec(*once, testing::seeded_random(i + 1));
    ASSERT_TRUE(twice.is_ok());
    ASSERT_EQ(api::encode(*twice), api::encode(*once));
    ASSERT_TRUE(validate_service_spec(*once).is_ok()) << api::encode(*once);
    // Exactly one mode, and the counts a client reads are set.
    const api::ServiceMode& m = once->Mode;
    ASSERT_EQ(int(m.Replicated.has_value()) + int(m.Global.has_value()) +
                  int(m.ReplicatedJob.has_value()) + int(m.GlobalJob.has_value()),
              1);
    ASSERT_TRUE(!m.Replicated || m.Replicated->Replicas);
    ASSERT_TRUE(!m.ReplicatedJob ||
                (m.ReplicatedJob->MaxConcurrent && m.ReplicatedJob->TotalCompletions));
    // insertDefaults only adds.
    api::ServiceSpec shown = insert_defaults(*once);
    ASSERT_EQ(api::encode(insert_defaults(shown)), api::encode(shown));
  }
}

}  // namespace
}  // namespace shoal::manager::controlapi
