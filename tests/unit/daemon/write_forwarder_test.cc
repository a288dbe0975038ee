// Which requests a follower manager forwards to its leader: writes to cluster objects, never
// reads nor what belongs to the node itself.
#include "daemon/write_forwarder.h"

#include <gtest/gtest.h>

namespace shoal::daemon {
namespace {

struct ForwardCase {
  http::Method method;
  const char* pattern;
  bool forwarded;
};

TEST(WriteForwarderTest, WritesToClusterObjectsAreForwardedAndNothingElse) {
  const ForwardCase cases[] = {
      {http::Method::kPost, "/services/create", true},
      {http::Method::kPost, "/services/{id}/update", true},
      {http::Method::kDelete, "/services/{id}", true},
      {http::Method::kPost, "/nodes/{id}/update", true},
      {http::Method::kDelete, "/nodes/{id}", true},
      {http::Method::kPost, "/secrets/create", true},
      {http::Method::kPost, "/configs/{id}/update", true},
      {http::Method::kPost, "/networks/create", true},
      {http::Method::kDelete, "/networks/{id}", true},
      {http::Method::kPost, "/swarm/update", true},
      {http::Method::kGet, "/services", false},
      {http::Method::kGet, "/services/{id}", false},
      {http::Method::kHead, "/nodes", false},
      {http::Method::kGet, "/swarm/unlockkey", false},
      {http::Method::kPost, "/swarm/init", false},
      {http::Method::kPost, "/swarm/join", false},
      {http::Method::kPost, "/swarm/leave", false},
      {http::Method::kPost, "/swarm/unlock", false},
      {http::Method::kPost, "/images/create", false},
      {http::Method::kPost, "/containers/{id}/kill", false},
  };
  for (const ForwardCase& c : cases) {
    http::Request request;
    request.method = c.method;
    request.pattern = c.pattern;
    EXPECT_EQ(WriteForwarder::changes_cluster(request), c.forwarded)
        << http::method_name(c.method) << " " << c.pattern;
  }
}

}  // namespace
}  // namespace shoal::daemon
