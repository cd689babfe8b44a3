// node-addon-api as this addon configures it. Every file includes napi.h
// through this header, so that all of them see the same inline code.
#ifndef NLKIT_ADDON_API_H_
#define NLKIT_ADDON_API_H_

#ifdef SRC_NAPI_H_
#error "include addon_api.h instead of napi.h"
#endif

// Once a Worker is being terminated (or the process exits), Node refuses
// every Node-API call that could run JS, napi_throw and napi_unwrap among
// them. With C++ exceptions on, node-addon-api then fails inside its own
// catch handler: a JS call to any socket method in the Worker's last
// instants makes Unwrap() fail, the Napi::Error it throws cannot be thrown
// into JS, and Error::ThrowAsJavaScriptException() throws again from the
// catch, which aborts the process ("terminate called after throwing an
// instance of 'Napi::Error'"); building an Error from a termination
// exception aborts it too ("Error::Error napi_define_properties"). With
// this, node-addon-api drops an error that cannot reach JS any more.
#ifndef NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#endif

#include <napi.h>

#endif  // NLKIT_ADDON_API_H_
