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

/// What the module keeps while it is loaded: the kernel holds this value between
/// `init` and `rmmod`, then drops it.
struct First {
    numbers: KVec<u64>,
}

impl kernel::Module for First {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // TODO-BEGIN: fill a KVec with the first 10 Fibonacci numbers (1, 1, 2, 3, ...), print "init: N numbers" and keep the vector in First
        let mut numbers = KVec::new();
        let (mut a, mut b) = (1u64, 1u64);
        for _ in 0..10 {
            numbers.push(a, GFP_KERNEL)?;
            (a, b) = (b, a + b);
        }
        pr_info!("init: {} numbers\n", numbers.len());
        Ok(First { numbers })
        // TODO-STARTER
        // pr_info!("init\n");
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
