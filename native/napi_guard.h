// Wraps a Node-API entry point so that no C++ exception can leave it: node-addon-api forwards only
// Napi::Error to JavaScript, and anything else (std::bad_alloc from a scratch buffer, a
// std::length_error from an oversized vector, an exception forwarded from a pool thread) would
// reach std::terminate and abort the whole process. Here each becomes a JavaScript Error that
// names the entry point ("keel native conv2d: out of memory ...").
#pragma once
#include <napi.h>

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

namespace keel {
namespace napi {

using EntryFn = Napi::Value (*)(const Napi::CallbackInfo&);

/** Calls fn(info); a C++ exception other than Napi::Error becomes an Error naming `name`. */
inline Napi::Value call_guarded(EntryFn fn, const char* name, const Napi::CallbackInfo& info) {
  std::string message;
  try {
    return fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    message = "out of memory (std::bad_alloc) while allocating the kernel's buffers";
  } catch (const std::length_error& e) {
    message = std::string("a buffer size is too large: ") + e.what();
  } catch (const std::exception& e) {
    message = std::string("C++ exception: ") + e.what();
  } catch (...) {
    message = "unknown C++ exception";
  }
  throw Napi::Error::New(info.Env(), std::string("keel native ") + name + ": " + message);
}

/** A JavaScript function `name` that runs fn under call_guarded. */
inline Napi::Function guarded_function(Napi::Env env, const char* name, EntryFn fn) {
  return Napi::Function::New(
      env, [fn, name](const Napi::CallbackInfo& info) { return call_guarded(fn, name, info); },
      name);
}

}  // namespace napi
}  // namespace keel
