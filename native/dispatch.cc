#include "dispatch.h"

#include <cstring>

namespace keel {

const Isa* isa_scalar();
#if defined(__x86_64__) || defined(_M_X64)
const Isa* isa_sse2();
#endif
#ifdef KEEL_HAVE_AVX2
const Isa* isa_avx2();
#endif
#ifdef KEEL_HAVE_AVX512
const Isa* isa_avx512();
#endif

namespace {

/** The compiled-in tables this CPU can run, widest first. */
int detect(const Isa** out) {
  int n = 0;
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
#ifdef KEEL_HAVE_AVX512
  if (__builtin_cpu_supports("avx512f")) out[n++] = isa_avx512();
#endif
#ifdef KEEL_HAVE_AVX2
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out[n++] = isa_avx2();
#endif
#endif
#if defined(__x86_64__) || defined(_M_X64)
  out[n++] = isa_sse2();
#endif
  out[n++] = isa_scalar();
  return n;
}

struct State {
  const Isa* all[4];
  int count;
  const Isa* active;
  State() {
    count = detect(all);
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
