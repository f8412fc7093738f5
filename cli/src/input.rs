//! Streaming input: splits an archive, a JSON array or NDJSON (gzip of any,
//! detected by its magic bytes) into batches of raw event texts, reading in
//! large blocks so that memory stays flat in the number of events.
//!
//! Why hand-written: the splitter only finds where each event starts and
//! ends (strings, escapes and bracket depth), the core then validates every
//! event fully. serde_json's reader-based deserializer reads byte by byte
//! and would be the bottleneck of a multi-core verifier; no maintained crate
//! delimits raw array elements from a `Read` at memory speed.

use std::io::Read;

use anyhow::{Context, Result, bail};

/// Bytes read per block.
const BLOCK: usize = 1 << 20;
/// Events per batch handed to a verifier thread (at most).
const BATCH_EVENTS: usize = 4096;
/// Largest single event accepted.
pub const MAX_EVENT_LEN: usize = 64 << 20;
/// Largest archive member other than `events` (format, origin, range, manifest).
pub const MAX_MEMBER_LEN: usize = 16 << 20;

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A §8 signed archive.
    Archive,
    /// A plain JSON array of events.
    Array,
    /// One event per line.
    Ndjson,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Archive => "archive",
            Kind::Array => "array",
            Kind::Ndjson => "ndjson",
        }
    }
}

/// Consecutive events: `buf[spans[i].0..spans[i].1]` is event `first + i`.
pub struct Batch {
    pub buf: Vec<u8>,
    pub spans: Vec<(usize, usize)>,
    pub first: u64,
    /// The JSON of event `first - 1`, to link the batch's first event.
    pub prev: Option<Vec<u8>>,
    /// Row ids (database input), one per event.
    pub ids: Option<Vec<String>>,
}

impl Batch {
    pub fn event(&self, i: usize) -> &[u8] {
        let (s, e) = self.spans[i];
        &self.buf[s..e]
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn last_event(&self) -> Option<&[u8]> {
        self.spans.last().map(|&(s, e)| &self.buf[s..e])
    }
}

/// The archive members other than `events`, raw JSON text.
#[derive(Default, Debug)]
pub struct Header {
    pub format: Option<Vec<u8>>,
    pub origin: Option<Vec<u8>>,
    pub range: Option<Vec<u8>>,
    pub manifest: Option<Vec<u8>>,
    /// The optional signed checkpoint (DESIGN.md §8, §12).
    pub checkpoint: Option<Vec<u8>>,
}

/// Opens a reader, decompressing gzip when the input starts with its magic.
pub fn maybe_gunzip(mut reader: Box<dyn Read + Send>) -> Result<Box<dyn Read + Send>> {
    let mut magic = [0u8; 2];
    let mut n = 0;
    while n < 2 {
        let got = reader.read(&mut magic[n..]).context("cannot read the input")?;
        if got == 0 {
            break;
        }
        n += got;
    }
    let head = std::io::Cursor::new(magic[..n].to_vec()).chain(reader);
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(head)))
    } else {
        Ok(Box::new(head))
    }
}

/// Reads the input and calls `sink` with each batch, in order. Returns
/// the kind and (for archives) the header members.
pub struct Splitter {
    reader: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Bytes consumed before `buf[0]` (for error offsets).
    base: u64,
    next_index: u64,
    prev: Option<Vec<u8>>,
    /// A position that compaction must keep (the start of the first NDJSON object).
    pin: Option<usize>,
    pub bytes_read: u64,
}

enum Scan {
    /// The value ends at this position (exclusive).
    Done(usize),
    /// More input needed.
    More,
}

impl Splitter {
    pub fn new(reader: Box<dyn Read + Send>) -> Self {
        Splitter {
            reader,
            buf: Vec::with_capacity(BLOCK),
            pos: 0,
            eof: false,
            base: 0,
            next_index: 0,
            prev: None,
            pin: None,
            bytes_read: 0,
        }
    }

    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let len = self.buf.len();
        let want = BLOCK.max(len / 2);
        self.buf.resize(len + want, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(e).context("cannot read the input");
                }
            }
        };
        self.buf.truncate(len + n);
        self.bytes_read += n as u64;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Drops consumed bytes before `pos`.
    fn compact(&mut self) {
        let cut = self.pin.map_or(self.pos, |p| p.min(self.pos));
        if cut > 0 {
            self.buf.drain(..cut);
            self.base += cut as u64;
            self.pos -= cut;
            if let Some(p) = &mut self.pin {
                *p -= cut;
            }
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Skips white space, reading more as needed; returns the next byte.
    fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            self.compact();
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        match self.peek()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => bail!("invalid JSON at byte {}: expected {what}, found {:?}", self.offset(), b as char),
            None => bail!("invalid JSON: the input ends early (expected {what}); truncated file?"),
        }
    }

    /// Where the value starting at `start` ends, scanning what is buffered.
    fn scan_value(buf: &[u8], start: usize) -> Result<Scan, &'static str> {
        let first = match buf.get(start) {
            Some(&b) => b,
            None => return Ok(Scan::More),
        };
        match first {
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut i = start;
                while i < buf.len() {
                    match buf[i] {
                        b'"' => match string_end(buf, i + 1) {
                            Some(e) => {
                                i = e;
                                continue;
                            }
                            None => return Ok(Scan::More),
                        },
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(Scan::Done(i + 1));
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                    // Fast skip over plain bytes.
                    if let Some(off) = memchr_structural(&buf[i..]) {
                        i += off;
                    } else {
                        return Ok(Scan::More);
                    }
                }
                Ok(Scan::More)
            }
            b'"' => Ok(string_end(buf, start + 1).map_or(Scan::More, Scan::Done)),
            b'}' | b']' | b',' | b':' => Err("unexpected character"),
            _ => {
                let mut i = start;
                while i < buf.len() {
                    if matches!(buf[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' | b'{' | b'[' | b'"' | b':') {
                        return Ok(Scan::Done(i));
                    }
                    i += 1;
                }
                Ok(Scan::More)
            }
        }
    }

    /// The next whole value as a position range in `buf` (reading more as needed).
    fn value(&mut self, limit: usize, what: &str) -> Result<(usize, usize)> {
        if self.peek()?.is_none() {
            bail!("invalid JSON: the input ends early (expected {what}); truncated file?");
        }
        loop {
            match Self::scan_value(&self.buf, self.pos) {
                Ok(Scan::Done(end)) => {
                    let start = self.pos;
                    self.pos = end;
                    return Ok((start, end));
                }
                Ok(Scan::More) => {
                    if self.buf.len() - self.pos > limit {
                        bail!("{what} at byte {} is larger than {} MiB", self.offset(), limit >> 20);
                    }
                    if self.eof {
                        if self.buf.len() > self.pos && !matches!(self.buf[self.pos], b'{' | b'[' | b'"') {
                            let end = self.buf.len();
                            let start = self.pos;
                            self.pos = end;
                            return Ok((start, end));
                        }
                        bail!("invalid JSON: the input ends inside {what} at byte {}; truncated file?", self.offset());
                    }
                    self.compact();
                    self.fill()?;
                }
                Err(e) => bail!("invalid JSON at byte {}: {e} (expected {what})", self.offset()),
            }
        }
    }

    fn batch(&mut self, buf: Vec<u8>, spans: Vec<(usize, usize)>) -> Batch {
        let first = self.next_index;
        self.next_index += spans.len() as u64;
        let prev = self.prev.take();
        self.prev = spans.last().map(|&(s, e)| buf[s..e].to_vec());
        Batch { buf, spans, first, prev, ids: None }
    }

    /// Splits the elements of the array whose `[` was just consumed, up to
    /// and including its `]`.
    fn elements(&mut self, send: &mut dyn FnMut(Batch) -> Result<()>) -> Result<()> {
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(BATCH_EVENTS);
        let mut need_comma = false;
        loop {
            // White space and separators inside the buffered block.
            let b = match self.buf.get(self.pos..).and_then(|rest| rest.iter().position(|b| !b" \t\n\r".contains(b))) {
                Some(off) => {
                    self.pos += off;
                    self.buf[self.pos]
                }
                None => {
                    self.flush_batch(&mut spans, send)?;
                    if !self.fill()? {
                        bail!("invalid JSON: the input ends inside the events array; truncated file?");
                    }
                    continue;
                }
            };
            match b {
                b']' => {
                    self.pos += 1;
                    self.flush_batch(&mut spans, send)?;
                    return Ok(());
                }
                b',' if need_comma => {
                    self.pos += 1;
                    need_comma = false;
                    continue;
                }
                _ if need_comma => bail!("invalid JSON at byte {}: expected , or ] in the events array", self.offset()),
                _ => {}
            }
            need_comma |= self.next_event(&mut spans, send, "JSON", " in the events array")?;
        }
    }

    /// One step over the event at `self.pos`: records it when it is
    /// complete (true), or flushes the batch and reads more input (false).
    /// `format` and `context` name the input in errors.
    fn next_event(
        &mut self,
        spans: &mut Vec<(usize, usize)>,
        send: &mut dyn FnMut(Batch) -> Result<()>,
        format: &str,
        context: &str,
    ) -> Result<bool> {
        match Self::scan_value(&self.buf, self.pos) {
            Ok(Scan::Done(end)) => {
                spans.push((self.pos, end));
                self.pos = end;
                if spans.len() >= BATCH_EVENTS {
                    self.flush_batch(spans, send)?;
                }
                Ok(true)
            }
            Ok(Scan::More) => {
                if self.buf.len() - self.pos > MAX_EVENT_LEN {
                    bail!("event at byte {} is larger than {} MiB", self.offset(), MAX_EVENT_LEN >> 20);
                }
                if self.eof {
                    bail!(
                        "invalid {format}: the input ends inside an event at byte {}; truncated file?",
                        self.offset()
                    );
                }
                self.flush_batch(spans, send)?;
                self.fill()?;
                Ok(false)
            }
            Err(e) => bail!("invalid {format} at byte {}: {e}{context}", self.offset()),
        }
    }

    /// Sends the complete events as a batch, keeping the unconsumed tail.
    fn flush_batch(
        &mut self,
        spans: &mut Vec<(usize, usize)>,
        send: &mut dyn FnMut(Batch) -> Result<()>,
    ) -> Result<()> {
        if spans.is_empty() {
            self.compact();
            return Ok(());
        }
        let tail = self.buf[self.pos..].to_vec();
        let mut buf = std::mem::replace(&mut self.buf, Vec::with_capacity(BLOCK.max(tail.len() * 2)));
        buf.truncate(self.pos);
        self.buf.extend_from_slice(&tail);
        self.base += self.pos as u64;
        self.pos = 0;
        let batch = self.batch(buf, std::mem::take(spans));
        spans.reserve(BATCH_EVENTS);
        send(batch)
    }

    /// Reads the whole input, sending event batches to `send`; archive
    /// members other than `events` are returned in the header. `events`
    /// must come after `format` and `range` for a streamed archive (the
    /// chain is anchored at `range.anchor`): `on_header` is called once they
    /// are known, before the first batch.
    pub fn run(
        &mut self,
        send: &mut dyn FnMut(Batch) -> Result<()>,
        on_header: &mut dyn FnMut(Kind, &Header) -> Result<()>,
    ) -> Result<(Kind, Header)> {
        let mut header = Header::default();
        match self.peek()? {
            None => bail!("the input is empty (expected an archive, a JSON array or NDJSON)"),
            Some(b'[') => {
                self.pos += 1;
                on_header(Kind::Array, &header)?;
                self.elements(send)?;
                if self.peek()?.is_some() {
                    bail!("invalid JSON at byte {}: trailing data after the events array", self.offset());
                }
                Ok((Kind::Array, header))
            }
            Some(b'{') => self.object(&mut header, send, on_header),
            Some(b) => bail!("not an archive, a JSON array of events or NDJSON: the input starts with {:?}", b as char),
        }
    }

    fn object(
        &mut self,
        header: &mut Header,
        send: &mut dyn FnMut(Batch) -> Result<()>,
        on_header: &mut dyn FnMut(Kind, &Header) -> Result<()>,
    ) -> Result<(Kind, Header)> {
        // Read members of the first object; it is an archive when one of
        // them is `format` or `events`, otherwise the first NDJSON event.
        self.compact();
        self.pin = Some(self.pos);
        self.pos += 1;
        let mut seen: Vec<String> = Vec::new();
        let mut archive = false;
        let mut events_done = false;
        loop {
            match self.peek()? {
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') if !seen.is_empty() => self.pos += 1,
                _ if !seen.is_empty() => bail!("invalid JSON at byte {}: expected , or }} in an object", self.offset()),
                _ => {}
            }
            let (ns, ne) = self.value(MAX_MEMBER_LEN, "a member name")?;
            let name = member_name(&self.buf[ns..ne])
                .with_context(|| format!("invalid JSON at byte {}: bad member name", self.base + ns as u64))?;
            self.expect(b':', ":")?;
            if seen.contains(&name) {
                bail!("invalid JSON: member {name:?} appears twice (at byte {})", self.offset());
            }
            seen.push(name.clone());
            if name == "format" || name == "events" {
                archive = true;
                self.pin = None;
            }
            if archive && name == "events" {
                if self.peek()? != Some(b'[') {
                    bail!("not a signcore archive: events is not an array");
                }
                check_archive_header(header)?;
                on_header(Kind::Archive, header)?;
                self.pos += 1;
                self.elements(send)?;
                events_done = true;
                continue;
            }
            let (vs, ve) = self.value(MAX_MEMBER_LEN, "a member value")?;
            if archive {
                let raw = self.buf[vs..ve].to_vec();
                let slot = match name.as_str() {
                    "format" => &mut header.format,
                    "origin" => &mut header.origin,
                    "range" => &mut header.range,
                    "manifest" => &mut header.manifest,
                    "checkpoint" => &mut header.checkpoint,
                    _ => bail!("not a signcore-archive/1: unknown member {name:?}"),
                };
                if events_done && name != "manifest" {
                    return Err(OutOfOrder.into());
                }
                *slot = Some(raw);
            }
        }
        if archive {
            if !events_done {
                bail!("not a signcore archive: it has no events member");
            }
            if self.peek()?.is_some() {
                bail!("invalid JSON at byte {}: trailing data after the archive", self.offset());
            }
            return Ok((Kind::Archive, std::mem::take(header)));
        }
        // NDJSON: the object just read is event 0.
        on_header(Kind::Ndjson, header)?;
        let start = self.pin.take().unwrap_or(0);
        let mut spans = vec![(start, self.pos)];
        loop {
            match self.buf.get(self.pos..).and_then(|rest| rest.iter().position(|b| !b" \t\n\r".contains(b))) {
                Some(off) => self.pos += off,
                None => {
                    self.flush_batch(&mut spans, send)?;
                    if !self.fill()? {
                        break;
                    }
                    continue;
                }
            }
            self.next_event(&mut spans, send, "NDJSON", "")?;
        }
        Ok((Kind::Ndjson, std::mem::take(header)))
    }
}

/// An archive whose `format` or `range` comes after `events`: it cannot be
/// streamed (the chain is anchored at `range.anchor`); the caller may verify
/// it in memory instead.
#[derive(Debug, thiserror::Error)]
#[error(
    "archive members out of order: format and range must come before events to stream it (as `signcore archive` writes them); give a file (not stdin) to verify it in memory"
)]
pub struct OutOfOrder;

fn check_archive_header(header: &Header) -> Result<()> {
    let format = header.format.as_deref().ok_or(OutOfOrder)?;
    if format != br#""signcore-archive/1""# {
        bail!("not a signcore-archive/1: format is {}", String::from_utf8_lossy(format));
    }
    if header.range.is_none() {
        return Err(OutOfOrder.into());
    }
    Ok(())
}

fn member_name(raw: &[u8]) -> Result<String> {
    if raw.first() != Some(&b'"') {
        bail!("member name is not a string");
    }
    if !raw.contains(&b'\\') {
        return Ok(std::str::from_utf8(&raw[1..raw.len() - 1])?.to_string());
    }
    Ok(serde_json::from_slice::<String>(raw)?)
}

/// Position after the closing quote of a string whose content starts at `i`.
fn string_end(buf: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let off = memchr::memchr2(b'"', b'\\', buf.get(i..)?)?;
        i += off;
        if buf[i] == b'"' {
            return Some(i + 1);
        }
        i += 2; // skip the escaped byte
        if i > buf.len() {
            return None;
        }
    }
}

/// Offset of the next byte that matters to bracket matching.
fn memchr_structural(rest: &[u8]) -> Option<usize> {
    rest.iter().position(|&b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'))
}
