// SPDX-License-Identifier: GPL-2.0

//! Reading a kbhdr header out of a byte buffer, in safe Rust only.
//!
//! kbhdr_ffi.rs declares this file with `#[forbid(unsafe_code)]`: the bytes
//! come in as a `&[u8]`, and every field is read from them by safe code.

use kernel::error::code::{E2BIG, EINVAL, ENOEXEC, ERANGE};
use kernel::prelude::*;

/// Bytes of a header at the start of a buffer.
pub(crate) const HDR_LEN: usize = 16;
/// The `magic` of every header: the bytes "KBHD" read as a little-endian u32.
pub(crate) const MAGIC: u32 = 0x4448_424b;
/// The versions understood: 1 to `VERSION_MAX`.
pub(crate) const VERSION_MAX: u16 = 2;

/// A header's fields, in the CPU's byte order. The layout is C's `struct kb_hdr`
/// (kbhdr.h), so kbhdr_ffi.rs hands it to C as it is; on the wire the same
/// fields lie at the same offsets, little-endian.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Header {
    /// Offset 0: `MAGIC`.
    pub magic: u32,
    /// Offset 4: 1 to `VERSION_MAX`.
    pub version: u16,
    /// Offset 6.
    pub flags: u16,
    /// Offset 8: payload bytes after the header.
    pub length: u32,
    /// Offset 12: carried, not checked.
    pub checksum: u32,
}

// The compiler checks the layout the wire format and kbhdr.h describe.
const _: () = assert!(core::mem::size_of::<Header>() == HDR_LEN);
const _: () = assert!(core::mem::offset_of!(Header, length) == 8);
const _: () = assert!(core::mem::offset_of!(Header, checksum) == 12);

/// The little-endian `u16` at `at` in the header's bytes.
fn le_u16(head: &[u8; HDR_LEN], at: usize) -> u16 {
    u16::from_le_bytes([head[at], head[at + 1]])
}

/// The little-endian `u32` at `at` in the header's bytes.
fn le_u32(head: &[u8; HDR_LEN], at: usize) -> u32 {
    u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]])
}

/// Parses the header at the start of `buf` (the whole buffer C was given).
///
/// Errors, checked in this order: `EINVAL` when `buf` is shorter than a
/// header, `ENOEXEC` for a wrong magic, `ERANGE` for a version outside 1 to
/// `VERSION_MAX`, `E2BIG` when `length` runs past the end of `buf`.
pub(crate) fn parse(buf: &[u8]) -> Result<Header> {
    // TODO-BEGIN: read the header with safe code (split_first_chunk, le_u16/le_u32) and check length, magic, version and the payload length against the buffer
    let Some((head, payload)) = buf.split_first_chunk::<HDR_LEN>() else {
        return Err(EINVAL);
    };
    let header = Header {
        magic: le_u32(head, 0),
        version: le_u16(head, 4),
        flags: le_u16(head, 6),
        length: le_u32(head, 8),
        checksum: le_u32(head, 12),
    };
    if header.magic != MAGIC {
        return Err(ENOEXEC);
    }
    if header.version == 0 || header.version > VERSION_MAX {
        return Err(ERANGE);
    }
    // a u32 always fits in usize here; compared as usize, nothing can overflow
    if usize::try_from(header.length)? > payload.len() {
        return Err(E2BIG);
    }
    Ok(header)
    // TODO-STARTER
    // // The C way: take the first 16 bytes to be a Header, as a cast would.
    // // Nothing checks that buf holds 16 bytes, nor the magic, the version or
    // // the length; and kbhdr_ffi.rs forbids this block in this file.
    // let _ = (E2BIG, EINVAL, ENOEXEC, ERANGE, MAGIC, VERSION_MAX, le_u16, le_u32);
    // // SAFETY: none that holds: buf may be shorter than a Header.
    // let header = unsafe { core::ptr::read_unaligned(buf.as_ptr().cast::<Header>()) };
    // Ok(header)
    // TODO-END
}
