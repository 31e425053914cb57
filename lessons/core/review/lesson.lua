-- The check builds slots.ko with Clippy (CLIPPY=1, from clean) and then loads it with
-- a list of calls the check makes up at random: valid ones, and hostile ones (indexes
-- past the end, windows that straddle the end, numbers near 2^64 that overflow an
-- addition, lengths of 0 or too large). The test driver in slots_main.rs makes each
-- call through the safe wrapper in store.rs and prints the result; Lua computes what
-- each call must return. A wrapper that lets safe code read past the table prints a
-- sum of whatever lies there instead of -34 (ERANGE); one that overflows panics.
-- Each kind of mismatch (wrong errno, a value where an error was due, no line at all)
-- gets its own hint.

local MAX_SLOTS = 1024
local ERANGE, EINVAL = -34, -22
-- numbers that do not fit in a table: 2^32, 2^63, 2^64 - 2, 2^64 - 1 (as usize)
local HUGE = { "4294967296", "9223372036854775808", "18446744073709551614", "18446744073709551615" }

local function huge()
  return { s = HUGE[math.random(#HUGE)] }
end

local function num(v)
  return { s = tostring(v), v = v }
end

local function shuffle(t)
  for i = #t, 2, -1 do
    local j = math.random(i)
    t[i], t[j] = t[j], t[i]
  end
end

-- a random list of calls on one table of `len` slots
local function make_ops(len)
  local ops = {}
  local function add(kind, ...) ops[#ops + 1] = { kind = kind, args = { ... } } end
  for _ = 1, 2 do add("g", num(math.random(0, len - 1))) end
  add("g", num(len))
  add("g", num(len + math.random(1, 100)))
  add("g", huge())
  add("s", num(math.random(0, len - 1)), num(math.random(0, 0x7fffffff)))
  add("s", num(len + math.random(0, 5)), num(math.random(0, 1000)))
  add("s", huge(), num(1))
  -- windows inside the table, including empty ones at either end
  for _ = 1, 3 do
    local start = math.random(0, len - 1)
    add("w", num(start), num(math.random(1, len - start)))
  end
  add("w", num(len), num(0))
  add("w", num(0), num(len))
  -- windows that straddle the end: start and count each fit, their sum does not
  for _ = 1, 3 do
    local count = math.random(2, len)
    add("w", num(math.random(len - count + 1, len)), num(count))
  end
  add("w", num(len + 1), num(0))
  -- start + count overflows a usize
  add("w", huge(), num(math.random(1, len)))
  add("w", num(math.random(1, len)), { s = "18446744073709551615" })
  add("w", huge(), huge())
  shuffle(ops)
  table.insert(ops, 1, { kind = "n", args = { num(len) } })
  -- tables that cannot be made
  add("n", num(0))
  add("n", num(MAX_SLOTS + math.random(1, 1000)))
  add("n", huge())
  return ops
end

-- what each call must print, computed here from the same rules the wrapper documents
local function expected_lines(ops, seed)
  local slots, len = nil, 0
  local out = {}
  for _, op in ipairs(ops) do
    local a, b = op.args[1], op.args[2]
    if op.kind == "n" then
      if a.v and a.v >= 1 and a.v <= MAX_SLOTS then
        len, slots = a.v, {}
        for i = 0, len - 1 do slots[i] = (seed * (i + 1)) & 0xffffffff end
        out[#out + 1] = ("new(%s) = ok"):format(a.s)
      else
        out[#out + 1] = ("new(%s) = %d"):format(a.s, EINVAL)
      end
    elseif op.kind == "g" then
      local r = (a.v and a.v < len) and slots[a.v] or ERANGE
      out[#out + 1] = ("get(%s) = %d"):format(a.s, r)
    elseif op.kind == "s" then
      local r = ERANGE
      if a.v and a.v < len then slots[a.v], r = b.v, 0 end
      out[#out + 1] = ("set(%s) = %d"):format(a.s, r)
    else
      if a.v and b.v and a.v + b.v <= len then
        local sum = 0
        for i = a.v, a.v + b.v - 1 do sum = sum + slots[i] end
        out[#out + 1] = ("window(%s,%s) = %d slots, sum %d"):format(a.s, b.s, b.v, sum)
      else
        out[#out + 1] = ("window(%s,%s) = %d"):format(a.s, b.s, ERANGE)
      end
    end
  end
  out[#out + 1] = "done"
  return out
end

local function op_text(op)
  local t = {}
  for i, a in ipairs(op.args) do t[i] = a.s end
  return op.kind .. ":" .. table.concat(t, ":")
end

-- Rust source without its comments, string and char literals, so that a comment or a
-- message that mentions Clippy is not taken for a switch
local function rust_code(text)
  local out, i, n = {}, 1, #text
  while i <= n do
    local two = text:sub(i, i + 1)
    if two == "//" then
      local e = text:find("\n", i, true) or n + 1
      i = e
    elseif two == "/*" then
      local depth = 1
      i = i + 2
      while i <= n and depth > 0 do
        local t = text:sub(i, i + 1)
        if t == "/*" then depth, i = depth + 1, i + 2
        elseif t == "*/" then depth, i = depth - 1, i + 2
        else i = i + 1 end
      end
      out[#out + 1] = " "
    elseif text:sub(i, i) == '"' then
      i = i + 1
      while i <= n and text:sub(i, i) ~= '"' do
        i = i + (text:sub(i, i) == "\\" and 2 or 1)
      end
      i = i + 1
      out[#out + 1] = '""'
    elseif text:find("^'\\?.'", i) then
      local _, e = text:find("^'\\?.'", i)
      out[#out + 1] = "' '"
      i = e + 1
    else
      out[#out + 1] = text:sub(i, i)
      i = i + 1
    end
  end
  return table.concat(out)
end

-- how a file switches the safety lints off, or nil: in Rust, an allow or expect
-- attribute (also inside cfg_attr) that names a Clippy lint, an unsafe lint or all
-- warnings; in Kbuild (comments left out), a rustc flag that allows lints or caps them,
-- or a change of how Clippy is run
local function lint_switch(name, text)
  if name:match("%.rs$") then
    for attr in rust_code(text):gmatch("#%s*!?%s*(%b[])") do
      local a = attr:lower()
      if (a:find("allow%s*%(") or a:find("expect%s*%(")) and
         (a:find("clippy", 1, true) or a:find("unsafe", 1, true) or a:find("warnings", 1, true)) then
        return ("#%s"):format(attr:gsub("%s+", " "))
      end
    end
    return nil
  end
  for line in text:gmatch("[^\n]+") do
    local code = line:gsub("#.*$", "")
    for tok in code:gmatch("%S+") do
      if tok:match("^%-A") or tok:match("^%-%-allow") or tok:match("^%-%-cap%-lints")
         or tok:match("^%-%-expect") then
        return ("%s (in: %s)"):format(tok, (code:gsub("^%s+", "")))
      end
    end
    for _, v in ipairs({ "CLIPPY", "KBUILD_CLIPPY", "CLIPPY_DRIVER", "RUSTC_OR_CLIPPY", "CLIPPY_CONF_DIR" }) do
      if code:find("%f[%w_]" .. v .. "%f[^%w_]") then
        return ("%s is changed (in: %s)"):format(v, (code:gsub("^%s+", "")))
      end
    end
  end
  return nil
end

-- a hint for the first wrong line of the driver's output
local function mismatch_hint(op, want, seen)
  if not seen then
    return "the driver printed no line for this call: it stopped here. Look at the fault reported above, if any (a panic from an overflowing addition or an index out of a slice): hostile arguments must give an Err, not a panic"
  end
  if not want then
    return "the driver printed more lines than there were calls"
  end
  local w_err = want:match("= (%-%d+)$")
  local s_err = seen:match("= (%-%d+)$")
  local why = op.kind == "n"
    and "-22 (EINVAL) from new: the length itself is not allowed (0 or over MAX_SLOTS)"
    or "-34 (ERANGE) from get, set and window: the arguments are well-formed numbers, only the slot or range they name is not in the table; -22 (EINVAL) is for new's length alone"
  if w_err and s_err then
    return ("wrong error number: expected %s, seen %s. %s"):format(w_err, s_err, "The rule is " .. why)
  end
  if w_err and op.kind == "n" then
    return "expected -22 (EINVAL): new must refuse a length of 0 or over MAX_SLOTS (1024), but it made a table"
  end
  if w_err then
    return ("expected %s, but the call succeeded (%s): it %s slots that are not in the table, which is undefined behaviour reached from safe code"):format(
      w_err, seen:match("= (.*)$") or seen, op.kind == "s" and "wrote" or "read")
  end
  if s_err and op.kind == "n" then
    return ("new must make a table of 1 to MAX_SLOTS (1024) slots, but returned %s"):format(s_err)
  end
  if s_err then
    return ("the call should succeed but returned %s: every slot it names is in the table (an empty window at the end, start == len and count == 0, is Ok with 0 slots)"):format(s_err)
  end
  return "the call succeeded but with other values: it read the wrong slots, or an earlier set wrote the wrong one"
end

lesson {
  id = "review",
  title = "Reviewing Rust you did not write",
  summary = "Review a small safe wrapper over a C API: find the safe function that lets safe code read outside the table, fix it, and justify every unsafe block so Clippy has nothing to say.",
  history = {
    year = 2024,
    milestone = "Linux Plumbers 2024: maintainers know C, not Rust, and say they cannot review or debug code they do not understand",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "Reviewing Rust you did not write" },
    quiz {
      id = "sound",
      question = "A safe function `pub fn nth(&self, i: usize) -> u32 { unsafe { *self.ptr.add(i) } }` is only ever called with good indexes by today's callers. Is the wrapper sound?",
      choices = {
        "Yes, as long as every current caller is correct",
        "No: safe code may pass any usize, so a safe call can read out of bounds; the check belongs inside nth (or nth must be unsafe fn with a # Safety section)",
        "Yes: Rust checks pointer offsets at run time",
      },
      answer = 2,
      explain = "Soundness is a promise about every possible safe caller, not about today's. A safe function must make undefined behaviour impossible whatever its arguments; when it cannot, it is an unsafe fn whose # Safety section tells callers what they must guarantee.",
    },
    quiz {
      id = "overflow",
      question = "The fix `if start + count > self.len() { return Err(ERANGE); }` is tried with start = usize::MAX and count = 2 on this kernel (CONFIG_RUST_OVERFLOW_CHECKS=y). What happens?",
      choices = {
        "It returns ERANGE",
        "The sum wraps to 1, which is <= len, and the slice is made",
        "The addition panics (\"attempt to add with overflow\"): a kernel BUG instead of an error",
      },
      answer = 3,
      explain = "With overflow checks the addition panics; without them it wraps to 1 and the check passes, which is worse. start.checked_add(count) turns the overflow into a None you can map to ERANGE.",
    },
    task {
      id = "wrapper",
      title = "Review, fix and justify the wrapper",
      goal = "store.rs wraps the C table of slots_c.c in a safe type, Slots. One of its safe functions lets safe code read memory that is not part of the table: find it and fix it, so that every call returns an error instead. Then give every unsafe block a // SAFETY: comment and the unsafe fn a # Safety section. The check builds with Clippy (it must print no warning) and has the test driver call the wrapper with random and hostile arguments.",
      files = {
        "samples/kbridge/slots/store.rs",
        "samples/kbridge/slots/slots_c.c",
        "samples/kbridge/slots/slots_main.rs",
        "samples/kbridge/slots/driver_params.c",
        "samples/kbridge/slots/Kbuild",
      },
      hints = {
        "Read slots_c.c first: its rules are what every unsafe block in store.rs relies on. Then, for each unsafe block, ask: which argument values could a safe caller pass that break one of those rules? Run the check and look at the first call whose result differs.",
        "window(start, count) checks start and count each against len, but the slice covers start..start + count. A window that starts at len - 1 and has len slots passes both tests. The sum start + count can also overflow a usize.",
        "let end = start.checked_add(count).ok_or(ERANGE)?; then Err(ERANGE) when end > self.len(). Clippy's warnings name the unsafe blocks without // SAFETY: (len, window, drop) and the unsafe fn (from_raw) that needs a `/// # Safety` section in its docs.",
      },
      check = function(kb)
        local dir = "samples/kbridge/slots"
        local where = dir .. "/store.rs"
        -- clean, so Clippy lints every file even when nothing changed since the last build
        local b = kb.build(dir, { clean = true, vars = { CLIPPY = "1" } })
        if not kb.expect_build(b) then return end
        local warnings = {}
        local lines = {}
        for line in b.log:gmatch("[^\n]+") do lines[#lines + 1] = line end
        for i, line in ipairs(lines) do
          if line:match("^warning") and not line:match("^warning: %d+ warnings? emitted") then
            local at = lines[i + 1] and lines[i + 1]:match("%-%->%s*(%S+)") or "?"
            warnings[#warnings + 1] = (at:match("[^/]+$") or at) .. ": " .. line
          end
        end
        kb.expect(#warnings == 0,
          "Clippy has no warning: every unsafe block has a // SAFETY: comment, every unsafe fn a # Safety section", {
            seen = #warnings > 0 and table.concat(warnings, "\n") or nil,
            where = where,
            hint = "a `// SAFETY: why this is sound` line right above each unsafe block, and `/// # Safety` followed by the caller's obligations in the docs of each unsafe fn",
          })
        -- the warnings must be answered, not switched off
        local silenced, silenced_in
        for _, f in ipairs({ "store.rs", "slots_main.rs", "Kbuild" }) do
          local how = lint_switch(f, kb.read(dir .. "/" .. f) or "")
          if how and not silenced then silenced, silenced_in = f .. ": " .. how, dir .. "/" .. f end
        end
        kb.expect(silenced == nil, "the Clippy lints are answered, not allowed away", {
          seen = silenced, where = silenced_in or dir,
          hint = "no #[allow(...)] or #[expect(...)] naming clippy:: or unsafe lints, and no -A or --cap-lints flags in Kbuild: write the SAFETY comments instead (comments that mention Clippy are fine)",
        })
        local seed = math.random(1, 0x7fffffff)
        local ops = make_ops(math.random(8, 40))
        local list = {}
        for i, op in ipairs(ops) do list[i] = op_text(op) end
        local cmd = ("insmod /kb/mod/slots.ko seed=%d ops=%s"):format(seed, table.concat(list, ","))
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = { cmd, "dmesg | grep 'slots: '", "rmmod slots" },
        }
        kb.expect_exit(r, 1, 0)
        kb.expect_no_fault(r, {
          hint = "a panic from safe code (an overflowing addition, an index out of a slice) is still a fault: hostile arguments must give an Err",
        })
        local want = expected_lines(ops, seed)
        local seen = {}
        local out = r.run[2] and r.run[2].output or ""
        for line in out:gmatch("[^\n]+") do
          local l = line:gsub("^%[[^%]]*%]%s*", "")
          local body = l:match("^slots: (.*)$")
          if body and not body:find("out-of-tree", 1, true) then seen[#seen + 1] = body end
        end
        local bad
        for i = 1, math.max(#want, #seen) do
          if want[i] ~= seen[i] then bad = i; break end
        end
        local detail, hint
        if bad then
          hint = mismatch_hint(ops[bad] or { kind = "" }, want[bad], seen[bad])
          local which = bad <= #ops and ("call %d of %d (%s)"):format(bad, #ops, op_text(ops[bad])) or "after the last call"
          detail = ("%s: expected \"%s\", seen \"%s\""):format(which,
            want[bad] or "(nothing more)", seen[bad] or "(nothing: the driver stopped)")
          if bad > 1 then detail = detail .. "\n(the calls before it were right)" end
        end
        kb.expect(bad == nil,
          ("the driver's %d calls through the safe wrapper return what the table's rules say (-34 from get/set/window for slots that are not in the table, -22 from new for a bad length)"):format(#ops), {
            seen = detail,
            where = where,
            hint = hint,
          })
        kb.expect_exit(r, 3, 0)
      end,
    },
  },
}
