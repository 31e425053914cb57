lesson {
  id = "view",
  title = "The check view",
  summary = "A lesson of two tasks: the first passes, the second fails with long and repeated lines.",
  history = { year = 2024, milestone = "test", source = "test" },
  steps = {
    page { file = "intro.md", title = "Two tasks" },
    task {
      id = "first",
      title = "A task that passes",
      goal = "Nothing to do: view.c is in your tree.",
      files = { "samples/kbridge/view/view.c", "samples/kbridge/view/Kbuild" },
      hints = { "It passes as it is.", "Really." },
      check = function(kb)
        kb.expect(kb.exists("samples/kbridge/view/view.c"), "view.c is in your tree")
      end,
    },
    task {
      id = "second",
      title = "A module that refuses to load",
      goal = "Nothing to do either: view.ko refuses to load, on purpose.",
      files = { "samples/kbridge/view/view.c", "samples/kbridge/view/Kbuild" },
      hints = { "It fails as it is.", "Really." },
      check = function(kb)
        local b = kb.build("samples/kbridge/view")
        if not kb.expect_build(b) then return end
        -- the module's lines, then more than a screen of others: the log must open at the
        -- module's first line, not at its end
        local r = kb.boot {
          modules = b, insmod = false, rmmod = false, timeout = 30,
          run = {
            "insmod /kb/mod/view.ko",
            "i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo \"after the module: line $i\" > /dev/kmsg; done",
          },
        }
        local mine = {}
        for line in r.log:gmatch("[^\n]+") do
          if line:find("] view: ", 1, true) then mine[#mine + 1] = line end
        end
        kb.expect(false, "view.ko loads and says all is well", {
          seen = table.concat(mine, "\n"), where = "samples/kbridge/view/view.c",
          hint = "view.c refuses to load on purpose: this is how a refusal looks",
        })
      end,
    },
  },
}
