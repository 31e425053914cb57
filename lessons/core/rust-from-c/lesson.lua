local function random_text(n)
  local t = {}
  for i = 1, n do t[i] = string.char(math.random(97, 122)) end
  return table.concat(t)
end

local function checksum(s)
  local sum = 0
  for i = 1, #s do sum = sum + i * s:byte(i) end
  return sum
end

lesson {
  id = "rust-from-c",
  title = "Rust from C: extern \"C\", EXPORT_SYMBOL_GPL and a checked boundary",
  summary = "A Rust function called by the C half of its own module and, through EXPORT_SYMBOL_GPL, by another C module; pointer and length checked on the Rust side.",
  history = {
    year = 2022,
    milestone = "Rust drivers inside a C kernel: NVMe, Android's Binder and the Asahi GPU driver are called from C",
    source = "\"Rust for Linux 项目下一步发展计划\", Solidot, 2022-10-26, https://www.solidot.org/story?sid=73165",
  },
  steps = {
    page { file = "intro.md", title = "Rust from C" },
    quiz {
      id = "export",
      question = "kbuser.ko calls kb_rust_checksum, defined in kbrust.ko. Without EXPORT_SYMBOL_GPL(kb_rust_checksum), what happens?",
      choices = {
        "modpost stops the build: the symbol is undefined for kbuser.ko",
        "kbuser.ko builds and calls a NULL pointer",
        "Nothing: #[no_mangle] exports it to every module",
      },
      answer = 1,
      explain = "#[no_mangle] names the symbol; only an EXPORT_SYMBOL* line makes it visible to other modules.",
    },
    task {
      id = "boundary",
      title = "Export the Rust function and check what C passes",
      goal = "Export kb_rust_checksum to other GPL modules (kbrust_glue.c), and in kbrust_core.rs return -EINVAL for a NULL buf and -E2BIG for a len over KB_RUST_MAX_LEN before building the slice. The check loads kbrust.ko, then kbuser.ko with a random text.",
      files = {
        "samples/kbridge/rustlib/kbrust_core.rs",
        "samples/kbridge/rustlib/kbrust_glue.c",
        "samples/kbridge/rustlib/kbrust.h",
        "samples/kbridge/rustlib/kbuser.c",
        "samples/kbridge/rustlib/Kbuild",
      },
      hints = {
        "The starter does not build: modpost says kb_rust_checksum is undefined for kbuser.ko. EXPORT_SYMBOL_GPL(kb_rust_checksum); in kbrust_glue.c.",
        "buf.is_null() tells a NULL pointer; EINVAL.to_errno() is -22 as a c_int: .into() makes it an i64.",
        "Both checks go before core::slice::from_raw_parts: a slice over NULL, or over 4097 bytes of a short string, is already undefined behaviour.",
      },
      -- the starter does not link: modpost finds kbuser.ko using a symbol nothing exports,
      -- the first thing the task teaches
      starter_build_fails = true,
      check = function(kb)
        local dir = "samples/kbridge/rustlib"
        local b = kb.build(dir)
        if not kb.expect_build(b, { hint = "is kb_rust_checksum exported with EXPORT_SYMBOL_GPL?" }) then return end
        -- Kbuild's own record of the exports: GPL-only, as the task asks
        local symvers = kb.read(dir .. "/Module.symvers") or ""
        local export = symvers:match("[^\n]*\tkb_rust_checksum\t[^\n]*") or "(kb_rust_checksum is not in Module.symvers)"
        kb.expect(export:find("EXPORT_SYMBOL_GPL", 1, true) ~= nil,
          "kb_rust_checksum is exported to GPL modules only (EXPORT_SYMBOL_GPL)",
          { seen = export, where = dir .. "/kbrust_glue.c",
            hint = "EXPORT_SYMBOL makes it visible to every module; EXPORT_SYMBOL_GPL only to GPL ones" })
        local text = random_text(math.random(6, 14))
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/kbrust.ko",
            "insmod /kb/mod/kbuser.ko text=" .. text,
            "dmesg | grep 'kbuser: '",
            "rmmod kbuser",
            "rmmod kbrust",
          },
        }
        kb.expect_exit(r, 1, 0, { expected = "insmod kbrust.ko succeeds" })
        kb.expect_exit(r, 2, 0, { expected = "insmod kbuser.ko (which needs kbrust's export) succeeds" })
        kb.expect_no_fault(r, { hint = "a fault in kb_rust_checksum: is the pointer checked before the slice is made?" })
        local where = dir .. "/kbrust_core.rs: kb_rust_checksum()"
        -- kbuser's lines, exactly these and in this order: a line printed from anywhere
        -- else, or a second value for the same call, does not count
        local want = {
          ('kbuser: checksum("%s") = %d'):format(text, checksum(text)),
          "kbuser: NULL -> -22",
          "kbuser: 4097 bytes -> -7",
        }
        local seen = kb.lines(r.run[3] and r.run[3].output or "")
        local same = #seen == #want
        for i = 1, #want do same = same and seen[i] == want[i] end
        kb.expect(same, "kbuser prints, in order: " .. table.concat(want, " | "), {
          seen = #seen > 0 and table.concat(seen, "\n") or "no kbuser line in the kernel log",
          where = where,
          hint = "a NULL buf gives -EINVAL (-22), a len over KB_RUST_MAX_LEN gives -E2BIG (-7), else the checksum",
        })
        kb.expect_exit(r, 5, 0, { expected = "rmmod kbrust succeeds once kbuser is gone" })
      end,
    },
  },
}
