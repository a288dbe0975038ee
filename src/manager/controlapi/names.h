// Generated service names ("eager_hopper"), for a service created without a name, as
// Docker does (moby pkg/namesgenerator): an adjective and a notable scientist or engineer.
//
// Thread safety: pure function of the random bytes it draws.
#pragma once

#include <string>

#include "manager/controlapi/context.h"

namespace shoal::manager::controlapi {

// "<adjective>_<surname>", drawn with `random` (a valid DNS name component).
std::string random_name(const RandomBytes& random);

}  // namespace shoal::manager::controlapi
