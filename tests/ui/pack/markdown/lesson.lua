lesson {
  id = "markdown",
  title = "Reading a lesson page",
  summary = "Every Markdown element a lesson page uses.",
  history = { year = 2022, milestone = "Linux 6.1: Rust support merged", source = "LWN, 2022" },
  steps = {
    page { file = "page.md", title = "Markdown in the terminal" },
    quiz {
      id = "one",
      question = "Which release merged Rust support?",
      choices = { "Linux 5.19", "Linux 6.1", "Linux 6.12" },
      answer = 2,
      explain = "Rust support was merged for **Linux 6.1** (December 2022).",
    },
    quiz {
      id = "many",
      question = "Which of these are Rust keywords?",
      choices = { "fn", "func", "impl", "def" },
      answer = { 1, 3 },
      explain = "`fn` declares a function, `impl` an implementation block.",
    },
  },
}
