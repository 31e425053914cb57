-- The check writes requests to /dev/kbreq from the guest's shell and reads the
-- answers back: well-formed requests with random payloads, whose answers Lua computes,
-- and hostile ones of every kind (header cut short, a length byte past the end or
-- short of it, an unknown opcode, more bytes than the device takes), which must be
-- refused with the right errno, leave nothing to read and never fault the kernel.

local DEV = "/dev/kbreq"
local MAX_REQUEST = 257 -- kbreq_glue.c: an opcode, a length byte, 255 payload bytes

local concat, random_bytes, show = helpers.concat, helpers.random_bytes, helpers.show

local function letters(n)
  local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
  local t = {}
  for i = 1, n do
    local k = math.random(1, #alphabet)
    t[i] = alphabet:byte(k)
  end
  return t
end

-- the guest command: busybox's echo -e writes the request in one write(2); when the
-- write fails, the shell prints "sh: write error: <strerror>"
local function command(bytes)
  return "echo -ne '" .. helpers.octal(bytes) .. "' > " .. DEV .. "; echo rc=$?; cat " .. DEV
end

-- a well-formed request and the answer kbreq must give (without its newline)
local function good_request(len)
  if math.random(2) == 1 then
    local payload = random_bytes(len, 0, 255)
    local sum = 0
    for _, b in ipairs(payload) do sum = sum + b end
    return concat({ 1, len }, payload), tostring(sum)
  end
  local payload = letters(len)
  local rev = {}
  for i = #payload, 1, -1 do rev[#rev + 1] = string.char(payload[i]) end
  return concat({ 2, len }, payload), table.concat(rev)
end

-- what one command printed: the shell's write error (if any), the exit status of
-- the write, and what cat read afterwards
local function parse(out)
  out = out or ""
  local err = out:match("write error: ([^\n]*)")
  local rc = out:match("rc=(%d+)")
  local answer = out:match("rc=%d+\n(.*)$") or ""
  answer = answer:gsub("%s+$", "")
  return { err = err, rc = tonumber(rc), answer = answer, raw = out }
end

local function describe(p)
  if not p.rc then
    return "the writer never got an exit status: it died in the write (see the kernel log)"
  end
  if p.rc == 0 then
    return ("the write succeeded and cat read %q"):format(p.answer)
  end
  return ("the write failed (%s) and cat read %q"):format(p.err or "no error text", p.answer)
end

-- the hostile kinds: each makes requests that break exactly one rule
local function hostile_kinds()
  local op = function() return math.random(1, 2) end
  return {
    {
      name = "header",
      expected = "a request shorter than its 2-byte header (opcode, length) is refused with EINVAL",
      errno = "Invalid argument",
      make = function() return { op() } end,
      hint = "check that there are at least 2 bytes before reading bytes[0] and bytes[1]",
    },
    {
      name = "past",
      expected = "a length byte larger than the payload that follows is refused with EINVAL, without reading past the end",
      errno = "Invalid argument",
      make = function()
        local have = math.random(0, 12)
        return concat({ op(), have + math.random(1, 40) }, letters(have))
      end,
      hint = "the length byte is a claim of the sender: compare it with the number of bytes really there before slicing",
    },
    {
      name = "extra",
      expected = "a length byte smaller than the payload that follows is refused with EINVAL (no trailing bytes)",
      errno = "Invalid argument",
      make = function()
        local len = math.random(0, 12)
        return concat({ op(), len }, letters(len + math.random(1, 6)))
      end,
      hint = "the request must be exactly 2 + length bytes: too many is as wrong as too few",
    },
    {
      name = "opcode",
      expected = "an unknown opcode is refused with EOPNOTSUPP (Operation not supported)",
      errno = "Operation not supported",
      make = function()
        local bad = math.random(0, 1) == 0 and 0 or math.random(3, 255)
        local len = math.random(0, 12)
        return concat({ bad, len }, letters(len))
      end,
      hint = "only opcodes 1 and 2 exist: anything else is Err(eopnotsupp()), not a default operation",
    },
    {
      name = "oversized",
      expected = ("a write longer than %d bytes is refused with EMSGSIZE before any byte is copied"):format(MAX_REQUEST),
      errno = "Message too long",
      make = function()
        local n = math.random(MAX_REQUEST + 1, 600)
        return concat({ 1, 255 }, random_bytes(n - 2, 0, 255))
      end,
      hint = "kbreq_glue.c refuses count > sizeof(req) before copy_from_user: keep that test",
    },
  }
end

lesson {
  id = "untrusted",
  title = "Untrusted data, a type the compiler enforces",
  summary = "A misc device whose C half copies bytes from user space and whose Rust half cannot touch them before validate() turns them into a checked Request.",
  history = {
    year = 2026,
    milestone = "RustWeek 2026: Greg Kroah-Hartman presents a Rust type for untrusted data from user space and hardware",
    source = "\"Linux kernel Rust adoption: Benchmarks, challenges, and next steps\", allthe.news (undated, written after the December 2025 Maintainers Summit), https://allthe.news/ru/articles/linux-kernel-adopts-rust-as-permanent-core-language",
  },
  steps = {
    page { file = "intro.md", title = "Untrusted until validated" },
    quiz {
      id = "where",
      question = "answer() takes a &Request. Where in kbreq_core.rs can a Request be made?",
      choices = {
        "Only inside mod untrusted, because its fields are private: in practice only validate() makes one",
        "Anywhere in the crate, with Request { op, payload }",
        "Only in C, through kb_req_handle",
      },
      answer = 1,
      explain = "A struct literal needs every field to be visible. Outside mod untrusted they are not, so kb_req_handle can get a Request only from validate(): skipping the check is a compile error, not a code-review finding.",
    },
    quiz {
      id = "count",
      question = "Why does kbreq_write() test count > sizeof(req) before copy_from_user, when Rust checks the request anyway?",
      choices = {
        "count comes from user space too: copying more than the stack buffer holds would overwrite the kernel stack",
        "copy_from_user refuses counts over 256 by itself",
        "To make the write faster",
      },
      answer = 1,
      explain = "Validation starts at the boundary. The C half owns the copy, so it must bound it; the Rust half then judges what was copied.",
    },
    task {
      id = "validate",
      title = "Validate before use",
      goal = "In kbreq_core.rs, write Untrusted<&[u8]>::validate: return Err(EINVAL) for fewer than 2 bytes, Err(eopnotsupp()) for an opcode other than 1 or 2, Err(EINVAL) when the length byte is not the number of payload bytes that follow, and otherwise Ok(Request { op, payload }). The check writes random good and hostile requests to /dev/kbreq and reads the answers.",
      files = {
        "samples/kbridge/untrusted/kbreq_core.rs",
        "samples/kbridge/untrusted/kbreq_glue.c",
        "samples/kbridge/untrusted/Kbuild",
      },
      hints = {
        "The starter reads bytes[0], bytes[1] and bytes[2..2 + len] as if the sender were honest: a 1-byte write, or a length byte of 40 with 3 payload bytes, makes those index out of range and the Rust code panics inside the kernel.",
        "A slice pattern splits the header safely: let [op, len, payload @ ..] = bytes else { return Err(EINVAL); }; then match op { 1 => Op::Sum, 2 => Op::Reverse, _ => return Err(eopnotsupp()) }.",
        "Last, if payload.len() != usize::from(*len) { return Err(EINVAL); } and Ok(Request { op, payload }): the payload is then exactly the bytes the length byte announced.",
      },
      check = function(kb)
        local dir = "samples/kbridge/untrusted"
        local where = dir .. "/kbreq_core.rs: Untrusted::validate()"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end

        -- the requests, good and hostile, in a random order
        local reqs = {}
        for i = 1, 7 do
          local bytes, want = good_request(math.random(0, 24))
          reqs[#reqs + 1] = { bytes = bytes, want = want }
        end
        -- the largest request the device takes, and an empty payload
        local bytes, want = good_request(255)
        reqs[#reqs + 1] = { bytes = bytes, want = want }
        bytes, want = good_request(0)
        reqs[#reqs + 1] = { bytes = bytes, want = want }
        local kinds = hostile_kinds()
        for _, k in ipairs(kinds) do
          for _ = 1, 2 do reqs[#reqs + 1] = { bytes = k.make(), kind = k } end
        end
        for i = #reqs, 2, -1 do
          local j = math.random(1, i)
          reqs[i], reqs[j] = reqs[j], reqs[i]
        end
        local run = {}
        for i, q in ipairs(reqs) do run[i] = command(q.bytes) end

        local r = kb.boot { modules = b, run = run, rmmod = false, timeout = 40 }
        if not kb.expect_boot(r) then return end

        -- well-formed requests: the answer Lua computed
        local good_n, good_bad = 0, nil
        for i, q in ipairs(reqs) do
          if not q.kind then
            good_n = good_n + 1
            local p = parse(r.run[i] and r.run[i].output)
            if not good_bad and not (p.rc == 0 and p.answer == q.want) then
              good_bad = ("request %s: expected the write to succeed and cat to read %q; %s"):format(
                show(q.bytes), q.want, describe(p))
            end
          end
        end
        kb.expect(good_bad == nil,
          ("%d well-formed requests (SUM and REVERSE, random payloads) get their answers"):format(good_n), {
            seen = good_bad, where = where,
            hint = "a valid request must come out of validate() as it is: opcode 1 is SUM, 2 is REVERSE, payload = the bytes after the header",
          })

        -- hostile requests: refused with the right errno, nothing left to read
        for _, k in ipairs(kinds) do
          local bad
          for i, q in ipairs(reqs) do
            if q.kind == k and not bad then
              local p = parse(r.run[i] and r.run[i].output)
              if not (p.rc and p.rc ~= 0 and p.err == k.errno and p.answer == "") then
                bad = ("request %s: expected the write to fail with \"%s\" and nothing to read; %s"):format(
                  show(q.bytes), k.errno, describe(p))
              end
            end
          end
          kb.expect(bad == nil, k.expected, {
            seen = bad, where = k.name == "oversized" and dir .. "/kbreq_glue.c: kbreq_write()" or where,
            hint = k.hint,
          })
        end
        kb.expect_no_fault(r, {
          hint = "a Rust panic here is an index or a slice out of range: validate() must check before it indexes",
        })
      end,
    },
  },
}
