#include "rpc/wire.h"

#include <string>

#include "api/codec.h"

namespace shoal::rpc {
namespace {

struct ChangeWriter {
  AssignmentChange& out;
  void operator()(const std::shared_ptr<const api::Task>& t) {
    out.set_kind(AssignmentChange::TASK);
    if (out.action() == AssignmentChange::UPDATE) out.set_object(api::encode(*t));
  }
  void operator()(const std::shared_ptr<const api::Secret>& s) {
    out.set_kind(AssignmentChange::SECRET);
    if (out.action() == AssignmentChange::UPDATE) out.set_object(api::encode(*s));
  }
  void operator()(const std::shared_ptr<const api::Config>& c) {
    out.set_kind(AssignmentChange::CONFIG);
    if (out.action() == AssignmentChange::UPDATE) out.set_object(api::encode(*c));
  }
};

template <class T>
Result<protocol::Assignment> read_object(const AssignmentChange& in) {
  T object;
  if (in.action() == AssignmentChange::UPDATE) {
    auto decoded = api::decode<T>(in.object());
    if (!decoded) {
      return error(Code::kInvalidArgument, "assignment {}: {}", in.id(),
                   decoded.status().message());
    }
    object = std::move(decoded).value();
  }
  object.ID = in.id();
  return protocol::Assignment(std::make_shared<const T>(std::move(object)));
}

}  // namespace

void to_proto(const protocol::AssignmentsMessage& in, AssignmentsMessage& out) {
  out.set_type(in.Type == protocol::AssignmentsType::kComplete ? AssignmentsMessage::COMPLETE
                                                               : AssignmentsMessage::INCREMENTAL);
  out.set_applies_to(in.AppliesTo);
  out.set_results_in(in.ResultsIn);
  out.mutable_changes()->Reserve(static_cast<int>(in.Changes.size()));
  for (const auto& change : in.Changes) {
    AssignmentChange* c = out.add_changes();
    c->set_action(change.Action == protocol::AssignmentAction::kUpdate ? AssignmentChange::UPDATE
                                                                       : AssignmentChange::REMOVE);
    c->set_id(protocol::assignment_id(change.Item));
    std::visit(ChangeWriter{*c}, change.Item);
  }
}

Result<protocol::AssignmentsMessage> from_proto(const AssignmentsMessage& in) {
  protocol::AssignmentsMessage out;
  out.Type = in.type() == AssignmentsMessage::COMPLETE ? protocol::AssignmentsType::kComplete
                                                       : protocol::AssignmentsType::kIncremental;
  out.AppliesTo = in.applies_to();
  out.ResultsIn = in.results_in();
  out.Changes.reserve(in.changes_size());
  for (const auto& c : in.changes()) {
    protocol::AssignmentChange change;
    change.Action = c.action() == AssignmentChange::UPDATE ? protocol::AssignmentAction::kUpdate
                                                           : protocol::AssignmentAction::kRemove;
    Result<protocol::Assignment> item =
        c.kind() == AssignmentChange::TASK     ? read_object<api::Task>(c)
        : c.kind() == AssignmentChange::SECRET ? read_object<api::Secret>(c)
                                               : read_object<api::Config>(c);
    if (!item) return item.status();
    change.Item = std::move(item).value();
    out.Changes.push_back(std::move(change));
  }
  return out;
}

void to_proto(const protocol::UpdateTaskStatusRequest& in, UpdateTaskStatusRequest& out) {
  out.set_session_id(in.SessionID);
  for (const auto& u : in.Updates) {
    TaskStatusUpdate* p = out.add_updates();
    p->set_task_id(u.TaskID);
    p->set_status(api::encode(u.Status));
  }
}

Result<protocol::UpdateTaskStatusRequest> from_proto(const UpdateTaskStatusRequest& in) {
  protocol::UpdateTaskStatusRequest out;
  out.SessionID = in.session_id();
  out.Updates.reserve(in.updates_size());
  for (const auto& u : in.updates()) {
    auto status = api::decode<api::TaskStatus>(u.status());
    if (!status) {
      return error(Code::kInvalidArgument, "status of task {}: {}", u.task_id(),
                   status.status().message());
    }
    out.Updates.push_back({u.task_id(), std::move(status).value()});
  }
  return out;
}

}  // namespace shoal::rpc
