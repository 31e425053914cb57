-- The check loads kbperf.ko with a random seed. The module makes 256 KiB of data
-- from the seed, computes the CRC-32 of each 64-byte packet with the C and with the
-- Rust implementation, and prints each one's folded result and its fastest round.
-- The check computes the result itself from the seed (correctness first), then
-- compares the Rust time with the C time.
--
-- The threshold. The article's figure is "under 5 %"; under QEMU without KVM one
-- measurement is far noisier than that, so the check allows Rust up to 1.5 times C.
-- Measured on the course machine (2 cores shared with other jobs, no KVM; 31 rounds,
-- the fastest of each side kept; cycles of the time stamp counter, see kbperf_main.c):
--   the reference solution, 60 boots (30 with the host's load near 3.5, 30 with two
--     extra CPU hogs running): median 1.036, 90 % of boots under 1.06, the worst 1.13,
--     1.29 and 1.36; in an earlier series of 45 boots, once 1.98 with the load near 10;
--   the starter (the table rebuilt on every call): 12.1 to 16.7 over 10 boots, up to 18;
--   a bitwise CRC with no table: 3.1 to 3.5; a KVec copy of every packet: 3.0 to 6.9.
-- Noise only ever makes a round slower, so a ratio over the threshold (up to 4: more
-- is never noise) is measured once more in a second boot and the lower of the two is
-- judged: a correct solution fails only if two boots in a row are disturbed that much.

local BYTES = 256 * 1024
local PACKET = 64
local THRESHOLD = 1.5
-- above this, a ratio is never noise (the worst seen for a correct solution: 1.98)
local RETRY_BELOW = 4

local POLY = 0xEDB88320
local TABLE = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if c & 1 ~= 0 then c = POLY ~ (c >> 1) else c = c >> 1 end
  end
  TABLE[i] = c
end

-- kbperf_main.c's data and result, computed here from the same seed
local function expected_result(seed)
  local x = seed
  local data = {}
  for i = 0, BYTES - 1, 4 do
    x = x ~ ((x << 13) & 0xffffffff)
    x = x ~ (x >> 17)
    x = x ~ ((x << 5) & 0xffffffff)
    data[i] = x & 0xff
    data[i + 1] = (x >> 8) & 0xff
    data[i + 2] = (x >> 16) & 0xff
    data[i + 3] = (x >> 24) & 0xff
  end
  local result = 0
  for off = 0, BYTES - 1, PACKET do
    local crc = 0xffffffff
    for i = off, off + PACKET - 1 do
      crc = TABLE[(crc ~ data[i]) & 0xff] ~ (crc >> 8)
    end
    crc = crc ~ 0xffffffff
    result = ((result ~ crc) * 16777619) & 0xffffffff
  end
  return result
end

-- "kbperf: c result=0x... cycles=... ns=..." from the kernel log
local function measure(r, who)
  local line = kb.find(r.log, "kbperf: " .. who .. " result=")
  if not line then return nil end
  return {
    line = line:gsub("^%[[^%]]*%]%s*", ""),
    result = tonumber(line:match("result=0x(%x+)"), 16),
    cycles = tonumber(line:match("cycles=(%d+)")),
    ns = tonumber(line:match("ns=(%d+)")),
  }
end

local function boot(kb, b, seed)
  return kb.boot { modules = b, insmod = false, rmmod = false, timeout = 40,
                   run = { "insmod /kb/mod/kbperf.ko seed=" .. seed } }
end

local function describe(c, rust)
  local ns = ""
  if c.ns > 0 and rust.ns > 0 then
    ns = (", or %.2f ms and %.2f ms"):format(rust.ns / 1e6, c.ns / 1e6)
  end
  return ("rust/c = %.3f (the fastest round: Rust %d cycles, C %d cycles%s)"):format(
    rust.cycles / c.cycles, rust.cycles, c.cycles, ns)
end

lesson {
  id = "overhead",
  title = "Under 5 %: measuring Rust against C",
  summary = "The same CRC-32 in C and in Rust, timed side by side in one boot; the Rust version does work on every call that it could do once, at compile time.",
  history = {
    year = 2026,
    milestone = "Benchmarks put Rust's overhead in optimised kernel code under 5 %",
    source = "\"Linux kernel Rust adoption: Benchmarks, challenges, and next steps\", allthe.news (undated, written after the December 2025 Maintainers Summit), https://allthe.news/ru/articles/linux-kernel-adopts-rust-as-permanent-core-language",
  },
  steps = {
    page { file = "intro.md", title = "Under 5 %" },
    quiz {
      id = "const",
      question = "static TABLE: [u32; 256] = make_table(); where make_table is a const fn. When does make_table run?",
      choices = {
        "Once, while the compiler builds the module: the table is data in the .ko",
        "Once, when the module is loaded",
        "Every time TABLE is read",
      },
      answer = 1,
      explain = "A static's initialiser is a constant expression: the compiler evaluates the const fn and stores the 256 values. Nothing runs at load time or per call.",
    },
    quiz {
      id = "noise",
      question = "Under QEMU without KVM, one round of the C loop takes 1.3 ms in one run and 1.6 ms in the next. How does kbperf_main.c get a fair figure anyway?",
      choices = {
        "Many rounds, C and Rust taking turns, and the fastest round of each: noise only ever adds time",
        "It averages the two slowest rounds",
        "It cannot: the numbers mean nothing under QEMU",
      },
      answer = 1,
      explain = "Interruptions and a busy host make a round slower, never faster; taking turns exposes both sides to the same conditions. The check also allows a wide margin over the article's 5 %.",
    },
    task {
      id = "table",
      title = "Build the table once",
      goal = "kbperf_rust.rs computes the right CRC-32 but rebuilds its 256-entry table on every call, once per 64-byte packet. Build the table once, at compile time: a static (or a const) whose initialiser is the const fn make_table, and use it in crc32. The check loads kbperf.ko with a random seed: both results must equal the CRC the check computes, and the Rust time must be within 1.5 times the C time.",
      files = {
        "samples/kbridge/overhead/kbperf_rust.rs",
        "samples/kbridge/overhead/kbperf_c.c",
        "samples/kbridge/overhead/kbperf_main.c",
        "samples/kbridge/overhead/kbperf.h",
        "samples/kbridge/overhead/Kbuild",
      },
      hints = {
        "Compare crc32 in kbperf_rust.rs with kb_c_crc32 in kbperf_c.c: the loop is the same, but C fills its table once, in kb_c_crc32_init, and Rust calls make_table() every time crc32 runs: 2,048 steps of table building for 64 bytes of data.",
        "make_table is a const fn, so the compiler can run it. The initialiser of a static (or a const) is evaluated at compile time: static TABLE: [u32; 256] = make_table();",
        "Add static TABLE: [u32; 256] = make_table(); at the top level and, in crc32, let table = &TABLE; instead of &make_table(). Nothing else changes.",
      },
      check = function(kb)
        local dir = "samples/kbridge/overhead"
        local where = dir .. "/kbperf_rust.rs: crc32()"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end
        local seed = math.random(1, 0x7fffffff)
        local want = expected_result(seed)
        local r = boot(kb, b, seed)
        kb.expect_exit(r, 1, 0, { expected = "insmod kbperf.ko seed=" .. seed .. " succeeds" })
        kb.expect_no_fault(r)
        local c, rust = measure(r, "c"), measure(r, "rust")
        if not kb.expect(c and rust and c.cycles and rust.cycles and c.result and rust.result,
            "kbperf prints a result and a time for C and for Rust",
            { seen = "no 'kbperf: c result=' and 'kbperf: rust result=' lines in the kernel log",
              where = dir .. "/kbperf_main.c" }) then
          return
        end
        -- correctness first: a fast wrong answer is not an optimisation
        kb.expect(c.result == want, ("the C CRC-32 gives the result the check computes (0x%08x)"):format(want), {
          seen = c.line, where = dir .. "/kbperf_c.c",
          hint = "kbperf_c.c and kbperf_main.c are the reference: restore them from the lesson (kbridge reset overhead)",
        })
        local same = kb.expect(rust.result == want,
          ("the Rust CRC-32 gives the result the check computes (0x%08x), as C does"):format(want), {
            seen = rust.line, where = where,
            hint = "the same table, the same loop as kbperf_c.c: start from 0xFFFFFFFF, index with (crc ^ byte) & 0xff, shift right by 8, invert at the end",
          })
        if not same then return end
        local ratio = rust.cycles / c.cycles
        local seen = describe(c, rust)
        if ratio > THRESHOLD and ratio <= RETRY_BELOW then
          -- noise only slows a measurement down: one more boot, and the better of the two
          local r2 = boot(kb, b, seed)
          local c2, rust2 = measure(r2, "c"), measure(r2, "rust")
          if c2 and rust2 and c2.cycles and rust2.cycles and rust2.result == want then
            local ratio2 = rust2.cycles / c2.cycles
            seen = seen .. "\nmeasured again in a second boot: " .. describe(c2, rust2)
            if ratio2 < ratio then ratio = ratio2 end
          end
        end
        print(("rust/c = %.3f"):format(ratio))
        kb.expect(ratio <= THRESHOLD,
          ("the Rust CRC-32 takes at most %.1f times as long as C's (the article: under 5 %% in optimised code; %.1f allows for QEMU's noise)"):format(THRESHOLD, THRESHOLD), {
            seen = seen, where = where,
            hint = "per packet, do what kb_c_crc32 does and no more: one table lookup per byte, from a table built once (not on every call, not on the heap)",
          })
      end,
    },
  },
}
