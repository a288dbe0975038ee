// Every model type, with every field set to a non-empty value, survives encode → decode →
// encode unchanged; every field appears in the output; keys are matched case-insensitively;
// the zero value round-trips too.
#include <gtest/gtest.h>

#include <string>

#include "api/codec.h"
#include "api/json/encoder.h"
#include "api/json/fields_common.h"
#include "api/json/fields_container.h"
#include "api/json/fields_network.h"
#include "api/json/fields_node.h"
#include "api/json/fields_service.h"
#include "api/json/fields_swarm.h"
#include "api/json/fields_task.h"

// In the codec's namespace so that fields() is found by argument-dependent lookup.
namespace shoal::api::json {

// Sets every field, through the same field lists the codec uses, to a distinct non-empty
// value; counts the fields of the outermost object.
class Filler {
 public:
  template <class T>
  void operator()(std::string_view, T& field, Tag = kPlain) {
    ++fields_seen_;
    fill(field);
  }

  template <HasFields T>
  int fill_object(T& o) {
    fields_seen_ = 0;
    fields(*this, o);
    return fields_seen_;
  }

 private:
  void fill(bool& v) { v = true; }
  void fill(int64_t& v) { v = -1000 - ++n_; }
  void fill(uint64_t& v) { v = (uint64_t{1} << 63) + ++n_; }
  void fill(uint32_t& v) { v = 4'000'000'000u + ++n_; }
  void fill(float& v) { v = 0.1f; }
  void fill(std::string& v) { v = "s" + std::to_string(++n_) + " \"quoted\" \xc3\xa9\n"; }
  void fill(Bytes& v) { v = Bytes(std::string("\0\xff\x10", 3) + std::to_string(++n_)); }
  void fill(Timestamp& v) { v = Timestamp::from_unix_nanos(1'700'000'000'123'456'000 + ++n_); }
  void fill(std::chrono::nanoseconds& v) { v = std::chrono::nanoseconds(-(++n_)); }
  template <ApiEnum E>
  void fill(E& v) {
    v = static_cast<E>(EnumNames<E>::kNames.size() - 1);
  }
  template <class T>
  void fill(std::optional<T>& v) {
    fill(v.emplace());
  }
  template <class T>
  void fill(std::vector<T>& v) {
    fill(v.emplace_back());
    fill(v.emplace_back());
  }
  template <class T>
  void fill(std::map<std::string, T>& v) {
    fill(v["com.example.key"]);
  }
  template <HasFields T>
  void fill(std::shared_ptr<const T>& v) {
    auto value = std::make_shared<T>();
    fill(*value);
    v = std::move(value);
  }
  template <HasFields T>
  void fill(T& o) {
    Filler nested;
    nested.n_ = n_;
    fields(nested, o);
    n_ = nested.n_;
  }

  int fields_seen_ = 0;
  int64_t n_ = 0;
};

}  // namespace shoal::api::json

namespace shoal::api {
namespace {

Json lower_case_keys(const Json& j) {
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& item : j) out.push_back(lower_case_keys(item));
    return out;
  }
  if (!j.is_object()) return j;
  Json out = Json::object();
  for (const auto& [key, value] : j.items()) {
    std::string lower = key;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[lower] = lower_case_keys(value);
  }
  return out;
}

template <class T>
void check_round_trip(const char* name) {
  SCOPED_TRACE(name);
  T value;
  const int field_count = json::Filler().fill_object(value);
  const Json encoded = to_json(value);
  EXPECT_EQ(static_cast<int>(encoded.size()), field_count) << encoded.dump();
  // The text encoder and the tree encoder agree.
  EXPECT_EQ(Json::parse(encode(value)), encoded);

  T decoded;
  Status status = from_json(encoded, decoded);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(to_json(decoded), encoded);

  auto from_text = decode<T>(encode(value));
  ASSERT_TRUE(from_text.is_ok()) << from_text.status().to_string();
  EXPECT_EQ(to_json(*from_text), encoded);

  T folded;
  status = from_json(lower_case_keys(encoded), folded);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(to_json(folded), encoded);

  T zero;
  const Json zero_json = to_json(zero);
  EXPECT_EQ(encode(zero), zero_json.dump());
  status = from_json(zero_json, decoded);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(to_json(decoded), zero_json);
}

TEST(RoundTripTest, EveryModelTypeWithEveryFieldSet) {
#define SHOAL_CHECK_ROUND_TRIP(T) check_round_trip<T>(#T);
  SHOAL_API_MODEL_TYPES(SHOAL_CHECK_ROUND_TRIP)
#undef SHOAL_CHECK_ROUND_TRIP
}

TEST(RoundTripTest, Float32PrintsLikeGo) {
  UpdateConfig config;
  config.MaxFailureRatio = 0.1f;
  EXPECT_EQ(to_json(config)["MaxFailureRatio"].dump(), "0.1");
  config.MaxFailureRatio = 0;
  EXPECT_EQ(to_json(config)["MaxFailureRatio"].dump(), "0");
  config.MaxFailureRatio = 1;
  EXPECT_EQ(to_json(config)["MaxFailureRatio"].dump(), "1");
  config.MaxFailureRatio = 0.15f;
  EXPECT_EQ(to_json(config)["MaxFailureRatio"].dump(), "0.15");
}

TEST(RoundTripTest, TextEscapesStringsLikeGo) {
  Driver driver;
  driver.Name =
      "a<b>&c\"d\\e\n\r\t\x01\x7f \xc3\xa9 \xe2\x80\xa8 \xff \xed\xa0\x80 \xf0\x9f\x90\xb3";
  EXPECT_EQ(encode(driver),
            "{\"Name\":\"a\\u003cb\\u003e\\u0026c\\\"d\\\\e\\n\\r\\t\\u0001\x7f \xc3\xa9 \\u2028 "
            "\\ufffd \\ufffd\\ufffd\\ufffd \xf0\x9f\x90\xb3\"}");
  // Go's output is valid JSON that reads back to the same string where the input was UTF-8.
  Driver plain;
  plain.Name = "x && y <z>";
  auto back = decode<Driver>(encode(plain));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->Name, plain.Name);
}

TEST(RoundTripTest, Float32TextLikeGo) {
  UpdateConfig config;
  const std::pair<float, const char*> cases[] = {{0.1f, "0.1"},
                                                 {0.15f, "0.15"},
                                                 {0, "0"},
                                                 {1, "1"},
                                                 {0.00001f, "0.00001"},
                                                 {1e-7f, "1e-7"},
                                                 {1e16f, "10000000000000000"},
                                                 {-0.5f, "-0.5"}};
  for (const auto& [value, text] : cases) {
    config.MaxFailureRatio = value;
    const std::string body = encode(config);
    EXPECT_NE(body.find(std::string("\"MaxFailureRatio\":") + text + ","), std::string::npos)
        << value << " " << body;
  }
}

TEST(RoundTripTest, ZeroValuesFollowGoOmitempty) {
  EXPECT_EQ(encode(Task{}),
            R"({"ID":"","Version":{},"CreatedAt":"0001-01-01T00:00:00Z",)"
            R"("UpdatedAt":"0001-01-01T00:00:00Z","Labels":{},"Spec":{"ForceUpdate":0},)"
            R"("Status":{"Timestamp":"0001-01-01T00:00:00Z","PortStatus":{}}})");
  EXPECT_EQ(encode(Info{}),
            R"({"NodeID":"","NodeAddr":"","LocalNodeState":"","ControlAvailable":false,)"
            R"("Error":"","RemoteManagers":null})");
  EXPECT_EQ(encode(SecretReference{}), R"({"File":null,"SecretID":"","SecretName":""})");
  EXPECT_EQ(encode(UpdateStatus{}), "{}");
  EXPECT_EQ(encode(ServiceMode{}), "{}");
}

TEST(RoundTripTest, SharedTaskSpecIsEncodedThroughThePointer) {
  auto spec = std::make_shared<TaskSpec>();
  spec->ContainerSpec.emplace().Image = "busybox";
  Task a, b;
  a.Spec = spec;
  b.Spec = spec;
  EXPECT_EQ(to_json(a)["Spec"], to_json(b)["Spec"]);
  EXPECT_EQ(to_json(a)["Spec"]["ContainerSpec"]["Image"], "busybox");
}

}  // namespace
}  // namespace shoal::api
