-- Both tasks load their module with samples the check picks at random and compare
-- the printed counts with what Lua computes: only code that counts right passes,
-- and UBSAN's report or a Rust panic fails the check. The C module also keeps a guard
-- word right after counts[], set to a value the check picks at random: a write one
-- past the end (which clang 14's UBSAN lets through for counts[v]++) changes it.
local NBUCKETS = 4

local function random_samples()
  local s = {}
  for i = 1, 6 do
    s[i] = math.random(-2, 7)
  end
  -- always one below the first bucket, exactly NBUCKETS (one past the end), one further
  -- past it and one in range, at random places: a fix that forgets either side, or
  -- lets NBUCKETS through, cannot pass by luck
  table.insert(s, math.random(1, #s + 1), math.random(-2, -1))
  table.insert(s, math.random(1, #s + 1), NBUCKETS)
  table.insert(s, math.random(1, #s + 1), math.random(NBUCKETS, 7))
  table.insert(s, math.random(1, #s + 1), math.random(0, NBUCKETS - 1))
  return s
end

local function expected_counts(prefix, s)
  local c, rejected = { 0, 0, 0, 0 }, 0
  for _, v in ipairs(s) do
    if v >= 0 and v <= 3 then c[v + 1] = c[v + 1] + 1 else rejected = rejected + 1 end
  end
  return ("%s: 0:%d 1:%d 2:%d 3:%d rejected:%d"):format(prefix, c[1], c[2], c[3], c[4], rejected)
end

local function check_hist(kb, dir, name, where, guarded)
  local b = kb.build(dir)
  if not kb.expect_build(b) then return end
  local s = random_samples()
  local list = table.concat(s, ",")
  local args = "samples=" .. list
  local guard = math.random(1000, 999999)
  if guarded then args = args .. " guard=" .. guard end
  local r = kb.boot {
    modules = b, insmod = false, rmmod = false, timeout = 30,
    run = { "insmod /kb/mod/" .. name .. ".ko " .. args, "rmmod " .. name },
  }
  kb.expect_exit(r, 1, 0, { expected = "insmod " .. name .. ".ko " .. args .. " succeeds" })
  kb.expect_no_fault(r, {
    warnings = true,
    hint = "UBSAN's report or a Rust panic names the file and line of the access that went out of bounds",
  })
  local want = expected_counts(name, s)
  kb.expect_log(r, want, {
    expected = "for samples=" .. list .. " the module prints \"" .. want .. "\"",
    where = where,
  })
  if guarded then
    local line, seen = name .. ": guard after counts[]: " .. guard, nil
    for _, l in ipairs(kb.lines(r.log)) do
      if l:find(name .. ": guard after counts[]:", 1, true) then seen = l end
    end
    kb.expect(seen == line, "the guard after counts[] still holds " .. guard ..
                            " (nothing wrote to counts[" .. NBUCKETS .. "], one past the end)", {
      seen = seen or "no line \"" .. name .. ": guard after counts[]: ...\" in the kernel log",
      where = where,
      hint = "a sample of exactly " .. NBUCKETS .. " must be rejected too: counts[" .. NBUCKETS ..
             "] is one past the end, and the guard is what lives there",
    })
  end
end

lesson {
  id = "memory-safety",
  title = "Why memory safety",
  summary = "An out-of-bounds write in C that UBSAN catches, fixed; then the same logic in Rust, where the bounds check is the language's.",
  history = {
    year = 2019,
    milestone = "Linux Security Summit: about two thirds of kernel vulnerabilities come from memory-safety bugs",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "Two thirds of the holes" },
    quiz {
      id = "ubsan",
      question = "UBSAN reports \"index 7 is out of range for type 'unsigned int[4]'\" and the kernel goes on; the module's guard line still shows the value it was given. What happened to the write?",
      choices = {
        "It was done, at counts[7]: 12 bytes past the guard, outside the struct",
        "UBSAN blocked it; memory is unchanged",
        "It changed the guard, the word right after counts[]",
      },
      answer = 1,
      explain = "UBSAN only reports: the store still happens, 4 bytes per index from counts[0]. Index 4 is the guard; index 7 is 12 bytes further, in memory the module never prints, so the guard line shows nothing. That silent corruption is what attackers use.",
    },
    task {
      id = "c-fix",
      title = "Fix the C histogram",
      goal = "In hist.c, count a sample with no bucket (below 0, or 4 and above) as rejected instead of writing past hist.counts[]. The check loads hist.ko with random samples and a random guard value: no UBSAN report, the right counts, and the guard after counts[] unchanged.",
      files = { "samples/kbridge/hist/hist.c", "samples/kbridge/hist/Kbuild" },
      hints = {
        "Run `kbridge check memory-safety/c-fix` on the starter first: the UBSAN report names hist.c and the line of hist.counts[v]++.",
        "Before counts[v]++, test the range: valid buckets are 0 to NBUCKETS - 1; v is an int and can be negative.",
        "if (v < 0 || v >= NBUCKETS) { rejected++; continue; }",
      },
      check = function(kb)
        check_hist(kb, "samples/kbridge/hist", "hist", "samples/kbridge/hist/hist.c: hist_count()", true)
      end,
    },
    page { file = "rust.md", title = "The same logic in Rust" },
    quiz {
      id = "panic",
      question = "count.rs does counts[v as usize] += 1 and v is 4. What happens in the kernel?",
      choices = {
        "A Rust panic: an oops naming count.rs, and insmod is killed",
        "The write lands next to the array, like in C",
        "The compiler refuses the code",
      },
      answer = 1,
      explain = "Indexing a slice checks the bound at run time. The memory is safe, but a panic in the kernel is still an oops: bad input should be handled, not panicked on.",
    },
    task {
      id = "rust-get",
      title = "Count in Rust without panicking",
      goal = "In count.rs, make count() reject a sample with no bucket so that hist_rs.ko never panics and prints the right counts for random samples. One way: counts.get_mut(), which gives None for an index with no bucket.",
      files = {
        "samples/kbridge/hist_rs/count.rs",
        "samples/kbridge/hist_rs/glue.c",
        "samples/kbridge/hist_rs/Kbuild",
      },
      hints = {
        "The starter panics: `index out of bounds: the len is 4 but the index is 4` at count.rs.",
        "usize::try_from(v).ok() turns a negative v into None; .and_then(|i| counts.get_mut(i)) gives None past the end.",
        "match ... { Some(slot) => *slot += 1, None => rejected += 1 }",
      },
      check = function(kb)
        check_hist(kb, "samples/kbridge/hist_rs", "hist_rs", "samples/kbridge/hist_rs/count.rs: count()")
      end,
    },
  },
}
