//! RFC 8785 (JCS) canonical JSON, from JSON text into any [`Sink`].
//!
//! The canonicalizer never builds a tree. It walks the input once with an
//! explicit stack of at most [`MAX_DEPTH`] frames, and sorts each object by
//! keeping only the byte offsets of its member names in a *member table*
//! (`u32` per member). Values are emitted straight from the input, so a
//! digest needs no intermediate buffer: pass a `sha2::Sha256` as the sink.
//!
//! Cost: each byte is validated once per enclosing object (an object's
//! members are skipped once to find and sort their names, then emitted), so
//! the worst case is `MAX_DEPTH + 1` passes, and typical audit payloads (depth
//! 2 to 4) take 2 to 4. Given scratch memory for a span cache
//! ([`canonicalize_with_scratch`]), it is two passes at any depth: one walk
//! records every object's member names and end, the emission sorts from it.
//!
//! ```
//! let mut out = [0u8; 64];
//! let n = signcore::canonical::canonicalize_to_slice(br#"{"b": 1e3, "a": [true, -0]}"#, &mut out)?;
//! assert_eq!(&out[..n], br#"{"a":[true,0],"b":1000}"#);
//! # Ok::<(), signcore::Error>(())
//! ```

use core::cmp::Ordering;

use crate::error::{Error, JsonError, JsonErrorKind};
pub use crate::json::MAX_DEPTH;
use crate::json::{
    Members, Span, Visit, cmp_utf16, decode_escape, err, expect, expect_end, scan_number, scan_scalar, scan_string,
    skip_ws, walk_value,
};

/// Largest input accepted: member offsets are stored as `u32`.
pub const MAX_INPUT_LEN: usize = u32::MAX as usize;

/// Capacity of the default member table: how many object members may be
/// open at once, summed over the objects on the current nesting path.
/// Costs 4 bytes of stack each. Without `alloc`, use
/// [`canonicalize_with_table`] for more; with `alloc` the table spills to the
/// heap.
pub const MAX_OPEN_MEMBERS: usize = 256;

/// Where canonical bytes go. Writes cannot fail; a bounded sink records
/// overflow and reports it when finished (see [`SliceSink::finish`]).
pub trait Sink {
    /// Appends `bytes`.
    fn write(&mut self, bytes: &[u8]);
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn write(&mut self, bytes: &[u8]) {
        (**self).write(bytes)
    }
}

impl Sink for sha2::Sha256 {
    fn write(&mut self, bytes: &[u8]) {
        sha2::Digest::update(self, bytes)
    }
}

#[cfg(feature = "alloc")]
impl Sink for alloc::vec::Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes)
    }
}

/// A sink that discards everything: canonicalizing into it validates.
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn write(&mut self, _: &[u8]) {}
}

/// A caller buffer. Past its capacity it keeps counting without writing, so
/// [`SliceSink::finish`] can report the size that would have been enough.
#[derive(Debug)]
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceSink<'a> {
    /// Wraps `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceSink { buf, len: 0 }
    }

    /// Bytes written (or, after overflow, that would have been written).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The length written, or [`Error::BufferTooSmall`] with the size needed.
    pub fn finish(self) -> Result<usize, Error> {
        if self.len <= self.buf.len() { Ok(self.len) } else { Err(Error::BufferTooSmall { needed: self.len }) }
    }
}

impl Sink for SliceSink<'_> {
    fn write(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }
}

/// Storage for the member-name offsets of the objects being sorted.
trait MemberTable {
    fn push(&mut self, offset: u32) -> bool;
    fn len(&self) -> usize;
    fn truncate(&mut self, len: usize);
    fn slots(&mut self) -> &mut [u32];
    fn get(&self, i: usize) -> Option<u32>;

    /// Opens the object at `pos` (`depth` frames around it): its members
    /// sorted at `base..base + len` (read with [`MemberTable::get`]) and the
    /// position after its `}`.
    fn open(&mut self, input: &[u8], pos: usize, depth: usize) -> Result<(usize, usize, usize), JsonError> {
        let base = self.len();
        let end = collect_members(input, pos, depth, self)?;
        sort_members(input, self.slots().get_mut(base..).unwrap_or(&mut []))?;
        Ok((base, self.len() - base, end))
    }

    /// Closes the object opened at `base` with `len` members.
    fn close(&mut self, base: usize, _len: usize) {
        self.truncate(base)
    }
}

struct FixedTable<'t> {
    slots: &'t mut [u32],
    len: usize,
}

impl MemberTable for FixedTable<'_> {
    fn push(&mut self, offset: u32) -> bool {
        match self.slots.get_mut(self.len) {
            Some(slot) => {
                *slot = offset;
                self.len += 1;
                true
            }
            None => false,
        }
    }
    fn len(&self) -> usize {
        self.len
    }
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
    fn slots(&mut self) -> &mut [u32] {
        let len = self.len;
        self.slots.get_mut(..len).unwrap_or(&mut [])
    }
    fn get(&self, i: usize) -> Option<u32> {
        self.slots.get(..self.len)?.get(i).copied()
    }
}

/// The stack table, moved to the heap when it fills up (`alloc` only).
#[cfg(feature = "alloc")]
struct SpillTable<'t> {
    fixed: FixedTable<'t>,
    heap: Option<alloc::vec::Vec<u32>>,
}

#[cfg(feature = "alloc")]
impl MemberTable for SpillTable<'_> {
    fn push(&mut self, offset: u32) -> bool {
        if let Some(heap) = &mut self.heap {
            heap.push(offset);
            return true;
        }
        if !self.fixed.push(offset) {
            let mut heap = alloc::vec::Vec::with_capacity(2 * self.fixed.len + 1);
            heap.extend_from_slice(self.fixed.slots());
            heap.push(offset);
            self.heap = Some(heap);
        }
        true
    }
    fn len(&self) -> usize {
        self.heap.as_ref().map_or(self.fixed.len, alloc::vec::Vec::len)
    }
    fn truncate(&mut self, len: usize) {
        match &mut self.heap {
            Some(heap) => heap.truncate(len),
            None => self.fixed.truncate(len),
        }
    }
    fn slots(&mut self) -> &mut [u32] {
        match &mut self.heap {
            Some(heap) => heap,
            None => self.fixed.slots(),
        }
    }
    fn get(&self, i: usize) -> Option<u32> {
        match &self.heap {
            Some(heap) => heap.get(i).copied(),
            None => self.fixed.get(i),
        }
    }
}

/// Writes the canonical form of the JSON text `input` into `sink`.
///
/// Object members are sorted through a member table of [`MAX_OPEN_MEMBERS`]
/// slots on the stack; without the `alloc` feature more members open at
/// once is [`JsonErrorKind::TooManyMembers`], with it the table moves to the
/// heap instead (so every host with an allocator accepts the same inputs).
/// On error the sink may hold a prefix of the output; discard it.
pub fn canonicalize<S: Sink + ?Sized>(input: &[u8], sink: &mut S) -> Result<(), Error> {
    let mut slots = [0u32; MAX_OPEN_MEMBERS];
    // With an allocator the stack table is span-cache scratch first: small
    // documents (events, payloads) fit, and then their nested objects are
    // not delimited again (see `canonicalize_with_scratch`); larger ones
    // stop the recording when it fills and take the member table.
    #[cfg(feature = "alloc")]
    if let Some(objects) = record(input, &mut slots) {
        let mut cached = Cached { scratch: &mut slots, objects, open: 0, capacity: usize::MAX, next: 0 };
        return run(input, &mut cached, &mut SinkRef(sink)).map_err(Error::Json);
    }
    let fixed = FixedTable { slots: &mut slots, len: 0 };
    #[cfg(feature = "alloc")]
    let mut table = SpillTable { fixed, heap: None };
    #[cfg(not(feature = "alloc"))]
    let mut table = fixed;
    run(input, &mut table, &mut SinkRef(sink)).map_err(Error::Json)
}

/// [`canonicalize`] with a caller-provided member table and no heap, for
/// objects larger than [`MAX_OPEN_MEMBERS`] without an allocator.
pub fn canonicalize_with_table<S: Sink + ?Sized>(input: &[u8], table: &mut [u32], sink: &mut S) -> Result<(), Error> {
    let mut table = FixedTable { slots: table, len: 0 };
    run(input, &mut table, &mut SinkRef(sink)).map_err(Error::Json)
}

/// [`canonicalize_with_table`], faster when `scratch` holds the input's
/// span cache ([`cache_words`] of it: 4 words per object, 1 per member):
/// one walk records every object's member-name offsets and end, so content
/// nested in several objects is not delimited again for each of them.
/// When the cache does not fit (or the input is not valid JSON structure)
/// it canonicalizes through `table` alone. Output and errors are those of
/// [`canonicalize_with_table`] with the same `table` length, whatever
/// `scratch` holds or how long it is; nothing is allocated.
pub fn canonicalize_with_scratch<S: Sink + ?Sized>(
    input: &[u8],
    table: &mut [u32],
    scratch: &mut [u32],
    sink: &mut S,
) -> Result<(), Error> {
    if let Some(objects) = record(input, scratch) {
        let mut cached = Cached { scratch, objects, open: 0, capacity: table.len(), next: 0 };
        return run(input, &mut cached, &mut SinkRef(sink)).map_err(Error::Json);
    }
    canonicalize_with_table(input, table, sink)
}

/// Scratch words the span cache of [`canonicalize_with_scratch`] needs for
/// `input`: 4 per object and 1 per member (`None` when `input` is not
/// valid JSON structure).
pub fn cache_words(input: &[u8]) -> Option<usize> {
    struct Count(usize);
    impl Visit for Count {
        const DELIMIT_SCALARS: bool = true;
        fn object(&mut self, _: usize) -> bool {
            self.0 += 4;
            true
        }
        fn name(&mut self, _: usize) -> bool {
            self.0 += 1;
            true
        }
    }
    let mut count = Count(0);
    walk_value(input, 0, 0, &mut count).ok().map(|_| count.0)
}

/// Records the span cache of `input` in `scratch` (see [`Recorder`]) and
/// returns how many objects it holds, or `None` when the walk fails (the
/// input is not valid JSON structure: the plain path reports why) or the
/// cache does not fit.
fn record(input: &[u8], scratch: &mut [u32]) -> Option<usize> {
    if input.len() > MAX_INPUT_LEN || scratch.len() > u32::MAX as usize {
        return None;
    }
    let back = scratch.len();
    let mut rec = Recorder { s: scratch, top: 0, back, current: usize::MAX, objects: 0 };
    walk_value(input, 0, 0, &mut rec).ok()?;
    let Recorder { s, back, objects, .. } = rec;
    // The index: record positions sorted by object start. Records are in
    // post-order (closed first, stored first from the end down), so each one
    // moves only past its own descendants: at most MAX_DEPTH moves each.
    if objects > back {
        return None;
    }
    let mut at = s.len();
    for i in 0..objects {
        let rec = at - 1;
        let start = s[rec];
        let mut j = i;
        while j > 0 && s[s[j - 1] as usize] > start {
            s[j] = s[j - 1];
            j -= 1;
        }
        s[j] = rec as u32;
        at = rec - 2 - s[rec - 2] as usize;
    }
    Some(objects)
}

/// The span cache, recorded by one [`walk_value`] over the whole input
/// (the same walk that validates keystores and events) in scratch memory
/// `s`: the members of the open objects grow up from the front (each object
/// as `[start, parent]` then its member-name offsets), and each object, when
/// it closes, is moved to a record at the back, growing down:
/// `[names.., count, end, start]`.
struct Recorder<'s> {
    s: &'s mut [u32],
    /// End of the open members.
    top: usize,
    /// Start of the records.
    back: usize,
    /// Where the innermost open object starts in the open members.
    current: usize,
    objects: usize,
}

impl Visit for Recorder<'_> {
    const DELIMIT_SCALARS: bool = true;

    fn object(&mut self, pos: usize) -> bool {
        let Some([start, parent]) = self.s.get_mut(self.top..self.back).and_then(|s| s.first_chunk_mut()) else {
            return false;
        };
        *start = pos as u32;
        *parent = self.current as u32;
        self.current = self.top;
        self.top += 2;
        true
    }

    fn name(&mut self, quote: usize) -> bool {
        match self.s.get_mut(self.top..self.back).and_then(|s| s.first_mut()) {
            Some(slot) => *slot = quote as u32,
            None => return false,
        }
        self.top += 1;
        true
    }

    fn object_end(&mut self, end: usize) -> bool {
        let names = self.current + 2..self.top;
        let count = names.len();
        let Some(at) = self.back.checked_sub(count + 3).filter(|&at| at >= self.top) else {
            return false;
        };
        let (Some(&start), Some(&parent)) = (self.s.get(self.current), self.s.get(self.current + 1)) else {
            return false;
        };
        self.s.copy_within(names, at);
        if let Some([c, e, s]) = self.s.get_mut(at + count..self.back).and_then(|s| s.first_chunk_mut()) {
            (*c, *e, *s) = (count as u32, end as u32, start);
        }
        self.back = at;
        self.top = self.current;
        self.current = parent as usize;
        self.objects += 1;
        true
    }
}

/// The member table over a recorded span cache: an object's members are
/// sorted in place in its record. `open` counts the members of the open
/// objects, so that a document with more than `capacity` open at once fails
/// as it does with a member table of that size.
struct Cached<'s> {
    scratch: &'s mut [u32],
    objects: usize,
    open: usize,
    capacity: usize,
    /// The index entry after the last object opened.
    next: usize,
}

impl MemberTable for Cached<'_> {
    fn push(&mut self, _: u32) -> bool {
        false
    }
    fn len(&self) -> usize {
        self.open
    }
    fn truncate(&mut self, _: usize) {}
    fn slots(&mut self) -> &mut [u32] {
        &mut []
    }
    fn get(&self, i: usize) -> Option<u32> {
        self.scratch.get(i).copied()
    }

    fn open(&mut self, input: &[u8], pos: usize, _depth: usize) -> Result<(usize, usize, usize), JsonError> {
        let s = &mut *self.scratch;
        let index = s.get(..self.objects).unwrap_or(&[]);
        let start = |i: usize| index.get(i).and_then(|&rec| s.get(rec as usize)).map_or(usize::MAX, |&v| v as usize);
        // Objects in arrays are met in input order: try the one after the
        // last first. Every object of the input was recorded (the walk
        // succeeded), so the search finds the others.
        let i = if start(self.next) == pos {
            self.next
        } else {
            let found = index.binary_search_by(|&rec| s.get(rec as usize).map_or(0, |&v| v as usize).cmp(&pos));
            found.map_err(|_| err(JsonErrorKind::UnexpectedByte, pos))?
        };
        self.next = i + 1;
        let Some(rec) = index.get(i).map(|&rec| rec as usize) else {
            return Err(err(JsonErrorKind::UnexpectedByte, pos));
        };
        let (len, end) = match (rec.checked_sub(2).and_then(|i| s.get(i)), s.get(rec - 1)) {
            (Some(&len), Some(&end)) => (len as usize, end as usize),
            _ => return Err(err(JsonErrorKind::UnexpectedByte, pos)),
        };
        let base = rec - 2 - len;
        let names = s.get_mut(base..base + len).unwrap_or(&mut []);
        if self.open + len > self.capacity {
            // The member a table of `capacity` slots would have no room for.
            let first_left_out = names.get(self.capacity.saturating_sub(self.open)).copied().unwrap_or(0);
            return Err(err(JsonErrorKind::TooManyMembers, first_left_out as usize));
        }
        sort_members(input, names)?;
        self.open += len;
        Ok((base, len, end))
    }

    fn close(&mut self, _base: usize, len: usize) {
        self.open -= len;
    }
}

/// Lets any sink, sized or not, pass as `&mut dyn Sink`: the walker below is
/// compiled once instead of once per sink type (it is most of the code).
struct SinkRef<'s, S: ?Sized>(&'s mut S);

impl<S: Sink + ?Sized> Sink for SinkRef<'_, S> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes)
    }
}

/// Canonicalizes into `out`; returns the length written, or
/// [`Error::BufferTooSmall`] with the size needed (then `out` holds a prefix).
pub fn canonicalize_to_slice(input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let mut sink = SliceSink::new(out);
    canonicalize(input, &mut sink)?;
    sink.finish()
}

/// Canonicalizes into a new `String` (no member-table limit).
#[cfg(feature = "alloc")]
pub fn canonicalize_to_string(input: &[u8]) -> Result<alloc::string::String, Error> {
    let mut out = alloc::vec::Vec::with_capacity(input.len());
    canonicalize(input, &mut out)?;
    // The canonical form of valid UTF-8 JSON is valid UTF-8.
    alloc::string::String::from_utf8(out).map_err(|_| Error::Json(err(JsonErrorKind::InvalidUtf8, 0)))
}

/// Checks that `input` is JSON that RFC 8785 and I-JSON accept.
pub fn validate(input: &[u8]) -> Result<(), Error> {
    canonicalize(input, &mut NullSink)
}

#[derive(Clone, Copy)]
enum Frame {
    Array,
    Object { base: u32, len: u32, next: u32, end: u32 },
}

fn run(input: &[u8], table: &mut dyn MemberTable, sink: &mut dyn Sink) -> Result<(), JsonError> {
    if input.len() > MAX_INPUT_LEN {
        return Err(err(JsonErrorKind::InputTooLarge, MAX_INPUT_LEN));
    }
    let mut stack: heapless::Vec<Frame, MAX_DEPTH> = heapless::Vec::new();
    let mut pos = skip_ws(input, 0);
    'value: loop {
        // `pos` is the first byte of a value.
        let mut end = match input.get(pos) {
            Some(b'{') => {
                if stack.is_full() {
                    return Err(err(JsonErrorKind::NestingTooDeep, pos));
                }
                let (base, len, end) = table.open(input, pos, stack.len())?;
                sink.write(b"{");
                if len == 0 {
                    sink.write(b"}");
                    end
                } else {
                    let frame = Frame::Object { base: base as u32, len: len as u32, next: 1, end: end as u32 };
                    // Cannot fail: checked `is_full` above.
                    let _ = stack.push(frame);
                    pos = write_member_name(input, table.get(base).unwrap_or(0), false, sink)?;
                    continue 'value;
                }
            }
            Some(b'[') => {
                if stack.is_full() {
                    return Err(err(JsonErrorKind::NestingTooDeep, pos));
                }
                sink.write(b"[");
                let first = skip_ws(input, pos + 1);
                if input.get(first) == Some(&b']') {
                    sink.write(b"]");
                    first + 1
                } else {
                    let _ = stack.push(Frame::Array);
                    pos = first;
                    continue 'value;
                }
            }
            Some(b'"') => {
                // Printable ASCII up to the closing quote (most strings) is
                // valid and canonical as it stands: one scan, one write.
                let plain = crate::json::skip_plain(input, pos + 1);
                if input.get(plain) == Some(&b'"') {
                    sink.write(input.get(pos..plain + 1).unwrap_or(&[]));
                    plain + 1
                } else {
                    let (raw, end) = scan_string(input, pos)?;
                    write_string(input, raw, sink);
                    end
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let end = scan_number(input, pos)?;
                write_number(input.get(pos..end).unwrap_or(&[]), pos, sink)?;
                end
            }
            Some(_) => {
                let end = scan_scalar(input, pos)?;
                sink.write(input.get(pos..end).unwrap_or(&[]));
                end
            }
            None => return Err(err(JsonErrorKind::UnexpectedEnd, pos)),
        };
        // A value ended at `end`: continue its container, closing as needed.
        loop {
            match stack.last_mut() {
                None => return expect_end(input, end),
                Some(Frame::Array) => {
                    let p = skip_ws(input, end);
                    match input.get(p) {
                        Some(b',') => {
                            sink.write(b",");
                            pos = skip_ws(input, p + 1);
                            continue 'value;
                        }
                        Some(b']') => {
                            sink.write(b"]");
                            stack.pop();
                            end = p + 1;
                        }
                        Some(_) => return Err(err(JsonErrorKind::UnexpectedByte, p)),
                        None => return Err(err(JsonErrorKind::UnexpectedEnd, p)),
                    }
                }
                Some(Frame::Object { base, len, next, end: object_end }) => {
                    // The member's value was validated as it was emitted; it
                    // must also end where collection found its end.
                    let p = skip_ws(input, end);
                    match input.get(p) {
                        Some(b',' | b'}') => {}
                        Some(_) => return Err(err(JsonErrorKind::UnexpectedByte, p)),
                        None => return Err(err(JsonErrorKind::UnexpectedEnd, p)),
                    }
                    if next < len {
                        let offset = table.get((*base + *next) as usize).unwrap_or(0);
                        *next += 1;
                        pos = write_member_name(input, offset, true, sink)?;
                        continue 'value;
                    }
                    sink.write(b"}");
                    end = *object_end as usize;
                    table.close(*base as usize, *len as usize);
                    stack.pop();
                }
            }
        }
    }
}

/// Records the name offset of every member of the object at `pos` (its
/// `{`, `depth` objects and arrays around it) and returns the position after
/// its `}`. The members are read by [`Members`], the reader every other
/// module uses: names validated, values only delimited; each value is fully
/// validated once, when emitted.
fn collect_members<T: MemberTable + ?Sized>(
    input: &[u8],
    pos: usize,
    depth: usize,
    table: &mut T,
) -> Result<usize, JsonError> {
    let mut members = Members::new(input, pos, depth)?.delimit_within_depth();
    for member in &mut members {
        let quote = member?.name.start - 1;
        if !table.push(quote as u32) {
            return Err(err(JsonErrorKind::TooManyMembers, quote));
        }
    }
    Ok(members.end())
}

/// Orders two member names (offsets of their opening quotes) by UTF-16
/// code units, compared in place ([`cmp_utf16`] stops at the closing quote).
fn cmp_names(input: &[u8], a: u32, b: u32) -> Ordering {
    let name = |q: u32| input.get(q as usize + 1..).unwrap_or(&[]);
    cmp_utf16(name(a), name(b))
}

/// The first four bytes of the member name at `quote` as an order key, most
/// significant first: a printable ASCII byte (not `\\`) as itself, the end of
/// the name as 0 (and every byte after it), and from the first escape or
/// non-ASCII byte on 0xFF, "undecided".
#[cfg(feature = "alloc")]
fn name_key(input: &[u8], quote: u32) -> u32 {
    let name = input.get(quote as usize + 1..).unwrap_or(&[]);
    let mut key = 0;
    let mut filler = 0;
    for i in 0..4 {
        let byte = match name.get(i) {
            _ if filler != 0 => filler,
            None | Some(b'"') => 0,
            Some(&b) if b < 0x80 && b != b'\\' => u32::from(b),
            Some(_) => {
                filler = 0xff;
                0xff
            }
        };
        key = key << 8 | byte;
        if byte == 0 {
            key <<= 8 * (3 - i);
            break;
        }
    }
    key
}

/// Orders two names by their keys when the keys decide it: at their first
/// differing byte neither is undecided (end of name or ASCII, which sort as
/// UTF-16 code units do). `None` when the names must be compared in full.
#[cfg(feature = "alloc")]
#[inline]
fn cmp_keys(a: u32, b: u32) -> Option<Ordering> {
    let diff = a ^ b;
    if diff == 0 {
        return None;
    }
    let shift = diff.leading_zeros() & !7;
    let byte = |k: u32| (k << shift) >> 24;
    (byte(a) != 0xff && byte(b) != 0xff).then(|| a.cmp(&b))
}

/// [`sort_members`] for up to 16 members (most objects), with an allocator:
/// insertion sort comparing four-byte name keys first (most pairs differ in
/// their first bytes), the names themselves only when the keys do not
/// decide. (Not in the no-alloc build: the edge .text budget.)
#[cfg(feature = "alloc")]
fn sort_keyed(input: &[u8], slots: &mut [u32]) -> Result<(), JsonError> {
    let mut keys = [0u32; 16];
    let mut undecided = false;
    for (key, &slot) in keys.iter_mut().zip(slots.iter()) {
        *key = name_key(input, slot);
        undecided |= *key & 0xff == 0xff;
    }
    let names = |a: u32, b: u32| cmp_names(input, a, b);
    if undecided {
        insertion_sort(&mut keys, slots, |ka, a, kb, b| cmp_keys(ka, kb).unwrap_or_else(|| names(a, b)))
    } else {
        // Every key is ASCII and ends of names: different keys decide.
        insertion_sort(&mut keys, slots, |ka, a, kb, b| if ka == kb { names(a, b) } else { ka.cmp(&kb) })
    }
}

/// The insertion sort of [`sort_keyed`], then its duplicate check.
#[cfg(feature = "alloc")]
#[inline(always)]
fn insertion_sort(
    keys: &mut [u32; 16],
    slots: &mut [u32],
    cmp: impl Fn(u32, u32, u32, u32) -> Ordering,
) -> Result<(), JsonError> {
    let n = slots.len().min(16);
    for i in 1..n {
        let (key, slot) = (keys[i], slots[i]);
        let mut j = i;
        while j > 0 && cmp(key, slot, keys[j - 1], slots[j - 1]) == Ordering::Less {
            keys[j] = keys[j - 1];
            slots[j] = slots[j - 1];
            j -= 1;
        }
        keys[j] = key;
        slots[j] = slot;
    }
    for i in 1..n {
        if cmp(keys[i - 1], slots[i - 1], keys[i], slots[i]) == Ordering::Equal {
            return Err(err(JsonErrorKind::DuplicateMember, slots[i - 1].max(slots[i]) as usize));
        }
    }
    Ok(())
}

/// Sorts member-name offsets by UTF-16 code units and rejects duplicates.
///
/// Written here rather than `sort_unstable_by`: no allocation, and about
/// 1.5 KB less code on a Cortex-M (the edge budget). Without `alloc` the
/// member table holds at most a few hundred names, where insertion sort is
/// fine; with it, up to 16 members go to [`sort_keyed`] and heapsort keeps
/// huge objects O(n log n).
fn sort_members(input: &[u8], slots: &mut [u32]) -> Result<(), JsonError> {
    let n = slots.len();
    #[cfg(feature = "alloc")]
    if n <= 16 {
        return sort_keyed(input, slots);
    }
    let less = |a: u32, b: u32| cmp_names(input, a, b) == Ordering::Less;
    #[cfg_attr(not(feature = "alloc"), allow(unused_variables))]
    let sift_down = |slots: &mut [u32], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(slots[child], slots[child + 1]) {
            child += 1;
        }
        if !less(slots[root], slots[child]) {
            break;
        }
        slots.swap(root, child);
        root = child;
    };
    #[cfg(feature = "alloc")]
    {
        for root in (0..n / 2).rev() {
            sift_down(slots, root, n);
        }
        for end in (1..n).rev() {
            slots.swap(0, end);
            sift_down(slots, 0, end);
        }
    }
    #[cfg(not(feature = "alloc"))]
    for i in 1..n {
        let mut j = i;
        while j > 0 && less(slots[j], slots[j - 1]) {
            slots.swap(j, j - 1);
            j -= 1;
        }
    }
    for pair in slots.windows(2) {
        if let [a, b] = *pair
            && cmp_names(input, a, b) == Ordering::Equal
        {
            return Err(err(JsonErrorKind::DuplicateMember, a.max(b) as usize));
        }
    }
    Ok(())
}

/// Writes `"name":` for the member whose name starts at `quote` (validated
/// when its object was collected), after a `,` when `comma`; returns the
/// position of its value.
fn write_member_name(input: &[u8], quote: u32, comma: bool, sink: &mut dyn Sink) -> Result<usize, JsonError> {
    let start = quote as usize + 1;
    let plain = crate::json::skip_plain(input, start);
    if input.get(plain) == Some(&b'"') && input.get(plain + 1) == Some(&b':') {
        // Printable ASCII right before its colon (most names): `"name":` is
        // canonical as it stands, and so is `,"name":` when a comma precedes.
        let quote = quote as usize;
        let with_comma = comma && quote.checked_sub(1).and_then(|c| input.get(c)) == Some(&b',');
        if comma && !with_comma {
            sink.write(b",");
        }
        sink.write(input.get(quote - usize::from(with_comma)..plain + 2).unwrap_or(&[]));
        return Ok(skip_ws(input, plain + 2));
    }
    if comma {
        sink.write(b",");
    }
    let close = crate::json::closing_quote(input, plain).unwrap_or(input.len());
    write_string(input, Span { start, end: close }, sink);
    sink.write(b":");
    Ok(skip_ws(input, expect(input, close + 1, b':')?))
}

/// Writes the validated string whose raw content is `raw` (between two
/// quotes in `input`) in canonical form: raw runs are copied (validation
/// guarantees they hold no `"`, `\` or control characters) and each escape
/// is replaced by the character or the one escape RFC 8785 uses. (Printable
/// ASCII strings and names, most of them, are written by their callers as
/// their quoted text, at once.)
fn write_string(input: &[u8], raw: Span, sink: &mut dyn Sink) {
    let raw = raw.of(input);
    sink.write(b"\"");
    let mut run_start = 0;
    let mut i = 0;
    while let Some(offset) = raw.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'\\')) {
        i += offset;
        sink.write(raw.get(run_start..i).unwrap_or(&[]));
        let Some((c, len)) = decode_escape(raw, i) else { break };
        write_char(c, sink);
        i += len;
        run_start = i;
    }
    sink.write(raw.get(run_start..).unwrap_or(&[]));
    sink.write(b"\"");
}

/// Writes `text` as a canonical JSON string (quoted, RFC 8785 escapes).
pub fn write_json_string<S: Sink + ?Sized>(text: &str, sink: &mut S) {
    let sink: &mut dyn Sink = &mut SinkRef(sink);
    sink.write(b"\"");
    for c in text.chars() {
        write_char(c, sink);
    }
    sink.write(b"\"");
}

fn write_char(c: char, sink: &mut dyn Sink) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        '"' => sink.write(b"\\\""),
        '\\' => sink.write(b"\\\\"),
        '\u{8}' => sink.write(b"\\b"),
        '\t' => sink.write(b"\\t"),
        '\n' => sink.write(b"\\n"),
        '\u{c}' => sink.write(b"\\f"),
        '\r' => sink.write(b"\\r"),
        c if (c as u32) < 0x20 => {
            let b = c as u8;
            sink.write(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        c => {
            let mut buf = [0u8; 4];
            sink.write(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Writes a validated JSON number as ECMAScript `Number.prototype.toString`.
fn write_number(text: &[u8], offset: usize, sink: &mut dyn Sink) -> Result<(), JsonError> {
    if let Some(canonical) = already_canonical(text) {
        sink.write(canonical);
        return Ok(());
    }
    let value: f64 = core::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(err(JsonErrorKind::InvalidNumber, offset))?;
    if !value.is_finite() {
        return Err(err(JsonErrorKind::NumberOutOfRange, offset));
    }
    let mut buf = ryu_js::Buffer::new();
    sink.write(buf.format_finite(value).as_bytes());
    Ok(())
}

/// Number texts that ECMAScript would print exactly as written, so that
/// the common cases skip the decimal-to-binary round trip.
///
/// A decimal of at most 15 significant digits is the shortest text that
/// round-trips its nearest double (15 digits always round-trip, and two such
/// decimals never share a double), and for 1e-6 <= |x| < 1e21 ECMAScript
/// prints those digits in plain notation. So `-?D+(.D*[1-9])?` qualifies
/// when it has at most 15 significant digits and at most 5 zeros between
/// `0.` and its first significant digit. `-0` is the exception: it prints `0`.
fn already_canonical(text: &[u8]) -> Option<&[u8]> {
    if text == b"-0" {
        return Some(b"0");
    }
    let unsigned = text.strip_prefix(b"-").unwrap_or(text);
    let (int, frac) = match unsigned.iter().position(|&b| b == b'.') {
        Some(dot) => (unsigned.get(..dot)?, unsigned.get(dot + 1..)?),
        None => (unsigned, &[][..]),
    };
    if !int.iter().chain(frac).all(u8::is_ascii_digit) || frac.last() == Some(&b'0') {
        return None;
    }
    let significant = if int == b"0" && !frac.is_empty() {
        let leading_zeros = frac.iter().take_while(|&&b| b == b'0').count();
        if leading_zeros > 5 || leading_zeros == frac.len() {
            return None;
        }
        frac.len() - leading_zeros
    } else {
        int.len() + frac.len()
    };
    (significant <= 15).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(input: &str) -> Result<heapless::String<256>, Error> {
        let mut out = [0u8; 256];
        let n = canonicalize_to_slice(input.as_bytes(), &mut out)?;
        Ok(heapless::String::try_from(core::str::from_utf8(&out[..n]).unwrap()).unwrap())
    }

    fn kind(input: &str) -> JsonErrorKind {
        match canon(input) {
            Err(Error::Json(e)) => e.kind,
            other => panic!("{input:?} gave {other:?}"),
        }
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(
            canon(r#" { "b" : [1, 2.50, -0, 1E2], "a": "\u00e9\n\/" } "#).unwrap(),
            r#"{"a":"é\n/","b":[1,2.5,0,100]}"#
        );
        assert_eq!(canon(r#""\u001f\u0041""#).unwrap(), r#""\u001fA""#);
        assert_eq!(canon("1e21").unwrap(), "1e+21");
        assert_eq!(canon("0.0000001").unwrap(), "1e-7");
        assert_eq!(canon("[]").unwrap(), "[]");
        assert_eq!(canon(r#"{"":{}}"#).unwrap(), r#"{"":{}}"#);
    }

    #[test]
    fn forbidden_inputs_are_errors() {
        assert_eq!(kind(r#"{"a":1,"a":2}"#), JsonErrorKind::DuplicateMember);
        assert_eq!(kind(r#"{"a":1,"\u0061":2}"#), JsonErrorKind::DuplicateMember);
        assert_eq!(kind(r#""\ud800""#), JsonErrorKind::LoneSurrogate);
        assert_eq!(kind(r#""\udc00\ud800""#), JsonErrorKind::LoneSurrogate);
        assert_eq!(kind("1e400"), JsonErrorKind::NumberOutOfRange);
        assert_eq!(kind("-1e400"), JsonErrorKind::NumberOutOfRange);
        assert_eq!(kind("[1] x"), JsonErrorKind::TrailingData);
        assert_eq!(kind("[1,]"), JsonErrorKind::UnexpectedByte);
        assert_eq!(kind("01"), JsonErrorKind::TrailingData);
        assert_eq!(kind("1."), JsonErrorKind::InvalidNumber);
        assert_eq!(kind("\"a\tb\""), JsonErrorKind::ControlCharacter);
        assert_eq!(kind(""), JsonErrorKind::UnexpectedEnd);
        let bad_utf8 = [b'"', 0xc3, 0x28, b'"'];
        assert!(matches!(
            canonicalize_to_slice(&bad_utf8, &mut [0; 8]),
            Err(Error::Json(JsonError { kind: JsonErrorKind::InvalidUtf8, offset: 1 }))
        ));
    }

    #[test]
    fn junk_inside_objects_is_caught() {
        for bad in [
            r#"{"a":12x}"#,
            r#"{"a":1 2}"#,
            r#"{"a":"x"y}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":[1,]}"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{,"a":1}"#,
            r#"{"a":1,}"#,
            r#"{"a":{"b":1}}}"#,
            r#"{"a":{"b":1]}"#,
            r#"{"a":[1}]}"#,
            r#"{"a":"\x"}"#,
            r#"{"\x":1}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":-}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":"b":1}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":1"#,
            r#"{"a":"#,
            r#"{"a"#,
            r#"{"#,
        ] {
            assert!(canon(bad).is_err(), "{bad} accepted as {:?}", canon(bad));
        }
    }

    #[test]
    fn nesting_limit_is_an_error_not_a_crash() {
        let deep = [b'['; 100_000];
        let e = canonicalize(&deep, &mut NullSink).unwrap_err();
        assert_eq!(e, Error::Json(JsonError { kind: JsonErrorKind::NestingTooDeep, offset: MAX_DEPTH }));
        let mut ok = [0u8; 2 * MAX_DEPTH];
        ok[..MAX_DEPTH].fill(b'[');
        ok[MAX_DEPTH..].fill(b']');
        assert!(validate(&ok).is_ok());
        let mut objects = heapless::Vec::<u8, 1024>::new();
        for _ in 0..=MAX_DEPTH {
            objects.extend_from_slice(br#"{"a":"#).unwrap();
        }
        assert!(matches!(validate(&objects), Err(Error::Json(JsonError { kind: JsonErrorKind::NestingTooDeep, .. }))));
    }

    #[test]
    fn plain_decimals_match_the_full_conversion() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut checked = 0;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let digits = 1 + (state % 17) as usize;
            let point = (state >> 8) as usize % (digits + 2);
            let zeros = (state >> 16) as usize % 8;
            let mut text = heapless::String::<48>::new();
            if state & (1 << 40) != 0 {
                let _ = text.push('-');
            }
            let mut body = heapless::String::<40>::new();
            for k in 0..digits {
                let d = ((state >> (k * 3 % 60)) % 10) as u8;
                let _ = body.push(char::from(b'0' + if k == 0 { d.max(1) } else { d }));
            }
            if point == 0 {
                let _ = text.push_str("0.");
                for _ in 0..zeros {
                    let _ = text.push('0');
                }
                let _ = text.push_str(&body);
            } else if point <= digits {
                let _ = text.push_str(&body[..point]);
                if point < digits {
                    let _ = text.push('.');
                    let _ = text.push_str(&body[point..]);
                }
            } else {
                let _ = text.push_str(&body);
            }
            if let Some(fast) = already_canonical(text.as_bytes()) {
                let value: f64 = text.parse().unwrap();
                let mut buf = ryu_js::Buffer::new();
                assert_eq!(core::str::from_utf8(fast).unwrap(), buf.format_finite(value), "{text}");
                checked += 1;
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn keyed_sort_agrees_with_full_comparison() {
        let pieces: [&[u8]; 9] =
            [b"a", b"b", b"ab", br"\u0061", "\u{e9}".as_bytes(), "\u{10000}".as_bytes(), b"~", b"\x7f", b""];
        let mut state: u32 = 0x1234_5678;
        let mut next = |n: usize| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 16) as usize % n
        };
        for _ in 0..5_000 {
            let mut doc = heapless::Vec::<u8, 512>::new();
            let mut quotes = heapless::Vec::<u32, 16>::new();
            for _ in 0..1 + next(16) {
                let _ = quotes.push(doc.len() as u32);
                let _ = doc.push(b'"');
                for _ in 0..next(6) {
                    let _ = doc.extend_from_slice(pieces[next(pieces.len())]);
                }
                let _ = doc.push(b'"');
            }
            let mut sorted = quotes.clone();
            let result = sort_members(&doc, &mut sorted);
            let mut by_name = quotes.clone();
            by_name.sort_by(|&a, &b| cmp_names(&doc, a, b));
            let duplicate = by_name.windows(2).any(|p| cmp_names(&doc, p[0], p[1]) == Ordering::Equal);
            assert_eq!(result.is_err(), duplicate);
            if !duplicate {
                assert_eq!(sorted, by_name);
            }
        }
    }

    #[test]
    fn small_buffer_reports_needed_size() {
        let mut out = [0u8; 4];
        assert_eq!(canonicalize_to_slice(br#"{"b":1,"a":2}"#, &mut out), Err(Error::BufferTooSmall { needed: 13 }));
    }

    #[test]
    #[cfg(not(feature = "alloc"))]
    fn default_table_limit_without_alloc() {
        let mut doc = heapless::String::<8192>::new();
        let _ = doc.push('{');
        for i in 0..=MAX_OPEN_MEMBERS {
            let _ = core::fmt::Write::write_fmt(&mut doc, format_args!("{}\"k{i}\":{i}", if i > 0 { "," } else { "" }));
        }
        let _ = doc.push('}');
        assert!(matches!(
            validate(doc.as_bytes()),
            Err(Error::Json(JsonError { kind: JsonErrorKind::TooManyMembers, .. }))
        ));
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn default_table_spills_to_the_heap_with_alloc() {
        let mut doc = alloc::string::String::from("{");
        for i in (0..3 * MAX_OPEN_MEMBERS).rev() {
            doc += &alloc::format!("{}\"k{i:04}\":{{\"x\":{i}}}", if doc.len() > 1 { "," } else { "" });
        }
        doc.push('}');
        let out = canonicalize_to_string(doc.as_bytes()).unwrap();
        assert!(out.starts_with(r#"{"k0000":{"x":0},"k0001":"#), "{}", &out[..40]);
    }

    #[test]
    fn member_table_limit() {
        let mut table = [0u32; 2];
        let e = canonicalize_with_table(br#"{"a":1,"b":2,"c":3}"#, &mut table, &mut NullSink).unwrap_err();
        assert!(matches!(e, Error::Json(JsonError { kind: JsonErrorKind::TooManyMembers, .. })));
        assert!(canonicalize_with_table(br#"{"a":{"x":1},"b":2}"#, &mut [0u32; 3], &mut NullSink).is_ok());
    }
}
