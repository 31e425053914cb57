-- kbridge's built-in course: how Rust and C meet inside the Linux kernel, following
-- the history of Rust for Linux, 2019 to 2026.
pack {
  name = "core",
  title = "Rust and C in the Linux kernel",
  version = "0.1",
  kernel = "6.12",
  description = "The history of Rust for Linux, one real kernel task at a time: memory safety, the ABI, Kbuild, module!, and calls across the C/Rust boundary both ways.",
  lessons = {
    "orientation",
    "memory-safety",
    "abi",
    "kbuild",
    "first-module",
    "c-from-rust",
    "rust-from-c",
    "errors",
    "review",
    "oops",
    "locks",
    "memory",
    "overhead",
    "zerocopy",
    "untrusted",
    "finale",
  },
}
