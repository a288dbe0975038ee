// Runs nft scripts through libnftables (the library the nft command is built on: no
// subprocess). A script is one kernel transaction: it applies whole or not at all.
//
// Thread safety: safe to call from any thread (calls are serialized inside).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/status.h"

struct nft_ctx;

namespace shoal::network {

class Nftables {
 public:
  // Errors: kInternal when libnftables cannot make a context.
  static Result<std::unique_ptr<Nftables>> make();
  ~Nftables();
  Nftables(const Nftables&) = delete;
  Nftables& operator=(const Nftables&) = delete;

  // Runs `script` as one transaction. Errors: kInternal "nft: <nft's error text>" when the
  // kernel or the parser refuses it (nothing of it is applied).
  Status run(std::string_view script);

  // The listing of `table` in family ip ("" when it does not exist). For tests and recovery.
  // Errors: kInternal for a listing failure other than a missing table.
  Result<std::string> list_table(std::string_view table);

 private:
  explicit Nftables(nft_ctx* ctx) : ctx_(ctx) {}

  Mutex mu_;
  nft_ctx* ctx_ GUARDED_BY(mu_);
};

}  // namespace shoal::network
