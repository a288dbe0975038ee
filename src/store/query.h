// Selectors for ReadTxn/WriteTxn find(), count() and for_each(): which objects of a table.
//
//   by::All{}                      every object                      all tables
//   by::IdPrefix{"abc"}            IDs starting with "abc"           all tables
//   by::Name{"web"}                this name, case-insensitively     named tables (nodes:
//                                                                    Spec.Name or hostname)
//   by::NamePrefix{"we"}           names starting with it, likewise  named tables
//   by::Service{id}                tasks of one service              tasks
//   by::Node{id}                   tasks on one node ("" = unassigned) tasks
//   by::Slot{service_id, slot}     tasks of one slot of a service    tasks
//   by::DesiredState{state}        tasks with this desired state     tasks
//
// Selectors hold views: the strings they point to must outlive the call.
#pragma once

#include <cstdint>
#include <string_view>

#include "api/task.h"

namespace shoal::store::by {

struct All {};
struct IdPrefix {
  std::string_view prefix;
};
struct Name {
  std::string_view name;
};
struct NamePrefix {
  std::string_view prefix;
};
struct Service {
  std::string_view id;
};
struct Node {
  std::string_view id;
};
struct Slot {
  std::string_view service_id;
  int64_t slot = 0;
};
struct DesiredState {
  api::TaskState state = api::TaskState::kUnset;
};

}  // namespace shoal::store::by
