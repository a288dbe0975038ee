#include "network/files.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

namespace shoal::network {

namespace {

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) out.push_back(std::move(w));
  return out;
}

bool is_loopback(std::string_view nameserver) {
  return nameserver.starts_with("127.") || nameserver == "::1" || nameserver == "0:0:0:0:0:0:0:1";
}

}  // namespace

std::string render_hosts(std::string_view hostname, std::string_view address,
                         const std::vector<std::string>& extra_hosts) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  if (!address.empty()) out += fmt::format("{}\t{}\n", address, hostname);
  for (const std::string& entry : extra_hosts) {
    auto parts = words(entry);
    if (parts.size() < 2) continue;  // the control API validates Hosts; skip what is not a line
    out += parts[0] + '\t';
    parts.erase(parts.begin());
    out += fmt::format("{}\n", fmt::join(parts, " "));
  }
  return out;
}

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (size_t hash = line.find_first_of("#;"); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    auto parts = words(line);
    if (parts.size() < 2) continue;
    const std::string key = parts[0];
    parts.erase(parts.begin());
    if (key == "nameserver") {
      out.nameservers.push_back(parts[0]);
    } else if (key == "search" || key == "domain") {
      out.search = parts;  // the last search or domain line wins, as in resolv.conf(5)
    } else if (key == "options") {
      out.options.insert(out.options.end(), parts.begin(), parts.end());
    }
  }
  return out;
}

std::string render_resolv_conf(const ResolvConf& host, const api::DNSConfig* dns) {
  const bool own_servers = dns != nullptr && !dns->Nameservers.empty();
  const auto& servers = own_servers ? dns->Nameservers : host.nameservers;
  const auto& search = dns != nullptr && !dns->Search.empty() ? dns->Search : host.search;
  const auto& options = dns != nullptr && !dns->Options.empty() ? dns->Options : host.options;

  std::string out;
  int kept = 0;
  for (const std::string& server : servers) {
    if (!own_servers && is_loopback(server)) continue;
    out += fmt::format("nameserver {}\n", server);
    ++kept;
  }
  if (kept == 0) {
    for (std::string_view server : kFallbackNameservers)
      out += fmt::format("nameserver {}\n", server);
  }
  if (!search.empty()) out += fmt::format("search {}\n", fmt::join(search, " "));
  if (!options.empty()) out += fmt::format("options {}\n", fmt::join(options, " "));
  return out;
}

}  // namespace shoal::network
