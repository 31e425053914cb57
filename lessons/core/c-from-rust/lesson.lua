local function random_word(n)
  local t = {}
  for i = 1, n do t[i] = string.char(math.random(97, 122)) end
  return table.concat(t)
end

lesson {
  id = "c-from-rust",
  title = "C from Rust: unsafe, SAFETY and the safe wrapper",
  summary = "Call a function of the module's C half through extern \"C\", justify the unsafe block, and hide it behind a safe wrapper that returns Result.",
  history = {
    year = 2022,
    milestone = "Rust next to C: safe wrappers over the kernel's C APIs make leaf drivers the first targets",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "C from Rust" },
    quiz {
      id = "unsafe",
      question = "Why must the call to kb_c_word(buf.as_mut_ptr(), buf.len()) be inside unsafe?",
      choices = {
        "Rust cannot check what the C function does with the pointer and length",
        "Every function written in C is known to be buggy",
        "Because it returns isize",
      },
      answer = 1,
      explain = "The promise (write at most len bytes, keep no pointer) lives in C's documentation; the SAFETY comment says why this call keeps it.",
    },
    task {
      id = "wrapper",
      title = "Write the safe wrapper",
      goal = "In rside.rs, write word(buf: &mut [u8]) -> Result<usize>: call the C function kb_c_word in an unsafe block with a // SAFETY: comment, turn a negative result into an Err (kernel::error::Error::from_errno), and return the bytes copied. The check loads the module with a random word (it must print it) and with a word too long for the buffer (insmod must fail with E2BIG).",
      files = {
        "samples/kbridge/c_from_rust/rside.rs",
        "samples/kbridge/c_from_rust/cside.c",
        "samples/kbridge/c_from_rust/Kbuild",
      },
      hints = {
        "The pointer and length come from the slice: buf.as_mut_ptr(), buf.len().",
        "Error::from_errno(n as i32) turns a negative errno into a kernel Error; return it with Err(...).",
        "// SAFETY: buf is valid and writable for buf.len() bytes during the call; kb_c_word writes at most len bytes and keeps no pointer.",
      },
      check = function(kb)
        local dir = "samples/kbridge/c_from_rust"
        -- a clean build, so Clippy lints every file even when nothing changed since the last build
        local b = kb.build(dir, { clean = true, vars = { CLIPPY = "1" } })
        if not kb.expect_build(b) then return end
        kb.expect(not b.log:find("unsafe block missing a safety comment", 1, true),
                  "every unsafe block has a // SAFETY: comment (Clippy)", {
                    seen = kb.find(b.log, "unsafe block missing a safety comment") and
                           (kb.find(b.log, "%-%->.*rside", { pattern = true }) or "Clippy: unsafe block missing a safety comment"),
                    where = dir .. "/rside.rs",
                  })
        local w = random_word(math.random(5, 12))
        local long = random_word(24)
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/c_from_rust.ko word=" .. w,
            "dmesg | grep 'c_from_rust: C gave'",
            "rmmod c_from_rust",
            "insmod /kb/mod/c_from_rust.ko word=" .. long,
          },
        }
        kb.expect_exit(r, 1, 0, { expected = "insmod c_from_rust.ko word=" .. w .. " succeeds" })
        local want = ("c_from_rust: C gave %d bytes: '%s'"):format(#w, w)
        kb.expect_output(r, 2, want, { expected = "the module prints \"" .. want .. "\"", where = dir .. "/rside.rs: word()" })
        kb.expect_output(r, 4, "Argument list too long", {
          expected = "a 24-letter word (the buffer holds 16) makes insmod fail with E2BIG, not a panic",
          where = dir .. "/rside.rs: word()",
          hint = "kb_c_word returns -E2BIG; the wrapper must return Err for it instead of using it as a length",
        })
        kb.expect_no_fault(r)
      end,
    },
  },
}
