-- The check starts tally.ko on two CPUs: two C kernel threads each call the Rust
-- function kb_tally_add many times with pseudo-random values from a seed the check
-- picks. The totals the module prints must equal what Lua computes from the same
-- seed: a lock that is missing or held over the wrong region loses updates, and a
-- sleeping lock taken under a spinlock makes the kernel print "BUG: sleeping
-- function called from invalid context". Every SNAP_EVERY calls each thread also
-- takes a snapshot through kb_tally_snapshot while the other thread keeps adding,
-- and counts the snapshots whose count differs from the sum of the histogram: an
-- update that changes the fields one lock (or one atomic) at a time is seen half
-- done, even though the final totals come out right.

local THREADS = 2
local SNAP_EVERY = 8 -- as in tally_threads.c

-- the totals the module must print: the same xorshift32 streams as tally_threads.c
local function expected_line(seed, iters)
  local count, sum = 0, 0
  local hist = { 0, 0, 0, 0, 0, 0, 0, 0 }
  for t = 0, THREADS - 1 do
    local s = (seed ~ ((0x9e3779b9 * (t + 1)) & 0xffffffff)) & 0xffffffff
    if s == 0 then s = 1 end
    for _ = 1, iters do
      s = s ~ ((s << 13) & 0xffffffff)
      s = s ~ (s >> 17)
      s = s ~ ((s << 5) & 0xffffffff)
      sum = sum + s
      local b = (s >> 29) + 1
      hist[b] = hist[b] + 1
    end
    count = count + iters
  end
  return ("tally: count=%d sum=%d hist=%s"):format(count, sum, table.concat(hist, ","))
end

lesson {
  id = "locks",
  title = "Locks the kernel way: SpinLock, Mutex and pin-init",
  summary = "C kernel threads on two CPUs update totals kept in Rust; a lock created in place with pin-init, held over the whole update, keeps every one of them.",
  history = {
    year = 2025,
    milestone = "Rust stops being experimental in Linux; race conditions are named, next to buffer overflows, among the bugs its compile-time checks address",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/; \"Linux kernel Rust adoption: Benchmarks, challenges, and next steps\", news report after the 2025 Kernel Maintainers Summit (no address given)",
  },
  steps = {
    page { file = "intro.md", title = "Locks the kernel way" },
    quiz {
      id = "pin",
      question = "Why is a kernel::sync::Mutex built with pin_init!/new_mutex! and KBox::pin_init instead of being returned by value from a plain new()?",
      choices = {
        "The C struct mutex must not move once initialised (its wait list points into it), so it is initialised where it will live",
        "Returning a struct by value is not allowed in kernel Rust",
        "pin_init! makes the lock faster",
      },
      answer = 1,
      explain = "mutex_init() and spin_lock_init() set up a C object in place; a Rust move would copy its bytes elsewhere and leave pointers into the old place. Pin-init runs the C initialiser at the final address, and Pin keeps it there.",
    },
    quiz {
      id = "region",
      question = "Each call does `let mut t = *totals.lock(); t.add(v); *totals.lock() = t;`. Every access holds the lock. What goes wrong on two CPUs?",
      choices = {
        "Nothing: every access is under the lock",
        "Two CPUs can copy the same old totals between the two critical sections, and the second write throws away the first CPU's update",
        "It deadlocks, because the lock is taken twice",
      },
      answer = 2,
      explain = "Rust prevents data races (touching the data without the lock), not every race condition: a read-modify-write must happen in one critical section, or updates are lost.",
    },
    quiz {
      id = "sleep",
      question = "A version of kb_tally_add takes a SpinLock and, still holding it, locks a Mutex to update a second copy of the histogram. The totals come out right. What does the course kernel (CONFIG_DEBUG_ATOMIC_SLEEP=y) print?",
      choices = {
        "Nothing: the totals are right, so the code is right",
        "A lockdep report about lock ordering",
        "\"BUG: sleeping function called from invalid context\", from the might_sleep() check at the top of mutex_lock()",
      },
      answer = 3,
      explain = "Holding a spinlock disables preemption, and mutex_lock() may sleep. The debug check runs on every such call, contended or not, so the bug shows even when no CPU ever waited for the mutex.",
    },
    task {
      id = "tally",
      title = "Keep the totals behind a lock",
      goal = "In tally_core.rs, keep Totals behind a kernel::sync::Mutex (or SpinLock): make Shared a #[pin_data] struct with a #[pin] lock field, build it with KBox::pin_init (or Arc::pin_init), pin_init! and new_mutex!, and in kb_tally_add add the value in one critical section; in Shared::snapshot read the totals under the same lock. The check loads tally.ko on two CPUs with a random seed; while the threads add, they take snapshots through kb_tally_snapshot, and not one may be torn (count different from the sum of the histogram). The final totals must also equal the check's own.",
      files = {
        "samples/kbridge/tally/tally_core.rs",
        "samples/kbridge/tally/tally_threads.c",
        "samples/kbridge/tally/Kbuild",
      },
      cpus = 2,   -- the threads run truly at once: the guest kb.build starts has both CPUs
      hints = {
        "Run the check on the starter: the count is lower than threads x iters, and many snapshots are torn. The SAFETY comment on `unsafe impl Sync for Shared` claims C calls one at a time; tally_threads.c runs a thread on each CPU, all at once.",
        "#[pin_data] struct Shared { #[pin] totals: kernel::sync::Mutex<Totals> } and in init: KBox::pin_init(pin_init!(Shared { totals <- kernel::new_mutex!(Totals::default(), \"tally_totals\") }), GFP_KERNEL)?. No UnsafeCell and no unsafe impl Sync any more: the lock is Sync.",
        "In kb_tally_add, one guard for the whole update: shared.totals.lock().add(value); (not a copy taken under the lock and written back under a second lock, not one lock() per field, not one atomic per field). In Shared::snapshot, *self.totals.lock() copies the totals while the guard is held.",
      },
      check = function(kb)
        local dir = "samples/kbridge/tally"
        local where = dir .. "/tally_core.rs: kb_tally_add()"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end
        local seed = math.random(1, 0x7fffffff)
        local iters = math.random(800000, 1000000)
        local cmd = ("insmod /kb/mod/tally.ko seed=%d iters=%d"):format(seed, iters)
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30, cpus = 2,
          run = { cmd, "dmesg | grep 'tally: '", "rmmod tally" },
        }
        kb.expect(r.status ~= "hang", "the guest finishes within 30 seconds", {
          seen = r.status == "hang" and "the guest was stopped after 30 s" or nil,
          where = where,
          hint = "two vCPUs fighting over a SpinLock crawl when the host gives them a single core (a busy machine): a Mutex lets the waiting CPU sleep instead; also look for a lock that is never released",
        })
        kb.expect_exit(r, 1, 0)
        kb.expect_no_fault(r, {
          hint = "\"BUG: sleeping function called from invalid context\" means something that may sleep (a Mutex, a GFP_KERNEL allocation) ran while a SpinLock was held",
        })
        local want = expected_line(seed, iters)
        local seen, snaps, torn_example = {}, {}, nil
        local out = r.run[2] and r.run[2].output or ""
        for line in out:gmatch("[^\n]+") do
          local l = line:gsub("^%[[^%]]*%]%s*", "")
          if l:find("tally: count=", 1, true) then seen[#seen + 1] = l end
          local n, t = l:match("^tally: snapshots=(%d+) torn=(%d+)")
          if n then snaps[#snaps + 1] = { n = tonumber(n), torn = tonumber(t), line = l } end
          if l:find("tally: torn snapshot:", 1, true) then torn_example = l end
        end
        local want_snaps = THREADS * (iters // SNAP_EVERY)
        local s1 = snaps[1]
        kb.expect(#snaps == 1 and s1.n == want_snaps and s1.torn == 0,
          ("every one of the %d snapshots taken while the threads add holds together (count = sum of hist)"):format(want_snaps), {
            seen = s1 and (s1.line .. (torn_example and ("\n" .. torn_example) or "")) or "no \"tally: snapshots=\" line in the kernel log",
            where = dir .. "/tally_core.rs: kb_tally_add() and Shared::snapshot()",
            hint = "a torn snapshot saw an update half done: take the lock once for the whole update (all three fields), and read the snapshot under that same lock; separate lock() calls per field, or one atomic per field, let a reader in between",
          })
        kb.expect(#seen == 1 and seen[1] == want,
          ("after %d threads x %d calls (seed=%d) the module prints \"%s\""):format(THREADS, iters, seed, want), {
            seen = #seen > 0 and table.concat(seen, "\n") or "no \"tally: count=\" line in the kernel log",
            where = where,
            hint = "a count below " .. THREADS * iters .. " means lost updates: two CPUs changed the totals at once, or between two critical sections",
          })
        kb.expect_exit(r, 3, 0)
      end,
    },
  },
}
