// Store-backed tests of the service operations.
#include "manager/controlapi/service.h"

#include <gtest/gtest.h>

#include "fixture.h"
#include "manager/controlapi/errors.h"
#include "manager/controlapi/network.h"
#include "manager/controlapi/secret.h"
#include "manager/controlapi/task.h"

namespace shoal::manager::controlapi {
namespace {

using testing::ControlApiTest;

api::ServiceSpec spec_named(std::string name, std::string image = "nginx:latest") {
  api::ServiceSpec spec;
  spec.Name = std::move(name);
  spec.TaskTemplate.ContainerSpec.emplace();
  spec.TaskTemplate.ContainerSpec->Image = std::move(image);
  return spec;
}

api::PortConfig ingress_port(uint32_t published, uint32_t target = 80) {
  return api::PortConfig{"", api::PortConfigProtocol::kTCP, target, published,
                         api::PortConfigPublishMode::kIngress};
}

class ServiceTest : public ControlApiTest {
 protected:
  void SetUp() override { init(); }

  std::string create(api::ServiceSpec spec) {
    auto created = create_service(ctx(), std::move(spec));
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return created.is_ok() ? created->ID : "";
  }

  api::Service get(std::string_view ref) {
    auto service = get_service(ctx(), ref, false);
    EXPECT_TRUE(service.is_ok()) << service.status().to_string();
    return service.is_ok() ? *service : api::Service{};
  }

  void add_task(std::string service_id, int64_t slot, api::TaskState state,
                api::TaskState desired = api::TaskState::kRunning) {
    api::Service service = get(service_id);
    api::Task task;
    task.ID = ids_.next();
    task.ServiceID = service_id;
    task.Slot = slot;
    task.Spec = std::make_shared<api::TaskSpec>(service.Spec.TaskTemplate);
    task.Status.State = state;
    task.DesiredState = desired;
    if (service.JobStatus) task.JobIteration = service.JobStatus->JobIteration;
    ASSERT_TRUE(store_->update([&](store::WriteTxn& tx) { return tx.create(task); }).is_ok());
  }
};

TEST_F(ServiceTest, CreateStoresANormalizedSpec) {
  std::string id = create(spec_named("web"));
  api::Service service = get("web");
  EXPECT_EQ(service.ID, id);
  EXPECT_EQ(service.Spec.Mode.Replicated->Replicas, 1u);
  EXPECT_EQ(service.Spec.TaskTemplate.Runtime, api::RuntimeType::kContainer);
  EXPECT_FALSE(service.PreviousSpec);
  EXPECT_FALSE(service.UpdateStatus);
  EXPECT_FALSE(service.JobStatus);
  EXPECT_EQ(get(id.substr(0, 5)).ID, id);
}

TEST_F(ServiceTest, JobsStartAtIterationZero) {
  api::ServiceSpec spec = spec_named("job");
  spec.Mode.ReplicatedJob.emplace();
  create(spec);
  api::Service service = get("job");
  ASSERT_TRUE(service.JobStatus);
  EXPECT_EQ(service.JobStatus->JobIteration.Index, 0u);
  EXPECT_EQ(service.JobStatus->LastExecution, clock_->now());
}

TEST_F(ServiceTest, CountsAboveTheReplicaLimitAreRefusedNamingTheFlag) {
  ctx().limits.max_replicas = 1000;
  api::ServiceSpec huge = spec_named("huge");
  huge.Mode.Replicated.emplace();
  huge.Mode.Replicated->Replicas = uint64_t{1} << 62;  // past 2^63 swarmkit's own rule answers
  auto refused = create_service(ctx(), huge);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "Replicas 4611686018427387904 is more than this manager allows (1000; raise it "
            "with shoal daemon --max-replicas)");
  EXPECT_FALSE(get_service(ctx(), "huge", false).is_ok());

  api::ServiceSpec job = spec_named("job");
  job.Mode.ReplicatedJob.emplace();
  job.Mode.ReplicatedJob->MaxConcurrent = 10;
  job.Mode.ReplicatedJob->TotalCompletions = 1001;
  auto job_refused = create_service(ctx(), job);
  ASSERT_FALSE(job_refused.is_ok());
  EXPECT_EQ(job_refused.status().message().rfind("TotalCompletions 1001 ", 0), 0u);

  huge.Mode.Replicated->Replicas = 1000;  // at the limit
  std::string id = create(huge);
  api::ServiceSpec scaled = get(id).Spec;
  scaled.Mode.Replicated->Replicas = 1001;
  auto update = update_service(ctx(), id, get(id).Version.Index, scaled, false);
  ASSERT_FALSE(update.is_ok());
  EXPECT_EQ(update.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(get(id).Spec.Mode.Replicated->Replicas, 1000u);
}

TEST_F(ServiceTest, CreateRefusalsLeaveTheStoreUnchanged) {
  create(spec_named("web"));
  api::ServiceSpec ports = spec_named("api");
  ports.EndpointSpec = api::EndpointSpec{api::ResolutionMode::kVIP, {ingress_port(8080)}};
  create(ports);
  std::string web_id = get("api").ID;

  struct Case {
    const char* name;
    api::ServiceSpec spec;
    Code code;
    std::string message;
  };
  api::ServiceSpec clash = spec_named("other");
  clash.EndpointSpec = api::EndpointSpec{api::ResolutionMode::kVIP, {ingress_port(8080)}};
  api::ServiceSpec unknown_net = spec_named("other");
  unknown_net.TaskTemplate.Networks = {api::NetworkAttachmentConfig{"nope", {}, {}}};
  api::ServiceSpec ingress_net = spec_named("other");
  ingress_net.TaskTemplate.Networks = {api::NetworkAttachmentConfig{"ingress", {}, {}}};
  api::ServiceSpec missing_secret = spec_named("other");
  missing_secret.TaskTemplate.ContainerSpec->Secrets = {
      api::SecretReference{api::SecretReferenceFileTarget{"s", "0", "0", 0444}, "abc", "s"}};
  const Case cases[] = {
      {"name conflict", spec_named("WEB"), Code::kAlreadyExists,
       "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service WEB "
       "already exists"},
      {"port conflict", clash, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'api' (" +
           web_id + ") as an ingress port"},
      {"unknown network", unknown_net, Code::kNotFound, "network nope not found"},
      {"ingress network", ingress_net, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the "
       "ingress network \"ingress\""},
      {"missing secret", missing_secret, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = secret not found: s"},
      {"bad image", spec_named("other", ""), Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    uint64_t before = revision();
    EXPECT_ERROR(create_service(ctx(), c.spec).status(), c.code, c.message);
    EXPECT_EQ(revision(), before);
  }
}

TEST_F(ServiceTest, NetworkTargetsBecomeFullIds) {
  api::NetworkSpec net;
  net.Name = "back";
  auto net_id = create_network(ctx(), net);
  ASSERT_TRUE(net_id.is_ok()) << net_id.status().to_string();
  api::ServiceSpec spec = spec_named("web");
  spec.TaskTemplate.Networks = {api::NetworkAttachmentConfig{"back", {"web"}, {}}};
  create(spec);
  EXPECT_EQ(get("web").Spec.TaskTemplate.Networks[0].Target, *net_id);
}

TEST_F(ServiceTest, SecretReferencesMustNameExistingSecrets) {
  api::SecretSpec secret;
  secret.Name = "pw";
  secret.Data = api::Bytes("hunter2");
  auto secret_id = create_secret(ctx(), secret);
  ASSERT_TRUE(secret_id.is_ok());
  api::ServiceSpec spec = spec_named("web");
  spec.TaskTemplate.ContainerSpec->Secrets = {api::SecretReference{
      api::SecretReferenceFileTarget{"pw", "0", "0", 0444}, secret_id->ID, "pw"}};
  create(spec);
  EXPECT_ERROR(remove_secret(ctx(), "pw"), Code::kInvalidArgument,
               "rpc error: code = InvalidArgument desc = secret 'pw' is in use by the following "
               "service: web");
}

TEST_F(ServiceTest, UpdateKeepsThePreviousSpecAndChecksTheVersion) {
  create(spec_named("web"));
  api::Service v1 = get("web");
  api::ServiceSpec next = v1.Spec;
  next.TaskTemplate.ContainerSpec->Image = "nginx:1.25";
  uint64_t before = revision();
  EXPECT_ERROR(update_service(ctx(), "web", v1.Version.Index + 7, next, false).status(),
               Code::kOutOfSequence, "rpc error: code = Unknown desc = update out of sequence");
  EXPECT_EQ(revision(), before);
  ASSERT_TRUE(update_service(ctx(), "web", v1.Version.Index, next, false).is_ok());
  api::Service v2 = get("web");
  EXPECT_EQ(v2.Spec.TaskTemplate.ContainerSpec->Image, "nginx:1.25");
  ASSERT_TRUE(v2.PreviousSpec);
  EXPECT_EQ(v2.PreviousSpec->TaskTemplate.ContainerSpec->Image, "nginx:latest");
  EXPECT_GT(v2.Version.Index, v1.Version.Index);
  EXPECT_FALSE(v2.UpdateStatus);
}

TEST_F(ServiceTest, ManualRollbackSwapsSpecs) {
  create(spec_named("web"));
  api::Service v1 = get("web");
  EXPECT_ERROR(update_service(ctx(), "web", v1.Version.Index, v1.Spec, true).status(),
               Code::kFailedPrecondition,
               "rpc error: code = FailedPrecondition desc = service " + v1.ID +
                   " does not have a previous spec");
  api::ServiceSpec next = v1.Spec;
  next.Mode.Replicated->Replicas = 3;
  ASSERT_TRUE(update_service(ctx(), "web", v1.Version.Index, next, false).is_ok());
  api::Service v2 = get("web");
  clock_->advance(std::chrono::seconds(3));
  // The body of a rollback is ignored (the CLI sends the current spec).
  ASSERT_TRUE(update_service(ctx(), v2.ID, v2.Version.Index, v2.Spec, true).is_ok());
  api::Service v3 = get("web");
  EXPECT_EQ(v3.Spec.Mode.Replicated->Replicas, 1u);
  EXPECT_EQ(v3.PreviousSpec->Mode.Replicated->Replicas, 3u);
  ASSERT_TRUE(v3.UpdateStatus);
  EXPECT_EQ(v3.UpdateStatus->State, api::UpdateState::kRollbackStarted);
  EXPECT_EQ(v3.UpdateStatus->Message, "manually requested rollback");
  EXPECT_EQ(v3.UpdateStatus->StartedAt, clock_->now());
}

TEST_F(ServiceTest, RegistryCredentialsAreKeptWithTheSpecAndNeverAnswered) {
  api::ServiceSpec spec = spec_named("web");
  spec.TaskTemplate.ContainerSpec->RegistryAuth = "from-a-body";  // never taken
  ASSERT_TRUE(create_service(ctx(), spec, "creds-1").is_ok());
  auto stored = [&] {
    auto found = store_->view().lookup<api::Service>("web");
    EXPECT_TRUE(found.is_ok());
    return found.is_ok() ? **found : api::Service{};
  };
  EXPECT_EQ(registry_auth_of(stored().Spec), "creds-1");
  EXPECT_EQ(stored().Spec.TaskTemplate.ServiceName, "web");  // for templates on the node
  EXPECT_EQ(get("web").Spec.TaskTemplate.ContainerSpec->RegistryAuth, "");
  EXPECT_EQ(get("web").Spec.TaskTemplate.ServiceName, "");
  for (bool with_status : {false, true}) {
    auto listed = list_services(ctx(), {}, with_status);
    ASSERT_TRUE(listed.is_ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(registry_auth_of(listed->front()->Spec), "");
  }

  // An update keeps them by default, takes the header's, or the previous spec's.
  api::ServiceSpec next = get("web").Spec;
  next.TaskTemplate.ContainerSpec->Image = "nginx:1.25";
  ASSERT_TRUE(update_service(ctx(), "web", stored().Version.Index, next, false).is_ok());
  EXPECT_EQ(registry_auth_of(stored().Spec), "creds-1");
  ASSERT_TRUE(update_service(ctx(), "web", stored().Version.Index, next, false,
                             {RegistryAuthFrom::kHeader, "creds-2"})
                  .is_ok());
  EXPECT_EQ(registry_auth_of(stored().Spec), "creds-2");
  EXPECT_EQ(registry_auth_of(*stored().PreviousSpec), "creds-1");
  api::Service answered = get("web");
  EXPECT_EQ(registry_auth_of(*answered.PreviousSpec), "");
  ASSERT_TRUE(update_service(ctx(), "web", stored().Version.Index, next, false,
                             {RegistryAuthFrom::kPreviousSpec, ""})
                  .is_ok());
  EXPECT_EQ(registry_auth_of(stored().Spec), "creds-1");

  // Tasks carry them to their node; the task answers do not.
  api::Task task;
  task.ID = ids_.next();
  task.ServiceID = stored().ID;
  task.Slot = 1;
  task.Spec = std::make_shared<api::TaskSpec>(stored().Spec.TaskTemplate);
  task.DesiredState = api::TaskState::kRunning;
  ASSERT_TRUE(store_->update([&](store::WriteTxn& tx) { return tx.create(task); }).is_ok());
  auto one = get_task(ctx(), task.ID);
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ((*one)->Spec->ContainerSpec->RegistryAuth, "");
  auto all = list_tasks(ctx(), {});
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front()->Spec->ContainerSpec->RegistryAuth, "");
  EXPECT_EQ(all->front()->Spec->ServiceName, "");
  EXPECT_EQ(task.Spec->ContainerSpec->RegistryAuth, "creds-1");  // the stored spec untouched
}

TEST_F(ServiceTest, UpdateRefusals) {
  create(spec_named("web"));
  api::Service v1 = get("web");
  api::ServiceSpec global = v1.Spec;
  global.Mode = {};
  global.Mode.Global.emplace();
  EXPECT_ERROR(update_service(ctx(), "web", v1.Version.Index, global, false).status(),
               Code::kUnimplemented,
               "rpc error: code = Unimplemented desc = service mode change is not allowed");
  api::ServiceSpec renamed = v1.Spec;
  renamed.Name = "web2";
  EXPECT_ERROR(update_service(ctx(), "web", v1.Version.Index, renamed, false).status(),
               Code::kUnimplemented,
               "rpc error: code = Unimplemented desc = renaming services is not supported");
  EXPECT_ERROR(update_service(ctx(), "nope", v1.Version.Index, v1.Spec, false).status(),
               Code::kNotFound, "service nope not found");
  EXPECT_EQ(get("web").Version.Index, v1.Version.Index);
}

TEST_F(ServiceTest, JobUpdatesStartANewIteration) {
  api::ServiceSpec spec = spec_named("job");
  spec.Mode.ReplicatedJob.emplace();
  create(spec);
  api::Service v1 = get("job");
  ASSERT_TRUE(update_service(ctx(), "job", v1.Version.Index, v1.Spec, false).is_ok());
  EXPECT_EQ(get("job").JobStatus->JobIteration.Index, 1u);
  api::ServiceSpec with_update = v1.Spec;
  with_update.UpdateConfig.emplace();
  EXPECT_ERROR(update_service(ctx(), "job", get("job").Version.Index, with_update, false).status(),
               Code::kInvalidArgument,
               "rpc error: code = InvalidArgument desc = Jobs may not have an update config");
}

TEST_F(ServiceTest, RemoveMarksTasksForRemovalInTheSameTransaction) {
  std::string id = create(spec_named("web"));
  add_task(id, 1, api::TaskState::kRunning);
  add_task(id, 2, api::TaskState::kPending);
  uint64_t before = revision();
  ASSERT_TRUE(remove_service(ctx(), "web").is_ok());
  EXPECT_EQ(revision(), before + 1);
  {
    auto view = store_->view();
    EXPECT_FALSE(view.get<api::Service>(id));
    auto tasks = view.find<api::Task>(store::by::Service{id});
    EXPECT_EQ(tasks.size(), 2u);
    for (const auto& task : tasks) EXPECT_EQ(task->DesiredState, api::TaskState::kRemove);
  }
  EXPECT_ERROR(remove_service(ctx(), "web"), Code::kNotFound, "service web not found");
}

TEST_F(ServiceTest, ListFiltersAndStatus) {
  api::ServiceSpec web = spec_named("web");
  web.Labels = {{"tier", "front"}, {"stack", "a"}};
  web.Mode.Replicated.emplace();
  web.Mode.Replicated->Replicas = 3;
  std::string web_id = create(web);
  api::ServiceSpec db = spec_named("db");
  db.Labels = {{"stack", "a"}};
  db.Mode.Global.emplace();
  std::string db_id = create(db);
  api::ServiceSpec job = spec_named("job");
  job.Mode.ReplicatedJob = api::ReplicatedJob{2, 5};
  std::string job_id = create(job);

  add_task(web_id, 1, api::TaskState::kRunning);
  add_task(web_id, 2, api::TaskState::kPending);
  add_task(db_id, 0, api::TaskState::kRunning);
  add_task(job_id, 0, api::TaskState::kComplete, api::TaskState::kComplete);
  add_task(job_id, 1, api::TaskState::kRunning, api::TaskState::kComplete);

  auto names = [&](const ServiceFilters& f) {
    std::vector<std::string> out;
    auto listed = list_services(ctx(), f, false);
    EXPECT_TRUE(listed.is_ok());
    for (const auto& s : *listed) out.push_back(s->Spec.Name);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  auto with = [](auto edit) {
    ServiceFilters f;
    edit(f);
    return f;
  };
  EXPECT_EQ(names({}), (V{"db", "job", "web"}));
  EXPECT_EQ(names(with([](ServiceFilters& f) { f.names = {"w"}; })), V{"web"});
  EXPECT_EQ(names(with([&](ServiceFilters& f) { f.id_prefixes = {db_id.substr(0, 6)}; })), V{"db"});
  EXPECT_EQ(names(with([](ServiceFilters& f) { f.labels = {{"stack", "a"}}; })), (V{"db", "web"}));
  EXPECT_EQ(names(with([](ServiceFilters& f) {
              f.labels = {{"stack", "a"}, {"tier", ""}};
            })),
            V{"web"});
  EXPECT_EQ(names(with([](ServiceFilters& f) { f.labels = {{"tier", "back"}}; })), V{});
  EXPECT_EQ(names(with([](ServiceFilters& f) { f.modes = {"global"}; })), V{"db"});
  EXPECT_EQ(names(with([](ServiceFilters& f) {
              f.modes = {"replicated-job", "replicated"};
            })),
            (V{"job", "web"}));
  EXPECT_EQ(names(with([](ServiceFilters& f) { f.runtimes = {"plugin"}; })), V{});

  auto with_status = list_services(ctx(), {}, true);
  ASSERT_TRUE(with_status.is_ok());
  for (const auto& s : *with_status) {
    ASSERT_TRUE(s->ServiceStatus);
    const api::ServiceStatus& st = *s->ServiceStatus;
    if (s->ID == web_id) {
      EXPECT_EQ(st.DesiredTasks, 3u);
      EXPECT_EQ(st.RunningTasks, 1u);
    } else if (s->ID == db_id) {
      EXPECT_EQ(st.DesiredTasks, 1u);
      EXPECT_EQ(st.RunningTasks, 1u);
    } else {
      EXPECT_EQ(st.DesiredTasks, 2u);
      EXPECT_EQ(st.RunningTasks, 1u);
      EXPECT_EQ(st.CompletedTasks, 1u);
    }
  }
}

TEST_F(ServiceTest, GetWithDefaults) {
  create(spec_named("web"));
  auto service = get_service(ctx(), "web", true);
  ASSERT_TRUE(service.is_ok());
  EXPECT_EQ(service->Spec.TaskTemplate.ContainerSpec->StopGracePeriod, std::chrono::seconds(10));
  EXPECT_TRUE(service->Spec.UpdateConfig);
  EXPECT_FALSE(get("web").Spec.UpdateConfig);
}

TEST_F(ServiceTest, OutsideASwarm) {
  ASSERT_TRUE(leave_swarm(ctx(), true).is_ok());
  EXPECT_ERROR(create_service(ctx(), spec_named("web")).status(), Code::kUnavailable,
               kNotInSwarmText);
  EXPECT_ERROR(list_services(ctx(), {}, false).status(), Code::kUnavailable, kNotInSwarmText);
}

}  // namespace
}  // namespace shoal::manager::controlapi
