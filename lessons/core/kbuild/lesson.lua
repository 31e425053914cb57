local SYMBOL = "SAMPLE_KBRIDGE_GREETER"

lesson {
  id = "kbuild",
  title = "Kconfig and Kbuild for a Rust sample",
  summary = "A Kconfig entry and a Makefile line that build a Rust file as a module; the check reads the built module's information in the guest.",
  history = {
    year = 2021,
    milestone = "The first Rust for Linux pull request (20 September 2021): Kbuild integration, built-in modules, the start of the kernel crate",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "The first pull request" },
    quiz {
      id = "objm",
      question = "The Makefile says obj-$(CONFIG_SAMPLE_KBRIDGE_GREETER) += greeter.o and the symbol is n. What is built?",
      choices = { "Nothing", "greeter.ko", "greeter.o, linked into the kernel" },
      answer = 1,
      explain = "With the symbol at n (or unset) the line names obj- (or obj-n), a list Kbuild never builds.",
    },
    task {
      id = "wire",
      title = "Wire greeter.rs into Kconfig and Kbuild",
      goal = "Add a tristate Kconfig entry SAMPLE_KBRIDGE_GREETER (depends on RUST, with a prompt and help text), make the Makefile build greeter.o only when that symbol is set, and give greeter.rs's module! the same description as the entry's prompt.",
      files = {
        "samples/kbridge/greeter/Kconfig",
        "samples/kbridge/greeter/Makefile",
        "samples/kbridge/greeter/greeter.rs",
      },
      hints = {
        "Kconfig: `config SAMPLE_KBRIDGE_GREETER`, then the lines `tristate \"PROMPT\"`, `depends on RUST`, `help` and the help text (indented, as the kernel's own files are).",
        "Makefile: obj-$(CONFIG_SAMPLE_KBRIDGE_GREETER) += greeter.o",
        "The check compares `modinfo -F description greeter.ko` with your prompt: copy the prompt into module!'s description: field.",
      },
      check = function(kb)
        local dir = "samples/kbridge/greeter"
        local kc = dir .. "/Kconfig"
        -- the kernel's own parser reads the entry (scripts/kconfig/conf), against the
        -- course kernel's configuration: what menuconfig would offer, however it is written
        local k, why = kb.kconfig(kc)
        if not kb.expect(k ~= nil and k.ok, "scripts/kconfig/conf reads " .. kc .. " without an error",
                         { seen = k and k.errors or why, where = kc }) then
          return
        end
        local e = k.symbols[SYMBOL]
        if not kb.expect(e ~= nil, "Kconfig offers an entry `config " .. SYMBOL .. "` (menuconfig would show it)", {
          seen = "conf lists no " .. SYMBOL .. ": the entry is missing, has no prompt, or depends on a symbol the course kernel does not set",
          where = kc,
          hint = "an entry needs `config " .. SYMBOL .. "` and a prompt (tristate \"...\") to be shown",
        }) then
          return
        end
        kb.expect(e.type == "tristate", "the entry is a tristate (y, m or n)",
                  { seen = "type: " .. tostring(e.type), where = e.defined_at or kc })
        local on_rust = e.depends ~= nil and (" " .. e.depends .. " "):match("[^%w_]RUST[^%w_]") ~= nil
        kb.expect(on_rust, "the entry depends on RUST",
                  { seen = e.depends and ("depends on " .. e.depends) or "no dependency", where = e.defined_at or kc })
        kb.expect(e.help ~= nil and e.help:match("%S") ~= nil, "the entry has a help text",
                  { seen = "no help text", where = e.defined_at or kc })

        -- without the symbol, nothing; with it at m, greeter.ko
        local off = kb.build(dir, { clean = true })
        kb.expect(#off.modules == 0, "without CONFIG_" .. SYMBOL .. " the Makefile builds nothing", {
          seen = #off.modules > 0 and ("built " .. table.concat(off.modules, ", ")) or off.errors,
          where = dir .. "/Makefile",
          hint = "obj-m builds always; obj-$(CONFIG_...) builds only when the symbol is y or m",
        })
        local b = kb.build(dir, { vars = { ["CONFIG_" .. SYMBOL] = "m" } })
        if not kb.expect_build(b, { expected = "with CONFIG_" .. SYMBOL .. "=m, Kbuild builds greeter.ko" }) then return end
        local r = kb.boot {
          modules = b, timeout = 30,
          run = {
            "d=/lib/modules/$(uname -r); mkdir -p $d && touch $d/modules.dep",
            "modinfo -F description /kb/mod/greeter.ko",
          },
        }
        kb.expect_boot(r)
        kb.expect_no_fault(r)
        kb.expect_output(r, 2, "^" .. e.prompt:gsub("%p", "%%%0") .. "%s*$", {
          pattern = true,
          expected = "modinfo greeter.ko shows the description \"" .. e.prompt .. "\" (the Kconfig prompt)",
          where = dir .. "/greeter.rs: module!",
        })
        kb.expect_log(r, "greeter: hello from a Kbuild-wired Rust module")
      end,
    },
  },
}
