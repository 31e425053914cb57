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
        "None that can sleep: GFP_KERNEL may wait for memory, so only GFP_ATOMIC (or no allocation at all)",
        "Any: the spinlock protects the allocation",
      },
      answer = 2,
      explain = "GFP_KERNEL may sleep to reclaim memory, and sleeping with a spinlock held or interrupts off can deadlock. With CONFIG_DEBUG_ATOMIC_SLEEP the kernel reports it as 'BUG: sleeping function called from invalid context'. Best of all is not to allocate there.",
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
      goal = "In kbpool_core.rs: KbPool::new reserves room for capacity values with KVec::with_capacity(capacity, GFP_KERNEL) and passes a failure up with ? (C sees -ENOMEM); KbPool::push, called with a spinlock held and interrupts off, uses only that room: -ENOSPC once it is full, and no allocation at all. The check pushes more random values than the capacity, then loads the module with a capacity no allocator can satisfy.",
      files = {
        "samples/kbridge/pool/kbpool_core.rs",
        "samples/kbridge/pool/kbpool_glue.c",
        "samples/kbridge/pool/kbpool.h",
        "samples/kbridge/pool/Kbuild",
      },
      hints = {
        "Run the check on the starter: the kernel log says \"BUG: sleeping function called from invalid context\" and its call trace goes through kb_pool_push. The starter's pool starts empty, so every push allocates, under C's spinlock.",
        "Allocate in new(), which C calls before taking the lock: KVec::with_capacity(capacity, GFP_KERNEL)? — the ? turns AllocError into ENOMEM. In push(), compare self.vals.len() with self.vals.capacity() before pushing.",
        "new(): let vals = KVec::with_capacity(capacity, GFP_KERNEL)?;  push(): if self.vals.len() == self.vals.capacity() { return Err(ENOSPC); } then self.vals.push(value, GFP_ATOMIC)? — with room left, push() does not allocate.",
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
        kb.expect_no_fault(r, {
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
        kb.expect_output(r, 4, "Cannot allocate memory", {
          expected = ("insmod kbpool.ko capacity=%d (no allocator has that much memory) fails with ENOMEM: \"Cannot allocate memory\""):format(huge),
          where = where .. ": KbPool::new",
          hint = "KVec::with_capacity returns Err(AllocError) for a size it cannot allocate; ? turns it into ENOMEM and kb_pool_new returns it to C",
        })
        local want_new = ("kbpool: kb_pool_new(%d) -> -12"):format(huge)
        kb.expect_output(r, 5, want_new, {
          expected = "C sees -ENOMEM (-12) for that capacity: \"" .. want_new .. "\"",
          where = where .. ": KbPool::new",
        })
      end,
    },
  },
}
