// SPDX-License-Identifier: GPL-2.0

//! c_from_rust: a Rust module that asks its C half (cside.c) for a word.

use kernel::prelude::*;

module! {
    type: CFromRust,
    name: "c_from_rust",
    author: "kbridge",
    description: "Calls a C function through a safe wrapper",
    license: "GPL",
}

extern "C" {
    /// cside.c: copies the `word` parameter into `buf` (at most `len` bytes);
    /// returns the number of bytes copied or `-E2BIG`.
    fn kb_c_word(buf: *mut u8, len: usize) -> isize;
}

// TODO-BEGIN: write word(): call kb_c_word with the slice's pointer and length in an unsafe block with a // SAFETY: comment; a negative result becomes Err, else Ok(bytes copied)
/// Copies the C side's word into `buf`; returns how many bytes it filled.
fn word(buf: &mut [u8]) -> Result<usize> {
    // SAFETY: `buf` is a valid, writable slice of `buf.len()` bytes for the whole
    // call, and kb_c_word writes at most `len` bytes into it and keeps no pointer.
    let n = unsafe { kb_c_word(buf.as_mut_ptr(), buf.len()) };
    if n < 0 {
        return Err(Error::from_errno(n as i32));
    }
    Ok(n as usize)
}
// TODO-STARTER
// /// Copies the C side's word into `buf`; returns how many bytes it filled.
// fn word(buf: &mut [u8]) -> Result<usize> {
//     let _ = buf;
//     Err(EINVAL)
// }
// TODO-END

struct CFromRust;

impl kernel::Module for CFromRust {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut buf = [0u8; 16];
        let n = word(&mut buf)?;
        let text = core::str::from_utf8(&buf[..n]).map_err(|_| EINVAL)?;
        pr_info!("C gave {} bytes: '{}'\n", n, text);
        Ok(CFromRust)
    }
}
