// SPDX-License-Identifier: GPL-2.0

//! greeter: a Rust sample wired into Kconfig and Kbuild.

use kernel::prelude::*;

module! {
    type: Greeter,
    name: "greeter",
    author: "kbridge",
    // TODO-BEGIN: the description is the prompt of your Kconfig entry, word for word
    description: "Greeter: a Rust sample wired into Kbuild",
    // TODO-STARTER
    // description: "TODO",
    // TODO-END
    license: "GPL",
}

struct Greeter;

impl kernel::Module for Greeter {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("hello from a Kbuild-wired Rust module\n");
        Ok(Greeter)
    }
}
