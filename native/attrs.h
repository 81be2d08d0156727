// Attribute layouts: the Float64Arrays of counts that carry a kernel's attrs across Node-API.
// Each layout is one X-macro list, X(field, least value), in the order TypeScript packs the
// fields under those names; the struct the kernels read (KEEL_ATTR_MEMBER), the checks on the way
// in and the names the addon exports as attrLayouts (napi_attrs.h) all follow from that list, so
// they cannot drift apart.
#pragma once
#include <cstdint>

/** One int64_t member per field of a layout: struct S { LIST(KEEL_ATTR_MEMBER) }. */
#define KEEL_ATTR_MEMBER(field, lo) int64_t field;
