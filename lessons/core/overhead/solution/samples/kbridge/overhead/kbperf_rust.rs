// SPDX-License-Identifier: GPL-2.0

//! CRC-32 in Rust: the same algorithm as kbperf_c.c, called by the harness in
//! kbperf_main.c exactly as it calls the C one.

/// The reflected CRC-32 polynomial (zlib, Ethernet, PNG).
const POLY: u32 = 0xEDB8_8320;

/// The 256-entry table: entry `i` is the CRC register after shifting the byte
/// `i` through it, eight bits at a time. A `const fn` can run at compile time.
const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { POLY ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

// TODO-BEGIN: have the compiler build the table once, into the module's data
static TABLE: [u32; 256] = make_table();
// TODO-END

/// CRC-32 of `data`.
fn crc32(data: &[u8]) -> u32 {
    // TODO-BEGIN: use the table built once instead of building it on every call
    let table = &TABLE;
    // TODO-STARTER
    // let table = &make_table();
    // TODO-END
    let mut crc = !0u32;
    for &byte in data {
        crc = table[((crc ^ u32::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// Called by kbperf_main.c once per packet.
#[no_mangle]
pub extern "C" fn kb_rust_crc32(data: *const u8, len: usize) -> u32 {
    // SAFETY: kbperf_main.c passes a packet of its buffer: `len` readable bytes
    // at `data`, not NULL, unchanged during the call.
    let data = unsafe { core::slice::from_raw_parts(data, len) };
    crc32(data)
}
