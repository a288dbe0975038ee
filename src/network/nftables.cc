#include "network/nftables.h"

#include <fmt/format.h>
#include <nftables/libnftables.h>

#include "common/mutex.h"

namespace shoal::network {

namespace {

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

Result<std::unique_ptr<Nftables>> Nftables::make() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx == nullptr) return Status(Code::kInternal, "nft: cannot create a libnftables context");
  if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
    nft_ctx_free(ctx);
    return Status(Code::kInternal, "nft: cannot buffer libnftables output");
  }
  return std::unique_ptr<Nftables>(new Nftables(ctx));
}

Nftables::~Nftables() { nft_ctx_free(ctx_); }

Status Nftables::run(std::string_view script) {
  MutexLock lock(mu_);
  std::string buffer(script);
  if (nft_run_cmd_from_buffer(ctx_, buffer.c_str()) != 0) {
    return error(Code::kInternal, "nft: {}", trimmed(nft_ctx_get_error_buffer(ctx_)));
  }
  return Status::ok();
}

Result<std::string> Nftables::list_table(std::string_view table) {
  MutexLock lock(mu_);
  std::string command = fmt::format("list table ip {}", table);
  if (nft_run_cmd_from_buffer(ctx_, command.c_str()) != 0) {
    std::string err = trimmed(nft_ctx_get_error_buffer(ctx_));
    if (err.find("No such file or directory") != std::string::npos) return std::string();
    return error(Code::kInternal, "nft: {}", err);
  }
  return std::string(nft_ctx_get_output_buffer(ctx_));
}

}  // namespace shoal::network
