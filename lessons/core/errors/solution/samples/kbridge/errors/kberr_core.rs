// SPDX-License-Identifier: GPL-2.0

//! The Rust half of kberr: checks one "key=value" setting from C, stores it
//! through C's `kb_c_store`, and tells C exactly what went wrong.

use kernel::error::code::{E2BIG, EINVAL, ERANGE};
use kernel::error::{to_result, Result};
use kernel::ffi::c_int;

/// The longest setting accepted, in bytes (kberr.h says the same to C).
const KB_CMD_MAX: usize = 24;
/// The largest value accepted.
const KB_VALUE_MAX: u32 = 65535;

extern "C" {
    /// kberr_glue.c: stores `value` under the `keylen`-byte key at `key`.
    /// Returns 0, `-ENOENT` for an unknown key or `-EACCES` for a read-only one.
    fn kb_c_store(key: *const u8, keylen: usize, value: u32) -> c_int;
}

/// A value: decimal digits only (else `EINVAL`), at most `KB_VALUE_MAX` (else `ERANGE`).
fn parse_value(digits: &[u8]) -> Result<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(EINVAL);
    }
    let mut value: u32 = 0;
    for &d in digits {
        // checked: twelve digits do not fit in a u32, and a plain `*` would panic
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(d - b'0')))
            .ok_or(ERANGE)?;
    }
    if value > KB_VALUE_MAX {
        return Err(ERANGE);
    }
    Ok(value)
}

/// Stores through the C half, which reports failure the C way: a negative errno.
fn store(key: &[u8], value: u32) -> Result {
    // SAFETY: `key` is a valid slice of `key.len()` bytes for the whole call;
    // kb_c_store only reads it and keeps no pointer to it.
    let ret = unsafe { kb_c_store(key.as_ptr(), key.len(), value) };
    // TODO-BEGIN: a negative ret is C's errno: turn it into an Err with to_result, keeping its value
    to_result(ret)
    // TODO-STARTER
    // let _ = (ret, to_result);
    // Ok(())
    // TODO-END
}

/// One setting, checked in this order: its length, then "key=" with a
/// non-empty key, then the value, then C's store.
fn apply(cmd: &[u8]) -> Result {
    // TODO-BEGIN: E2BIG over KB_CMD_MAX bytes; EINVAL without '=' or with an empty key; then parse_value and store, each passed up with ?
    if cmd.len() > KB_CMD_MAX {
        return Err(E2BIG);
    }
    let eq = cmd.iter().position(|&c| c == b'=').ok_or(EINVAL)?;
    let (key, value) = (&cmd[..eq], &cmd[eq + 1..]);
    if key.is_empty() {
        return Err(EINVAL);
    }
    let value = parse_value(value)?;
    store(key, value)?;
    Ok(())
    // TODO-STARTER
    // let _ = (cmd, E2BIG, parse_value, store);
    // Err(EINVAL)
    // TODO-END
}

/// Called from C (kberr_glue.c) for each setting.
#[no_mangle]
pub extern "C" fn kb_rust_apply(cmd: *const u8, len: usize) -> c_int {
    if cmd.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `cmd` is not NULL, and C passes `len` readable bytes of a string
    // it owns for the whole call (kberr.h); the slice does not outlive the call.
    let cmd = unsafe { core::slice::from_raw_parts(cmd, len) };
    // TODO-BEGIN: Ok becomes 0; an Err goes back to C as its own negative errno (Error::to_errno)
    match apply(cmd) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
    // TODO-STARTER
    // match apply(cmd) {
    //     Ok(()) => 0,
    //     Err(_) => -22,
    // }
    // TODO-END
}
