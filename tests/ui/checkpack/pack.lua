-- A pack for the shell's check screens: one lesson of two tasks, the second checked by
-- building and booting a module that refuses to load and prints a line longer than the
-- screen (so it needs the course kernel and a workspace).
pack {
  name = "checkscreens",
  title = "Check screens",
  version = "1.0",
  kernel = "6.12",
  lessons = { "view" },
}
