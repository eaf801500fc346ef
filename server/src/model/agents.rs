//! What chant's agents leave in `.chant/` while they work: a lock per spec being worked
//! (`.locks/<id>.lock`, the agent's PID in decimal; chant's `src/lock.rs`) and a report per
//! run (`specs/.chant-status-<id>.json`; chant's `src/worktree/status.rs`). Both are model
//! inputs like every other tracked file. Whether the PID is still running is a question
//! about the machine, asked of [`Processes`] when a feature needs the answer.
//!
//! Bad content never fails anything: a lock that is not a PID, or a report chant could not
//! read back, is no agent information at all.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};

use super::vfs::Fs;

/// A lock holds one PID (`u32` in decimal); anything longer is not chant's.
pub const MAX_LOCK_BYTES: u64 = 64;
/// A run report is a few hundred bytes; the error message is the only long part.
pub const MAX_STATUS_BYTES: u64 = 64 * 1024;

/// Where the locks live, under `.chant/`.
pub const LOCKS_DIR: &str = ".locks";
const STATUS_PREFIX: &str = ".chant-status-";
const STATUS_SUFFIX: &str = ".json";

/// The two kinds of agent files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentFile {
    Lock,
    Status,
}

/// Which agent file `path` is, and the spec ID it belongs to (from its name, as chant
/// names them); None for every other path.
pub fn agent_file(chant: &Path, path: &Path) -> Option<(AgentFile, String)> {
    let rel = path.strip_prefix(chant).ok()?;
    let mut parts = rel.components();
    let dir = parts.next()?.as_os_str().to_str()?;
    let name = parts.next()?.as_os_str().to_str()?;
    if parts.next().is_some() {
        return None;
    }
    let (kind, id) = match dir {
        LOCKS_DIR => (AgentFile::Lock, name.strip_suffix(".lock")?),
        "specs" => (
            AgentFile::Status,
            name.strip_prefix(STATUS_PREFIX)?
                .strip_suffix(STATUS_SUFFIX)?,
        ),
        _ => return None,
    };
    (!id.is_empty()).then(|| (kind, id.to_string()))
}

/// The path of a spec's lock file.
pub fn lock_path(chant: &Path, id: &str) -> PathBuf {
    chant.join(LOCKS_DIR).join(format!("{id}.lock"))
}

/// The path of a spec's run report.
pub fn status_path(chant: &Path, id: &str) -> PathBuf {
    chant
        .join("specs")
        .join(format!("{STATUS_PREFIX}{id}{STATUS_SUFFIX}"))
}

/// Every agent file on disk under `chant`.
pub fn paths_on_disk(fs: &dyn Fs, chant: &Path) -> Vec<PathBuf> {
    paths_on_disk_given(fs, chant, None)
}

/// As [`paths_on_disk`], with the files of `specs/` already listed (by the spec walk,
/// which lists that folder anyway: a second listing of 10,000 entries is not free).
pub fn paths_on_disk_given(
    fs: &dyn Fs,
    chant: &Path,
    specs_files: Option<Vec<PathBuf>>,
) -> Vec<PathBuf> {
    let is_agent_file = |p: &PathBuf| agent_file(chant, p).is_some();
    let listed = |dir: &Path| -> Vec<PathBuf> {
        let Ok(entries) = fs.list(dir) else {
            return Vec::new();
        };
        entries
            .into_iter()
            .filter(|(p, is_dir)| !is_dir && is_agent_file(p))
            .map(|(p, _)| p)
            .collect()
    };
    let mut out = listed(&chant.join(LOCKS_DIR));
    match specs_files {
        Some(files) => out.extend(files.into_iter().filter(is_agent_file)),
        None => out.extend(listed(&chant.join("specs"))),
    }
    out
}

/// A spec's lock: an agent claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub pid: u32,
    /// When the lock was written (the file's modification time), if known.
    pub since: Option<DateTime<Utc>>,
}

/// The states chant reports a run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Working,
    Done,
    Failed,
}

/// A run's report, as chant's `AgentStatus` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatus {
    pub state: RunState,
    /// `updated_at`; None when it is not RFC 3339 (chant writes `to_rfc3339()`).
    pub updated_at: Option<DateTime<FixedOffset>>,
    pub error: Option<String>,
    pub commits: Vec<String>,
}

/// What the agent files say about one spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agent {
    pub lock: Option<Lock>,
    pub status: Option<RunStatus>,
}

impl Agent {
    pub fn is_empty(&self) -> bool {
        self.lock.is_none() && self.status.is_none()
    }
}

/// The PID in a lock file's text, as chant's `read_lock` reads it (trimmed decimal).
/// PID 0 is no process (`kill(0, 0)` would ask about our own process group).
pub fn parse_lock(bytes: &[u8]) -> Option<u32> {
    if bytes.len() as u64 > MAX_LOCK_BYTES {
        return None;
    }
    let pid: u32 = std::str::from_utf8(bytes).ok()?.trim().parse().ok()?;
    (pid != 0).then_some(pid)
}

/// chant's `AgentStatus`: the fields it requires are required here too, so a report chant
/// could not read back is no report.
#[derive(serde::Deserialize)]
struct StatusFile {
    #[allow(dead_code)] // required, as chant requires it; the file name names the spec
    spec_id: String,
    status: RunState,
    updated_at: String,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    commits: Vec<String>,
}

/// A run report's JSON.
pub fn parse_status(bytes: &[u8]) -> Option<RunStatus> {
    if bytes.len() as u64 > MAX_STATUS_BYTES {
        return None;
    }
    let f: StatusFile = serde_json::from_slice(bytes).ok()?;
    Some(RunStatus {
        state: f.status,
        updated_at: DateTime::parse_from_rfc3339(f.updated_at.trim()).ok(),
        error: f.error.filter(|e| !e.trim().is_empty()),
        commits: f.commits,
    })
}

/// Reads one agent file into `agent` (a missing or unreadable file clears that part).
pub fn read(fs: &dyn Fs, path: &Path, kind: AgentFile, agent: &mut Agent) {
    match kind {
        AgentFile::Lock => {
            let pid = fs
                .read_at_most(path, MAX_LOCK_BYTES)
                .ok()
                .and_then(|b| parse_lock(&b));
            agent.lock = pid.map(|pid| Lock {
                pid,
                since: fs.modified(path).map(DateTime::<Utc>::from),
            });
        }
        AgentFile::Status => {
            agent.status = fs
                .read_at_most(path, MAX_STATUS_BYTES)
                .ok()
                .and_then(|b| parse_status(&b));
        }
    }
}

/// The machine the agents run on: whether a process is alive, and the local clock's
/// offset (times are shown in local time). Behind a trait so tests need no real process
/// and no particular time zone.
pub trait Processes: Send + Sync {
    /// Whether a process with this PID exists (`kill(pid, 0)` succeeding); None when this
    /// machine cannot tell.
    fn alive(&self, pid: u32) -> Option<bool>;

    /// The local time zone's offset at `at`.
    fn utc_offset(&self, at: DateTime<Utc>) -> FixedOffset {
        use chrono::{Local, Offset, TimeZone};
        Local.offset_from_utc_datetime(&at.naive_utc()).fix()
    }
}

/// Knows nothing about processes (the default until the edge installs [`System`]).
pub struct Unknown;

impl Processes for Unknown {
    fn alive(&self, _: u32) -> Option<bool> {
        None
    }
}

/// This machine's processes: on Linux a PID is alive while `/proc/<pid>` exists (what
/// `kill(pid, 0)` tells, zombies included); elsewhere unknown.
pub struct System;

impl Processes for System {
    fn alive(&self, pid: u32) -> Option<bool> {
        if !cfg!(target_os = "linux") {
            return None;
        }
        let proc = Path::new("/proc");
        // Without procfs (some sandboxes) nothing can be told.
        if !proc.join("self").exists() {
            return None;
        }
        Some(proc.join(pid.to_string()).exists())
    }
}

/// What a spec's agent files mean now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// A lock names a running process (or one this machine cannot check), or the run
    /// report says working.
    Working {
        pid: Option<u32>,
        since: Option<DateTime<Utc>>,
    },
    /// The lock names a process that is not running: the agent ended without removing it.
    Stale { pid: u32 },
    Failed {
        error: Option<String>,
        at: Option<DateTime<Utc>>,
    },
    Done {
        at: Option<DateTime<Utc>>,
        commits: Vec<String>,
    },
}

/// The agent's state from its files and the machine: a lock decides while it is there
/// (live or stale), else the last run's report.
pub fn state(agent: &Agent, processes: &dyn Processes) -> Option<State> {
    let report_time = agent
        .status
        .as_ref()
        .and_then(|s| s.updated_at)
        .map(|t| t.with_timezone(&Utc));
    if let Some(lock) = &agent.lock {
        if processes.alive(lock.pid) == Some(false) {
            return Some(State::Stale { pid: lock.pid });
        }
        // The run report's time when it reports this run, else when the lock appeared.
        let reports_working = agent
            .status
            .as_ref()
            .is_some_and(|s| s.state == RunState::Working);
        let since = report_time.filter(|_| reports_working).or(lock.since);
        return Some(State::Working {
            pid: Some(lock.pid),
            since,
        });
    }
    let status = agent.status.as_ref()?;
    Some(match status.state {
        RunState::Working => State::Working {
            pid: None,
            since: report_time,
        },
        RunState::Failed => State::Failed {
            error: status.error.clone(),
            at: report_time,
        },
        RunState::Done => State::Done {
            at: report_time,
            commits: status.commits.clone(),
        },
    })
}

/// The PID of a live agent holding the spec: a lock whose process is known to run.
pub fn live_pid(agent: &Agent, processes: &dyn Processes) -> Option<u32> {
    let pid = agent.lock.as_ref()?.pid;
    (processes.alive(pid) == Some(true)).then_some(pid)
}

/// `t` in local time.
pub fn local(processes: &dyn Processes, t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&processes.utc_offset(t))
}

/// A machine for tests: only the listed PIDs run, in a fixed time zone.
#[cfg(test)]
pub struct Fake {
    pub running: Vec<u32>,
    pub offset_hours: i32,
}

#[cfg(test)]
impl Processes for Fake {
    fn alive(&self, pid: u32) -> Option<bool> {
        Some(self.running.contains(&pid))
    }
    fn utc_offset(&self, _: DateTime<Utc>) -> FixedOffset {
        FixedOffset::east_opt(self.offset_hours * 3600).expect("a valid offset")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vfs::MemFs;

    #[test]
    fn agent_files_name_their_spec() {
        let chant = Path::new("/r/.chant");
        let f = |p: &str| agent_file(chant, Path::new(p));
        assert_eq!(
            f("/r/.chant/.locks/2026-03-01-001-abc.lock"),
            Some((AgentFile::Lock, "2026-03-01-001-abc".into()))
        );
        assert_eq!(
            f("/r/.chant/specs/.chant-status-2026-03-01-001-abc.json"),
            Some((AgentFile::Status, "2026-03-01-001-abc".into()))
        );
        assert_eq!(f("/r/.chant/.locks/.lock"), None);
        assert_eq!(f("/r/.chant/.locks/x.lock.tmp"), None);
        assert_eq!(f("/r/.chant/.locks/sub/x.lock"), None);
        assert_eq!(
            f("/r/.chant/specs/.chant-status-x.tmp"),
            None,
            "chant's temp file"
        );
        assert_eq!(f("/r/.chant/specs/x.md"), None);
        assert_eq!(f("/r/.chant/archive/.chant-status-x.json"), None);
        assert_eq!(f("/r/other/.locks/x.lock"), None);
        assert_eq!(
            lock_path(chant, "x"),
            PathBuf::from("/r/.chant/.locks/x.lock")
        );
        assert_eq!(
            agent_file(chant, &status_path(chant, "x")),
            Some((AgentFile::Status, "x".into()))
        );
    }

    #[test]
    fn locks_hold_a_pid_or_nothing() {
        assert_eq!(parse_lock(b"4242"), Some(4242));
        assert_eq!(parse_lock(b" 4242\n"), Some(4242));
        assert_eq!(parse_lock(b""), None);
        assert_eq!(parse_lock(b"0"), None);
        assert_eq!(parse_lock(b"-1"), None);
        assert_eq!(parse_lock(b"4242 4243"), None);
        assert_eq!(parse_lock(b"99999999999"), None, "more than a u32");
        assert_eq!(parse_lock(&[0xff, 0xfe]), None);
        let long = format!("{}1", " ".repeat(MAX_LOCK_BYTES as usize));
        assert_eq!(parse_lock(long.as_bytes()), None, "too long to be chant's");
    }

    #[test]
    fn status_files_as_chant_writes_them() {
        let failed = br#"{
  "spec_id": "2026-03-01-001-abc",
  "status": "failed",
  "updated_at": "2026-03-01T10:32:05.123456789+00:00",
  "error": "Agent exited with code 1"
}"#;
        let s = parse_status(failed).expect("a report");
        assert_eq!(s.state, RunState::Failed);
        assert_eq!(s.error.as_deref(), Some("Agent exited with code 1"));
        assert_eq!(
            s.updated_at.map(|t| t.to_rfc3339()),
            Some("2026-03-01T10:32:05.123456789+00:00".into())
        );
        let done = br#"{"spec_id":"x","status":"done","updated_at":"2026-03-01T10:32:00Z","commits":["abc123","def456"]}"#;
        let s = parse_status(done).expect("a report");
        assert_eq!((s.state, s.commits.len()), (RunState::Done, 2));
        // A time that is not RFC 3339 keeps the report, without its time.
        let s = parse_status(br#"{"spec_id":"x","status":"working","updated_at":"yesterday"}"#)
            .expect("a report");
        assert_eq!((s.state, s.updated_at), (RunState::Working, None));
    }

    #[test]
    fn status_files_chant_could_not_read_are_nothing() {
        for bad in [
            &b""[..],
            b"{ invalid json }",
            b"[]",
            br#"{"status":"done","updated_at":"2026-03-01T10:32:00Z"}"#, // no spec_id
            br#"{"spec_id":"x","status":"Done","updated_at":"2026-03-01T10:32:00Z"}"#,
            br#"{"spec_id":"x","status":"paused","updated_at":"2026-03-01T10:32:00Z"}"#,
            br#"{"spec_id":"x","status":"done"}"#,
            br#"{"spec_id":"x","status":"done","updated_at":"t","commits":"abc"}"#,
            &[0xff; 8],
        ] {
            assert_eq!(
                parse_status(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            parse_status(deep.as_bytes()),
            None,
            "too big, and never a panic"
        );
        let nested = format!(
            r#"{{"spec_id":"x","status":"done","updated_at":"t","x":{}{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        );
        // Unknown fields are skipped as chant skips them, however deep, without a panic.
        assert!(parse_status(nested.as_bytes()).is_some());
    }

    fn agent(lock: Option<u32>, status: Option<&str>) -> Agent {
        Agent {
            lock: lock.map(|pid| Lock {
                pid,
                since: DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
                    .ok()
                    .map(|t| t.with_timezone(&Utc)),
            }),
            status: status.and_then(|s| parse_status(s.as_bytes())),
        }
    }

    #[test]
    fn a_lock_decides_while_it_is_there_then_the_report() {
        let machine = Fake {
            running: vec![4242],
            offset_hours: 0,
        };
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        };
        let working = r#"{"spec_id":"x","status":"working","updated_at":"2026-03-01T10:32:00Z"}"#;
        let failed = r#"{"spec_id":"x","status":"failed","updated_at":"2026-03-01T10:40:00Z","error":"boom"}"#;
        assert_eq!(
            state(&agent(Some(4242), Some(working)), &machine),
            Some(State::Working {
                pid: Some(4242),
                since: at("2026-03-01T10:32:00Z")
            }),
            "the report's time"
        );
        assert_eq!(
            state(&agent(Some(4242), Some(failed)), &machine),
            Some(State::Working {
                pid: Some(4242),
                since: at("2026-03-01T09:00:00Z")
            }),
            "a new run under an old failure's report: the lock's time"
        );
        assert_eq!(
            state(&agent(Some(7), Some(working)), &machine),
            Some(State::Stale { pid: 7 })
        );
        assert_eq!(
            state(&agent(Some(7), None), &Unknown),
            Some(State::Working {
                pid: Some(7),
                since: at("2026-03-01T09:00:00Z")
            }),
            "a machine that cannot tell trusts the lock"
        );
        assert_eq!(
            state(&agent(None, Some(failed)), &machine),
            Some(State::Failed {
                error: Some("boom".into()),
                at: at("2026-03-01T10:40:00Z")
            })
        );
        assert_eq!(state(&agent(None, None), &machine), None);
        assert_eq!(live_pid(&agent(Some(4242), None), &machine), Some(4242));
        assert_eq!(live_pid(&agent(Some(7), None), &machine), None);
        assert_eq!(live_pid(&agent(Some(7), None), &Unknown), None);
    }

    #[test]
    fn reading_files_bounds_them() {
        let fs = MemFs::default();
        let lock = Path::new("/r/.chant/.locks/x.lock");
        let status = Path::new("/r/.chant/specs/.chant-status-x.json");
        let mut a = Agent::default();
        fs.write(lock, b"123\n".to_vec());
        read(&fs, lock, AgentFile::Lock, &mut a);
        assert_eq!(a.lock.as_ref().map(|l| l.pid), Some(123));
        fs.write(lock, vec![b'1'; 10_000]);
        read(&fs, lock, AgentFile::Lock, &mut a);
        assert_eq!(a.lock, None);
        let mut big = br#"{"spec_id":"x","status":"failed","updated_at":"t","error":""#.to_vec();
        big.extend(vec![b'e'; MAX_STATUS_BYTES as usize]);
        big.extend(br#""}"#);
        fs.write(status, big);
        read(&fs, status, AgentFile::Status, &mut a);
        assert_eq!(a.status, None);
        fs.remove(lock);
        read(&fs, lock, AgentFile::Lock, &mut a);
        assert!(a.is_empty());
        assert_eq!(
            paths_on_disk(&fs, Path::new("/r/.chant")),
            vec![status.to_path_buf()]
        );
    }

    #[test]
    fn this_machine_knows_its_own_process() {
        if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
            assert_eq!(System.alive(std::process::id()), Some(true));
            // PIDs stop well below this (pid_max is at most 2^22).
            assert_eq!(System.alive(u32::MAX - 1), Some(false));
        } else {
            assert_eq!(System.alive(std::process::id()), None);
        }
    }
}
