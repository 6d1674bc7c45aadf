{
  "targets": [
    {
      "target_name": "postern_native",
      "sources": ["native/postern_native.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-lrt"] }]
      ]
    }
  ]
}
