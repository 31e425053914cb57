lesson {
  id = "first-module",
  title = "Linux 6.1 and the first Rust module",
  summary = "module!, init, state kept while loaded, Drop at rmmod, pr_info!.",
  history = {
    year = 2022,
    milestone = "Linux 6.1 merges Rust support; NVMe, Android's Binder and the Asahi Apple GPU driver follow",
    source = "\"Rust for Linux 项目下一步发展计划\", Solidot, 2022-10-26, https://www.solidot.org/story?sid=73165",
  },
  steps = {
    page { file = "intro.md", title = "Linux 6.1" },
    quiz {
      id = "drop",
      question = "In a 6.12 Rust module, what runs when you rmmod it?",
      choices = {
        "Drop of the value init returned",
        "A function named exit() that module! looks for",
        "Nothing: Rust modules cannot be unloaded",
      },
      answer = 1,
      explain = "module! keeps the value init returned and drops it at unload: its Drop impl is the exit path.",
    },
    quiz {
      id = "params",
      question = "Can a Rust-only module declare a module parameter with 6.12's module! macro?",
      choices = { "No: 6.12's module! has no params key", "Yes, with params: { ... }", "Yes, with #[module_param]" },
      answer = 1,
      explain = "rust/macros/module.rs in 6.12 accepts type, name, author, description, license, alias and firmware only.",
    },
    task {
      id = "lifetime",
      title = "Keep data from init to rmmod",
      goal = "In first.rs, make init store the first COUNT Fibonacci numbers (1, 1, 2, 3, 5, ...) in a KVec kept in First and print \"init: COUNT numbers\"; make Drop print \"exit: the numbers add up to SUM\" from the numbers it holds. COUNT is a constant the builder chooses (10 by default): the check builds the module with a new count each time.",
      files = { "samples/kbridge/first/first.rs", "samples/kbridge/first/Kbuild" },
      hints = {
        "KVec::new(), then numbers.push(x, GFP_KERNEL)? COUNT times; pr_info! adds the \"first: \" prefix itself.",
        "Store the vector in the struct you return: Ok(First { numbers }).",
        "In Drop: let sum: u64 = self.numbers.iter().sum(); (for COUNT = 10: 1+1+2+3+5+8+13+21+34+55 = 143)",
      },
      check = function(kb)
        local dir = "samples/kbridge/first"
        -- a new COUNT for every check: what the module prints depends on it, so no fixed
        -- text passes. clean: the count reaches rustc through the environment, which
        -- Kbuild does not track
        local count = math.random(11, 80)
        local fib, sum = { 1, 1 }, 0
        for i = 3, count do fib[i] = fib[i - 1] + fib[i - 2] end
        for i = 1, count do sum = sum + fib[i] end
        local b = kb.build(dir, { clean = true, vars = { CONFIG_KB_FIRST_COUNT = tostring(count) } })
        if not kb.expect_build(b) then return end
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/first.ko",
            "dmesg | grep 'first: '",
            "rmmod first",
            "dmesg | grep 'first: '",
          },
        }
        kb.expect_exit(r, 1, 0, { expected = "insmod first.ko succeeds" })
        kb.expect_exit(r, 3, 0, { expected = "rmmod first succeeds" })
        kb.expect_no_fault(r)
        local where_init = dir .. "/first.rs: init"
        local where_drop = dir .. "/first.rs: Drop"
        local init = ("first: init: %d numbers"):format(count)
        kb.expect_output(r, 2, init, { expected = ("built with COUNT = %d, after insmod: \"%s\""):format(count, init),
                                       where = where_init })
        kb.expect_output(r, 2, "first: exit", {
          absent = true,
          expected = "nothing says \"exit\" while the module is still loaded",
          where = where_drop,
          hint = "the exit message belongs in Drop, which runs at rmmod",
        })
        local exit = ("first: exit: the numbers add up to %d"):format(sum)
        kb.expect_output(r, 4, exit, {
          expected = ("after rmmod: \"%s\" (the first %d Fibonacci numbers)"):format(exit, count),
          where = where_drop,
        })
      end,
    },
  },
}
