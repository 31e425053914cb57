// SPDX-License-Identifier: GPL-2.0

//! first: a Rust module that owns memory from `init` until it is unloaded.

use kernel::prelude::*;

module! {
    type: First,
    name: "first",
    author: "kbridge",
    description: "A first Rust module: init, state, Drop",
    license: "GPL",
}

/// How many numbers `init` keeps: whoever builds the module chooses (Kbuild passes
/// `KB_FIRST_COUNT`: 10 unless `make CONFIG_KB_FIRST_COUNT=N` says otherwise, and the
/// check picks a new count each time). The compiler reads it: a constant like any other.
const COUNT: usize = parse_count(env!("KB_FIRST_COUNT"));

/// The decimal number in `s`, at compile time.
const fn parse_count(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    n
}

/// What the module keeps while it is loaded: the kernel holds this value between
/// `init` and `rmmod`, then drops it.
struct First {
    numbers: KVec<u64>,
}

impl kernel::Module for First {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // TODO-BEGIN: fill a KVec with the first COUNT Fibonacci numbers (1, 1, 2, 3, ...), print "init: N numbers" and keep the vector in First
        let mut numbers = KVec::new();
        let (mut a, mut b) = (1u64, 1u64);
        for _ in 0..COUNT {
            numbers.push(a, GFP_KERNEL)?;
            (a, b) = (b, a + b);
        }
        pr_info!("init: {} numbers\n", numbers.len());
        Ok(First { numbers })
        // TODO-STARTER
        // pr_info!("init: {} numbers wanted\n", COUNT);
        // Ok(First { numbers: KVec::new() })
        // TODO-END
    }
}

impl Drop for First {
    fn drop(&mut self) {
        // TODO-BEGIN: on unload, print "exit: the numbers add up to SUM"
        let sum: u64 = self.numbers.iter().sum();
        pr_info!("exit: the numbers add up to {}\n", sum);
        // TODO-END
    }
}
