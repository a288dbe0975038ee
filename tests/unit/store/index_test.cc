// Indexes and Docker's reference lookup (exact ID, exact name, unique ID prefix).
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace shoal::store {
namespace {

using testing::make_node;
using testing::make_service;
using testing::make_task;

class IndexTest : public testing::StoreTest {
 protected:
  template <typename T, typename Query>
  std::vector<std::string> ids(const Query& q) {
    std::vector<std::string> out;
    store_->view().for_each<T>(q, [&](const std::shared_ptr<const T>& o) { out.push_back(o->ID); });
    return out;
  }
};

using Ids = std::vector<std::string>;

TEST_F(IndexTest, TaskIndexesFollowUpdatesAndDeletes) {
  write([](WriteTxn& tx) {
    for (auto t : {make_task("t1", "sA", 1, "n1"), make_task("t2", "sA", 2, "n2"),
                   make_task("t3", "sB", 1, "n1"), make_task("t4", "sA", 1, "")}) {
      SHOAL_RETURN_IF_ERROR(tx.create(t));
    }
    return Status::ok();
  });
  EXPECT_EQ(ids<api::Task>(by::Service{"sA"}), (Ids{"t1", "t4", "t2"})) << "slot order";
  EXPECT_EQ(ids<api::Task>(by::Node{"n1"}), (Ids{"t1", "t3"}));
  EXPECT_EQ(ids<api::Task>(by::Node{""}), (Ids{"t4"}));
  EXPECT_EQ(ids<api::Task>(by::Slot{"sA", 1}), (Ids{"t1", "t4"}));
  EXPECT_EQ(ids<api::Task>(by::DesiredState{api::TaskState::kRunning}).size(), 4u);

  write([](WriteTxn& tx) {
    api::Task t1 = *tx.get<api::Task>("t1");
    t1.NodeID = "n2";
    t1.DesiredState = api::TaskState::kShutdown;
    SHOAL_RETURN_IF_ERROR(tx.update(t1));
    api::Task t4 = *tx.get<api::Task>("t4");
    t4.Status.State = api::TaskState::kRunning;  // no indexed field changes
    SHOAL_RETURN_IF_ERROR(tx.update(t4));
    return tx.remove<api::Task>("t3");
  });
  EXPECT_EQ(ids<api::Task>(by::Node{"n1"}), Ids{});
  EXPECT_EQ(ids<api::Task>(by::Node{"n2"}), (Ids{"t1", "t2"}));
  EXPECT_EQ(ids<api::Task>(by::Service{"sB"}), Ids{});
  EXPECT_EQ(ids<api::Task>(by::DesiredState{api::TaskState::kShutdown}), Ids{"t1"});
  EXPECT_EQ(ids<api::Task>(by::DesiredState{api::TaskState::kRunning}), (Ids{"t2", "t4"}));
  EXPECT_EQ(store_->view().get<api::Task>("t4")->Status.State, api::TaskState::kRunning);
  EXPECT_EQ(ids<api::Task>(by::All{}), (Ids{"t1", "t2", "t4"}));
}

// An update that keeps every indexed field swaps the object in place in each index: every
// walk hands out the new version, and a reader's old pointer keeps the old one.
TEST_F(IndexTest, InPlaceUpdatesReachEveryIndex) {
  write([](WriteTxn& tx) {
    for (int i = 0; i < 300; ++i) {
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "sA", i % 5, "n1")));
    }
    return Status::ok();
  });
  auto before = store_->view().get<api::Task>("t7");
  write([](WriteTxn& tx) {
    for (int i = 0; i < 300; ++i) {
      api::Task t = *tx.get<api::Task>("t" + std::to_string(i));
      t.Status.State = api::TaskState::kRunning;
      SHOAL_RETURN_IF_ERROR(tx.update(t));
    }
    return Status::ok();
  });
  EXPECT_EQ(before->Status.State, api::TaskState::kNew) << "old versions never change";
  auto view = store_->view();
  auto running = [](const std::shared_ptr<const api::Task>& t) {
    EXPECT_EQ(t->Status.State, api::TaskState::kRunning) << t->ID;
  };
  view.for_each<api::Task>(by::All{}, running);
  view.for_each<api::Task>(by::Service{"sA"}, running);
  view.for_each<api::Task>(by::Slot{"sA", 3}, running);
  view.for_each<api::Task>(by::Node{"n1"}, running);
  view.for_each<api::Task>(by::DesiredState{api::TaskState::kRunning}, running);
  EXPECT_EQ(view.count<api::Task>(by::Node{"n1"}), 300u);
  EXPECT_EQ(view.count<api::Task>(by::Slot{"sA", 3}), 60u);
}

// Large commits take a sorted path into the indexes (Store::apply_all): the indexes must
// still answer exactly what a scan of every task says.
TEST_F(IndexTest, LargeCommitsKeepIndexesExact) {
  auto name = [](const char* prefix, int i) { return prefix + std::to_string(i); };
  write([&](WriteTxn& tx) {
    for (int i = 0; i < 600; ++i) {
      SHOAL_RETURN_IF_ERROR(
          tx.create(make_task(name("t", i), name("s", i % 7), i / 7, name("n", i % 11))));
    }
    return Status::ok();
  });
  write([&](WriteTxn& tx) {
    for (int i = 600; i < 900; ++i) {
      SHOAL_RETURN_IF_ERROR(
          tx.create(make_task(name("t", i), name("s", i % 7), i / 7, name("n", i % 11))));
    }
    for (int i = 0; i < 200; ++i) {
      api::Task t = *tx.get<api::Task>(name("t", i));
      t.NodeID = name("n", (i + 3) % 11);
      t.DesiredState = api::TaskState::kShutdown;
      SHOAL_RETURN_IF_ERROR(tx.update(t));
    }
    for (int i = 200; i < 260; ++i) SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>(name("t", i)));
    return Status::ok();
  });
  auto view = store_->view();
  auto all = view.find<api::Task>();
  ASSERT_EQ(all.size(), 840u);
  auto expect_ids = [&](auto pred) {
    std::vector<std::string> out;
    for (const auto& t : all) {
      if (pred(*t)) out.push_back(t->ID);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  for (int s = 0; s < 7; ++s) {
    EXPECT_EQ(sorted(ids<api::Task>(by::Service{name("s", s)})),
              expect_ids([&](const api::Task& t) { return t.ServiceID == name("s", s); }));
    EXPECT_EQ(ids<api::Task>(by::Slot{name("s", s), 3}), expect_ids([&](const api::Task& t) {
                return t.ServiceID == name("s", s) && t.Slot == 3;
              }));
  }
  for (int n = 0; n < 11; ++n) {
    EXPECT_EQ(ids<api::Task>(by::Node{name("n", n)}),
              expect_ids([&](const api::Task& t) { return t.NodeID == name("n", n); }));
  }
  EXPECT_EQ(ids<api::Task>(by::DesiredState{api::TaskState::kShutdown}).size(), 200u);
  EXPECT_EQ(ids<api::Task>(by::IdPrefix{"t1"}),
            expect_ids([](const api::Task& t) { return t.ID.starts_with("t1"); }));
}

TEST_F(IndexTest, NamesAndPrefixes) {
  create(make_service("abc1", "Web"));
  create(make_service("abd2", "web-db"));
  create(make_service("x3", "cache"));
  EXPECT_EQ(ids<api::Service>(by::Name{"WEB"}), Ids{"abc1"});
  EXPECT_EQ(ids<api::Service>(by::NamePrefix{"we"}), (Ids{"abc1", "abd2"}));
  EXPECT_EQ(ids<api::Service>(by::IdPrefix{"ab"}), (Ids{"abc1", "abd2"}));
  EXPECT_EQ(ids<api::Service>(by::IdPrefix{"abc"}), Ids{"abc1"});
  EXPECT_EQ(ids<api::Service>(by::IdPrefix{""}).size(), 3u);
  // Nodes answer to their Spec.Name and to their hostname, each once.
  create(make_node("n1", "host-1", "alpha"));
  create(make_node("n2", "alpha"));
  create(make_node("n3", "host-3", "host-3"));
  EXPECT_EQ(ids<api::Node>(by::Name{"alpha"}), (Ids{"n1", "n2"}));
  EXPECT_EQ(ids<api::Node>(by::Name{"host-3"}), Ids{"n3"});
  // (Matches by Spec.Name come before matches by hostname.)
  EXPECT_EQ(ids<api::Node>(by::NamePrefix{"host"}), (Ids{"n3", "n1"}));
}

TEST_F(IndexTest, LookupTable) {
  create(make_service("aaaa1111", "web"));
  create(make_service("aaaa2222", "db"));
  create(make_service("bbbb3333", "aaaa2222x"));  // a name that looks like an ID prefix
  create(make_service("cccc4444", "aaaa"));       // a name equal to an ambiguous prefix
  create(make_node("n1", "dup"));
  create(make_node("n2", "dup"));
  struct Case {
    std::string ref;
    std::string id;  // expected, or "" for an error
    Code code;
    std::string message;
  };
  std::vector<Case> service_cases = {
      {"aaaa1111", "aaaa1111", Code::kOk, ""},   // exact ID
      {"web", "aaaa1111", Code::kOk, ""},        // exact name
      {"WEB", "aaaa1111", Code::kOk, ""},        // names are case-insensitive
      {"aaaa", "cccc4444", Code::kOk, ""},       // a name wins over an ID prefix
      {"aaaa2", "aaaa2222", Code::kOk, ""},      // unique ID prefix
      {"aaaa2222x", "bbbb3333", Code::kOk, ""},  // exact name
      {"aaa", "", Code::kInvalidArgument, "service aaa is ambiguous (2 matches found)"},
      {"zzz", "", Code::kNotFound, "service zzz not found"},
      {"", "", Code::kNotFound, "service  not found"},
  };
  auto view = store_->view();
  for (const Case& c : service_cases) {
    SCOPED_TRACE(c.ref);
    auto r = view.lookup<api::Service>(c.ref);
    if (c.code == Code::kOk) {
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      EXPECT_EQ((*r)->ID, c.id);
    } else {
      EXPECT_EQ(r.status().code(), c.code);
      EXPECT_EQ(r.status().message(), c.message);
    }
  }
  auto dup = view.lookup<api::Node>("dup");
  EXPECT_EQ(dup.status().message(), "node dup is ambiguous (2 matches found)");
  EXPECT_EQ((*view.lookup<api::Node>("n2"))->ID, "n2");
}

TEST_F(IndexTest, TaskLookupByDockerName) {
  create(make_service("svc1", "web"));
  create(make_task("task1", "svc1", 3, "node1"));
  create(make_task("task2", "svc1", 0, "node1"));  // a global task
  auto view = store_->view();
  EXPECT_EQ((*view.lookup<api::Task>("web.3.task1"))->ID, "task1");
  EXPECT_EQ((*view.lookup<api::Task>("web.node1.task2"))->ID, "task2");
  EXPECT_EQ(view.lookup<api::Task>("web.4.task1").status().code(), Code::kNotFound);
  EXPECT_EQ((*view.lookup<api::Task>("task2"))->ID, "task2");
  EXPECT_EQ(view.lookup<api::Task>("task").status().message(),
            "task task is ambiguous (2 matches found)");
}

TEST_F(IndexTest, TasksShareOneSpecPerContent) {
  auto spec = testing::make_spec("nginx");
  auto same_content = testing::make_spec("nginx");
  write([&](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(make_task("t1", "s", 1, "", spec)));
    SHOAL_RETURN_IF_ERROR(tx.create(make_task("t2", "s", 2, "", same_content)));
    return tx.create(make_task("t3", "s", 3, "", testing::make_spec("redis")));
  });
  create(make_task("t4", "s", 4, "", testing::make_spec("nginx")));
  auto view = store_->view();
  EXPECT_EQ(view.get<api::Task>("t1")->Spec, spec) << "the first pointer becomes canonical";
  EXPECT_EQ(view.get<api::Task>("t2")->Spec, spec);
  EXPECT_EQ(view.get<api::Task>("t4")->Spec, spec);
  EXPECT_NE(view.get<api::Task>("t3")->Spec, spec);
}

}  // namespace
}  // namespace shoal::store
