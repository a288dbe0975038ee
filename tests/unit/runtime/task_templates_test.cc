// Swarm placeholders in a task's ContainerSpec: the fields swarmkit's template package
// offers, the parts of the spec it expands, and clear errors for the rest.
#include "runtime/task_templates.h"

#include <gtest/gtest.h>

namespace shoal::runtime {
namespace {

TemplateContext context() {
  TemplateContext c;
  c.service_id = "svc1";
  c.service_name = "web";
  c.node_id = "node1";
  c.node_hostname = "host-a";
  c.node_architecture = "x86_64";
  c.task_id = "task1";
  c.task_name = "web.3.task1";
  c.task_slot = 3;
  return c;
}

TEST(TaskTemplates, EveryFieldExpands) {
  auto out = expand_template(
      "{{.Service.ID}} {{.Service.Name}} {{.Node.ID}} {{ .Node.Hostname }} {{.Node.Platform.OS}}/"
      "{{.Node.Platform.Architecture}} {{.Task.ID}} {{.Task.Name}} {{.Task.Slot}}",
      context());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(*out, "svc1 web node1 host-a linux/x86_64 task1 web.3.task1 3");
  EXPECT_EQ(*expand_template("plain text, no actions", context()), "plain text, no actions");
  EXPECT_EQ(*expand_template("{{.Task.Slot}}{{.Task.Slot}}-", context()), "33-");
}

TEST(TaskTemplates, AnythingElseIsAClearError) {
  auto unknown = expand_template("x-{{.Task.Nope}}", context());
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("unsupported expression \".Task.Nope\""),
            std::string::npos)
      << unknown.status().message();
  auto function = expand_template("{{index .Service.Labels \"a\"}}", context());
  EXPECT_EQ(function.status().code(), Code::kInvalidArgument);
  auto unclosed = expand_template("{{.Task.Slot", context());
  EXPECT_EQ(unclosed.status().code(), Code::kInvalidArgument);
  EXPECT_NE(unclosed.status().message().find("unclosed action"), std::string::npos);
}

TEST(TaskTemplates, HostnameEnvValuesAndMountsExpandNothingElse) {
  api::ContainerSpec spec;
  spec.Image = "busybox:{{.Task.Slot}}";  // not a template field in swarmkit
  spec.Hostname = "{{.Node.Hostname}}-{{.Task.Slot}}";
  spec.Env = {"TASK={{.Task.Name}}", "{{.Task.Slot}}=literal-name", "BARE"};
  api::Mount m;
  m.Source = "/data/{{.Task.Slot}}";
  m.Target = "/srv/{{.Service.Name}}";
  spec.Mounts.push_back(m);
  auto out = expand_container_spec(spec, context());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->Image, "busybox:{{.Task.Slot}}");
  EXPECT_EQ(out->Hostname, "host-a-3");
  EXPECT_EQ(out->Env,
            (std::vector<std::string>{"TASK=web.3.task1", "{{.Task.Slot}}=literal-name", "BARE"}));
  EXPECT_EQ(out->Mounts[0].Source, "/data/3");
  EXPECT_EQ(out->Mounts[0].Target, "/srv/web");

  spec.Env = {"X={{.Bad}}"};
  auto bad = expand_container_spec(spec, context());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(bad.status().message().starts_with("Env: template: ")) << bad.status().message();
}

TEST(TaskTemplates, TheContextComesFromTheTask) {
  api::Task task;
  task.ID = "t1";
  task.ServiceID = "s1";
  task.NodeID = "n1";
  task.Slot = 2;
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ServiceName = "api";
  task.Spec = spec;
  TemplateContext c = template_context(task);
  EXPECT_EQ(c.task_name, "api.2.t1");
  EXPECT_EQ(c.service_name, "api");
  EXPECT_FALSE(c.node_hostname.empty());
  EXPECT_FALSE(c.node_architecture.empty());
  task.Slot = 0;  // a global task is named after its node
  EXPECT_EQ(template_context(task).task_name, "api.n1.t1");
}

}  // namespace
}  // namespace shoal::runtime
