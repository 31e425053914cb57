local MAGIC = 0x4448424b       -- kbhdr.h: KB_HDR_MAGIC, the bytes "KBHD"
local HDR_LEN = 16
local VERSION_MAX = 2

-- n bytes of the little-endian encoding of v
local function le(v, n)
  local t = {}
  for i = 1, n do
    t[i] = string.char(v & 0xff)
    v = v >> 8
  end
  return table.concat(t)
end

local function random_bytes(n)
  local t = {}
  for i = 1, n do t[i] = string.char(math.random(0, 255)) end
  return table.concat(t)
end

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

local function header(h)
  return le(h.magic, 4) .. le(h.version, 2) .. le(h.flags, 2) .. le(h.length, 4) .. le(h.checksum, 4)
end

-- a sound header, its payload (length bytes) and up to 4 bytes more after it
local function sound()
  local h = {
    magic = MAGIC, version = math.random(1, VERSION_MAX), flags = math.random(0, 0xffff),
    length = math.random(0, 24), checksum = math.random(0, 0xffffffff),
  }
  return h, random_bytes(h.length + math.random(0, 4))
end

-- What kb_hdr_parse must answer for a buffer, in kbhdr.h's order of checks.
local function expected(buf)
  if #buf < HDR_LEN then return -22 end                        -- EINVAL
  local magic, version, flags, length, checksum = string.unpack("<I4I2I2I4I4", buf)
  if magic ~= MAGIC then return -8 end                        -- ENOEXEC
  if version == 0 or version > VERSION_MAX then return -34 end  -- ERANGE
  if length > #buf - HDR_LEN then return -7 end                -- E2BIG
  return ("magic=%08x version=%d flags=%04x length=%d checksum=%08x"):format(
    magic, version, flags, length, checksum)
end

-- The buffers the check hands the module, in a random order: three sound ones and
-- one of each way to be wrong.
local function buffers()
  local list = {}
  for _ = 1, 3 do
    local h, payload = sound()
    list[#list + 1] = header(h) .. payload
  end
  do -- too short: the start of a sound header, cut inside it
    local h, payload = sound()
    list[#list + 1] = (header(h) .. payload):sub(1, math.random(1, HDR_LEN - 1))
  end
  do -- wrong magic: the bytes reversed (what a big-endian read of a sound one sees) or any other
    local h, payload = sound()
    if math.random(2) == 1 then
      h.magic = 0x4b424844
    else
      repeat h.magic = math.random(0, 0xffffffff) until h.magic ~= MAGIC
    end
    list[#list + 1] = header(h) .. payload
  end
  do -- a version this module does not know
    local h, payload = sound()
    h.version = math.random(2) == 1 and 0 or math.random(VERSION_MAX + 1, 0xffff)
    list[#list + 1] = header(h) .. payload
  end
  do -- length runs a little past the buffer
    local h, payload = sound()
    h.length = #payload + math.random(1, 40)
    list[#list + 1] = header(h) .. payload
  end
  do -- length near 4 GiB: HDR_LEN + length no longer fits in a u32
    local h, payload = sound()
    h.length = 0xffffffff - math.random(0, 14)
    list[#list + 1] = header(h) .. payload
  end
  for i = #list, 2, -1 do
    local j = math.random(1, i)
    list[i], list[j] = list[j], list[i]
  end
  return list
end

-- Text outside comments: the Rust file's code, for the rule about `unsafe`.
local function rust_code(src)
  src = src:gsub("/%*.-%*/", " ")
  src = src:gsub("//[^\n]*", "")
  return src
end

lesson {
  id = "zerocopy",
  title = "Bytes to structs without unsafe",
  summary = "Parse a binary header that C hands over as bytes, in safe Rust: read each little-endian field, check magic, version and length against the buffer, and return the fields or an errno.",
  history = {
    year = 2026,
    milestone = "Linux 7.2 takes in more than 40,000 lines of Rust, among them the Zerocopy library, to need less unsafe code",
    source = "An untitled bilingual (English/Chinese) news report, 2026, on the Rust changes headed for Linux 7.2, citing a Phoronix report; the copy the course was built from names no title, site, date or URL",
  },
  steps = {
    page { file = "intro.md", title = "Bytes to structs" },
    quiz {
      id = "frombytes",
      question = "What does Linux 6.12's kernel::types::FromBytes give a driver that holds a &[u8] from C?",
      choices = {
        "An unsafe marker trait promising that any bytes are a valid value; 6.12 has no safe &[u8]-to-value method",
        "A safe Header::from_bytes(&[u8]) -> Option<&Header> method",
        "Nothing: FromBytes first appears in Linux 7.2 with zerocopy",
      },
      answer = 1,
      explain = "In 6.12, FromBytes and AsBytes are empty unsafe traits. The one safe user is UserSliceReader::read::<T>(), which copies from user space. Zerocopy's FromBytes (7.2) adds the methods, such as ref_from_prefix and read_from_prefix.",
    },
    quiz {
      id = "guard",
      question = "kbhdr_main.c copies each buffer to the very end of a vmalloc'd page. Why?",
      choices = {
        "The next page is an unmapped guard page: code that reads even one byte past the buffer faults at once",
        "vmalloc memory is faster to read than kmalloc memory",
        "Rust slices must end on a page boundary",
      },
      answer = 1,
      explain = "A read past a kmalloc'd buffer usually returns whatever lies next to it and goes unnoticed. At the end of a vmalloc area, the same mistake is an oops the check sees.",
    },
    task {
      id = "parse",
      title = "Parse the header in safe Rust",
      goal = "In kbhdr_parse.rs, write parse(buf: &[u8]) -> Result<Header> without unsafe: read the five little-endian fields (kbhdr.h gives the offsets), and return EINVAL for a buffer shorter than 16 bytes, ENOEXEC for a wrong magic, ERANGE for a version outside 1..=2, E2BIG when length runs past the end of the buffer, in that order. The check loads kbhdr.ko with eight random buffers (sound, cut short, wrong magic, unknown version, length past the end, length near 4 GiB) and compares each line kbhdr prints with its own parse.",
      files = {
        "samples/kbridge/kbhdr/kbhdr_parse.rs",
        "samples/kbridge/kbhdr/kbhdr_ffi.rs",
        "samples/kbridge/kbhdr/kbhdr_main.c",
        "samples/kbridge/kbhdr/kbhdr.h",
        "samples/kbridge/kbhdr/Kbuild",
      },
      hints = {
        "The starter does not build: kbhdr_ffi.rs forbids unsafe code in kbhdr_parse.rs. Start from the slice: buf.split_first_chunk::<HDR_LEN>() gives Some((&[u8; 16], rest)) only when buf holds 16 bytes.",
        "le_u32(head, 0) is the magic, le_u16(head, 4) the version, le_u16(head, 6) the flags, le_u32(head, 8) the length, le_u32(head, 12) the checksum. Check magic, then version (0 is not a version).",
        "Compare length with rest.len() as usize (usize::try_from(length)? > rest.len() gives E2BIG): HDR_LEN as u32 + length overflows for a length near 4 GiB, and Rust's overflow check panics.",
      },
      -- the starter's unsafe read stops the build (kbhdr_ffi.rs forbids unsafe code): that
      -- refusal is what the task is about
      starter_build_fails = true,
      check = function(kb)
        local dir = "samples/kbridge/kbhdr"
        local where = dir .. "/kbhdr_parse.rs: parse()"
        local b = kb.build(dir)
        if not kb.expect_build(b, {
          hint = "\"usage of an `unsafe` block\" is kbhdr_ffi.rs's #[forbid(unsafe_code)] at work: read the fields with from_le_bytes instead",
        }) then return end

        local list = buffers()
        local args = {}
        for i, buf in ipairs(list) do args[i] = hex(buf) end
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/kbhdr.ko hdrs=" .. table.concat(args, ","),
            "dmesg | grep 'kbhdr: #'",
            "rmmod kbhdr",
          },
        }
        -- the hint follows what went wrong: a Rust panic (overflow check, index out of
        -- range) is not a fault on the guard page
        local excerpt = r.fault_excerpt or ""
        local fault_hint
        if r.fault == "rust-panic" and excerpt:find("with overflow", 1, true) then
          fault_hint = "Rust's overflow check panicked: a sum of u32 fields (HDR_LEN + length, with length near 4 GiB) does not fit; compare length with the bytes left instead of adding"
        elseif r.fault == "rust-panic" then
          fault_hint = "a Rust panic: indexing or slicing buf before checking that it holds 16 bytes panics (index out of range); take the header with split_first_chunk first"
        else
          fault_hint = "each buffer ends where an unmapped page begins: a read past its end (a raw pointer read before checking that buf holds 16 bytes) faults on that page"
        end
        kb.expect_no_fault(r, { hint = fault_hint })
        local ins = r.run[1] or {}
        kb.expect(ins.exit == 0, "insmod kbhdr.ko with " .. #list .. " buffers succeeds", {
          seen = ("exit status %s%s"):format(tostring(ins.exit),
            r.fault ~= "none" and " (killed by the oops or panic above)" or ("; it printed:\n" .. (ins.output or ""))),
          where = dir .. "/kbhdr_main.c: kbhdr_init()",
        })

        -- kbhdr's lines, exactly these and in this order
        local want, seen = {}, {}
        for i, buf in ipairs(list) do
          want[i] = ("kbhdr: #%d %d bytes -> %s"):format(i - 1, #buf, expected(buf))
        end
        seen = kb.lines(r.run[2] and r.run[2].output or "")
        local wrong = {}
        for i = 1, math.max(#want, #seen) do
          if want[i] ~= seen[i] then
            wrong[#wrong + 1] = ("  buffer  %s\n  wanted:  %s\n  printed: %s"):format(
              list[i] and hex(list[i]) or "?", want[i] or "(no line)", seen[i] or "(no line)")
          end
        end
        kb.expect(#wrong == 0, "kbhdr prints, for each of the " .. #list .. " buffers, the fields or the errno kbhdr.h asks for", {
          seen = #wrong > 0 and (#wrong .. " line(s) differ:\n" .. table.concat(wrong, "\n")) or nil,
          where = where,
          hint = "-22 EINVAL: shorter than 16 bytes; -8 ENOEXEC: magic; -34 ERANGE: version; -7 E2BIG: length past the end; the fields are little-endian",
        })
        kb.expect_exit(r, 3, 0, { expected = "rmmod kbhdr succeeds" })

        -- the rule of the lesson, also in the text: kbhdr_ffi.rs's #[forbid(unsafe_code)]
        -- holds only while that line stays, so the parser itself must not say unsafe
        local src = kb.read(dir .. "/kbhdr_parse.rs") or ""
        local code = rust_code(src)
        local at = code:find("%f[%w_]unsafe%f[^%w_]")
        kb.expect(at == nil, "kbhdr_parse.rs has no unsafe code", {
          seen = at and kb.find(code, "%f[%w_]unsafe%f[^%w_]", { pattern = true }) or nil,
          where = dir .. "/kbhdr_parse.rs",
          hint = "every field can be read with from_le_bytes from a checked slice",
        })
      end,
    },
  },
}
