{
  "targets": [
    {
      "target_name": "ferry_deflate",
      "sources": ["ferry_deflate.c"],
      "cflags": ["-O2"],
      "libraries": ["-l:libdeflate.a"]
    }
  ]
}
