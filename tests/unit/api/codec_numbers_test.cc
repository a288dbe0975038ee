// Numbers beyond their field's type, and values of the wrong JSON type, in request bodies:
// every one is kInvalidArgument (a 400) in Go's words, naming the field, never an exception.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "api/codec.h"

namespace shoal::api {
namespace {

// A field of one Go kind, reached from a ServiceSpec body: `body` has "%s" where the number
// goes; `field` is what Go names ("<innermost struct>.<path>"), `type` its Go type.
struct NumberField {
  const char* body;
  const char* field;
  const char* type;
};

std::string with(const char* body, std::string_view literal) {
  std::string out(body);
  out.replace(out.find("%s"), 2, literal);
  return out;
}

std::string go_error(std::string_view what, const NumberField& f) {
  return fmt::format("json: cannot unmarshal {} into Go struct field {} of type {}", what, f.field,
                     f.type);
}

void expect_refused(const NumberField& f, std::string_view literal, std::string_view what) {
  const std::string body = with(f.body, literal);
  Result<ServiceSpec> out = decode<ServiceSpec>(body);
  ASSERT_FALSE(out.is_ok()) << body;
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument) << body;
  EXPECT_EQ(out.status().message(), go_error(what, f)) << body;
}

void expect_accepted(const NumberField& f, std::string_view literal) {
  const std::string body = with(f.body, literal);
  Result<ServiceSpec> out = decode<ServiceSpec>(body);
  EXPECT_TRUE(out.is_ok()) << body << ": " << out.status().to_string();
}

const NumberField kUint64{R"({"Mode":{"Replicated":{"Replicas":%s}}})",
                          "ReplicatedService.Mode.Replicated.Replicas", "uint64"};
const NumberField kInt64{R"({"TaskTemplate":{"Resources":{"Limits":{"NanoCPUs":%s}}}})",
                         "Limit.TaskTemplate.Resources.Limits.NanoCPUs", "int64"};
const NumberField kUint32{R"({"EndpointSpec":{"Ports":[{"TargetPort":80},{"TargetPort":%s}]}})",
                          "PortConfig.EndpointSpec.Ports.TargetPort", "uint32"};
const NumberField kFloat32{R"({"UpdateConfig":{"MaxFailureRatio":%s}})",
                           "UpdateConfig.UpdateConfig.MaxFailureRatio", "float32"};
const NumberField kDuration{R"({"TaskTemplate":{"ContainerSpec":{"StopGracePeriod":%s}}})",
                            "ContainerSpec.TaskTemplate.ContainerSpec.StopGracePeriod",
                            "time.Duration"};
const NumberField kString{R"({"TaskTemplate":{"ContainerSpec":{"Image":%s}}})",
                          "ContainerSpec.TaskTemplate.ContainerSpec.Image", "string"};
const NumberField kBool{R"({"TaskTemplate":{"ContainerSpec":{"TTY":%s}}})",
                        "ContainerSpec.TaskTemplate.ContainerSpec.TTY", "bool"};
const NumberField kStringList{R"({"TaskTemplate":{"ContainerSpec":{"Env":["A=1",%s]}}})",
                              "ContainerSpec.TaskTemplate.ContainerSpec.Env", "string"};
const NumberField kStringMap{R"({"Labels":{"a":%s}})", "ServiceSpec.Labels", "string"};

struct NumberCase {
  const NumberField* field;
  const char* literal;
};
void PrintTo(const NumberCase& c, std::ostream* os) { *os << c.field->field << " = " << c.literal; }

class NumberBeyondTypeTest : public testing::TestWithParam<NumberCase> {};

// Go: "number <literal>" when the number is a number but not one the type holds.
TEST_P(NumberBeyondTypeTest, IsA400NamingTheFieldAndTheNumber) {
  expect_refused(*GetParam().field, GetParam().literal,
                 std::string("number ") + GetParam().literal);
}

INSTANTIATE_TEST_SUITE_P(
    EachKindOfField, NumberBeyondTypeTest,
    testing::Values(NumberCase{&kUint64, "1e400"}, NumberCase{&kUint64, "-1e400"},
                    NumberCase{&kUint64, "18446744073709551616"}, NumberCase{&kUint64, "-1"},
                    NumberCase{&kUint64, "-9223372036854775808"}, NumberCase{&kUint64, "1.5"},
                    NumberCase{&kUint64, "1e2"}, NumberCase{&kUint64, "1.0"},
                    NumberCase{&kUint64, "1E+2"}, NumberCase{&kInt64, "1e400"},
                    NumberCase{&kInt64, "9223372036854775808"},
                    NumberCase{&kInt64, "-9223372036854775809"},
                    NumberCase{&kInt64, "18446744073709551615"}, NumberCase{&kInt64, "0.5"},
                    NumberCase{&kInt64, "-2.5e3"}, NumberCase{&kUint32, "4294967296"},
                    NumberCase{&kUint32, "-1"}, NumberCase{&kUint32, "1e400"},
                    NumberCase{&kUint32, "80.5"}, NumberCase{&kFloat32, "1e400"},
                    NumberCase{&kFloat32, "-1e400"}, NumberCase{&kFloat32, "3.5e38"},
                    NumberCase{&kFloat32, "-1e39"}, NumberCase{&kDuration, "1e400"},
                    NumberCase{&kDuration, "9223372036854775808"}, NumberCase{&kDuration, "1.5"},
                    NumberCase{&kDuration, "1e9"}));

class MistypedValueTest : public testing::TestWithParam<NumberCase> {};

// Go: the JSON kind alone ("number", "string", ...) when the kinds differ.
TEST_P(MistypedValueTest, IsA400NamingTheFieldAndTheKind) {
  const std::string literal = GetParam().literal;
  const char* kind = literal[0] == '"'   ? "string"
                     : literal[0] == 't' ? "bool"
                     : literal[0] == '[' ? "array"
                     : literal[0] == '{' ? "object"
                                         : "number";
  expect_refused(*GetParam().field, literal, kind);
}

INSTANTIATE_TEST_SUITE_P(
    EachKindOfField, MistypedValueTest,
    testing::Values(NumberCase{&kUint64, R"("3")"}, NumberCase{&kUint64, "true"},
                    NumberCase{&kInt64, "[1]"}, NumberCase{&kUint32, R"({"a":1})"},
                    NumberCase{&kFloat32, R"("0.5")"}, NumberCase{&kDuration, R"("10s")"},
                    NumberCase{&kString, "1e400"}, NumberCase{&kString, "7"},
                    NumberCase{&kString, "1.5"}, NumberCase{&kBool, "1e400"},
                    NumberCase{&kBool, "1"}, NumberCase{&kStringList, "1e400"},
                    NumberCase{&kStringList, "18446744073709551616"},
                    NumberCase{&kStringMap, "1e400"}, NumberCase{&kStringMap, "-0.0"}));

TEST(NumberTest, ValuesEachTypeHoldsAreRead) {
  expect_accepted(kUint64, "18446744073709551615");
  expect_accepted(kUint64, "0");
  expect_accepted(kInt64, "-9223372036854775808");
  expect_accepted(kInt64, "9223372036854775807");
  expect_accepted(kUint32, "4294967295");
  expect_accepted(kDuration, "-1");

  auto spec = decode<ServiceSpec>(R"({"UpdateConfig":{"MaxFailureRatio":0.25}})");
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  EXPECT_EQ(spec->UpdateConfig->MaxFailureRatio, 0.25f);
  for (const char* literal : {"1e2", "18446744073709551616", "1e-400", "-0.0", "3.4e38"}) {
    expect_accepted(kFloat32, literal);
  }
  spec = decode<ServiceSpec>(R"({"UpdateConfig":{"MaxFailureRatio":1E2}})");
  ASSERT_TRUE(spec.is_ok());
  EXPECT_EQ(spec->UpdateConfig->MaxFailureRatio, 100.0f);
}

TEST(NumberTest, AWholeBodyOfTheWrongKindIsNamedAsAGoValue) {
  for (const auto& [body, what] : {std::pair{"1e400", "number"}, std::pair{"7", "number"},
                                   std::pair{"\"x\"", "string"}, std::pair{"[1]", "array"}}) {
    Result<ServiceSpec> out = decode<ServiceSpec>(body);
    ASSERT_FALSE(out.is_ok()) << body;
    EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(out.status().message(),
              fmt::format("json: cannot unmarshal {} into Go value of type ServiceSpec", what));
  }
}

// Go skips an unknown key's value without reading it; nlohmann stops parsing at a number no
// double holds, so such a body is refused as Go refuses 1e400 read into an interface{}.
TEST(NumberTest, ANumberNoDoubleHoldsUnderAnUnknownKeyIsA400) {
  Result<ServiceSpec> out = decode<ServiceSpec>(R"({"Bogus":{"x":[1e400]},"Name":"web"})");
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "json: cannot unmarshal number 1e400 into Go value of type float64");
  // Numbers a double holds are skipped there, whatever their size.
  EXPECT_TRUE(decode<ServiceSpec>(R"({"Bogus":[1e300,-1.5,18446744073709551616]})").is_ok());
}

TEST(NumberTest, MalformedTextStaysAnInvalidJsonError) {
  Result<ServiceSpec> out = decode<ServiceSpec>(R"({"Mode":{"Replicated":{"Replicas":1e}}})");
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(out.status().message().starts_with("invalid JSON: parse error"))
      << out.status().message();
}

TEST(NumberTest, ParseJsonRefusesANumberNoDoubleHolds) {
  Result<Json> out = parse_json(R"({"a":1e400})");
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "invalid JSON: number overflow parsing '1e400'");
}

}  // namespace
}  // namespace shoal::api
