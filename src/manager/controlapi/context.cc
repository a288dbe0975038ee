#include "manager/controlapi/context.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "manager/controlapi/errors.h"

namespace shoal::manager::controlapi {

RandomBytes system_random() {
  return [](size_t n) {
    std::string out(n, '\0');
    if (n > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
      std::fputs("shoal: the system's random source failed\n", stderr);
      std::abort();
    }
    return out;
  };
}

Status require_manager(const Context& ctx) {
  return manager_state_error(ctx.local.state(), ctx.local.is_manager());
}

}  // namespace shoal::manager::controlapi
