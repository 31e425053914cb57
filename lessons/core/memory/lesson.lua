-- The check loads kbpool.ko twice in one boot. First with a random capacity and more
-- random values than it holds: the C half pushes them with a spinlock held and
-- interrupts off, so the kernel's own "BUG: sleeping function called from invalid
-- context" report shows any GFP_KERNEL allocation there; the check compares every
-- push result, the length and the sum with its own. Then with a capacity no
-- allocator can give: insmod must fail with ENOMEM, without a panic.

local SLEEP_BUG = "BUG: sleeping function called from invalid context"

local function random_values(n)
  local v = {}
  for i = 1, n do v[i] = math.random(0, 1 << 40) end
  return v
end

-- a capacity no allocator can satisfy: either terabytes the page allocator refuses,
-- or so many u64 values that the size does not even fit in an isize
local function impossible_capacity()
  if math.random(2) == 1 then
    return math.random(1 << 40, 1 << 50)
  end
  return math.random(1 << 61, math.maxinteger)
end

-- the last Rust panic in the log: its "panicked at" line and the message under it,
-- without timestamps, with the workspace's temporary folder cut from the path
local function last_panic(log)
  local at
  local from = 1
  while true do
    local i = log:find("panicked at", from, true)
    if not i then break end
    at, from = i, i + 1
  end
  if not at then return nil end
  local start = at
  while start > 1 and log:sub(start - 1, start - 1) ~= "\n" do start = start - 1 end
  local lines = {}
  for line in log:sub(start):gmatch("[^\n]+") do
    line = line:gsub("^%[[^%]]*%]%s*", ""):gsub("%S*/(samples/kbridge/)", "%1")
    lines[#lines + 1] = line
    if #lines == 2 then break end
  end
  return table.concat(lines, "\n")
end

-- the last n lines of text, or a word saying there were none
local function last_lines(text, n)
  local lines = {}
  for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
  if #lines == 0 then return "(no output)" end
  return table.concat(lines, "\n", math.max(1, #lines - n + 1))
end

lesson {
  id = "memory",
  title = "Memory without surprises: fallible allocation, GFP flags and a path that never allocates",
  summary = "Allocate with KVec::with_capacity and GFP_KERNEL where sleeping is allowed, turn an allocation failure into -ENOMEM instead of a panic, and keep the atomic hot path free of allocation.",
  history = {
    year = 2025,
    milestone = "Benchmarks: Rust in the kernel costs little, helped by kernel-specific adaptations such as avoiding heap allocation",
    source = "\"Linux kernel Rust adoption: Benchmarks, challenges, and next steps\", allthe.news (undated, after the December 2025 Maintainers Summit), https://allthe.news/ru/articles/linux-kernel-adopts-rust-as-permanent-core-language",
  },
  steps = {
    page { file = "intro.md", title = "Memory without surprises" },
    quiz {
      id = "gfp",
      question = "C holds a spinlock with interrupts off and calls your Rust function. Which allocation may it make there?",
      choices = {
        "KVec::push(v, GFP_KERNEL): Rust's allocator never sleeps",
        "None that may sleep: not GFP_KERNEL; GFP_ATOMIC if it must, and better no allocation at all",
        "Any: the spinlock protects the allocation",
      },
      answer = 2,
      explain = "GFP_KERNEL may sleep to reclaim memory, and sleeping with a spinlock held or interrupts off can deadlock. With CONFIG_DEBUG_ATOMIC_SLEEP the kernel reports it as 'BUG: sleeping function called from invalid context'. Best of all is not to allocate there.",
    },
    quiz {
      id = "unused-flag",
      question = "push() has checked self.vals.len() < self.vals.capacity(). Which flag should self.vals.push(value, ...) get?",
      choices = {
        "GFP_KERNEL: with room left nothing is allocated, so it cannot sleep",
        "GFP_ATOMIC: it is never used either, but it fits the context and stays safe if the check goes",
        "None: 6.12's KVec has a push that takes no flags",
      },
      answer = 2,
      explain = "6.12's KVec::push always takes flags; with room left it only writes the value, so the flag is never used and both pass the check. A reviewer wants GFP_ATOMIC: the line is right without tracing the check, and if the check ever breaks it allocates without sleeping (or fails with ENOMEM) instead of sleeping under a spinlock.",
    },
    quiz {
      id = "fallible",
      question = "KVec::<u64>::with_capacity(n, GFP_KERNEL) cannot get the memory. What happens?",
      choices = {
        "The kernel panics, as Rust's standard Vec would abort",
        "It returns an empty KVec",
        "It returns Err(AllocError); ? turns it into ENOMEM for the caller",
      },
      answer = 3,
      explain = "Every allocation in the kernel crate returns a Result. Only .unwrap() or .expect() on it turns a failure into a panic, which in the kernel is an oops.",
    },
    task {
      id = "pool",
      title = "Allocate early, fail with ENOMEM, never allocate in the hot path",
      goal = "In kbpool_core.rs: KbPool::new reserves room for capacity values with KVec::with_capacity(capacity, GFP_KERNEL) and passes a failure up with ? (C sees -ENOMEM); KbPool::push, called with a spinlock held and interrupts off, uses only that room: -ENOSPC once it is full, and no allocation at all (push after the capacity check allocates nothing; give it GFP_ATOMIC, the flag that fits there). The check pushes more random values than the capacity, then loads the module with a capacity no allocator can satisfy.",
      files = {
        "samples/kbridge/pool/kbpool_core.rs",
        "samples/kbridge/pool/kbpool_glue.c",
        "samples/kbridge/pool/kbpool.h",
        "samples/kbridge/pool/Kbuild",
      },
      hints = {
        "Run the check on the starter: the kernel log says \"BUG: sleeping function called from invalid context\" and its call trace goes through kb_pool_push. The starter's pool starts empty, so every push allocates, under C's spinlock.",
        "Allocate in new(), which C calls before taking the lock: KVec::with_capacity(capacity, GFP_KERNEL)? — the ? turns AllocError into ENOMEM. In push(), compare self.vals.len() with self.vals.capacity() before pushing.",
        "new(): let vals = KVec::with_capacity(capacity, GFP_KERNEL)?;  push(): if self.vals.len() == self.vals.capacity() { return Err(ENOSPC); } then self.vals.push(value, GFP_ATOMIC)? — with room left, push() does not allocate and the flag goes unused; GFP_ATOMIC is the one that fits atomic context.",
      },
      check = function(kb)
        local dir = "samples/kbridge/pool"
        local where = dir .. "/kbpool_core.rs"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end
        local cap = math.random(3, 12)
        local vals = random_values(cap + math.random(1, 4))
        local huge = impossible_capacity()
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            ("insmod /kb/mod/kbpool.ko capacity=%d vals=%s"):format(cap, table.concat(vals, ",")),
            "dmesg | grep 'kbpool: '",
            "rmmod kbpool",
            -- a module whose init died in a panic stays half-loaded: loading it again would wait forever
            ("if grep -q '^kbpool ' /proc/modules; then echo 'not tried: kbpool is still in the kernel'; else insmod /kb/mod/kbpool.ko capacity=%d; fi"):format(huge),
            "dmesg | grep 'kbpool: kb_pool_new'",
          },
        }
        kb.expect_exit(r, 1, 0)
        kb.expect_log(r, SLEEP_BUG, {
          absent = true,
          expected = "nothing in the hot path allocates with GFP_KERNEL: the kernel never reports \"" .. SLEEP_BUG .. "\"",
          where = where .. ": KbPool::push",
          hint = "push() runs with C's spinlock held and interrupts off; a KVec that grows there allocates. Reserve the room in new() and refuse with ENOSPC when it is full",
        })
        -- the impossible capacity is asked of the page allocator with GFP_KERNEL, which
        -- warns once (mm/page_alloc.c) before it fails: that warning is expected here, and
        -- only that one
        local alloc_warning = r.fault == "warning" and (r.fault_excerpt or ""):find("mm/page_alloc.c", 1, true) ~= nil
        kb.expect_no_fault(r, {
          allow = alloc_warning and { "warning" } or nil,
          where = where,
          hint = "the report's first line names the cause: \"sleeping function called from invalid context\" is an allocation that may sleep in the hot path; \"panicked at\" on an AllocError is .unwrap() or .expect() on an allocation, which must return its Err (ENOMEM) instead",
        })
        -- the first boot's lines, in order: "kbpool: push V -> N"
        local got = {}
        local out = r.run[2] and r.run[2].output or ""
        for line in out:gmatch("[^\n]+") do
          local v, n = line:match("kbpool: push (%d+) %-> (%-?%d+)%s*$")
          if v then got[#got + 1] = { v = math.tointeger(tonumber(v)), n = tonumber(n) } end
        end
        local wrong, sum = {}, 0
        for i, v in ipairs(vals) do
          local want = i <= cap and 0 or -28
          if i <= cap then sum = sum + v end
          local g = got[i]
          if not g or g.v ~= v then
            wrong[#wrong + 1] = ("push %d: C printed no result (expected %d)"):format(v, want)
          elseif g.n ~= want then
            wrong[#wrong + 1] = ("push %d (value %d of %d, capacity %d): C sees %d, expected %d"):format(
              v, i, #vals, cap, g.n, want)
          end
        end
        kb.expect(#wrong == 0, ("with capacity=%d and %d values, the first %d pushes return 0 and the other %d return -ENOSPC (-28)"):format(
          cap, #vals, cap, #vals - cap), {
          seen = #wrong > 0 and table.concat(wrong, "\n") or nil,
          where = where .. ": KbPool::push",
          hint = "the pool holds exactly capacity values: a full pool refuses with ENOSPC instead of growing, with any GFP flag",
        })
        local want_total = ("kbpool: %d values, sum %d"):format(cap, sum)
        kb.expect_output(r, 2, want_total, {
          expected = "the pool then holds the first " .. cap .. " values: \"" .. want_total .. "\"",
          where = where,
        })
        kb.expect_exit(r, 3, 0, { where = where .. ": kb_pool_free" })
        local out4 = r.run[4] and r.run[4].output or ""
        local enomem = out4:find("Cannot allocate memory", 1, true) ~= nil
        local panic = last_panic(r.log)
        local seen4
        if not enomem then
          if panic and not out4:find("not tried", 1, true) then
            seen4 = "the kernel panicked inside insmod instead of returning an error:\n" .. panic
              .. (out4:find("Segmentation fault", 1, true) and "\ninsmod: Segmentation fault" or "")
          elseif r.run[4] and r.run[4].exit == 0 then
            seen4 = ("insmod succeeded: kb_pool_new(%d) returned 0 without allocating room for the values"):format(huge)
          else
            seen4 = last_lines(out4, 6)
          end
        end
        kb.expect(enomem, ("insmod kbpool.ko capacity=%d (no allocator has that much memory) fails with ENOMEM: \"Cannot allocate memory\""):format(huge), {
          seen = seen4,
          where = where .. ": KbPool::new",
          hint = "KVec::with_capacity returns Err(AllocError) for a size it cannot allocate; ? turns it into ENOMEM and kb_pool_new returns it to C (.unwrap() or .expect() would panic instead)",
        })
        local want_new = ("kbpool: kb_pool_new(%d) -> -12"):format(huge)
        local out5 = r.run[5] and r.run[5].output or ""
        local line5 = kb.find(out5, ("kb_pool_new(%d) ->"):format(huge))
        kb.expect(out5:find(want_new, 1, true) ~= nil,
          "C sees -ENOMEM (-12) for that capacity: \"" .. want_new .. "\"", {
          seen = line5 and line5:gsub("^%[[^%]]*%]%s*", "")
            or ("no \"kb_pool_new(%d) -> ...\" line: the call never returned to C"):format(huge),
          where = where .. ": KbPool::new",
        })
      end,
    },
  },
}
