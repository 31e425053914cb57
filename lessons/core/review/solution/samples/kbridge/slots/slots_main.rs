// SPDX-License-Identifier: GPL-2.0

//! slots: a test driver for the safe wrapper in store.rs. It runs the calls
//! listed in the `ops` parameter (driver_params.c) and prints each result.
//! It is safe Rust only, apart from reading its own parameters: if one of
//! its calls reads outside a table, the fault is the wrapper's.

use kernel::ffi::c_char;
use kernel::prelude::*;

pub mod store;

use store::Slots;

module! {
    type: SlotsDriver,
    name: "slots",
    author: "kbridge",
    description: "A safe wrapper over a C table, called with hostile arguments",
    license: "GPL",
}

extern "C" {
    fn kb_driver_ops() -> *const c_char;
    fn kb_driver_seed() -> u32;
}

/// The next `:`-separated number of an op, or `EINVAL`.
fn arg<'a>(parts: &mut impl Iterator<Item = &'a str>) -> Result<usize> {
    parts.next().and_then(|p| p.parse().ok()).ok_or(EINVAL)
}

/// `Ok` values as they are, errors as their negative errno.
fn show(r: Result<u64>) -> i64 {
    match r {
        Ok(v) => v as i64,
        Err(e) => e.to_errno().into(),
    }
}

fn run(op: &str, table: &mut Option<Slots>, seed: u32) -> Result {
    let mut parts = op.split(':');
    match parts.next() {
        Some("n") => {
            let len = arg(&mut parts)?;
            *table = None;
            match Slots::new(len) {
                Ok(mut t) => {
                    for i in 0..t.len() {
                        t.set(i, seed.wrapping_mul(i as u32 + 1))?;
                    }
                    pr_info!("new({}) = ok\n", len);
                    *table = Some(t);
                }
                Err(e) => pr_info!("new({}) = {}\n", len, e.to_errno()),
            }
        }
        Some("g") => {
            let i = arg(&mut parts)?;
            let t = table.as_ref().ok_or(EINVAL)?;
            pr_info!("get({}) = {}\n", i, show(t.get(i).map(u64::from)));
        }
        Some("s") => {
            let i = arg(&mut parts)?;
            let v = u32::try_from(arg(&mut parts)?).map_err(|_| EINVAL)?;
            let t = table.as_mut().ok_or(EINVAL)?;
            pr_info!("set({}) = {}\n", i, show(t.set(i, v).map(|()| 0)));
        }
        Some("w") => {
            let start = arg(&mut parts)?;
            let count = arg(&mut parts)?;
            let t = table.as_ref().ok_or(EINVAL)?;
            match t.window(start, count) {
                Ok(w) => {
                    let sum: u64 = w.iter().map(|&v| u64::from(v)).sum();
                    pr_info!("window({},{}) = {} slots, sum {}\n", start, count, w.len(), sum);
                }
                Err(e) => pr_info!("window({},{}) = {}\n", start, count, e.to_errno()),
            }
        }
        _ => return Err(EINVAL),
    }
    Ok(())
}

struct SlotsDriver;

impl kernel::Module for SlotsDriver {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: kb_driver_ops returns the `ops` parameter: a NUL-terminated
        // string that stays unchanged while the module is loaded.
        let ops = unsafe { CStr::from_char_ptr(kb_driver_ops()) };
        // SAFETY: kb_driver_seed only reads an integer parameter.
        let seed = unsafe { kb_driver_seed() };
        let ops = ops.to_str().map_err(|_| EINVAL)?;
        let mut table = None;
        for op in ops.split(',').filter(|op| !op.is_empty()) {
            if run(op, &mut table, seed).is_err() {
                pr_err!("bad op '{}'\n", op);
                return Err(EINVAL);
            }
        }
        pr_info!("done\n");
        Ok(SlotsDriver)
    }
}
