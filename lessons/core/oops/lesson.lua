-- n distinct keys in 2..9999, in a random order (so a probe below them all exists)
local function random_keys(n)
  local keys, used = {}, {}
  while #keys < n do
    local k = math.random(2, 9999)
    if not used[k] then
      used[k] = true
      keys[#keys + 1] = k
    end
  end
  return keys, used
end

-- keys absent from the table: one below the smallest, one above the largest, one
-- between two neighbours (when there is room), in a random order
local function random_probes(sorted, used)
  local probes = {}
  probes[#probes + 1] = math.random(0, sorted[1] - 1)
  probes[#probes + 1] = sorted[#sorted] + math.random(1, 500)
  for _ = 1, 20 do
    local i = math.random(1, #sorted - 1)
    if sorted[i + 1] - sorted[i] > 1 then
      probes[#probes + 1] = math.random(sorted[i] + 1, sorted[i + 1] - 1)
      break
    end
  end
  for i = #probes, 2, -1 do
    local j = math.random(1, i)
    probes[i], probes[j] = probes[j], probes[i]
  end
  for _, p in ipairs(probes) do assert(not used[p]) end
  return probes
end

lesson {
  id = "oops",
  title = "Reading an oops across C and Rust",
  summary = "A module whose C half crashes on a pointer its Rust half returned: read the oops, decoded to file and line, follow the pointer back to where it came from, and fix the cause.",
  history = {
    year = 2024,
    milestone = "Linux Plumbers 2024: maintainers who know C but not Rust say they cannot review or debug the Rust code that calls into their subsystems",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "Reading an oops" },
    quiz {
      id = "address",
      question = "An oops begins \"BUG: kernel NULL pointer dereference, address: 0000000000000010\". What does the 0x10 most likely tell you?",
      choices = {
        "Code read a field at offset 16 of a struct through a pointer that was NULL",
        "The 16th call of the function failed",
        "The module was loaded at address 0x10",
      },
      answer = 1,
      explain = "A NULL pointer plus the field's offset gives a tiny address. Find which struct has a field at that offset in the function RIP names.",
    },
    quiz {
      id = "rip",
      question = "In \"RIP: 0010:demo_read+0x1c/0x40 [demo]\", what is 0x1c/0x40?",
      choices = {
        "The faulting instruction is 0x1c bytes into demo_read, which is 0x40 bytes long",
        "Line 0x1c of a file 0x40 lines long",
        "The error code and the CPU number",
      },
      answer = 1,
      explain = "Symbol+offset/size. With debug information, faddr2line (or kbridge's decoder) turns it into file:line.",
    },
    quiz {
      id = "question",
      question = "In a call trace, what does a \"?\" before a frame mean?",
      choices = {
        "The unwinder found that return address on the stack but cannot vouch that it belongs to the current call chain",
        "The function was written in Rust",
        "The frame is in a module without debug information",
      },
      answer = 1,
      explain = "Frames without \"?\" are reliable; \"?\" ones are leftovers the unwinder saw on the stack. Often they are right, as here, but read them as hints.",
    },
    task {
      id = "fix",
      title = "Read the oops and fix its cause",
      goal = "kbfind.ko oopses when it is loaded. Run the check, read the oops it shows (each frame of the module is decoded to file:line), follow the bad pointer back to where it was made, and fix the cause there. The module must then print, for every key given, its value and its slot in the sorted table, and report probes that are not in the table as absent. The check loads kbfind.ko with random keys, values and probes.",
      files = {
        "samples/kbridge/kbfind/kbfind_core.rs",
        "samples/kbridge/kbfind/kbfind_main.c",
        "samples/kbridge/kbfind/kbfind.h",
        "samples/kbridge/kbfind/Kbuild",
      },
      hints = {
        "The RIP line and the `at ...kbfind_main.c:LINE` under it name the line that used a NULL pointer; the address (0x4) is the offset of `value` in struct kb_item. Which call gave C that pointer?",
        "kb_find returned NULL for a key that is in the table. Which key? Compare the keys printed before the oops with the keys given: it is always the largest one, the last item of the sorted table.",
        "In find() (kbfind_core.rs), the loop searches items[lo..hi], hi excluded: starting with hi = items.len() - 1 leaves the last item out. A NULL check in C would stop the oops but print the key as missing.",
      },
      check = function(kb)
        local dir = "samples/kbridge/kbfind"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end

        local n = math.random(5, 10)
        local keys, used = random_keys(n)
        local vals = {}
        for i = 1, n do vals[i] = math.random(0, 99999) end
        local sorted = {}
        for i, k in ipairs(keys) do sorted[i] = k end
        table.sort(sorted)
        local slot = {}
        for i, k in ipairs(sorted) do slot[k] = i - 1 end
        local probes = random_probes(sorted, used)

        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            ("insmod /kb/mod/kbfind.ko keys=%s vals=%s probes=%s"):format(
              table.concat(keys, ","), table.concat(vals, ","), table.concat(probes, ",")),
            "dmesg | grep -E 'kbfind: ([0-9]|probe )'",
            "rmmod kbfind",
          },
        }
        -- the oops as the learner needs it: decoded to file:line (fault_brief), and
        -- where = the first decoded frame
        kb.expect_no_fault(r, {
          hint = "the first line says what went wrong, the first `at` line where; the bad pointer or number was made earlier: find which call made it, for which input, and why",
        })
        local ins = r.run[1] or {}
        kb.expect(ins.exit == 0, "insmod kbfind.ko with " .. n .. " keys and " .. #probes .. " probes succeeds", {
          seen = ("exit status %s%s"):format(tostring(ins.exit),
            r.fault ~= "none" and " (killed by the fault above)" or ("; it printed:\n" .. (ins.output or ""))),
          where = dir .. "/kbfind_main.c: kbfind_init()",
        })

        -- kbfind's lines, exactly these and in this order
        local want, seen = {}, {}
        for i, k in ipairs(keys) do
          want[#want + 1] = ("kbfind: %d -> %d (slot %d)"):format(k, vals[i], slot[k])
        end
        for _, p in ipairs(probes) do
          want[#want + 1] = ("kbfind: probe %d absent"):format(p)
        end
        -- the lines grep kept: the kernel's own console lines (a clocksource switch
        -- printed while the command ran) share the serial console with its output
        for _, l in ipairs(kb.lines(r.run[2] and r.run[2].output or "")) do
          if l:find("^kbfind: [0-9]") or l:find("^kbfind: probe ") then
            seen[#seen + 1] = l
          end
        end
        local wrong = {}
        for i = 1, math.max(#want, #seen) do
          if want[i] ~= seen[i] then
            wrong[#wrong + 1] = ("  wanted:  %s\n  printed: %s"):format(want[i] or "(no line)", seen[i] or "(no line)")
          end
        end
        -- where to look, without naming the culprit: the lesson is to find it from
        -- the oops (kbridge hint has the strong hints)
        local crashed = r.fault ~= nil and r.fault ~= "none" and r.fault ~= "warning"
        local where, hint
        if r.fault == "rust-panic" then
          where = "the decoded panic above: the Rust line it names, then the values that reached that line"
          hint = "a Rust panic says where and why it stopped (an index out of range, an overflow): work out which values reach that line for these keys, and for which key it happens"
        elseif crashed then
          where = "the decoded oops above: the line that used the pointer, then where that pointer came from"
          hint = "read the decoded oops: its first `at` line is where C used a bad pointer. Which call gave C that pointer, and for which key (the printed lines stop just before it)? Fix it where the pointer was made, not where it was used"
        else
          where = "the first line that differs above, then where C got its answer for that key"
          hint = "every key of keys= is in the table, so a key printed as missing, or with a wrong value or slot, is a wrong answer, not a missing key. Checking the answer where it is used stops a crash but not the wrong answer: follow it back to where it was made"
        end
        kb.expect(#wrong == 0, "kbfind finds every key given (value and slot in the sorted table) and reports the " .. #probes .. " probes as absent", {
          seen = #wrong > 0 and (("keys=%s vals=%s probes=%s\nkbfind printed %d line(s):\n%s\n%d line(s) differ:\n%s"):format(
            table.concat(keys, ","), table.concat(vals, ","), table.concat(probes, ","),
            #seen, #seen > 0 and table.concat(seen, "\n") or "(none)", #wrong, table.concat(wrong, "\n"))) or nil,
          where = where, hint = hint,
        })
        kb.expect_exit(r, 3, 0)
      end,
    },
  },
}
