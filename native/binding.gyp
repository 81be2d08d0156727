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
      "sources": ["<!@(node scripts/native-sources.cjs)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES" },
      "dependencies": ["keel_scalar"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["keel_sse2", "keel_avx2", "keel_avxvnni", "keel_avx512", "keel_avx512vnni"] }]
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
          "target_name": "keel_avxvnni",
          "type": "static_library",
          "sources": ["native/isa/avxvnni.cc"],
          "direct_dependent_settings": { "defines": ["KEEL_HAVE_AVXVNNI"] },
          "cflags": ["-mavx2", "-mfma", "-mavxvnni"],
          "xcode_settings": { "OTHER_CFLAGS": ["-mavx2", "-mfma", "-mavxvnni", "-fno-math-errno"] },
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
        },
        {
          "target_name": "keel_avx512vnni",
          "type": "static_library",
          "sources": ["native/isa/avx512vnni.cc"],
          "direct_dependent_settings": { "defines": ["KEEL_HAVE_AVX512VNNI"] },
          "cflags": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni"],
          "xcode_settings": {
            "OTHER_CFLAGS": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni", "-fno-math-errno"]
          },
          "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } }
        }
      ]
    }]
  ]
}
