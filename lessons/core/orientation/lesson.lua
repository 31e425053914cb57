lesson {
  id = "orientation",
  title = "Orientation: the workspace, the check, the timeline",
  summary = "How a task is built, booted and judged, proved on a one-line change to a C module.",
  history = {
    year = 2019,
    milestone = "The course's timeline: Rust for Linux from 2019 to today",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "How this course works" },
    quiz {
      id = "verdict",
      question = "Where does a task's verdict come from?",
      choices = {
        "What the course kernel printed after building, booting and loading your module",
        "A comparison of your file with the reference solution",
        "The compiler's warnings alone",
      },
      answer = 1,
      explain = "kbridge builds your files with Kbuild, boots them in QEMU and judges the kernel's output: a different but correct solution passes.",
    },
    page { file = "task.md", title = "Your first check" },
    task {
      id = "greet",
      title = "Greet whoever `who` names",
      goal = "Make orientation.c print \"orientation: hello, NAME, ready to start\" when it is loaded, where NAME is the value of its `who` parameter.",
      files = {
        "samples/kbridge/orientation/orientation.c",
        "samples/kbridge/orientation/Kbuild",
      },
      hints = {
        "The pr_info() call in orientation_init() prints a fixed text; `who` is a `char *` set by insmod.",
        "Use %s in the format and pass who: pr_info(\"orientation: hello, %s, ready to start\\n\", who);",
      },
      check = function(kb)
        local dir = "samples/kbridge/orientation"
        local b = kb.build(dir)
        if not kb.expect_build(b) then return end
        local who = ("learner%d"):format(math.random(100, 999))
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/orientation.ko who=" .. who,
            "dmesg | grep 'orientation: hello'",
            "rmmod orientation",
          },
        }
        kb.expect_boot(r)
        kb.expect_exit(r, 1, 0, { expected = "insmod orientation.ko who=" .. who .. " succeeds" })
        kb.expect_no_fault(r)
        -- "(null)" where the name should be: the format has %s but nothing is passed for
        -- it, which is not the same mistake as a name written into the text
        local greeted = r.run[2] and r.run[2].output or ""
        local hint = "the name changes at every check: print the who parameter, not a fixed name"
        if greeted:find("hello, (null)", 1, true) or
           b.log:find("more '%' conversions than data arguments", 1, true) then
          hint = "\"(null)\" is what %s prints when no argument is passed for it: the format has %s, " ..
                 "but pr_info() gets nothing after it (the compiler warned \"more '%' conversions " ..
                 "than data arguments\"). Pass who after the format."
        end
        kb.expect_output(r, 2, "orientation: hello, " .. who .. ", ready to start", {
          expected = "on insmod, the log says \"orientation: hello, " .. who .. ", ready to start\"",
          where = dir .. "/orientation.c: orientation_init()",
          hint = hint,
        })
      end,
    },
  },
}
