#include "manager/controlapi/secret.h"

#include <gtest/gtest.h>

#include <functional>

#include "fixture.h"

namespace shoal::manager::controlapi {
namespace {

class SecretTest : public testing::ControlApiTest {
 protected:
  void SetUp() override { init(); }
};

api::SecretSpec secret(std::string name, std::string data = "s3cr3t") {
  api::SecretSpec spec;
  spec.Name = std::move(name);
  spec.Data = api::Bytes(std::move(data));
  return spec;
}

TEST_F(SecretTest, DataNeverLeaves) {
  auto created = create_secret(ctx(), secret("pw"));
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  auto got = get_secret(ctx(), "pw");
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->ID, created->ID);
  EXPECT_TRUE(got->Spec.Data.empty());
  auto listed = list_secrets(ctx(), {});
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE((*listed)[0].Spec.Data.empty());
  // The store keeps it.
  EXPECT_EQ(store_->view().get<api::Secret>(created->ID)->Spec.Data, "s3cr3t");
}

TEST_F(SecretTest, CreateRefusals) {
  ASSERT_TRUE(create_secret(ctx(), secret("pw")).is_ok());
  struct Case {
    api::SecretSpec spec;
    Code code;
    const char* message;
  };
  api::SecretSpec driver = secret("d", "");
  driver.Driver = api::Driver{"", {}};
  api::SecretSpec templated = secret("t");
  templated.Templating = api::Driver{"jinja", {}};
  const Case cases[] = {
      {secret("pw"), Code::kAlreadyExists,
       "rpc error: code = AlreadyExists desc = secret pw already exists"},
      {secret(""), Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = name must be provided"},
      {secret("-x"), Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters "
       "allowed, and the start and end character must be [a-zA-Z0-9]"},
      {secret("empty", ""), Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than "
       "512000 bytes"},
      {secret("big", std::string(512000, 'x')), Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than "
       "512000 bytes"},
      {driver, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = secret driver must have a name"},
      {templated, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = unrecognized template type \"jinja\": the "
       "templating driver must be \"golang\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.spec.Name);
    uint64_t before = revision();
    EXPECT_ERROR(create_secret(ctx(), c.spec).status(), c.code, c.message);
    EXPECT_EQ(revision(), before);
  }
}

TEST_F(SecretTest, UpdateChangesLabelsOnly) {
  ASSERT_TRUE(create_secret(ctx(), secret("pw")).is_ok());
  api::Secret current = *get_secret(ctx(), "pw");
  api::SecretSpec spec = secret("pw");  // stack deploy sends the same data back
  spec.Labels = {{"a", "b"}};
  ASSERT_TRUE(update_secret(ctx(), current.ID, current.Version.Index, spec).is_ok());
  EXPECT_EQ(get_secret(ctx(), "pw")->Spec.Labels.at("a"), "b");
  api::Secret v2 = *get_secret(ctx(), "pw");
  EXPECT_ERROR(update_secret(ctx(), "pw", v2.Version.Index, secret("pw", "other")),
               Code::kInvalidArgument,
               "rpc error: code = InvalidArgument desc = only updates to Labels are allowed");
  EXPECT_ERROR(update_secret(ctx(), "pw", v2.Version.Index, secret("renamed")),
               Code::kInvalidArgument,
               "rpc error: code = InvalidArgument desc = only updates to Labels are allowed");
  EXPECT_ERROR(update_secret(ctx(), "pw", current.Version.Index, spec), Code::kOutOfSequence,
               "rpc error: code = Unknown desc = update out of sequence");
}

TEST_F(SecretTest, ListFilters) {
  ASSERT_TRUE(create_secret(ctx(), secret("st_a")).is_ok());
  api::SecretSpec labelled = secret("st_b");
  labelled.Labels = {{"com.docker.stack.namespace", "st"}};
  ASSERT_TRUE(create_secret(ctx(), labelled).is_ok());
  auto count = [&](auto edit) {
    SecretFilters f;
    edit(f);
    return list_secrets(ctx(), f)->size();
  };
  EXPECT_EQ(count([](SecretFilters& f) { f.names = {"st_a"}; }), 1u);
  EXPECT_EQ(count([](SecretFilters& f) { f.names = {"st"}; }), 0u);
  EXPECT_EQ(count([](SecretFilters& f) { f.name_prefixes = {"st"}; }), 2u);
  EXPECT_EQ(count([](SecretFilters& f) { f.labels = {{"com.docker.stack.namespace", "st"}}; }), 1u);
}

TEST_F(SecretTest, ConfigsReturnTheirData) {
  api::ConfigSpec spec;
  spec.Name = "conf";
  spec.Data = api::Bytes("hello");
  auto created = create_config(ctx(), spec);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  EXPECT_EQ(get_config(ctx(), "conf")->Spec.Data, "hello");
  EXPECT_EQ((*list_configs(ctx(), {}))[0].Spec.Data, "hello");
  EXPECT_ERROR(create_config(ctx(), spec).status(), Code::kAlreadyExists,
               "rpc error: code = AlreadyExists desc = config conf already exists");
  ASSERT_TRUE(remove_config(ctx(), created->ID.substr(0, 6)).is_ok());
  EXPECT_ERROR(get_config(ctx(), "conf").status(), Code::kNotFound, "config conf not found");
}

api::ConfigSpec config(std::string name, std::string data = "hello") {
  api::ConfigSpec spec;
  spec.Name = std::move(name);
  spec.Data = api::Bytes(std::move(data));
  return spec;
}

TEST_F(SecretTest, ConfigCreateRefusals) {
  struct Case {
    const char* name;
    std::function<void(api::ConfigSpec&)> edit;
    const char* message;  // after "rpc error: code = InvalidArgument desc = "
  };
  const Case cases[] = {
      {"no name", [](api::ConfigSpec& s) { s.Name = ""; }, "name must be provided"},
      {"bad name", [](api::ConfigSpec& s) { s.Name = "a b"; },
       "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end "
       "character must be [a-zA-Z0-9]"},
      {"empty data", [](api::ConfigSpec& s) { s.Data = api::Bytes(""); },
       "config data must be larger than 0 and less than 1024000 bytes"},
      {"big data", [](api::ConfigSpec& s) { s.Data = api::Bytes(std::string(1024000, 'x')); },
       "config data must be larger than 0 and less than 1024000 bytes"},
      {"templating driver other than golang",
       [](api::ConfigSpec& s) {
         s.Templating = api::Driver{"mustache", {}};
       },
       "unrecognized template type \"mustache\": the templating driver must be \"golang\""},
      {"templating driver without a name",
       [](api::ConfigSpec& s) {
         s.Templating = api::Driver{"", {}};
       },
       "unrecognized template type \"\": the templating driver must be \"golang\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    api::ConfigSpec spec = config("c");
    c.edit(spec);
    uint64_t before = revision();
    EXPECT_ERROR(create_config(ctx(), spec).status(), Code::kInvalidArgument,
                 std::string("rpc error: code = InvalidArgument desc = ") + c.message);
    EXPECT_EQ(revision(), before);
  }
  api::ConfigSpec golang = config("tpl", "{{.Service.Name}}");
  golang.Templating = api::Driver{"golang", {}};
  EXPECT_TRUE(create_config(ctx(), golang).is_ok());
}

}  // namespace
}  // namespace shoal::manager::controlapi
