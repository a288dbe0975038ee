#include "agent/hollow/labels.h"

#include <charconv>
#include <string>

#include "common/go_duration.h"

namespace shoal::agent::hollow {

namespace {

Status invalid_label(std::string_view key, std::string_view value, std::string_view why) {
  return error(Code::kInvalidArgument, "invalid label {}={}: {}", key, value, why);
}

// The label's value from the container's labels, else the task's; nullptr when absent.
const std::string* find_label(const api::Task& task, std::string_view key) {
  std::string k(key);
  if (task.Spec->ContainerSpec) {
    auto it = task.Spec->ContainerSpec->Labels.find(k);
    if (it != task.Spec->ContainerSpec->Labels.end()) return &it->second;
  }
  auto it = task.Labels.find(k);
  return it != task.Labels.end() ? &it->second : nullptr;
}

Result<std::optional<std::chrono::nanoseconds>> read_duration(const api::Task& task,
                                                              std::string_view key) {
  const std::string* value = find_label(task, key);
  if (value == nullptr) return std::optional<std::chrono::nanoseconds>();
  auto d = parse_go_duration(*value);
  if (!d.is_ok()) return invalid_label(key, *value, d.status().message());
  if (d->count() < 0) return invalid_label(key, *value, "negative duration");
  return std::optional<std::chrono::nanoseconds>(*d);
}

}  // namespace

Result<Script> read_script(const api::Task& task) {
  Script script;
  std::optional<int64_t> fail_code;
  if (const std::string* value = find_label(task, kFailLabel)) {
    int64_t code = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), code);
    if (ec != std::errc() || end != value->data() + value->size()) {
      return invalid_label(kFailLabel, *value, "not an exit code");
    }
    fail_code = code;
  }
  SHOAL_ASSIGN_OR_RETURN(auto fail_after, read_duration(task, kFailAfterLabel));
  SHOAL_ASSIGN_OR_RETURN(auto complete_after, read_duration(task, kCompleteAfterLabel));

  std::optional<Script::Exit> failure;
  if (fail_code || fail_after) {
    failure = Script::Exit{fail_code.value_or(1), fail_after.value_or(std::chrono::nanoseconds(0))};
  }
  std::optional<Script::Exit> completion;
  if (complete_after) completion = Script::Exit{0, *complete_after};

  if (failure && (!completion || failure->after <= completion->after)) {
    script.exit = failure;
  } else {
    script.exit = completion;
  }
  return script;
}

}  // namespace shoal::agent::hollow
