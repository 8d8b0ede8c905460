//! `venc trace diff`: where two traces first differ in behaviour, read in bounded memory.
//!
//! Behaviour is what a trace says a program did, without what depends on timing or on the
//! backend's addresses: the calls that are not polls, in order, with their results; then,
//! channel by channel, the types of the packs that came out (when a pack arrives relative to
//! the calls around it depends on the backend's speed, so packs are compared as each channel's
//! stream). The traces are read line by line, a line at most [`MAX_LINE`] bytes, once for the
//! calls and once per channel for the packs: memory stays bounded whatever their size.

use crate::trace::Event;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};

/// The longest line a trace may have (a call's JSON is a few hundred bytes).
pub const MAX_LINE: usize = 1 << 20;

/// One trace's events, one at a time: `(line, event)`. A line longer than [`MAX_LINE`], with a
/// NUL byte or not UTF-8 is an error at once (not a trace); a last line without its newline
/// that does not parse (a run cut off mid-write) ends the trace and is remembered in
/// [`TraceReader::truncated`].
#[derive(Debug)]
pub struct TraceReader<R> {
    reader: R,
    /// Prefixed to errors (the file's name), when not empty.
    name: String,
    line: usize,
    buf: Vec<u8>,
    truncated: Option<usize>,
}

impl<R: BufRead> TraceReader<R> {
    /// Reads the trace `reader` holds.
    pub fn new(reader: R) -> Self {
        Self::named(reader, String::new())
    }

    /// Reads the trace `reader` holds; errors name it `name` (its file).
    pub fn named(reader: R, name: String) -> Self {
        Self {
            reader,
            name,
            line: 0,
            buf: Vec::new(),
            truncated: None,
        }
    }

    /// The line of a truncated last line that was left out, once the trace is read.
    pub fn truncated(&self) -> Option<usize> {
        self.truncated
    }
}

impl<R: BufRead> TraceReader<R> {
    fn fail(&self, why: String) -> Option<Result<(usize, Event), String>> {
        let line = self.line;
        Some(Err(if self.name.is_empty() {
            format!("line {line}: {why}")
        } else {
            format!("{}: line {line}: {why}", self.name)
        }))
    }
}

impl<R: BufRead> Iterator for TraceReader<R> {
    type Item = Result<(usize, Event), String>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            let line = self.line;
            let limit = (MAX_LINE + 1) as u64;
            match (&mut self.reader)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
            {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return self.fail(e.to_string()),
            }
            let ended = self.buf.last() == Some(&b'\n');
            if self.buf.contains(&0) {
                return self.fail("a NUL byte: not a text file".into());
            }
            if !ended && self.buf.len() > MAX_LINE {
                return self.fail(format!("longer than {MAX_LINE} bytes: not a trace"));
            }
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                return self.fail("not UTF-8: not a trace".into());
            };
            if text.trim().is_empty() {
                continue;
            }
            return match serde_json::from_str(text) {
                Ok(event) => Some(Ok((line, event))),
                Err(_) if !ended => {
                    self.truncated = Some(line);
                    None
                }
                Err(e) => self.fail(e.to_string()),
            };
        }
    }
}

/// Whether `e` is a poll: a call whose repetition depends on timing.
fn is_poll(e: &Event) -> bool {
    match e.call.as_str() {
        "kd_mpi_venc_get_stream" => e.result == "K_ERR_VENC_NOTREADY" || e.packs.is_some(),
        "kd_mpi_venc_query_status" | "kd_mpi_venc_release_stream" | "read_mem" | "write_mem" => {
            e.result == "ok"
        }
        _ => false,
    }
}

/// The behaviour of a call that is not a poll.
fn call_item(e: &Event) -> Option<String> {
    if is_poll(e) {
        return None;
    }
    let chn = e.chn.map_or(String::new(), |c| format!(" ch{c}"));
    let got = e
        .args
        .get("got")
        .map_or(String::new(), |g| format!(" = {g}"));
    Some(format!("{}{chn} -> {}{got}", e.call, e.result))
}

/// The channel whose packs a trace's pack items are grouped by (none: `u32::MAX`).
fn pack_channel(e: &Event) -> u32 {
    e.chn.unwrap_or(u32::MAX)
}

fn pack_items(e: &Event) -> impl Iterator<Item = String> + '_ {
    let chn = e.chn.map_or(String::new(), |c| format!(" ch{c}"));
    e.packs
        .iter()
        .flatten()
        .map(move |p| format!("pack{chn} {p}"))
}

/// Where two traces first differ in behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Line in the first trace (1-based; 0 past its end) and what happened there.
    pub left: (usize, Option<String>),
    /// The same in the second trace.
    pub right: (usize, Option<String>),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |(line, what): &(usize, Option<String>)| match what {
            Some(w) => format!("line {line}: {w}"),
            None => "its end".to_owned(),
        };
        write!(
            f,
            "first trace {}; second trace {}",
            side(&self.left),
            side(&self.right)
        )
    }
}

/// What comparing two traces found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The first difference, if any.
    pub difference: Option<Difference>,
    /// How many events each trace holds.
    pub events: (usize, usize),
    /// A truncated last line each trace ended with (left out), by line.
    pub truncated: (Option<usize>, Option<usize>),
}

type Item = (usize, Option<String>);

/// What one pass over a trace learnt beside its call items: its size, a truncated end, and
/// each channel's first pack (the item the pack stream starts with).
#[derive(Default)]
struct Summary {
    events: usize,
    truncated: Option<usize>,
    first_packs: BTreeMap<u32, (usize, String)>,
}

impl Summary {
    /// The first pack item of the first channel at or after `from`, or the trace's end.
    fn first_pack_from(&self, from: u32) -> Item {
        self.first_packs
            .range(from..)
            .next()
            .map_or((0, None), |(_, (line, what))| (*line, Some(what.clone())))
    }
}

/// The call items of one trace, in order, summarising it on the way.
struct Calls<R> {
    events: TraceReader<R>,
    summary: Summary,
}

impl<R: BufRead> Calls<R> {
    fn new(events: TraceReader<R>) -> Self {
        Self {
            events,
            summary: Summary::default(),
        }
    }

    fn next_item(&mut self) -> Result<Option<(usize, String)>, String> {
        for event in self.events.by_ref() {
            let (line, e) = event?;
            self.summary.events += 1;
            if let Some(first) = pack_items(&e).next() {
                self.summary
                    .first_packs
                    .entry(pack_channel(&e))
                    .or_insert((line, first));
            }
            if let Some(item) = call_item(&e) {
                return Ok(Some((line, item)));
            }
        }
        Ok(None)
    }

    /// Reads the rest, for the summary.
    fn finish(mut self) -> Result<Summary, String> {
        while self.next_item()?.is_some() {}
        self.summary.truncated = self.events.truncated();
        Ok(self.summary)
    }
}

/// The next pack item of channel `chn`.
fn next_pack<R: BufRead>(
    events: &mut TraceReader<R>,
    pending: &mut std::collections::VecDeque<(usize, String)>,
    chn: u32,
) -> Result<Option<(usize, String)>, String> {
    while pending.is_empty() {
        let Some(event) = events.next() else {
            return Ok(None);
        };
        let (line, e) = event?;
        if pack_channel(&e) == chn {
            pending.extend(pack_items(&e).map(|p| (line, p)));
        }
    }
    Ok(pending.pop_front())
}

/// Compares two traces, each opened afresh by `open` (0: the first, 1: the second) for every
/// pass: once for the calls, then once per channel that has packs.
pub fn compare<R: BufRead>(
    open: impl Fn(usize) -> Result<TraceReader<R>, String>,
) -> Result<Comparison, String> {
    let some = |(line, what): (usize, String)| (line, Some(what));
    let (mut a, mut b) = (Calls::new(open(0)?), Calls::new(open(1)?));
    let calls_differ = loop {
        match (a.next_item()?, b.next_item()?) {
            (Some(x), Some(y)) if x.1 == y.1 => {}
            (None, None) => break None,
            other => break Some(other),
        }
    };
    let (sa, sb) = (a.finish()?, b.finish()?);
    let done = |difference| Comparison {
        difference,
        events: (sa.events, sb.events),
        truncated: (sa.truncated, sb.truncated),
    };
    if let Some((x, y)) = calls_differ {
        // A trace whose calls ended goes on with its first pack.
        let left = x.map_or_else(|| sa.first_pack_from(0), some);
        let right = y.map_or_else(|| sb.first_pack_from(0), some);
        return Ok(done(Some(Difference { left, right })));
    }
    let channels: std::collections::BTreeSet<u32> = sa
        .first_packs
        .keys()
        .chain(sb.first_packs.keys())
        .copied()
        .collect();
    for &chn in &channels {
        let (mut ra, mut rb) = (open(0)?, open(1)?);
        let (mut qa, mut qb) = (Default::default(), Default::default());
        loop {
            let x = next_pack(&mut ra, &mut qa, chn)?;
            let y = next_pack(&mut rb, &mut qb, chn)?;
            match (x, y) {
                (Some(x), Some(y)) if x.1 == y.1 => {}
                (None, None) => break,
                (x, y) => {
                    // A channel's stream that ended goes on with the next channel's.
                    let next = chn.saturating_add(1);
                    let left = x.map_or_else(|| sa.first_pack_from(next), some);
                    let right = y.map_or_else(|| sb.first_pack_from(next), some);
                    return Ok(done(Some(Difference { left, right })));
                }
            }
        }
    }
    Ok(done(None))
}

/// Compares two trace files (`venc trace diff`).
pub fn compare_files(
    first: &std::path::Path,
    second: &std::path::Path,
) -> Result<Comparison, String> {
    let paths = [first, second];
    compare(|side| {
        let path = paths[side];
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.display().to_string();
        Ok(TraceReader::named(std::io::BufReader::new(file), name))
    })
}

/// The first behavioural difference between two traces held in memory (each event at its
/// line, blank lines between), or `None`.
pub fn diff(a: &[(usize, Event)], b: &[(usize, Event)]) -> Option<Difference> {
    let texts = [a, b].map(|events| {
        let mut text = Vec::new();
        let mut at = 1;
        for (line, e) in events {
            while at < *line {
                text.push(b'\n');
                at += 1;
            }
            // An Event always serialises: strings, numbers and JSON values.
            let _ = serde_json::to_writer(&mut text, e);
            text.push(b'\n');
            at += 1;
        }
        text
    });
    compare(|side| Ok(TraceReader::new(std::io::Cursor::new(texts[side].clone()))))
        .ok()
        .and_then(|c| c.difference)
}

/// A whole trace held in memory, parsed: a line that is not an event is an error naming it.
pub fn parse(text: &str) -> Result<Vec<(usize, Event)>, String> {
    TraceReader::new(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader gives for `text`, and the line it left out as cut off.
    type Got = (Vec<Result<(usize, Event), String>>, Option<usize>);

    fn read(text: &[u8]) -> Got {
        let mut r = TraceReader::new(text);
        let events = r.by_ref().collect();
        (events, r.truncated())
    }

    fn ev(call: &str, chn: Option<u32>, result: &str, packs: Option<&[&str]>) -> Event {
        Event {
            t_us: 0,
            dur_us: 0,
            call: call.into(),
            chn,
            args: serde_json::Value::Null,
            result: result.into(),
            packs: packs.map(|p| p.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn polls_and_grouping_do_not_count_codes_and_pack_types_do() {
        let a = vec![
            (1, ev("kd_mpi_venc_start_chn", Some(0), "ok", None)),
            (
                2,
                ev(
                    "kd_mpi_venc_get_stream",
                    Some(0),
                    "K_ERR_VENC_NOTREADY",
                    None,
                ),
            ),
            (
                3,
                ev(
                    "kd_mpi_venc_get_stream",
                    Some(0),
                    "ok",
                    Some(&["HEADER", "I"]),
                ),
            ),
            (4, ev("kd_mpi_venc_query_status", Some(0), "ok", None)),
        ];
        let b = vec![
            (1, ev("kd_mpi_venc_start_chn", Some(0), "ok", None)),
            (
                2,
                ev("kd_mpi_venc_get_stream", Some(0), "ok", Some(&["HEADER"])),
            ),
            (
                3,
                ev(
                    "kd_mpi_venc_get_stream",
                    Some(0),
                    "K_ERR_VENC_NOTREADY",
                    None,
                ),
            ),
            (
                4,
                ev(
                    "kd_mpi_venc_get_stream",
                    Some(0),
                    "K_ERR_VENC_NOTREADY",
                    None,
                ),
            ),
            (5, ev("kd_mpi_venc_get_stream", Some(0), "ok", Some(&["I"]))),
        ];
        assert_eq!(diff(&a, &b), None);
        let mut c = b.clone();
        c[4].1.packs = Some(vec!["P".into()]);
        let d = diff(&a, &c).expect("differs");
        assert_eq!(d.left, (3, Some("pack ch0 I".into())));
        assert_eq!(d.right, (5, Some("pack ch0 P".into())));
        // A pack that comes before or after the next call is the same stream.
        let mut early = a.clone();
        early.swap(0, 2);
        assert_eq!(diff(&a, &early), None);
        let mut e = a.clone();
        e[0].1.result = "K_ERR_VENC_NOT_PERM".into();
        assert!(diff(&a, &e).is_some());
        assert_eq!(diff(&a, &a[..1]).expect("shorter").right, (0, None));
    }

    #[test]
    fn a_line_that_is_not_an_event_is_named() {
        let (events, _) = read(b"{\"t_us\":0}\n");
        let e = events[0].clone().expect_err("missing fields");
        assert!(e.starts_with("line 1:"), "{e}");
        assert!(read(b"\n\n").0.is_empty(), "blank lines");
    }

    #[test]
    fn what_is_no_trace_is_refused_at_once_and_a_cut_last_line_is_left_out() {
        let nul = vec![0u8; 64];
        let (events, _) = read(&nul);
        assert!(events[0].clone().expect_err("NUL").contains("NUL byte"));
        // A stream without a newline is refused after MAX_LINE bytes, not read to its end.
        let endless = std::io::repeat(b'x').take(10 * MAX_LINE as u64);
        let mut r = TraceReader::new(std::io::BufReader::new(endless));
        let e = r.next().expect("an error").expect_err("too long");
        assert!(e.contains("longer than"), "{e}");
        let (events, _) = read(&[0xff, 0xfe, b'\n']);
        assert!(events[0].clone().expect_err("bytes").contains("UTF-8"));
        let whole = r#"{"t_us":0,"dur_us":0,"call":"kd_mpi_venc_start_chn","chn":0,"result":"ok"}"#;
        let cut = format!("{whole}\n{}", &whole[..30]);
        let (events, truncated) = read(cut.as_bytes());
        assert_eq!(events.len(), 1);
        assert_eq!(truncated, Some(2));
        // A last line without its newline that parses is an event.
        let (events, truncated) = read(whole.as_bytes());
        assert_eq!((events.len(), truncated), (1, None));
        // A line cut in the middle of the trace is an error, not a truncation.
        let middle = format!("{}\n{whole}\n", &whole[..30]);
        assert!(read(middle.as_bytes()).0[0].is_err());
    }
}
