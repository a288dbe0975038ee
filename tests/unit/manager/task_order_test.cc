// The integer-keyed task sorts give exactly the orders their comparisons name.
#include "manager/task_order.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>

namespace shoal::manager {
namespace {

using TaskPtr = std::shared_ptr<const api::Task>;

// Tasks whose IDs and service IDs share long prefixes, so that ties on the 8-byte prefix
// happen often.
std::vector<TaskPtr> random_tasks(std::mt19937_64& rng, size_t n) {
  std::uniform_int_distribution<int> small(0, 3), slot(-2, 40), ch(0, 35);
  const char* alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::vector<TaskPtr> tasks;
  for (size_t i = 0; i < n; ++i) {
    auto t = std::make_shared<api::Task>();
    t->ServiceID = std::string("service-") + alphabet[small(rng)] + (small(rng) == 0 ? "x" : "");
    t->Slot = slot(rng);
    t->ID = "abcdefg";  // shared 7-byte prefix
    for (int k = 0; k < 1 + small(rng); ++k) t->ID += alphabet[ch(rng)];
    tasks.push_back(std::move(t));
  }
  return tasks;
}

std::vector<const api::Task*> pointers(const std::vector<TaskPtr>& tasks) {
  std::vector<const api::Task*> out;
  for (const TaskPtr& t : tasks) out.push_back(t.get());
  return out;
}

TEST(TaskOrderTest, ByServiceSlotIdMatchesTheComparison) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    auto tasks = random_tasks(rng, 1 + round * 20);
    auto expected = tasks;
    std::stable_sort(expected.begin(), expected.end(), [](const TaskPtr& a, const TaskPtr& b) {
      return std::tie(a->ServiceID, a->Slot, a->ID) < std::tie(b->ServiceID, b->Slot, b->ID);
    });
    sort_by_service_slot_id(tasks);
    ASSERT_EQ(tasks.size(), expected.size());
    for (size_t i = 0; i < tasks.size(); ++i) {
      EXPECT_EQ(std::tie(tasks[i]->ServiceID, tasks[i]->Slot, tasks[i]->ID),
                std::tie(expected[i]->ServiceID, expected[i]->Slot, expected[i]->ID));
    }
  }
}

TEST(TaskOrderTest, ByIdMatchesTheComparisonAndKeepsEveryTask) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    auto tasks = random_tasks(rng, 1 + round * 20);
    auto before = pointers(tasks);
    sort_by_id(tasks);
    for (size_t i = 1; i < tasks.size(); ++i) EXPECT_LE(tasks[i - 1]->ID, tasks[i]->ID);
    auto after = pointers(tasks);
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    EXPECT_EQ(before, after) << "a permutation of the input";
  }
  std::vector<TaskPtr> none;
  sort_by_id(none);
  sort_by_service_slot_id(none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace shoal::manager
