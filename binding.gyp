{
  "targets": [
    {
      "target_name": "nlkit",
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-O3", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "2"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
      },
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/addon.cc",
            "native/addon_data.cc",
            "native/args.cc",
            "native/errors.cc",
            "native/ifreq.cc",
            "native/loop.cc",
            "native/netns.cc",
            "native/nstarget.cc",
            "native/reader.cc",
            "native/recv.cc",
            "native/socket.cc",
            "native/socket_poll.cc",
            "native/socket_recv.cc",
            "native/socket_send.cc",
            "native/tuntap.cc"
          ],
          "libraries": ["-pthread"],
          "cflags": ["-pthread"]
        }, {
          "sources": ["native/stub.cc"]
        }]
      ]
    }
  ]
}
