{
  "variables": {
    "keel_addon_api": "<!(node -p \"require('node-addon-api').include_dir\")"
  },
  "target_defaults": {
    "include_dirs": ["<(keel_addon_api)"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
    "cflags": ["-O3", "-fPIC", "-fno-math-errno"],
    "cflags_cc": ["-std=c++17"],
    "xcode_settings": {
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "GCC_OPTIMIZATION_LEVEL": "3",
      "OTHER_CFLAGS": ["-fno-math-errno"]
    },
    "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } }
  },
  "targets": [
    {
      "target_name": "keel",
      "sources": [
        "native/addon.cc",
        "native/dispatch.cc",
        "native/threadpool.cc",
        "native/gemm/gemm.cc",
        "native/elementwise/elementwise.cc",
        "native/conv/conv2d.cc",
        "native/conv/pool2d.cc",
        "native/conv/fused.cc",
        "native/conv/conv_napi.cc",
        "native/conv/pool_napi.cc",
        "native/optim/optimizers.cc",
        "native/rnn/recurrent.cc",
        "native/rnn/rnn_napi.cc",
        "native/gather/gather.cc",
        "native/gather/gather_napi.cc",
        "native/shape/copy.cc",
        "native/shape/select.cc",
        "native/shape/shape_napi.cc",
        "native/softmax/softmax.cc",
        "native/softmax/softmax_napi.cc",
        "native/attention/attention.cc",
        "native/attention/attention_napi.cc",
        "native/norm/layer_norm.cc",
        "native/norm/norm_napi.cc",
        "native/activation/gelu.cc",
        "native/activation/activation_napi.cc"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES" },
      "dependencies": ["keel_scalar"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["keel_sse2", "keel_avx2", "keel_avx512"] }]
      ]
    },
    {
      "target_name": "keel_scalar",
      "type": "static_library",
      "sources": ["native/isa/scalar.cc"]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "keel_sse2",
          "type": "static_library",
          "sources": ["native/isa/sse2.cc"],
          "direct_dependent_settings": { "defines": ["KEEL_HAVE_SSE2"] }
        },
        {
          "target_name": "keel_avx2",
          "type": "static_library",
          "sources": ["native/isa/avx2.cc"],
          "direct_dependent_settings": { "defines": ["KEEL_HAVE_AVX2"] },
          "cflags": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CFLAGS": ["-mavx2", "-mfma", "-fno-math-errno"] },
          "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2"] } }
        },
        {
          "target_name": "keel_avx512",
          "type": "static_library",
          "sources": ["native/isa/avx512.cc"],
          "direct_dependent_settings": { "defines": ["KEEL_HAVE_AVX512"] },
          "cflags": ["-mavx512f", "-mfma", "-Wno-maybe-uninitialized"],
          "xcode_settings": { "OTHER_CFLAGS": ["-mavx512f", "-mfma", "-fno-math-errno"] },
          "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } }
        }
      ]
    }]
  ]
}
