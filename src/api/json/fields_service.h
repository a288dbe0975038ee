// Internal to the api codec: field lists of service.h (see field.h). Go struct order, Go tags.
#pragma once

#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/json/fields_network.h"
#include "api/json/fields_task.h"
#include "api/service.h"

namespace shoal::api::json {

template <class V, Is<ReplicatedService> T>
void fields(V& v, T& o) {
  v("Replicas", o.Replicas, kOmitEmpty);
}

template <class V, Is<GlobalService> T>
void fields(V&, T&) {}

template <class V, Is<ReplicatedJob> T>
void fields(V& v, T& o) {
  v("MaxConcurrent", o.MaxConcurrent, kOmitEmpty);
  v("TotalCompletions", o.TotalCompletions, kOmitEmpty);
}

template <class V, Is<GlobalJob> T>
void fields(V&, T&) {}

template <class V, Is<ServiceMode> T>
void fields(V& v, T& o) {
  v("Replicated", o.Replicated, kOmitEmpty);
  v("Global", o.Global, kOmitEmpty);
  v("ReplicatedJob", o.ReplicatedJob, kOmitEmpty);
  v("GlobalJob", o.GlobalJob, kOmitEmpty);
}

template <class V, Is<UpdateConfig> T>
void fields(V& v, T& o) {
  v("Parallelism", o.Parallelism);
  v("Delay", o.Delay, kOmitEmpty);
  v("FailureAction", o.FailureAction, kOmitEmpty);
  v("Monitor", o.Monitor, kOmitEmpty);
  v("MaxFailureRatio", o.MaxFailureRatio);
  v("Order", o.Order);
}

template <class V, Is<ServiceSpec> T>
void fields(V& v, T& o) {
  embed<Annotations>(v, o);
  v("TaskTemplate", o.TaskTemplate, kOmitEmpty);
  v("Mode", o.Mode, kOmitEmpty);
  v("UpdateConfig", o.UpdateConfig, kOmitEmpty);
  v("RollbackConfig", o.RollbackConfig, kOmitEmpty);
  v("Networks", o.Networks, kOmitEmpty);
  v("EndpointSpec", o.EndpointSpec, kOmitEmpty);
}

template <class V, Is<UpdateStatus> T>
void fields(V& v, T& o) {
  v("State", o.State, kOmitEmpty);
  v("StartedAt", o.StartedAt, kOmitEmpty);
  v("CompletedAt", o.CompletedAt, kOmitEmpty);
  v("Message", o.Message, kOmitEmpty);
}

template <class V, Is<ServiceStatus> T>
void fields(V& v, T& o) {
  v("RunningTasks", o.RunningTasks);
  v("DesiredTasks", o.DesiredTasks);
  v("CompletedTasks", o.CompletedTasks);
}

template <class V, Is<JobStatus> T>
void fields(V& v, T& o) {
  v("JobIteration", o.JobIteration);
  v("LastExecution", o.LastExecution, kOmitEmpty);
}

template <class V, Is<Service> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  v("Spec", o.Spec, kOmitEmpty);
  v("PreviousSpec", o.PreviousSpec, kOmitEmpty);
  v("Endpoint", o.Endpoint, kOmitEmpty);
  v("UpdateStatus", o.UpdateStatus, kOmitEmpty);
  v("ServiceStatus", o.ServiceStatus, kOmitEmpty);
  v("JobStatus", o.JobStatus, kOmitEmpty);
}

template <class V, Is<ServiceCreateResponse> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  v("Warnings", o.Warnings, kOmitEmpty);
}

template <class V, Is<ServiceUpdateResponse> T>
void fields(V& v, T& o) {
  v("Warnings", o.Warnings);
}

}  // namespace shoal::api::json
