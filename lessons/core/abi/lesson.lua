-- The layout assertions are judged by what they do: the check builds a copy of the
-- learner's sample.rs whose KbSample has drifted (a u64 field put before the others, so
-- the size and every offset change) and wants that copy refused by the compiler, with
-- an assertion failing for the size and for each field's offset.
local FIELDS = { "kind", "value", "flags", "stamp" }

local function check_assertions(kb, dir)
  local where = dir .. "/sample.rs: the const _: () = assert!(...) lines"
  local src = kb.read(dir .. "/sample.rs") or ""
  local _, open = src:find("struct%s+KbSample%s*{")
  if not kb.expect(open ~= nil, "sample.rs declares pub struct KbSample { ... }", { where = dir .. "/sample.rs" }) then
    return
  end
  local drifted = src:sub(1, open) .. "\n    kb_drift: u64," .. src:sub(open + 1)
  local d = kb.build(dir, { replace = { ["sample.rs"] = drifted } })
  local errs = d.errors or ""
  local missing = {}
  if not errs:find("size_of::<KbSample>()", 1, true) then missing[#missing + 1] = "size_of::<KbSample>()" end
  for _, f in ipairs(FIELDS) do
    if not errs:find("offset_of!%(KbSample,%s*" .. f .. "%)") then
      missing[#missing + 1] = "offset_of!(KbSample, " .. f .. ")"
    end
  end
  kb.expect(not d.ok and #missing == 0,
    "the layout assertions stop the build when KbSample drifts (tried: a u64 field put first): one for the size, one for each field's offset", {
      seen = d.ok and "a copy of sample.rs with a drifted KbSample still builds: no assertion checks the layout"
        or ("no assertion failed for " .. table.concat(missing, ", ")),
      where = where,
      hint = "the const assertions below the struct are the safety net: keep them in the file, not commented out",
    })
end

lesson {
  id = "abi",
  title = "Not a rewrite: the ABI",
  summary = "A #[repr(C)] struct shared by C and Rust in one module, its layout proved at compile time and at run time.",
  history = {
    year = 2020,
    milestone = "Linux Plumbers: new code in Rust, not a rewrite; kernel APIs, architectures and the Rust/C ABI are the questions",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "Not a rewrite" },
    quiz {
      id = "repr",
      question = "A Rust struct without #[repr(C)] has the same fields as a C struct. What does C see when it reads one?",
      choices = {
        "Maybe the right fields, maybe not: Rust's default layout is unspecified",
        "Always the right fields: Rust follows C's rules by default",
        "A compile error in the C file",
      },
      answer = 1,
      explain = "Rust may reorder fields (here it packs the u64 first and needs only 16 bytes). Only #[repr(C)] promises C's order and padding.",
    },
    quiz {
      id = "assert",
      question = "What does `const _: () = assert!(core::mem::size_of::<KbSample>() == 24);` cost at run time?",
      choices = { "Nothing: it is evaluated while compiling", "One comparison at module load", "A panic check on every use of KbSample" },
      answer = 1,
      explain = "A const item is evaluated by the compiler; a failed assert! is a build error (E0080), never an oops.",
    },
    task {
      id = "layout",
      title = "Give KbSample C's layout",
      goal = "In sample.rs, make KbSample match C's struct kb_sample (abi_glue.c) so that the module builds with the layout assertions and C and Rust read each other's samples correctly. The check also builds a copy whose KbSample has drifted: your assertions must refuse it.",
      files = {
        "samples/kbridge/abi/sample.rs",
        "samples/kbridge/abi/abi_glue.c",
        "samples/kbridge/abi/Kbuild",
      },
      hints = {
        "The starter does not build: the const assertions say the size and every offset differ from C's.",
        "Put #[repr(C)] on the struct, and list the fields in the same order as the C struct.",
        "#[repr(C)] pub struct KbSample { kind: u8, value: u32, flags: u16, stamp: u64 }",
      },
      -- the starter's layout assertions stop the build: that error is the lesson
      starter_build_fails = true,
      check = function(kb)
        local dir = "samples/kbridge/abi"
        local b = kb.build(dir)
        if not kb.expect_build(b, { hint = "an assertion that fails is a layout that differs from C's" }) then return end
        local seed = math.random(1000, 999999)
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = { "insmod /kb/mod/abi.ko seed=" .. seed, "dmesg | grep 'abi: '", "rmmod abi" },
        }
        kb.expect_exit(r, 1, 0, {
          expected = "insmod abi.ko succeeds (C and Rust agree on the struct's size)",
          hint = "abi_glue.c refuses to load when kb_sample_size() differs from sizeof(struct kb_sample)",
        })
        kb.expect_no_fault(r)
        local c_read = ("abi: C read kind=3 value=%d flags=0xbeef stamp=%d"):format((seed * 3) % (1 << 32), seed * 1000003)
        kb.expect_output(r, 2, c_read, {
          expected = "C reads back the sample Rust filled: \"" .. c_read .. "\"",
          where = dir .. "/sample.rs: KbSample, kb_sample_fill()",
        })
        local digest = 9 + (seed + 1) + 0x0a0b + ((seed << 32) | 5)
        kb.expect_output(r, 2, "abi: Rust read digest=" .. digest, {
          expected = "Rust reads the sample C filled: digest=" .. digest,
          where = dir .. "/sample.rs: KbSample, kb_sample_digest()",
        })
        check_assertions(kb, dir)
      end,
    },
  },
}
