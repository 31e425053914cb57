// SPDX-License-Identifier: GPL-2.0

//! The Rust half of kbhdr, as C sees it: `kb_hdr_parse` (kbhdr.h).
//!
//! This file holds the module's only `unsafe` code: turning C's pointer and
//! length into a slice, and writing the result through C's pointer. The
//! parsing itself is in kbhdr_parse.rs, declared below with
//! `#[forbid(unsafe_code)]`: there, an `unsafe` block does not compile, and
//! `#[allow(unsafe_code)]` cannot lift the ban.

use core::ffi::c_int;
use kernel::error::code::EINVAL;

#[forbid(unsafe_code)]
#[path = "kbhdr_parse.rs"]
mod parse;

/// Called from kbhdr_main.c: parse the header at the start of `len` bytes at
/// `buf` into `*out`; 0 or a negative errno.
#[no_mangle]
pub extern "C" fn kb_hdr_parse(buf: *const u8, len: usize, out: *mut parse::Header) -> c_int {
    if buf.is_null() || out.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `buf` is not NULL and kbhdr.h asks the caller for `len` readable
    // bytes at it, left unchanged during the call; the slice does not outlive it.
    let bytes = unsafe { core::slice::from_raw_parts(buf, len) };
    match parse::parse(bytes) {
        Ok(header) => {
            // SAFETY: `out` is not NULL and points to the caller's `struct kb_hdr`,
            // whose layout `Header` has (#[repr(C)], same fields, same order).
            unsafe { out.write(header) };
            0
        }
        Err(e) => e.to_errno(),
    }
}
