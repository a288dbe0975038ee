#include "manager/constraint.h"

#include <gtest/gtest.h>

namespace shoal::manager {
namespace {

struct ParseCase {
  std::string expr;
  std::string key;  // expected key, or "" when parsing fails
  Constraint::Op op = Constraint::Op::kEq;
  std::string value;
  std::string error;  // expected message when parsing fails
};

TEST(ParseConstraints, Table) {
  const std::vector<ParseCase> cases = {
      {"node.role==manager", "node.role", Constraint::Op::kEq, "manager", ""},
      {"node.role != worker", "node.role", Constraint::Op::kNe, "worker", ""},
      {"  node.labels.zone ==  east-1 ", "node.labels.zone", Constraint::Op::kEq, "east-1", ""},
      {"engine.labels.os==Ubuntu 22.04", "engine.labels.os", Constraint::Op::kEq, "Ubuntu 22.04",
       ""},
      {"node.ip==10.0.0.0/8", "node.ip", Constraint::Op::kEq, "10.0.0.0/8", ""},
      {"node.ip!=2001:db8::2", "node.ip", Constraint::Op::kNe, "2001:db8::2", ""},
      {"_x==a*b(c)?+[]\\^$|/", "_x", Constraint::Op::kEq, "a*b(c)?+[]\\^$|/", ""},
      {"node.role", "", {}, "", "constraint expected one operator from ==, !="},
      {"node.role=manager", "", {}, "", "constraint expected one operator from ==, !="},
      {"node.role>manager", "", {}, "", "constraint expected one operator from ==, !="},
      {"==manager", "", {}, "", "key '' is invalid"},
      {"n==manager", "", {}, "", "key 'n' is invalid"},
      {"1node==manager", "", {}, "", "key '1node' is invalid"},
      {"node role==manager", "", {}, "", "key 'node role' is invalid"},
      {"node.role==", "", {}, "", "value '' is invalid"},
      {"node.role==a!=b", "", {}, "", "value 'a!=b' is invalid"},
      {"node.role==<manager>", "", {}, "", "value '<manager>' is invalid"},
      {"node.role==ma~n", "", {}, "", "value 'ma~n' is invalid"},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.expr);
    std::vector<std::string> exprs{c.expr};
    auto parsed = parse_constraints(exprs);
    if (!c.error.empty()) {
      ASSERT_FALSE(parsed.is_ok());
      EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(parsed.status().message(), c.error);
      continue;
    }
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    ASSERT_EQ(parsed->size(), 1u);
    EXPECT_EQ((*parsed)[0], (Constraint{c.key, c.op, c.value}));
  }
}

TEST(ParseConstraints, FirstErrorWinsAndEmptyIsOk) {
  std::vector<std::string> none;
  auto empty = parse_constraints(none);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->empty());

  std::vector<std::string> exprs{"node.role==worker", "bad", "x==<"};
  auto parsed = parse_constraints(exprs);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().message(), "constraint expected one operator from ==, !=");
}

api::Node sample_node() {
  api::Node node;
  node.ID = "node1id";
  node.Spec.Role = api::NodeRole::kWorker;
  node.Spec.Labels = {{"zone", "East"}, {"Disk", "ssd"}};
  node.Description.Hostname = "host-a";
  node.Description.Platform = {"x86_64", "linux"};
  node.Description.Engine.Labels = {{"kernel", "6.1"}};
  node.Status.Addr = "10.1.2.3";
  return node;
}

struct MatchCase {
  std::string expr;
  bool match;
};

TEST(NodeMatches, Table) {
  const std::vector<MatchCase> cases = {
      {"node.id==node1id", true},
      {"node.id==NODE1ID", true},  // values compare case-insensitively
      {"node.id!=node1id", false},
      {"node.id==node1", false},        // whole string, no prefix match
      {"NODE.HOSTNAME==host-a", true},  // keys too
      {"node.hostname!=host-b", true},
      {"node.role==worker", true},
      {"node.role==manager", false},
      {"node.role!=manager", true},
      {"node.platform.os==Linux", true},
      {"node.platform.arch==x86_64", true},
      {"node.platform.arch!=x86_64", false},
      {"node.labels.zone==east", true},
      {"node.labels.Zone==east", false},  // label names are case-sensitive: missing = ""
      {"node.labels.Zone!=east", true},
      {"node.labels.Disk==ssd", true},
      {"node.labels.missing==", false},  // invalid value: covered by parse; see below
      {"engine.labels.kernel==6.1", true},
      {"engine.labels.kernel!=6.1", false},
      {"node.ip==10.1.2.3", true},
      {"node.ip!=10.1.2.3", false},
      {"node.ip==10.0.0.0/8", true},
      {"node.ip==10.1.3.0/24", false},
      {"node.ip!=10.1.3.0/24", true},
      {"node.ip==::ffff:10.1.2.3", true},  // IPv4-mapped form of the same address
      {"node.ip==2001:db8::/32", false},
      {"node.ip==not-an-ip", false},
      {"node.ip!=not-an-ip", false},  // malformed address: no node matches
      {"node.foo==bar", false},       // unknown key: no node matches
      {"node.labels.==x", false},     // prefix alone is not a label key
  };
  api::Node node = sample_node();
  for (const MatchCase& c : cases) {
    SCOPED_TRACE(c.expr);
    std::vector<std::string> exprs{c.expr};
    auto parsed = parse_constraints(exprs);
    if (!parsed.is_ok()) {
      EXPECT_FALSE(c.match);
      continue;
    }
    EXPECT_EQ(node_matches(*parsed, node), c.match);
  }
}

TEST(NodeMatches, AllMustHoldAndEmptyNodeFieldsAreEmptyStrings) {
  api::Node node = sample_node();
  std::vector<std::string> both{"node.role==worker", "node.labels.zone==east"};
  std::vector<std::string> one_fails{"node.role==worker", "node.labels.zone==west"};
  EXPECT_TRUE(node_matches(*parse_constraints(both), node));
  EXPECT_FALSE(node_matches(*parse_constraints(one_fails), node));
  EXPECT_TRUE(node_matches({}, node));

  api::Node bare;
  bare.ID = "bare";
  std::vector<std::string> negations{"node.hostname!=a", "node.platform.os!=linux",
                                     "node.labels.zone!=east", "engine.labels.k!=v",
                                     "node.ip!=10.0.0.1"};
  EXPECT_TRUE(node_matches(*parse_constraints(negations), bare));
  std::vector<std::string> equal{"node.hostname==a"};
  EXPECT_FALSE(node_matches(*parse_constraints(equal), bare));
}

}  // namespace
}  // namespace shoal::manager
