-- The check loads kberr.ko with a shuffled list of settings the check makes up at
-- random: every failure path (too long, malformed, out of range, and the two errnos
-- only C's helper knows) at least once, among settings that must be stored. It
-- computes, for each one, the value C must see and compares it with what C printed.

local RW_KEYS = { "speed", "depth", "level" }
local KNOWN = { speed = true, depth = true, level = true, version = true }

local function letters(n)
  local t = {}
  for i = 1, n do t[i] = string.char(math.random(97, 122)) end
  return table.concat(t)
end

local function digits(n)
  local t = { tostring(math.random(1, 9)) }
  for i = 2, n do t[i] = tostring(math.random(0, 9)) end
  return table.concat(t)
end

local function rw_key()
  return RW_KEYS[math.random(#RW_KEYS)]
end

local function unknown_key()
  local k
  repeat k = letters(math.random(3, 8)) until not KNOWN[k]
  return k
end

-- the failure paths, each with the sentence shown to the learner
local PATHS = {
  { id = "ok",
    text = "a valid setting of speed, depth or level is stored: C sees 0",
    hint = "a stored setting is Ok(()), which kb_rust_apply returns to C as 0" },
  { id = "e2big",
    text = "a setting longer than 24 bytes, with or without '=': C sees -E2BIG (-7)",
    hint = "the length is checked first, before looking for '='" },
  { id = "einval",
    text = "no '=', an empty key, or a value that is not all digits: C sees -EINVAL (-22)",
    hint = "a missing '=' or an empty key is Err(EINVAL) in apply(); parse_value already returns EINVAL for a bad value: pass it up with ?" },
  { id = "erange",
    text = "a value over 65535, even one too big for a u32: C sees -ERANGE (-34), and nothing panics",
    hint = "parse_value returns Err(ERANGE): pass it up with ? instead of replacing it" },
  { id = "enoent",
    text = "an unknown key: kb_c_store's -ENOENT (-2) reaches C unchanged",
    hint = "store() must keep C's errno: to_result(ret), not a fixed error of your own" },
  { id = "eacces",
    text = "the read-only key version: kb_c_store's -EACCES (-13) reaches C unchanged",
    hint = "store() must keep C's errno: to_result(ret), not a fixed error of your own" },
}

-- shown instead of a path's own hint when C sees the right errno with the wrong sign
local SIGN_HINT = "C sees the right errno with the wrong sign: e.to_errno() is already "
  .. "negative (-2 for ENOENT), so kb_rust_apply must return it as it is, not -e.to_errno()."

-- a shuffled list of settings, every path at least once; each is { cmd, path }
local function random_settings()
  local s = {
    { rw_key() .. "=" .. math.random(0, 65535), "ok" },
    { rw_key() .. "=" .. math.random(0, 65535), "ok" },
    { rw_key() .. "=" .. math.random(0, 999), "ok" },
    { rw_key() .. "=" .. digits(math.random(19, 24)), "e2big" },
    { letters(math.random(25, 30)), "e2big" },
    { letters(math.random(3, 10)), "einval" },
    { "=" .. math.random(1, 9999), "einval" },
    { rw_key() .. "=" .. (math.random(2) == 1 and "" or
        (math.random(1, 99) .. letters(1) .. math.random(0, 9))), "einval" },
    { rw_key() .. "=" .. math.random(65536, 4294967295), "erange" },
    { rw_key() .. "=" .. digits(math.random(11, 16)), "erange" },
    { unknown_key() .. "=" .. math.random(0, 65535), "enoent" },
    { "version=" .. math.random(0, 65535), "eacces" },
  }
  for i = #s, 2, -1 do
    local j = math.random(i)
    s[i], s[j] = s[j], s[i]
  end
  return s
end

-- the rules, in kberr.h's order: what C must see for cmd; table holds the values
local function expected_errno(cmd, table_)
  if #cmd > 24 then return -7 end
  local eq = cmd:find("=", 1, true)
  if not eq or eq == 1 then return -22 end
  local key, value = cmd:sub(1, eq - 1), cmd:sub(eq + 1)
  if value == "" or value:find("%D") then return -22 end
  local v = tonumber(value)
  if v > 65535 then return -34 end
  if key == "version" then return -13 end
  if table_[key] == nil then return -2 end
  table_[key] = math.tointeger(v)
  return 0
end

lesson {
  id = "errors",
  title = "Errors across the boundary: errno, Result and ?",
  summary = "C says what went wrong with a negative errno, Rust with Result<T, Error>: convert at the boundary with to_result and to_errno, and pass every distinct error up with ?.",
  history = {
    year = 2022,
    milestone = "Linux 6.1 merges the first Rust support: Rust code must answer C in C's terms",
    source = "\"Linux kernel Rust adoption: Benchmarks, challenges, and next steps\", allthe.news (undated, after the December 2025 Maintainers Summit), https://allthe.news/ru/articles/linux-kernel-adopts-rust-as-permanent-core-language",
  },
  steps = {
    page { file = "intro.md", title = "Errors across the boundary" },
    quiz {
      id = "to-errno",
      question = "In Rust, e is kernel::error::code::ENOENT. What does e.to_errno() return?",
      choices = { "2", "-2", "the text \"ENOENT\"" },
      answer = 2,
      explain = "An Error holds the kernel's negative errno; to_errno() gives it back as a c_int, ready to return to C. e.name() gives the text.",
    },
    quiz {
      id = "to-result",
      question = "A C helper returned ret = -16 (-EBUSY). Which Rust line passes exactly that error up to the caller?",
      choices = {
        "if ret < 0 { return Err(EINVAL); }",
        "let ret = Error::from_errno(16);",
        "to_result(ret)?;",
      },
      answer = 3,
      explain = "to_result turns a negative c_int into Err(Error) holding the same errno (and 0 or more into Ok(())); ? returns that Err from the function. The first loses EBUSY; the second passes a positive number, which from_errno refuses (it warns and gives EINVAL).",
    },
    task {
      id = "settings",
      title = "Give C the right errno for every failure",
      goal = "In kberr_core.rs: apply() checks a setting in this order — over 24 bytes: E2BIG; no '=' or an empty key: EINVAL; then parse_value(...)? and store(...)?; store() turns kb_c_store's negative errno into an Err with to_result; kb_rust_apply returns 0 or the error's own to_errno(). The check loads kberr.ko with random settings that go down every path and compares the errno C prints for each with its own.",
      files = {
        "samples/kbridge/errors/kberr_core.rs",
        "samples/kbridge/errors/kberr_glue.c",
        "samples/kbridge/errors/kberr.h",
        "samples/kbridge/errors/Kbuild",
      },
      hints = {
        "Run the check on the starter: every line C prints says -22, even for settings that are fine. Three places decide what C sees: apply(), store() and the match at the end of kb_rust_apply.",
        "store(): to_result(ret) is Ok(()) for 0 and Err holding ret for a negative ret. kb_rust_apply: Err(e) => e.to_errno(). apply(): cmd.iter().position(|&c| c == b'=').ok_or(EINVAL)? finds the '=' or returns EINVAL.",
        "apply(): if cmd.len() > KB_CMD_MAX { return Err(E2BIG); } then split at the '=', Err(EINVAL) for an empty key, let value = parse_value(value)?; store(key, value)?; Ok(()).",
      },
      check = function(kb)
        local dir = "samples/kbridge/errors"
        local where = dir .. "/kberr_core.rs"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end
        local settings = random_settings()
        local cmds = {}
        for i, s in ipairs(settings) do cmds[i] = s[1] end
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/kberr.ko cmds=" .. table.concat(cmds, ","),
            "dmesg | grep 'kberr: '",
            "rmmod kberr",
          },
        }
        kb.expect_exit(r, 1, 0, { expected = "insmod kberr.ko with " .. #cmds .. " settings succeeds" })
        kb.expect_no_fault(r, {
          where = where,
          hint = "a Rust panic here is usually arithmetic overflow or an index out of range: return an Err instead",
        })
        -- what C printed, in order: "kberr: CMD -> N"
        local seen = {}
        local out = r.run[2] and r.run[2].output or ""
        for line in out:gmatch("[^\n]+") do
          local cmd, n = line:match("kberr: (.-) %-> (%-?%d+)%s*$")
          if cmd then seen[#seen + 1] = { cmd = cmd, n = tonumber(n) } end
        end
        local state = { speed = 0, depth = 0, level = 0 }
        local bad, flipped, other = {}, {}, {}
        for _, p in ipairs(PATHS) do bad[p.id] = {} end
        for i, s in ipairs(settings) do
          local want = expected_errno(s[1], state)
          local got = seen[i]
          if not got or got.cmd ~= s[1] then
            table.insert(bad[s[2]], ("%s: C printed no result (expected %d)"):format(s[1], want))
            other[s[2]] = true
          elseif got.n ~= want then
            table.insert(bad[s[2]], ("%s: C sees %d, expected %d"):format(s[1], got.n, want))
            -- the right errno with its sign flipped: the mistake is in kb_rust_apply, not here
            if want ~= 0 and got.n == -want then flipped[s[2]] = true else other[s[2]] = true end
          end
        end
        for _, p in ipairs(PATHS) do
          local list = bad[p.id]
          local hint = p.hint
          if flipped[p.id] then
            hint = SIGN_HINT .. (other[p.id] and (" Then, for the other lines: " .. p.hint) or "")
          end
          kb.expect(#list == 0, p.text, {
            seen = #list > 0 and table.concat(list, "\n") or nil,
            where = flipped[p.id] and (where .. ": kb_rust_apply()") or where,
            hint = hint,
          })
        end
        local want_table = ("kberr: table speed=%d depth=%d level=%d version=3"):format(
          state.speed, state.depth, state.level)
        kb.expect_output(r, 2, want_table, {
          expected = "after the settings, C's table reads \"" .. want_table .. "\"",
          where = where,
          hint = "only the valid settings reach kb_c_store; the last one stored for a key wins",
        })
      end,
    },
  },
}
