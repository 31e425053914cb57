-- The capstone: kbledger.ko, a small leaf driver with a C half (/dev/kbledger) and a
-- Rust core. The check builds it once with Clippy, boots the course kernel once with
-- two CPUs and, from the guest's shell: writes a shuffled sequence of good and hostile
-- requests one at a time, reading the ledger back after each; then lets two processes
-- deposit thousands of times at once (dd writes one request per block) while a third
-- sends hostile requests; reads the ledger; unloads the module. Every answer, errno,
-- balance and count is compared with what the check computes itself.

local DEV = "/dev/kbledger"
local ACCOUNTS = 8
local MAX_REQUEST = 16 -- ledger_glue.c
local ROUNDS = 3 -- rounds of the two writers at once

local function le16(v) return { v & 0xff, (v >> 8) & 0xff } end
local function le32(v) return { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff } end

local concat, random_bytes, octal, show = helpers.concat, helpers.random_bytes, helpers.octal, helpers.show

local function deposit(account, amount) return concat({ 1, account }, le16(amount)) end

-- one request in the guest: busybox's echo -e makes one write(2); a failed write
-- makes the shell print "sh: write error: <strerror>"; then the ledger is read back
local function command(bytes)
  return "echo -ne '" .. octal(bytes) .. "' > " .. DEV .. "; echo rc=$?; cat " .. DEV
end

local function parse(out)
  out = out or ""
  return {
    err = out:match("write error: ([^\n]*)"),
    rc = tonumber(out:match("rc=(%d+)")),
    line = (out:match("rc=%d+\n([^\n]*)") or ""):gsub("%s+$", ""),
  }
end

local function describe(p)
  if not p.rc then return "the writer never got an exit status: it died in the write (see the kernel log)" end
  if p.rc == 0 then return ("the write succeeded; the ledger then read %q"):format(p.line) end
  return ("the write failed (%s); the ledger then read %q"):format(p.err or "no error text", p.line)
end

local function ledger_line(bal, entries)
  return ("balances %s entries %d"):format(table.concat(bal, " "), entries)
end

-- a ledger line read back: the balances and the entry count, or nil
local function parse_ledger(line)
  local bal = {}
  local list, n = (line or ""):match("^balances ([%d ]+) entries (%d+)$")
  if not list then return nil end
  for v in list:gmatch("%d+") do bal[#bal + 1] = math.tointeger(tonumber(v)) end
  if #bal ~= ACCOUNTS then return nil end
  return bal, math.tointeger(tonumber(n))
end

-- hostile kinds: each breaks one rule; all but the last are judged by the Rust core
local function hostile_kinds()
  local op = function() return math.random(1, 2) end
  local size = function(o) return o == 1 and 4 or 5 end
  return {
    { name = "short", errno = "Invalid argument",
      expected = "a DEPOSIT or RESERVE shorter than its size (4 or 5 bytes) is refused with EINVAL",
      hint = "match the exact shape: [1, account, lo, hi] and [2, c0, c1, c2, c3]; anything else starting with 1 or 2 is Err(EINVAL)",
      make = function() local o = op(); return concat({ o }, random_bytes(math.random(0, size(o) - 2))) end },
    { name = "long", errno = "Invalid argument",
      expected = "a DEPOSIT or RESERVE longer than its size (trailing bytes) is refused with EINVAL",
      hint = "a pattern ending in .. accepts trailing bytes: the request must be exactly 4 (DEPOSIT) or 5 (RESERVE) bytes",
      make = function()
        local o = op()
        local r = o == 1 and deposit(math.random(0, ACCOUNTS - 1), math.random(1, 65535)) or concat({ 2 }, le32(math.random(1, 64)))
        return concat(r, random_bytes(math.random(1, MAX_REQUEST - #r)))
      end },
    { name = "account", errno = "Invalid argument",
      expected = "a DEPOSIT into an account that does not exist (8 to 255) is refused with EINVAL",
      hint = "the account byte is a claim of the sender: compare it with ACCOUNTS before it is ever used as an index",
      make = function() return deposit(math.random(ACCOUNTS, 255), math.random(1, 65535)) end },
    { name = "zero", errno = "Invalid argument",
      expected = "a DEPOSIT of 0 is refused with EINVAL (every journal entry moves money)",
      hint = "amount == 0 is Err(EINVAL), before anything is recorded",
      make = function() return deposit(math.random(0, ACCOUNTS - 1), 0) end },
    { name = "opcode", errno = "Operation not supported",
      expected = "an unknown opcode is refused with EOPNOTSUPP (Operation not supported)",
      hint = "only opcodes 1 and 2 exist: anything else is Err(eopnotsupp()), whatever its length",
      make = function()
        local bad = math.random(0, 1) == 0 and 0 or math.random(3, 255)
        return concat({ bad }, random_bytes(math.random(0, 6)))
      end },
    { name = "oversized", errno = "Message too long", c = true,
      expected = ("a write longer than %d bytes is refused with EMSGSIZE before any byte is copied"):format(MAX_REQUEST),
      hint = "ledger_glue.c refuses count > sizeof(req) before copy_from_user: keep that test",
      make = function() return concat(deposit(1, 1), random_bytes(math.random(MAX_REQUEST - 3, 40))) end },
  }
end

lesson {
  id = "finale",
  title = "Finale: no longer an experiment, a leaf driver end to end",
  summary = "Rust is no longer an experiment in the kernel: write the Rust core of a small leaf driver that validates untrusted requests, keeps its state behind a Mutex, allocates fallibly and answers with errnos, and prove it under two writers at once.",
  history = {
    -- the decision was taken in December 2025; it took effect with Linux 7.0 (2026),
    -- which also keeps the capstone last on the timeline
    year = 2026,
    milestone = "Linux 7.0 drops the experimental label after the December 2025 Maintainers Summit in Tokyo ended Rust's experimental phase; new leaf drivers are expected in Rust",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/; and \"Linux kernel Rust adoption: Benchmarks, challenges, and next steps\", allthe.news (undated, after the December 2025 Maintainers Summit), https://allthe.news/ru/articles/linux-kernel-adopts-rust-as-permanent-core-language",
  },
  steps = {
    page { file = "intro.md", title = "2025's decision, and a driver that uses all of it" },
    quiz {
      id = "lock",
      question = "apply() reads the balance with self.ledger.lock().balances[a], then calls self.ledger.lock() again to store balance + amount. Two processes deposit into account a at once. What can happen?",
      choices = {
        "Nothing: each access holds the Mutex, so the code is race-free",
        "Both read the same old balance, both store old + their amount: one deposit is lost, though no data race ever happened",
        "A deadlock, because the same Mutex is locked twice",
      },
      answer = 2,
      explain = "The guard of the first lock() dies at the end of its statement. Rust rules out data races, not races between two critical sections: the read and the write of one update must happen under one guard.",
    },
    quiz {
      id = "enomem",
      question = "A RESERVE asks for 4 000 000 000 more journal entries. What should user space see?",
      choices = {
        "The write fails with ENOMEM (\"Cannot allocate memory\"): KVec::reserve returned Err(AllocError) and ? passed it up",
        "EINVAL: the request was silly",
        "Nothing: the kernel panics, as Rust's Vec would abort",
      },
      answer = 1,
      explain = "Every allocation in the kernel crate returns a Result; ? turns AllocError into ENOMEM, and to_errno() gives C the -12 it returns to user space. Mapping it to EINVAL would tell the caller the request was malformed when it was not.",
    },
    task {
      id = "ledger",
      title = "The Rust core of kbledger",
      goal = "In ledger_core.rs, write the three parts the starter leaves out: Untrusted::validate (exact sizes, account below 8, amount at least 1, else EINVAL; unknown opcode: EOPNOTSUPP), Shared::apply (one lock for the whole update: a DEPOSIT pushes its Entry with GFP_KERNEL and adds to the balance; a RESERVE calls journal.reserve(count, GFP_KERNEL | __GFP_NOWARN); allocation failures pass up with ?), and the end of kb_ledger_request (0, or the error's own to_errno()). The check builds it with Clippy, writes random good and hostile requests one by one, then lets two processes deposit thousands of times at once, and unloads the module.",
      files = {
        "samples/kbridge/ledger/ledger_core.rs",
        "samples/kbridge/ledger/ledger_glue.c",
        "samples/kbridge/ledger/Kbuild",
      },
      cpus = 2,   -- two processes deposit at once: the guest kb.build starts has both CPUs
      hints = {
        "Run the check on the starter: every request is refused and the shell reports \"Operation not permitted\" — that is the -1 at the end of kb_ledger_request (EPERM), not the error Rust had. Three places to write: validate(), apply(), and that match.",
        "validate(): match bytes { [1, account, lo, hi] => ..., [2, c0, c1, c2, c3] => ..., [] | [1 | 2, ..] => return Err(EINVAL), _ => return Err(eopnotsupp()) } — u16::from_le_bytes([*lo, *hi]) and u32::from_le_bytes(...) read the numbers. apply(): let mut ledger = self.ledger.lock(); once, at the top, and keep the guard until the end.",
        "Deposit: ledger.journal.push(Entry { account, amount }, GFP_KERNEL)?; ledger.balances[account] += u64::from(amount);  Reserve: ledger.journal.reserve(count as usize, GFP_KERNEL | __GFP_NOWARN)?;  kb_ledger_request: match result { Ok(()) => 0, Err(e) => e.to_errno() }.",
      },
      check = function(kb)
        local dir = "samples/kbridge/ledger"
        local core = dir .. "/ledger_core.rs"
        -- one build, from clean, with Clippy: every file is linted
        local b = kb.build(dir, { clean = true, vars = { CLIPPY = "1" } })
        if not kb.expect_build(b) then return end
        local warn = kb.find(b.log, "warning:")
        local at = warn and (warn:find("ledger_", 1, true) and warn or kb.find(b.log, "%-%->.*ledger_", { pattern = true }))
        local file_line = at and at:match("/(ledger_[%w_]+%.%a+:%d+)")
        kb.expect(warn == nil, "the module builds with Clippy without a single warning (every unsafe block has a // SAFETY: comment)", {
          seen = warn and (warn .. (at and at ~= warn and ("\n" .. at) or "")) or nil,
          where = file_line and (dir .. "/" .. file_line) or core,
          hint = "read Clippy's message: an unsafe block needs a // SAFETY: comment just above it; unused code or a needless cast is a warning too",
        })

        -- part 1: one request at a time, in a random order
        local reqs = {}
        for _ = 1, 7 do
          reqs[#reqs + 1] = { kind = "deposit", bytes = deposit(math.random(0, ACCOUNTS - 1), math.random(1, 65535)) }
        end
        reqs[#reqs + 1] = { kind = "deposit", bytes = deposit(math.random(0, ACCOUNTS - 1), 65535) }
        for _ = 1, 2 do
          reqs[#reqs + 1] = { kind = "reserve", bytes = concat({ 2 }, le32(math.random(1, 4096))) }
          reqs[#reqs + 1] = { kind = "enomem", bytes = concat({ 2 }, le32(math.random(1 << 27, (1 << 32) - 1))) }
        end
        local kinds = hostile_kinds()
        for _, k in ipairs(kinds) do
          for _ = 1, 2 do reqs[#reqs + 1] = { kind = k, bytes = k.make() } end
        end
        for i = #reqs, 2, -1 do
          local j = math.random(1, i)
          reqs[i], reqs[j] = reqs[j], reqs[i]
        end

        -- part 2: two writers at once. Each has its own pattern of deposits into two
        -- shared accounts, repeated; dd writes one 4-byte request per block
        local hot = { math.random(0, ACCOUNTS - 1) }
        repeat hot[2] = math.random(0, ACCOUNTS - 1) until hot[2] ~= hot[1]
        local writers = {}
        for w = 1, 2 do
          local pat, bytes = {}, {}
          for i = 1, math.random(3, 6) do
            pat[i] = { account = hot[math.random(2)], amount = math.random(1, 65535) }
            for _, x in ipairs(deposit(pat[i].account, pat[i].amount)) do bytes[#bytes + 1] = x end
          end
          writers[w] = { pat = pat, bytes = bytes, reps = math.random(3000, 5000) }
        end
        -- the third process: hostile requests, again and again, during the deposits
        local hostile = {}
        for i = 1, 4 do
          local k = kinds[math.random(1, #kinds - 1)]
          hostile[i] = k.make()
        end
        local hostile_reps = 40

        local run = {}
        for i, q in ipairs(reqs) do run[i] = command(q.bytes) end
        local prep = {}
        for w, wr in ipairs(writers) do
          prep[#prep + 1] = ("i=0; while [ $i -lt %d ]; do echo -ne '%s'; i=$((i+1)); done > /tmp/kbw%d"):format(
            wr.reps, octal(wr.bytes), w)
        end
        run[#run + 1] = table.concat(prep, "; ") .. "; wc -c /tmp/kbw1 /tmp/kbw2"
        local i_prep = #run
        local hl = {}
        for _, h in ipairs(hostile) do
          hl[#hl + 1] = ("echo -ne '%s' > %s 2>/dev/null || n=$((n+1))"):format(octal(h), DEV)
        end
        -- three rounds; in each, the processes start together (each waits for
        -- /tmp/kbgo); the hostile writer joins the first round
        local go = "while [ ! -e /tmp/kbgo ]; do :; done; "
        local hostile_job = "( " .. go .. "n=0; i=0; while [ $i -lt " .. hostile_reps .. " ]; do " ..
          table.concat(hl, "; ") .. "; i=$((i+1)); done; echo refused=$n > /tmp/kbd3 ) &"
        local rounds = {}
        for i = 1, ROUNDS do rounds[i] = tostring(i) end
        run[#run + 1] = "for round in " .. table.concat(rounds, " ") .. "; do rm -f /tmp/kbgo; " ..
          "( " .. go .. "dd if=/tmp/kbw1 of=" .. DEV .. " bs=4 2>>/tmp/kbd1 ) & ( " .. go .. "dd if=/tmp/kbw2 of=" .. DEV ..
          " bs=4 2>>/tmp/kbd2 ) & if [ $round = 1 ]; then " .. hostile_job .. " fi; touch /tmp/kbgo; wait; done; " ..
          "echo w1 $(cat /tmp/kbd1); echo w2 $(cat /tmp/kbd2); cat /tmp/kbd3; cat " .. DEV
        local i_conc = #run
        run[#run + 1] = "rmmod kbledger; echo rc=$?; ls " .. DEV .. " 2>&1; dmesg | grep 'kbledger: .*entries at unload'"
        local i_rmmod = #run

        local r = kb.boot { modules = b, run = run, rmmod = false, timeout = 30, cpus = 2 }
        if not kb.expect_boot(r) then return end

        -- part 1, judged request by request against the ledger the check keeps
        local bal = {}
        for a = 1, ACCOUNTS do bal[a] = 0 end
        local entries = 0
        local good_n, good_bad, enomem_bad = 0, nil, nil
        local hostile_bad = {}
        -- what the ledger read before each request: a refused one must leave it so
        local before = ledger_line(bal, entries)
        for i, q in ipairs(reqs) do
          local p = parse(r.run[i] and r.run[i].output)
          -- each request is judged from the ledger as it was just before it, so
          -- that one mistake is not blamed on every later request
          local was_bal, was_n = parse_ledger(before)
          if was_bal then bal, entries = was_bal, was_n end
          if q.kind == "deposit" then
            good_n = good_n + 1
            local acc, amount = q.bytes[2], q.bytes[3] + 256 * q.bytes[4]
            bal[acc + 1] = bal[acc + 1] + amount
            entries = entries + 1
            local want = ledger_line(bal, entries)
            if not good_bad and not (p.rc == 0 and p.line == want) then
              good_bad = ("DEPOSIT %d into account %d %s: expected the write to succeed and the ledger to read %q; %s"):format(
                amount, acc, show(q.bytes), want, describe(p))
            end
          elseif q.kind == "reserve" then
            good_n = good_n + 1
            local want = ledger_line(bal, entries)
            if not good_bad and not (p.rc == 0 and p.line == want) then
              good_bad = ("RESERVE %s: expected the write to succeed and the ledger to stay %q; %s"):format(
                show(q.bytes), want, describe(p))
            end
          elseif q.kind == "enomem" then
            local want = before
            if not enomem_bad and not (p.rc and p.rc ~= 0 and p.err == "Cannot allocate memory" and p.line == want) then
              enomem_bad = ("RESERVE of %d entries %s: expected the write to fail with \"Cannot allocate memory\" and the ledger to stay %q; %s"):format(
                q.bytes[2] + 256 * q.bytes[3] + 65536 * q.bytes[4] + 16777216 * q.bytes[5], show(q.bytes), want, describe(p))
            end
          else
            local want = before
            if not hostile_bad[q.kind] and not (p.rc and p.rc ~= 0 and p.err == q.kind.errno and p.line == want) then
              hostile_bad[q.kind] = ("request %s: expected the write to fail with \"%s\" and the ledger to stay %q; %s"):format(
                show(q.bytes), q.kind.errno, want, describe(p))
            end
          end
          if p.line ~= "" then before = p.line end
        end
        kb.expect(good_bad == nil,
          ("%d well-formed requests, one at a time (DEPOSIT and RESERVE), succeed and the ledger reads back as the check computes"):format(good_n), {
            seen = good_bad, where = core,
            hint = "a valid request must come out of validate() as it is and change exactly one balance and the journal; the shell's error text names the errno C returned",
          })
        for _, k in ipairs(kinds) do
          kb.expect(hostile_bad[k] == nil, k.expected .. ", and the ledger does not change", {
            seen = hostile_bad[k],
            where = k.c and dir .. "/ledger_glue.c: kbledger_write()" or core .. ": Untrusted::validate()",
            hint = k.hint,
          })
        end
        kb.expect(enomem_bad == nil,
          "a RESERVE larger than memory fails with ENOMEM (\"Cannot allocate memory\") and the ledger does not change", {
            seen = enomem_bad, where = core .. ": Shared::apply() and kb_ledger_request()",
            hint = "KVec::reserve returns Err(AllocError); ? turns it into ENOMEM: keep that error to the end (e.to_errno()), do not replace it",
          })
        -- the absurd RESERVE must fail quietly: an allocation without __GFP_NOWARN that
        -- the allocator cannot serve prints a WARNING and a backtrace
        local warning = kb.find(r.log, "WARNING:")
        kb.expect(warning == nil,
          "a RESERVE larger than memory fails quietly: no WARNING (allocation-failure backtrace) in the kernel log", {
            seen = warning and (r.fault == "warning" and r.fault_brief or warning) or nil,
            where = core .. ": Shared::apply(), the RESERVE",
            hint = "the count comes from user space and may be absurd: when the allocator cannot serve a request it prints a WARNING with a backtrace unless its flags say __GFP_NOWARN. ENOMEM is the right answer; a backtrace in the log for a user's bad request is not",
          })

        -- part 2: the deposits made at once, counted from the ledger as part 1 left it
        -- (so that a mistake there is not blamed on the lock)
        local was_bal, was_n = parse_ledger(before)
        if was_bal then bal, entries = was_bal, was_n end
        local n_dep = 0
        for _, wr in ipairs(writers) do
          for _, d in ipairs(wr.pat) do bal[d.account + 1] = bal[d.account + 1] + d.amount * wr.reps * ROUNDS end
          n_dep = n_dep + #wr.pat * wr.reps * ROUNDS
          entries = entries + #wr.pat * wr.reps * ROUNDS
        end
        local want = ledger_line(bal, entries)
        local out = r.run[i_conc] and r.run[i_conc].output or ""
        local conc_bad
        -- when a writer's writes failed, the errno dd reports (nil: they did not fail)
        local write_err
        for w, wr in ipairs(writers) do
          local recs = #wr.pat * wr.reps
          local line = out:match("w" .. w .. " ([^\n]*)") or ""
          local _, outs = line:gsub(("%d%%+0 records out"):format(recs), "")
          if not conc_bad and (outs ~= ROUNDS or line:find("error", 1, true)) then
            conc_bad = ("writer %d (dd, %d DEPOSITs per round, %d rounds): expected \"%d+0 records out\" each round; dd said %q"):format(
              w, recs, ROUNDS, recs, line)
            write_err = line:match("error writing '[^']*': ([%a ]+[%a])") or (line:find("error", 1, true) and "an error")
          end
        end
        local got = (out:match("(balances [^\n]*)") or ""):gsub("%s+$", "")
        kb.expect(kb.find(r.run[i_prep] and r.run[i_prep].output or "", "total") ~= nil, "the guest prepared the two writers' request files", {
          seen = r.run[i_prep] and r.run[i_prep].output, where = "the check's guest commands",
        })
        if not conc_bad and got ~= want then
          local diff = {}
          local gb = {}
          for v in got:gmatch("%d+") do gb[#gb + 1] = tonumber(v) end
          for _, a in ipairs(hot) do
            if gb[a + 1] and gb[a + 1] ~= bal[a + 1] then
              diff[#diff + 1] = ("account %d is %d, short of %d by %d"):format(a, gb[a + 1], bal[a + 1], bal[a + 1] - gb[a + 1])
            end
          end
          conc_bad = ("expected the ledger to read %q after the deposits; it read %q%s"):format(
            want, got, #diff > 0 and ("\n" .. table.concat(diff, "\n")) or "")
        end
        local refused = tonumber(out:match("refused=(%d+)"))
        kb.expect(refused == #hostile * hostile_reps,
          ("%d hostile requests written during the deposits are all refused"):format(#hostile * hostile_reps), {
            seen = ("%s refused"):format(refused or "none reported"), where = core .. ": Untrusted::validate()",
          })

        -- a hostile request that got through changed the balances: then the lock cannot be judged
        if refused == #hostile * hostile_reps then
          -- the hint fits what went wrong: writes refused (nothing could race), or
          -- writes accepted and deposits lost (the lock)
          local where, hint = core .. ": Shared::apply()",
            "each update must read and write the ledger under one guard: a lock() whose guard is dropped between reading a balance and storing the new one lets the other writer's deposit vanish"
          if write_err == "Operation not permitted" then
            where = core .. ": kb_ledger_request(), its return value"
            hint = "the writers' DEPOSITs failed with \"Operation not permitted\" (EPERM; dd stops at the first failed write), so nothing could race or be lost. No part of the ledger's Rust code makes EPERM: look at what kb_ledger_request returns to C when a request fails, then make a single DEPOSIT succeed (the one-at-a-time expectations above)"
          elseif write_err then
            where = core .. ": Untrusted::validate() and Shared::apply()"
            hint = ("the writers' DEPOSITs failed (%s; dd stops at the first failed write), so nothing could race or be lost: a well-formed DEPOSIT must succeed however many processes write at once. Make a single DEPOSIT succeed first (the one-at-a-time expectations above)"):format(write_err)
          end
          kb.expect(conc_bad == nil,
            ("two processes deposit at once (%d DEPOSITs in all, into accounts %d and %d): none is lost, balances and entries as the check computes"):format(
              n_dep, hot[1], hot[2]), {
              seen = conc_bad, where = where, hint = hint,
            })
        end
        -- the module goes away cleanly
        local rm = r.run[i_rmmod] and r.run[i_rmmod].output or ""
        -- the count as the ledger last read, when it could be read
        local _, last_n = parse_ledger(got)
        if last_n then entries = last_n end
        kb.expect(rm:find("rc=0", 1, true) and rm:find("No such file", 1, true) and
                  rm:find(("%d entries at unload, journal matches balances"):format(entries), 1, true),
          ("rmmod kbledger succeeds, /dev/kbledger is gone and the module's exit reports %d entries, the journal matching the balances"):format(entries), {
            seen = rm, where = core .. ": Shared::apply() and Drop for KbLedger",
            hint = "every accepted DEPOSIT adds one entry to the journal and its amount to one balance, under the same guard",
          })
        kb.expect_no_fault(r, {
          hint = "a Rust panic is an index out of range or an .unwrap(): validate before indexing, and pass errors up with ?",
        })
      end,
    },
  },
}
