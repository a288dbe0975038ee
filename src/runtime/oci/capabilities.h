// A container's capability set as Docker computes it (moby oci/caps TweakCapabilities):
// Docker's default set, then ContainerSpec.CapabilityAdd / CapabilityDrop.
//
// Names are matched case-insensitively, with or without the "CAP_" prefix; "ALL" means
// every capability. Add ALL gives every capability except those dropped; else drop ALL gives
// exactly the added ones; otherwise (defaults − drop) + add (an added capability wins over
// the same one dropped). The result is sorted "CAP_X" names.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace shoal::runtime::oci {

// Docker's default set (14 capabilities: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW,
// SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE).
const std::vector<std::string>& default_capabilities();

// Every capability this code knows (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE).
const std::vector<std::string>& all_capabilities();

// Errors: kInvalidArgument "unknown capability: \"CAP_X\"" (Docker's text).
Result<std::vector<std::string>> tweak_capabilities(const std::vector<std::string>& add,
                                                    const std::vector<std::string>& drop);

}  // namespace shoal::runtime::oci
