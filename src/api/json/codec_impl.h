// Internal to the api codec: the definitions of to_json/from_json that the codec_*.cc files
// instantiate for each model type (see codec.h for the contract).
#pragma once

#include "api/codec.h"
#include "api/json/decoder.h"
#include "api/json/encoder.h"
#include "api/json/fields_common.h"
#include "api/json/fields_container.h"
#include "api/json/fields_network.h"
#include "api/json/fields_node.h"
#include "api/json/fields_service.h"
#include "api/json/fields_swarm.h"
#include "api/json/fields_task.h"
#include "api/json/text_encoder.h"

namespace shoal::api {

template <Codable T>
Json to_json(const T& value) {
  return json::encode_value(value, json::kPlain);
}

template <Codable T>
Status from_json(const Json& json, T& out) {
  out = T{};
  if (json.is_null()) return Status();  // Go: decoding null leaves the zero value
  Status status;
  json::read_value(json, out, json::Reader(nullptr, &status));
  return status;
}

template <Codable T>
void append_json(std::string& out, const T& value) {
  json::write_value(out, value, json::kPlain);
}

template <Codable T>
std::string encode(const T& value) {
  std::string out;
  append_json(out, value);
  return out;
}

#define SHOAL_API_INSTANTIATE_CODEC(T)                             \
  template Json to_json<T>(const T& value);                        \
  template Status from_json<T>(const Json& json, T& out);          \
  template void append_json<T>(std::string & out, const T& value); \
  template std::string encode<T>(const T& value);

}  // namespace shoal::api
