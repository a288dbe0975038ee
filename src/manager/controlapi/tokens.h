// The swarm's secrets in their human-readable forms: join tokens and the autolock unlock
// key. One place makes each; join tokens are the cluster CA's (src/ca/certs.h), whose
// functions these delegate to.
//
//   join token  "SWMTKN-1-<digest>-<secret>" (swarmkit ca.GenerateJoinToken): <digest> is the
//               SHA-256 of the cluster's root CA certificate in base 36, zero-padded to 50
//               characters, so that a joining node can verify the CA it reaches; <secret>
//               is 128 random bits in base 36, zero-padded to 25.
//               `ca_material` is the root CA's PEM (ca::root_ca.h keeps it in the cluster).
//   unlock key  "SWMKEY-1-<base64 (standard alphabet, unpadded) of 32 random bytes>".
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal::manager::controlapi {

inline constexpr size_t kJoinTokenSecretBytes = 16;
inline constexpr size_t kUnlockKeyBytes = 32;

// A join token for the CA whose PEM certificate is `ca_material`.
// REQUIRES: secret.size() == kJoinTokenSecretBytes (random bytes).
std::string make_join_token(std::string_view ca_material, std::string_view secret);

// The digest part of tokens made for `ca_material` (50 base-36 characters).
std::string join_token_digest(std::string_view ca_material);

// REQUIRES: key.size() == kUnlockKeyBytes (random bytes).
std::string make_unlock_key(std::string_view key);

// OK if `text` has the unlock key's form; else kInvalidArgument "invalid key string"
// (swarmkit's text for a key that is not "SWMKEY-1-" followed by unpadded base64).
Status check_unlock_key(std::string_view text);

// `bytes` read as a big-endian unsigned number, in base 36 (0-9a-z), left-padded with '0'
// to `width` characters (never truncated).
std::string to_base36(std::string_view bytes, size_t width);

}  // namespace shoal::manager::controlapi
