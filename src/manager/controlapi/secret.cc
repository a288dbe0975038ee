// Secrets and configs (see secret.h). The shared rules are written once, over the kind.
#include "manager/controlapi/secret.h"

#include "common/pattern.h"
#include "manager/controlapi/errors.h"
#include "store/tables.h"

namespace shoal::manager::controlapi {
namespace {

// Which services reference an object of kind T (by ID) in their ContainerSpec.
template <typename T>
std::vector<std::string> users_of(const store::ReadTxn& tx, const std::string& id) {
  std::vector<std::string> names;
  tx.for_each<api::Service>(store::by::All{}, [&](const std::shared_ptr<const api::Service>& s) {
    const auto& container = s->Spec.TaskTemplate.ContainerSpec;
    if (!container) return;
    bool uses = false;
    if constexpr (std::is_same_v<T, api::Secret>) {
      for (const auto& ref : container->Secrets) uses = uses || ref.SecretID == id;
    } else {
      for (const auto& ref : container->Configs) uses = uses || ref.ConfigID == id;
    }
    if (uses) names.push_back(s->Spec.Name);
  });
  return names;
}

template <typename T>
std::string_view kind() {
  return store::kind_name(store::kind_of<T>);
}

// Docker's worker expands only Go templates and fails a task whose secret or config names
// another driver ("unrecognized template type"); such a spec is refused when it is sent.
Status validate_templating(const std::optional<api::Driver>& templating) {
  if (!templating || templating->Name == kTemplatingDriver) return Status::ok();
  return rpc_error(Code::kInvalidArgument,
                   "unrecognized template type \"{}\": the templating driver must be \"{}\"",
                   templating->Name, kTemplatingDriver);
}

template <typename T, typename Spec>
Status validate_spec(const Spec& spec, size_t max_size) {
  SHOAL_RETURN_IF_ERROR(validate_secret_or_config_name(spec.Name));
  SHOAL_RETURN_IF_ERROR(validate_templating(spec.Templating));
  if constexpr (std::is_same_v<T, api::Secret>) {
    if (spec.Driver) {
      if (spec.Driver->Name.empty()) {
        return rpc_error(Code::kInvalidArgument, "secret driver must have a name");
      }
      return rpc_error(Code::kInvalidArgument,
                       "secret driver \"{}\" is not available: shoal has no secret driver plugins",
                       spec.Driver->Name);
    }
  }
  if (spec.Data.empty() || spec.Data.size() >= max_size) {
    return rpc_error(Code::kInvalidArgument, "{} data must be larger than 0 and less than {} bytes",
                     kind<T>(), max_size);
  }
  return Status::ok();
}

template <typename T, typename Spec>
Result<std::string> create(Context& ctx, const Spec& spec, size_t max_size) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_RETURN_IF_ERROR((validate_spec<T>(spec, max_size)));
  T object;
  object.ID = ctx.ids.next();
  object.Spec = spec;
  Status status = ctx.store.update([&](store::WriteTxn& tx) { return tx.create(object); });
  if (status.code() == Code::kAlreadyExists) {
    return rpc_error(Code::kAlreadyExists, "{} {} already exists", kind<T>(), spec.Name);
  }
  SHOAL_RETURN_IF_ERROR(from_store(status));
  return object.ID;
}

template <typename T>
Result<T> get(const Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const T> object, ctx.store.view().lookup<T>(ref));
  return *object;
}

template <typename T, typename Spec>
Status update(Context& ctx, std::string_view ref, uint64_t version, const Spec& spec) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return from_store(ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const T> current, tx.lookup<T>(ref));
    if (spec.Name != current->Spec.Name ||
        (!spec.Data.empty() && spec.Data != current->Spec.Data)) {
      return rpc_error(Code::kInvalidArgument, "only updates to Labels are allowed");
    }
    T object = *current;
    object.Version.Index = version;
    object.Spec.Labels = spec.Labels;
    return tx.update(std::move(object));
  }));
}

template <typename T>
Status remove(Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return from_store(ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const T> object, tx.lookup<T>(ref));
    std::vector<std::string> users = users_of<T>(tx, object->ID);
    if (!users.empty()) {
      std::string list;
      for (const std::string& name : users) list += (list.empty() ? "" : ", ") + name;
      return rpc_error(Code::kInvalidArgument, "{} '{}' is in use by the following {}: {}",
                       kind<T>(), object->Spec.Name, users.size() == 1 ? "service" : "services",
                       list);
    }
    return tx.remove<T>(object->ID);
  }));
}

template <typename T>
bool base_matches(const T& object, const std::vector<std::string>& name_prefixes,
                  const std::vector<std::string>& id_prefixes, const LabelFilter& labels) {
  return match_prefixes(object.Spec.Name, name_prefixes) &&
         match_prefixes(object.ID, id_prefixes) && match_labels(object.Spec.Labels, labels);
}

}  // namespace

Status validate_secret_or_config_name(std::string_view name) {
  static const Pattern valid = Pattern::must("^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$");
  if (name.empty()) return rpc_error(Code::kInvalidArgument, "name must be provided");
  if (name.size() > 64 || !valid.full_match(name)) {
    return rpc_error(Code::kInvalidArgument,
                     "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and "
                     "end character must be [a-zA-Z0-9]");
  }
  return Status::ok();
}

Result<api::SecretCreateResponse> create_secret(Context& ctx, const api::SecretSpec& spec) {
  SHOAL_ASSIGN_OR_RETURN(std::string id, (create<api::Secret>(ctx, spec, kMaxSecretSize)));
  return api::SecretCreateResponse{id};
}

Result<api::Secret> get_secret(const Context& ctx, std::string_view ref) {
  SHOAL_ASSIGN_OR_RETURN(api::Secret secret, get<api::Secret>(ctx, ref));
  secret.Spec.Data.clear();
  return secret;
}

Result<std::vector<api::Secret>> list_secrets(const Context& ctx, const SecretFilters& f) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  std::vector<api::Secret> out;
  ctx.store.view().for_each<api::Secret>(
      store::by::All{}, [&](const std::shared_ptr<const api::Secret>& s) {
        if (!match_exact(s->Spec.Name, f.names) ||
            !base_matches(*s, f.name_prefixes, f.id_prefixes, f.labels)) {
          return;
        }
        out.push_back(*s);
        out.back().Spec.Data.clear();
      });
  return out;
}

Status update_secret(Context& ctx, std::string_view ref, uint64_t version,
                     const api::SecretSpec& spec) {
  return update<api::Secret>(ctx, ref, version, spec);
}

Status remove_secret(Context& ctx, std::string_view ref) { return remove<api::Secret>(ctx, ref); }

Result<api::ConfigCreateResponse> create_config(Context& ctx, const api::ConfigSpec& spec) {
  SHOAL_ASSIGN_OR_RETURN(std::string id, (create<api::Config>(ctx, spec, kMaxConfigSize)));
  return api::ConfigCreateResponse{id};
}

Result<api::Config> get_config(const Context& ctx, std::string_view ref) {
  return get<api::Config>(ctx, ref);
}

Result<std::vector<api::Config>> list_configs(const Context& ctx, const ConfigFilters& f) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  std::vector<api::Config> out;
  ctx.store.view().for_each<api::Config>(
      store::by::All{}, [&](const std::shared_ptr<const api::Config>& c) {
        if (base_matches(*c, f.name_prefixes, f.id_prefixes, f.labels)) out.push_back(*c);
      });
  return out;
}

Status update_config(Context& ctx, std::string_view ref, uint64_t version,
                     const api::ConfigSpec& spec) {
  return update<api::Config>(ctx, ref, version, spec);
}

Status remove_config(Context& ctx, std::string_view ref) { return remove<api::Config>(ctx, ref); }

}  // namespace shoal::manager::controlapi
