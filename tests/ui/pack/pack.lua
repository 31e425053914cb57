-- A pack for the shell's screen tests: one lesson with a rich Markdown page and two
-- quizzes, no task (so it needs no kernel).
pack {
  name = "ui",
  title = "Shell screens",
  version = "1.0",
  kernel = "6.12",
  lessons = { "markdown" },
}
