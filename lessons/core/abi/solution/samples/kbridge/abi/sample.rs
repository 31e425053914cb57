// SPDX-License-Identifier: GPL-2.0

//! The Rust half of abi: the same struct as C's `struct kb_sample`.
//!
//! ```c
//! struct kb_sample {
//!     u8 kind;
//!     u32 value;
//!     u16 flags;
//!     u64 stamp;
//! };
//! ```

use core::mem::{offset_of, size_of};

// TODO-BEGIN: give KbSample C's layout: #[repr(C)] and the fields in C's order
/// A sample, laid out exactly like C's `struct kb_sample`.
#[repr(C)]
pub struct KbSample {
    kind: u8,
    value: u32,
    flags: u16,
    stamp: u64,
}
// TODO-STARTER
// /// A sample: the same fields as C's `struct kb_sample`.
// pub struct KbSample {
//     value: u32,
//     kind: u8,
//     stamp: u64,
//     flags: u16,
// }
// TODO-END

// What C's compiler computed for `struct kb_sample` (abi_glue.c asserts the same).
// A layout that differs stops the build here, not in the running kernel.
const _: () = assert!(size_of::<KbSample>() == 24);
const _: () = assert!(offset_of!(KbSample, kind) == 0);
const _: () = assert!(offset_of!(KbSample, value) == 4);
const _: () = assert!(offset_of!(KbSample, flags) == 8);
const _: () = assert!(offset_of!(KbSample, stamp) == 16);

/// The size Rust gives the struct; abi_glue.c compares it with C's before anything else.
#[no_mangle]
pub extern "C" fn kb_sample_size() -> usize {
    size_of::<KbSample>()
}

/// Fills a sample for C to read.
#[no_mangle]
pub extern "C" fn kb_sample_fill(s: *mut KbSample, seed: u32) {
    // SAFETY: abi_glue.c passes a pointer to a `struct kb_sample` on its stack, valid
    // and not used by anything else during this call.
    let s = unsafe { &mut *s };
    s.kind = 3;
    s.value = seed.wrapping_mul(3);
    s.flags = 0xbeef;
    s.stamp = u64::from(seed) * 1_000_003;
}

/// Reads a sample C filled: all four fields added up.
#[no_mangle]
pub extern "C" fn kb_sample_digest(s: *const KbSample) -> u64 {
    // SAFETY: abi_glue.c passes a pointer to an initialised `struct kb_sample` that
    // lives for the whole call.
    let s = unsafe { &*s };
    u64::from(s.kind)
        .wrapping_add(u64::from(s.value))
        .wrapping_add(u64::from(s.flags))
        .wrapping_add(s.stamp)
}
