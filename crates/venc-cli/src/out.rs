//! What the command writes besides the stream: standard output as a pipe's writer sees it, and
//! an output file that a failed run does not leave behind.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// Something went wrong: said on stderr, exit status 1.
    Error(String),
    /// An input could not be read as what it should be (`venc trace diff` of a file that is no
    /// trace): said on stderr, exit status 2, so "differ" (1) and "unreadable" stay apart.
    Unreadable(String),
    /// Ctrl-C or SIGTERM ended the run early, its output finished and kept: exit status 130,
    /// the status a shell gives a command ended by SIGINT.
    Interrupted,
    /// Whoever read standard output went away (`venc … | head`): the command ends quietly
    /// with the status a process killed by SIGPIPE has in a shell (141), as coreutils do.
    ReaderGone,
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Self::Error(e)
    }
}

impl From<&str> for Failure {
    fn from(e: &str) -> Self {
        Self::Error(e.to_owned())
    }
}

/// Writes one line to standard output; a closed pipe is [`Failure::ReaderGone`], any other
/// failure (a full disk, `/dev/full`) an error naming stdout. Never panics as `println!` does.
pub fn line(args: fmt::Arguments<'_>) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            ErrorKind::BrokenPipe => Failure::ReaderGone,
            _ => Failure::Error(format!("stdout: {e}")),
        })
}

/// `println!` that returns a [`Failure`] instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// Where an output really goes: a link is followed to its target (written through, never
/// replaced: an MP4 is finished beside its target and renamed onto it), and a target that is
/// not a regular file is refused for an MP4 (it is rewritten in place and renamed) and taken
/// as a stream otherwise (`-o /dev/stdout`, a FIFO). `input` is refused as the output: the
/// run would truncate what it is about to read.
pub fn resolve_output(path: &Path, mp4: bool, input: Option<&Path>) -> Result<PathBuf, String> {
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)
                    .map_err(|e| format!("{}: {e}", target.display()))?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => break,
        }
    }
    if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!("{}: too many levels of links", path.display()));
    }
    if let Ok(m) = std::fs::metadata(&target) {
        let kind = m.file_type();
        let what = if kind.is_dir() {
            Some("a directory")
        } else if kind.is_file() {
            None
        } else {
            Some("not a regular file (a device, FIFO or socket)")
        };
        match what {
            Some("a directory") => return Err(format!("{}: is a directory", path.display())),
            Some(what) if mp4 => {
                return Err(format!(
                    "{}: {what}: an MP4 is written in place and finished by a rename, so it \
                     needs a regular file (write a .264/.265 stream there instead)",
                    path.display()
                ));
            }
            _ => {}
        }
        if let Some(input) = input
            && std::fs::canonicalize(input).ok() == std::fs::canonicalize(&target).ok()
        {
            return Err(format!(
                "{}: is the input too: writing it would destroy what is being read",
                path.display()
            ));
        }
    }
    Ok(target)
}

/// An output file this run created: removed again unless the run [`keep`](Self::keep)s it, so a
/// failure leaves no empty or partial file behind.
#[derive(Debug)]
pub struct CreatedFile {
    path: PathBuf,
    keep: bool,
}

impl CreatedFile {
    /// Creates `path` (truncating it).
    pub fn create(path: &Path) -> Result<(Self, std::fs::File), String> {
        let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok((
            Self {
                path: path.to_owned(),
                keep: false,
            },
            file,
        ))
    }

    /// The run succeeded (or what it wrote is whole: a fragmented MP4's complete fragments):
    /// the file stays.
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for CreatedFile {
    fn drop(&mut self) {
        // Character devices and pipes (`-o /dev/stdout`) are not ours to remove.
        let regular = std::fs::metadata(&self.path).is_ok_and(|m| m.is_file());
        if !self.keep && regular {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
