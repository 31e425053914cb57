-- The Kconfig entry SAMPLE_KBRIDGE_GREETER, read from the learner's Kconfig: its
-- type, prompt, dependencies and help text. Returns a table or nil, why.
local function kconfig_entry(text, symbol)
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  for i, line in ipairs(lines) do
    if line:match("^%s*config%s+" .. symbol .. "%s*$") then
      local e = { depends = {}, help = 0 }
      local j, in_help = i + 1, false
      while j <= #lines do
        local l = lines[j]
        if l:match("^%S") and not l:match("^#") then break end   -- the next top-level keyword
        local body = l:match("^%s+(.*)$") or ""
        if in_help then
          if body:match("%S") then e.help = e.help + 1 end
        elseif body:match("^help%s*$") or body:match("^%-%-%-help%-%-%-%s*$") then
          in_help = true
        else
          local t, prompt = body:match('^(%a+)%s+"([^"]*)"')
          if t == "tristate" or t == "bool" or t == "prompt" then
            if t ~= "prompt" then e.type = t end
            e.prompt = prompt
          elseif body:match("^tristate%s*$") or body:match("^bool%s*$") then
            e.type = body:match("^(%a+)")
          end
          local dep = body:match("^depends%s+on%s+(.*)$")
          if dep then e.depends[#e.depends + 1] = dep end
        end
        j = j + 1
      end
      return e
    end
  end
  return nil, "no line `config " .. symbol .. "` in the Kconfig file"
end

local SYMBOL = "SAMPLE_KBRIDGE_GREETER"

lesson {
  id = "kbuild",
  title = "2021: Kconfig and Kbuild for a Rust sample",
  summary = "A Kconfig entry and a Makefile line that build a Rust file as a module; the check reads the built module's information in the guest.",
  history = {
    year = 2021,
    milestone = "The first Rust for Linux pull request (20 September 2021): Kbuild integration, built-in modules, the start of the kernel crate",
    source = "Steven J. Vaughan-Nichols, \"Rust Goes Mainstream in the Linux Kernel\", The New Stack, December 2025, https://thenewstack.io/rust-goes-mainstream-in-the-linux-kernel/",
  },
  steps = {
    page { file = "intro.md", title = "2021: the first pull request" },
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
        "Kconfig: `config SAMPLE_KBRIDGE_GREETER`, then indented lines `tristate \"PROMPT\"`, `depends on RUST`, `help` and an indented text.",
        "Makefile: obj-$(CONFIG_SAMPLE_KBRIDGE_GREETER) += greeter.o",
        "The check compares `modinfo -F description greeter.ko` with your prompt: copy the prompt into module!'s description: field.",
      },
      check = function(kb)
        local dir = "samples/kbridge/greeter"
        local text, why = kb.read(dir .. "/Kconfig")
        local e, ewhy = nil, why
        if text then e, ewhy = kconfig_entry(text, SYMBOL) end
        local kc = dir .. "/Kconfig"
        if not kb.expect(e ~= nil, "Kconfig has an entry `config " .. SYMBOL .. "`", { seen = ewhy, where = kc }) then
          return
        end
        kb.expect(e.type == "tristate", "the entry is a tristate (y, m or n)",
                  { seen = "type: " .. tostring(e.type), where = kc })
        kb.expect(e.prompt ~= nil and e.prompt:match("%S") ~= nil, "the entry has a prompt (tristate \"...\")",
                  { seen = "no prompt: menuconfig would not show the entry", where = kc })
        local on_rust = false
        for _, d in ipairs(e.depends) do
          if (" " .. d .. " "):match("[^%w_]RUST[^%w_]") then on_rust = true end
        end
        kb.expect(on_rust, "the entry depends on RUST",
                  { seen = #e.depends > 0 and ("depends on " .. table.concat(e.depends, " && ")) or "no `depends on` line", where = kc })
        kb.expect(e.help > 0, "the entry has a help text", { seen = "no help text", where = kc })

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
