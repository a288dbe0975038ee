// Unit-test helper shared by the dispatcher's and the RPC layer's tests: the next message
// of an assignment stream, waiting at most 10 s.
#pragma once

#include <chrono>
#include <optional>

#include "protocol/messages.h"

namespace shoal::testing {

// The next message within 10 s; nullopt when the stream ends, fails or stays quiet.
inline std::optional<protocol::AssignmentsMessage> next_assignment(
    protocol::AssignmentStream& stream) {
  using namespace std::chrono_literals;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = stream.recv(100ms);
    if (!m.is_ok()) return std::nullopt;
    if (m->has_value()) return std::move(**m);
  }
  return std::nullopt;
}

}  // namespace shoal::testing
