// jemalloc's options for the shoal binary (read once at start-up; the MALLOC_CONF
// environment variable overrides them). A background thread hands freed pages back to the
// kernel after about a second instead of keeping them dirty for ten, and two arenas serve
// every thread instead of four per core: at 100,000 hollow tasks the manager's peak RSS went
// from 357 to 310 MiB for the same CPU time (BENCHMARKS.md, "Control plane at scale").
// Without jemalloc (the sanitizer builds) nothing reads this symbol.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2";
}
