// Docker image references ("nginx", "nginx:1.25", "localhost:5000/a/b@sha256:..."), checked
// with the grammar of distribution/reference's ParseNormalizedNamed, which swarmkit uses to
// refuse a service whose image cannot be pulled by any node.
//
// Thread safety: pure function.
#pragma once

#include <string_view>

namespace shoal::manager::controlapi {

// True when `image` is a valid normalized reference: optional domain (host[:port]), a
// lower-case path of components, an optional tag (`[\w][\w.-]{0,127}`) and an optional
// digest (`algo:hex`, hex at least 32 characters); at most 255 characters of name; not a
// bare 64-hex image ID.
bool is_valid_image_reference(std::string_view image);

}  // namespace shoal::manager::controlapi
