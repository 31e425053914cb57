// SPDX-License-Identifier: GPL-2.0

//! The Rust half of kbrust: a checksum C modules can call.

use kernel::error::code::{E2BIG, EINVAL};

/// The longest buffer accepted (kbrust.h says the same to C).
const KB_RUST_MAX_LEN: usize = 4096;

/// The checksum itself, on a slice: safe Rust.
fn checksum(data: &[u8]) -> i64 {
    data.iter()
        .enumerate()
        .map(|(i, &b)| (i as i64 + 1) * i64::from(b))
        .sum()
}

/// Called from C: `buf` and `len` come from another module, so nothing about
/// them is taken on trust.
#[no_mangle]
pub extern "C" fn kb_rust_checksum(buf: *const u8, len: usize) -> i64 {
    // TODO-BEGIN: return -EINVAL for a NULL buf and -E2BIG for len over KB_RUST_MAX_LEN, before making the slice
    if buf.is_null() {
        return EINVAL.to_errno().into();
    }
    if len > KB_RUST_MAX_LEN {
        return E2BIG.to_errno().into();
    }
    // TODO-STARTER
    // let _ = (E2BIG, EINVAL, KB_RUST_MAX_LEN);
    // TODO-END
    // SAFETY: `buf` is not NULL and the caller promises `len` readable bytes at it
    // (kbrust.h); the slice lives only during this call.
    let data = unsafe { core::slice::from_raw_parts(buf, len) };
    checksum(data)
}
