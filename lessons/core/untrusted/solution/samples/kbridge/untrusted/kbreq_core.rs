// SPDX-License-Identifier: GPL-2.0

//! The Rust half of kbreq: every request written to /dev/kbreq is untrusted
//! until `Untrusted::validate` has checked it.
//!
//! A request is `[opcode, length, payload...]`: exactly `2 + length` bytes.
//!
//! - opcode 1, SUM: the answer is the sum of the payload bytes, in decimal;
//! - opcode 2, REVERSE: the answer is the payload, last byte first.
//!
//! Every answer ends with a newline.

use core::fmt::Write;
use kernel::bindings;
use kernel::error::code::ENOSPC;
use kernel::error::Error;
use kernel::prelude::*;

use untrusted::{Op, Request, Untrusted};

/// The errno for an opcode kbreq does not know (the `kernel` crate of 6.12 has
/// no constant for it).
fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

mod untrusted {
    use super::eopnotsupp;
    use kernel::error::code::EINVAL;
    use kernel::prelude::*;

    /// What a request asks for.
    #[derive(Clone, Copy)]
    pub(crate) enum Op {
        Sum,
        Reverse,
    }

    /// Data from user space (or from hardware) that nothing has checked yet.
    ///
    /// The field is private to this module: everywhere else, the only way to
    /// the data is [`Untrusted::validate`].
    pub(crate) struct Untrusted<T>(T);

    impl<T> Untrusted<T> {
        /// Wraps data just received. Nothing is checked here.
        pub(crate) fn new(data: T) -> Self {
            Untrusted(data)
        }
    }

    /// A request whose opcode and length have been checked.
    ///
    /// Its fields are private too: outside this module a `Request` cannot be
    /// built by hand, only obtained from [`Untrusted::validate`].
    pub(crate) struct Request<'a> {
        op: Op,
        payload: &'a [u8],
    }

    impl<'a> Request<'a> {
        pub(crate) fn op(&self) -> Op {
            self.op
        }

        pub(crate) fn payload(&self) -> &'a [u8] {
            self.payload
        }
    }

    impl<'a> Untrusted<&'a [u8]> {
        /// Checks the bytes of one request, and gives them back as a [`Request`]:
        ///
        /// - fewer than 2 bytes (no opcode and length): `EINVAL`;
        /// - an opcode other than 1 (SUM) or 2 (REVERSE): `EOPNOTSUPP`;
        /// - a length byte that is not the number of payload bytes that
        ///   follow it (too few, or too many): `EINVAL`.
        pub(crate) fn validate(self) -> Result<Request<'a>> {
            let bytes = self.0;
            // TODO-BEGIN: check the header, the opcode and the length byte against the bytes really there; refuse with the errors above
            let [op, len, payload @ ..] = bytes else {
                return Err(EINVAL);
            };
            let op = match op {
                1 => Op::Sum,
                2 => Op::Reverse,
                _ => return Err(eopnotsupp()),
            };
            if payload.len() != usize::from(*len) {
                return Err(EINVAL);
            }
            Ok(Request { op, payload })
            // TODO-STARTER
            // // trusts the sender: the opcode, the length byte, that there are enough bytes
            // let _ = (EINVAL, eopnotsupp);
            // let op = if bytes[0] == 1 { Op::Sum } else { Op::Reverse };
            // let len = usize::from(bytes[1]);
            // Ok(Request { op, payload: &bytes[2..2 + len] })
            // TODO-END
        }
    }
}

/// The answer being written into the buffer C passed.
struct Answer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Answer<'_> {
    fn push(&mut self, byte: u8) -> Result {
        let slot = self.buf.get_mut(self.len).ok_or(ENOSPC)?;
        *slot = byte;
        self.len += 1;
        Ok(())
    }
}

impl Write for Answer<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            self.push(b).map_err(|_| core::fmt::Error)?;
        }
        Ok(())
    }
}

/// Answers a request. It takes a [`Request`], never bare bytes: the compiler
/// makes sure that nothing reaches this point without `validate`.
fn answer(req: &Request<'_>, out: &mut Answer<'_>) -> Result {
    match req.op() {
        Op::Sum => {
            let sum: u32 = req.payload().iter().map(|&b| u32::from(b)).sum();
            writeln!(out, "{sum}").map_err(|_| ENOSPC)
        }
        Op::Reverse => {
            for &b in req.payload().iter().rev() {
                out.push(b)?;
            }
            out.push(b'\n')
        }
    }
}

/// Called by kbreq_glue.c for every write to /dev/kbreq.
#[no_mangle]
pub extern "C" fn kb_req_handle(
    req: *const u8,
    len: usize,
    answer_buf: *mut u8,
    answer_len: usize,
) -> isize {
    // SAFETY: kbreq_glue.c passes its request buffer, never NULL, holding the
    // `len` bytes it copied from user space; it is not touched during the call.
    let bytes = unsafe { core::slice::from_raw_parts(req, len) };
    // SAFETY: kbreq_glue.c passes its answer buffer, never NULL, writable for
    // `answer_len` bytes, and does not read it until this call returns.
    let buf = unsafe { core::slice::from_raw_parts_mut(answer_buf, answer_len) };

    let request = match Untrusted::new(bytes).validate() {
        Ok(request) => request,
        Err(e) => return e.to_errno() as isize,
    };
    let mut out = Answer { buf, len: 0 };
    match answer(&request, &mut out) {
        Ok(()) => out.len as isize,
        Err(e) => e.to_errno() as isize,
    }
}
