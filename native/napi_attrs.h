// Attribute layouts on the Node-API side (attrs.h): reading one from a Float64Array argument and
// exporting its field names, so TypeScript can check at load time that it packs the same order.
#pragma once
#include <cstddef>
#include <vector>

#include "attrs.h"
#include "napi_args.h"

namespace keel {
namespace napi {

/** A layout as the addon exports it: attrLayouts[key] = its field names in order. */
struct Layout {
  const char* key;
  const char* const* fields;
  size_t count;
};

/** Every KEEL_NAPI_ATTRS of every translation unit (defined in addon.cc; filled before Init). */
std::vector<Layout>& layouts_list();

struct LayoutRegistration {
  LayoutRegistration(const char* key, const char* const* fields, size_t count) {
    layouts_list().push_back({key, fields, count});
  }
};

}  // namespace napi
}  // namespace keel

#define KEEL_ATTR_NAME(field, lo) #field,
#define KEEL_ATTR_LEAST(field, lo) lo,
#define KEEL_ATTR_READ(field, lo) out.field = *v++;

/**
 * Exports layout LIST (X(field, least value) per field) as attrLayouts.key and defines
 * `Type key_attrs(info, i, fn)`: argument i as a Float64Array of exactly LIST's fields, each an
 * integer >= its least value (napi_args.h dims_arg), read into Type's members of the same names.
 */
#define KEEL_NAPI_ATTRS(key, Type, LIST)                                                   \
  const char* const key##_fields[] = {LIST(KEEL_ATTR_NAME)};                               \
  const int64_t key##_least[] = {LIST(KEEL_ATTR_LEAST)};                                   \
  constexpr size_t key##_count = sizeof key##_least / sizeof key##_least[0];               \
  const ::keel::napi::LayoutRegistration key##_layout(#key, key##_fields, key##_count);    \
  Type key##_attrs(const Napi::CallbackInfo& info, size_t i, const char* fn) {             \
    int64_t d[key##_count];                                                                \
    ::keel::napi::dims_arg(info, i, fn, key##_count, d, key##_least);                      \
    const int64_t* v = d;                                                                  \
    Type out;                                                                              \
    LIST(KEEL_ATTR_READ)                                                                   \
    return out;                                                                            \
  }
