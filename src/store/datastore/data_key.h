// The data key: the 256-bit AES key that seals the store's sensitive records at rest
// (datastore/seal.h), and the KeyStore seam through which the daemon obtains it.
//
// The key is kept apart from the store: whoever copies the store files alone learns nothing
// of what is sealed. FileKeyStore keeps it in plain form in `<data-dir>/keys/data.key`, so
// root on the host (who can read that file) can unseal; autolock is meant to replace
// FileKeyStore with a KeyStore that keeps the key wrapped by the unlock key.
//
// Thread safety: DataKey is an immutable value, safe to share for reading. A KeyStore is used
// by one thread at a time (the daemon's start-up).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"

namespace shoal::store {

// 32 key bytes, wiped from memory when the value dies.
class DataKey {
 public:
  static constexpr size_t kSize = 32;

  // A fresh key from OpenSSL's private random generator.
  // Errors: kInternal when the generator fails.
  static Result<DataKey> generate();
  // The key made of exactly kSize `bytes`.
  // Errors: kInvalidArgument when `bytes` has another size.
  static Result<DataKey> from_bytes(std::span<const uint8_t> bytes);

  DataKey(const DataKey& other) = default;
  DataKey& operator=(const DataKey& other) = default;
  ~DataKey();

  std::span<const uint8_t, kSize> bytes() const { return bytes_; }

 private:
  DataKey() = default;
  std::array<uint8_t, kSize> bytes_{};
};

// Where the daemon gets its data key from.
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // The data key. An implementation may create it on first use.
  // Errors: each implementation's (unreadable, malformed, locked).
  virtual Result<DataKey> data_key() = 0;
};

// The data key in `<dir>/keys/data.key`: exactly 32 raw bytes, mode 0600, in a 0700 `keys`
// directory. data_key() creates a fresh key when the file does not exist (written to a
// temp file, fsynced, renamed, and the directory fsynced), and tightens the file's and the
// directory's modes when they are looser.
class FileKeyStore final : public KeyStore {
 public:
  static constexpr const char* kDir = "keys";
  static constexpr const char* kFile = "data.key";

  explicit FileKeyStore(std::string dir) : dir_(std::move(dir)) {}

  // Errors: kInternal when the file cannot be read, created or synced; kDataLoss when it
  // exists with another size than 32 bytes ("data key file <path> is corrupt: N bytes").
  Result<DataKey> data_key() override;
  // Makes `key` the data key from now on (a manager joining a swarm whose managers share a
  // store takes the swarm's key): written to a temp file, fsynced, renamed over the old one.
  // Errors: kInternal when it cannot be written.
  Status replace(const DataKey& key);

  std::string path() const;

 private:
  std::string dir_;
};

}  // namespace shoal::store
