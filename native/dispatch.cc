#include "dispatch.h"

#include <cstring>

namespace keel {

// The tables isa/<name>.cc define; only those compiled in (binding.gyp) are referenced below.
const Isa* isa_avx512vnni();
const Isa* isa_avx512();
const Isa* isa_avxvnni();
const Isa* isa_avx2();
const Isa* isa_sse2();
const Isa* isa_scalar();

namespace {

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
// __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
#define KEEL_CPU_HAS(feature) (__builtin_cpu_init(), __builtin_cpu_supports(feature) != 0)
#else
#define KEEL_CPU_HAS(feature) false
#endif

/** An instruction set compiled into this build: its table, and whether this CPU can run it. */
struct Candidate {
  const Isa* (*table)();
  bool (*runs)();
};

/** Every compiled-in instruction set, widest first; the first one the CPU runs is the default. */
const Candidate kCandidates[] = {
#ifdef KEEL_HAVE_AVX512VNNI
    {isa_avx512vnni,
     [] {
       return KEEL_CPU_HAS("avx512f") && KEEL_CPU_HAS("avx512bw") && KEEL_CPU_HAS("avx512vl") &&
              KEEL_CPU_HAS("avx512vnni");
     }},
#endif
#ifdef KEEL_HAVE_AVX512
    {isa_avx512, [] { return KEEL_CPU_HAS("avx512f"); }},
#endif
#ifdef KEEL_HAVE_AVXVNNI
    {isa_avxvnni,
     [] { return KEEL_CPU_HAS("avx2") && KEEL_CPU_HAS("fma") && KEEL_CPU_HAS("avxvnni"); }},
#endif
#ifdef KEEL_HAVE_AVX2
    {isa_avx2, [] { return KEEL_CPU_HAS("avx2") && KEEL_CPU_HAS("fma"); }},
#endif
#ifdef KEEL_HAVE_SSE2
    {isa_sse2, [] { return true; }},  // the x86-64 baseline
#endif
    {isa_scalar, [] { return true; }},
};

constexpr int kCount = sizeof kCandidates / sizeof kCandidates[0];

struct State {
  const Isa* all[kCount];
  int count = 0;
  const Isa* active;
  State() {
    for (const Candidate& c : kCandidates)
      if (c.runs()) all[count++] = c.table();
    active = all[0];
  }
};

State& state() {
  static State s;
  return s;
}

}  // namespace

int supported_isas(const Isa** out, int max) {
  State& s = state();
  int n = s.count < max ? s.count : max;
  for (int i = 0; i < n; i++) out[i] = s.all[i];
  return n;
}

const Isa& isa() { return *state().active; }

bool set_isa(const char* name) {
  State& s = state();
  for (int i = 0; i < s.count; i++) {
    if (std::strcmp(s.all[i]->name, name) == 0) {
      s.active = s.all[i];
      return true;
    }
  }
  return false;
}

}  // namespace keel
