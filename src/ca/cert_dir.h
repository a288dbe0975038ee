// CertDir: a node's TLS files, <data-dir>/certificates/ (swarmkit ca/keyreadwriter.go and
// the node's certificates directory):
//   swarm-root-ca.crt   the trust bundle (PEM), 0644
//   swarm-node.crt      this node's certificate (PEM), 0644
//   swarm-node.key      its private key (PKCS#8 PEM), 0600
// Every file is written atomically (a temporary file in the same directory, fsync, rename,
// fsync of the directory), so a crash leaves the old or the new content, never a torn file.
// The key is not encrypted at rest (swarmkit encrypts it under autolock; not yet here).
//
// Thread safety: a CertDir has no state besides its path; concurrent writes of the same
// directory are the caller's to serialise (the last rename wins per file).
#pragma once

#include <string>

#include "common/status.h"

namespace shoal::ca {

// A node's TLS material (the same three PEM strings as rpc::TlsIdentity).
struct NodeCerts {
  std::string ca_pem;    // trust bundle
  std::string cert_pem;  // node certificate
  std::string key_pem;   // node private key
};

inline constexpr std::string_view kCertDirName = "certificates";
inline constexpr std::string_view kRootCAFile = "swarm-root-ca.crt";
inline constexpr std::string_view kNodeCertFile = "swarm-node.crt";
inline constexpr std::string_view kNodeKeyFile = "swarm-node.key";

class CertDir {
 public:
  // Files under `<data_dir>/certificates`.
  explicit CertDir(std::string data_dir);

  const std::string& path() const { return dir_; }

  // Writes the three files (creating the directory 0700 if needed): the key first, then
  // the certificate, then the root, each atomically.
  // Errors: kInternal "<path>: <strerror>" (files already renamed stay).
  Status write(const NodeCerts& certs) const;

  // Reads the three files. Errors: kNotFound "<path>: no such file" when any is missing;
  // kInternal for other I/O errors.
  Result<NodeCerts> read() const;

  // True when all three files exist.
  bool exists() const;

  // Removes the files and the directory (swarm leave). Missing files are fine.
  // Errors: kInternal for other I/O errors.
  Status remove() const;

 private:
  std::string dir_;
};

}  // namespace shoal::ca
