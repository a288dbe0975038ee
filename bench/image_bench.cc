// Image store micro-benchmarks: layer unpack throughput (plain and gzip tar, one large
// file and many small ones; each run unpacks into a fresh directory, verifies both digests
// and syncs as a pull does) and sha256 throughput (every blob and layer is hashed).
//
//   build/bench/image_bench [--benchmark_filter=Unpack]
#include <archive.h>
#include <archive_entry.h>
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "runtime/image/digest.h"
#include "runtime/image/layer_unpack.h"

namespace {

namespace fs = std::filesystem;
using namespace shoal::runtime::image;

struct Scratch {
  fs::path dir;
  Scratch() {
    std::string t = "/tmp/shoal-image-bench-XXXXXX";
    dir = ::mkdtemp(t.data());
    fs::create_directories(dir / "staging");
  }
  ~Scratch() { fs::remove_all(dir); }
};

// A tar of `files` files of `size` bytes each (pseudo-random text, so gzip has work).
fs::path make_layer(const fs::path& dir, int files, size_t size, bool gzip) {
  fs::path out = dir / ("layer-" + std::to_string(files) + "-" + std::to_string(size) +
                        (gzip ? ".tgz" : ".tar"));
  if (fs::exists(out)) return out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_open_filename(a, out.c_str());
  std::string content(size, 'x');
  uint32_t seed = 1;
  for (auto& c : content) {
    seed = seed * 1103515245 + 12345;
    c = static_cast<char>('a' + (seed >> 16) % 26);
  }
  for (int i = 0; i < files; ++i) {
    archive_entry* e = archive_entry_new();
    std::string name = "d" + std::to_string(i / 100) + "/f" + std::to_string(i);
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_write_header(a, e);
    archive_write_data(a, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

void BM_UnpackLayer(benchmark::State& state) {
  static Scratch scratch;
  int files = static_cast<int>(state.range(0));
  size_t size = static_cast<size_t>(state.range(1));
  fs::path layer = make_layer(scratch.dir, files, size, state.range(2) != 0);
  int n = 0;
  for (auto _ : state) {
    fs::path dest = scratch.dir / ("out" + std::to_string(n++));
    auto r = unpack_layer(layer, scratch.dir / "staging", dest, {});
    if (!r.is_ok()) state.SkipWithError(r.status().message().c_str());
    state.PauseTiming();
    remove_tree(dest);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * files * static_cast<int64_t>(size));
  state.SetItemsProcessed(state.iterations() * files);
}
// {files, bytes per file, gzip}
BENCHMARK(BM_UnpackLayer)
    ->Args({1, 64 << 20, 0})
    ->Args({1, 64 << 20, 1})
    ->Args({5000, 4096, 0})
    ->Args({5000, 4096, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Sha256(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'a');
  for (auto _ : state) benchmark::DoNotOptimize(sha256_digest(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(16 << 20);

}  // namespace

BENCHMARK_MAIN();
