//! A FUSE filesystem that stands in for a disk losing power: what a program writes stays in
//! memory until it is made durable the way POSIX promises, and a cut drops everything else.
//!
//! What it models, exactly:
//! - File contents (data and size) become durable only on `fsync` or `fdatasync` of the file,
//!   through any descriptor; then the whole file as it is at that moment is durable.
//! - A directory's entries (files and directories created, renamed or removed in it) become
//!   durable only on `fsync` of that directory; then all its entries as they are at that moment
//!   are durable, each naming the file it names then, with that file's durable contents (empty if
//!   it was never synced). A rename between two directories is durable in each directory
//!   separately, when each is synced.
//! - The backing directory holds exactly the durable state: every sync writes what it made
//!   durable there before it returns, and nothing else is ever written there.
//! - The cut (see [`CutFs::cut`], or a trigger of [`CutFs::cut_when`]) is instant and atomic
//!   between operations: from then on every operation fails with `EIO`, and what was not synced
//!   is gone.
//!
//! It is stricter than a real disk: nothing that was not synced survives, whereas a disk often
//! keeps some of it (ext4 commits its journal every few seconds, and one `fsync` commits other
//! files' metadata with it). It does not model torn or reordered writes within one sync, a sync
//! that fails while the system runs, a disk that lies about flushing its cache, or the kernel's
//! page cache still answering reads after the cut. Extended attributes, links, symlinks, device
//! files, owners and permissions are not modelled (the tests run as root).
//!
//! It runs inside the test process (the server under test is another process) and mounts
//! through `/dev/fuse` as root; the tests ask [`crate::disk::may_run`] first.

use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, OpenFlags, RenameFlags,
    ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite,
    Request, TimeOrNow, WriteFlags,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// How long the kernel may cache names and attributes: every change goes through the kernel,
/// so its cache never goes stale.
const TTL: Duration = Duration::from_secs(1);

/// An operation that can trigger the cut (see [`CutFs::cut_when`]), after it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `fsync` or `fdatasync` of a file or a directory, with its name (the last name it had).
    Sync(OsString),
    /// A rename, with the new name.
    Rename(OsString),
}

type Trigger = Box<dyn FnMut(&Op) -> bool + Send>;

/// A file's contents: what the program sees, and what is durable.
#[derive(Default)]
struct Contents {
    live: Vec<u8>,
    durable: Vec<u8>,
    /// Byte ranges written or truncated since the last sync.
    dirty: Vec<(u64, u64)>,
    /// Counts syncs, so that the backing copy of a file is known to be up to date.
    generation: u64,
}

enum Body {
    File(Contents),
    Dir { live: BTreeMap<OsString, u64>, durable: BTreeMap<OsString, u64> },
}

struct Node {
    body: Body,
    perm: u16,
    mtime: SystemTime,
    /// The last name it was given, for triggers.
    name: OsString,
}

struct State {
    nodes: HashMap<u64, Node>,
    next_ino: u64,
    cut: bool,
    backing: PathBuf,
    /// The backing files and the (inode, generation) whose durable contents each holds.
    copies: HashMap<PathBuf, (u64, u64)>,
    trigger: Option<Trigger>,
    syncs: u64,
    /// Why the backing directory could not be written, if it could not.
    broken: Option<String>,
}

/// A handle on a mounted [`CutFs`] that the test keeps: the cut, its triggers, and the mount.
pub struct CutFs {
    state: Arc<Mutex<State>>,
    session: Option<fuser::BackgroundSession>,
    dir: tempfile::TempDir,
}

impl CutFs {
    /// Mounts a new filesystem over an empty backing directory, both in a fresh temporary folder.
    pub fn mount() -> CutFs {
        let dir = tempfile::tempdir().unwrap();
        let backing = dir.path().join("backing");
        let mnt = dir.path().join("mnt");
        std::fs::create_dir(&backing).unwrap();
        std::fs::create_dir(&mnt).unwrap();
        let mut nodes = HashMap::new();
        let root = Body::Dir { live: BTreeMap::new(), durable: BTreeMap::new() };
        nodes.insert(1, Node { body: root, perm: 0o755, mtime: SystemTime::now(), name: OsString::from("/") });
        let state = Arc::new(Mutex::new(State {
            nodes,
            next_ino: 2,
            cut: false,
            backing,
            copies: HashMap::new(),
            trigger: None,
            syncs: 0,
            broken: None,
        }));
        let mut config = fuser::Config::default();
        config.mount_options = vec![fuser::MountOption::FSName("cutfs".into())];
        let session = fuser::spawn_mount(Fs(Arc::clone(&state)), &mnt, &config)
            .unwrap_or_else(|e| panic!("mounting the FUSE filesystem on {}: {e}", mnt.display()));
        CutFs { state, session: Some(session), dir }
    }

    /// The mount point, where the program under test writes.
    pub fn mount_point(&self) -> PathBuf {
        self.dir.path().join("mnt")
    }

    /// The backing directory: what survived, once the filesystem is cut.
    pub fn backing(&self) -> PathBuf {
        self.dir.path().join("backing")
    }

    /// The power cut, now: what was not synced is dropped, and every later operation fails.
    pub fn cut(&self) {
        lock(&self.state).cut = true;
    }

    /// Whether the cut happened (by [`CutFs::cut`] or a trigger).
    pub fn is_cut(&self) -> bool {
        lock(&self.state).cut
    }

    /// Cuts right after the first operation for which `trigger` returns true, before any other
    /// operation runs.
    pub fn cut_when(&self, trigger: impl FnMut(&Op) -> bool + Send + 'static) {
        lock(&self.state).trigger = Some(Box::new(trigger));
    }

    /// How many syncs (of files and directories) succeeded so far.
    pub fn syncs(&self) -> u64 {
        lock(&self.state).syncs
    }

    /// Unmounts the filesystem (the program writing to it must be gone), and fails the test if
    /// the emulation itself failed.
    pub fn unmount(&mut self) {
        if let Some(session) = self.session.take() {
            session.umount_and_join().expect("unmounting the FUSE filesystem");
        }
        if let Some(broken) = lock(&self.state).broken.take() {
            panic!("the FUSE filesystem failed: {broken}");
        }
    }
}

impl Drop for CutFs {
    fn drop(&mut self) {
        if self.session.is_some() {
            // A test that failed may leave a process with files open on it: detach it lazily.
            let _ = std::process::Command::new("umount").arg("-l").arg(self.mount_point()).status();
            drop(self.session.take());
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    fn node(&mut self, ino: INodeNo) -> Result<&mut Node, Errno> {
        if self.cut {
            return Err(Errno::EIO);
        }
        self.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)
    }

    fn attr(&self, ino: u64) -> FileAttr {
        let node = &self.nodes[&ino];
        let (kind, size, nlink) = match &node.body {
            Body::File(c) => (FileType::RegularFile, c.live.len() as u64, 1),
            Body::Dir { .. } => (FileType::Directory, 0, 2),
        };
        FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: node.mtime,
            mtime: node.mtime,
            ctime: node.mtime,
            crtime: node.mtime,
            kind,
            perm: node.perm,
            nlink,
            uid: 0,
            gid: 0,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        }
    }

    fn entries(&mut self, dir: INodeNo) -> Result<&mut BTreeMap<OsString, u64>, Errno> {
        match &mut self.node(dir)?.body {
            Body::Dir { live, .. } => Ok(live),
            Body::File(_) => Err(Errno::ENOTDIR),
        }
    }

    fn child(&mut self, dir: INodeNo, name: &OsStr) -> Result<u64, Errno> {
        self.entries(dir)?.get(name).copied().ok_or(Errno::ENOENT)
    }

    fn add(&mut self, parent: INodeNo, name: &OsStr, body: Body, mode: u32) -> Result<u64, Errno> {
        if self.entries(parent)?.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let ino = self.next_ino;
        self.next_ino += 1;
        let node = Node { body, perm: (mode & 0o7777) as u16, mtime: SystemTime::now(), name: name.to_owned() };
        self.nodes.insert(ino, node);
        self.entries(parent)?.insert(name.to_owned(), ino);
        Ok(ino)
    }

    /// After an operation succeeded: cuts if the trigger asks.
    fn after(&mut self, op: Op) {
        if let Some(trigger) = self.trigger.as_mut() {
            if trigger(&op) {
                self.cut = true;
                self.trigger = None;
            }
        }
    }

    /// Every path (relative to the backing directory) at which `target` is durable, walking the
    /// durable entries from the root.
    fn durable_paths(&self, target: u64) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![(1u64, PathBuf::new())];
        let mut seen = HashSet::new();
        while let Some((ino, path)) = stack.pop() {
            if ino == target {
                found.push(path.clone());
            }
            if !seen.insert(ino) {
                continue;
            }
            if let Some(Node { body: Body::Dir { durable, .. }, .. }) = self.nodes.get(&ino) {
                stack.extend(durable.iter().map(|(name, child)| (*child, path.join(name))));
            }
        }
        found
    }

    fn sync(&mut self, ino: INodeNo) -> Result<(), Errno> {
        let name = self.node(ino)?.name.clone();
        let synced = match &mut self.node(ino)?.body {
            Body::File(c) => {
                let previous = c.generation;
                c.durable.resize(c.live.len(), 0);
                let len = c.live.len() as u64;
                let ranges: Vec<(u64, u64)> =
                    c.dirty.drain(..).map(|(a, b)| (a.min(len), b.min(len))).filter(|(a, b)| a < b).collect();
                for &(a, b) in &ranges {
                    c.durable[a as usize..b as usize].copy_from_slice(&c.live[a as usize..b as usize]);
                }
                c.generation += 1;
                Some((previous, ranges))
            }
            Body::Dir { live, durable } => {
                *durable = live.clone();
                None
            }
        };
        let written = match synced {
            Some((previous, ranges)) => self.write_file(ino.0, previous, &ranges),
            None => self.durable_paths(ino.0).into_iter().try_for_each(|p| self.write_dir(ino.0, &p)),
        };
        if let Err(e) = written {
            // The emulation failed, not the program under test: the test reads this and fails.
            self.broken = Some(format!("writing the durable state to {}: {e}", self.backing.display()));
            self.cut = true;
            return Err(Errno::EIO);
        }
        self.syncs += 1;
        self.after(Op::Sync(name));
        Ok(())
    }

    /// Brings the backing copies of a file that was just synced up to date: only the ranges
    /// synced where a copy held the previous sync, the whole file elsewhere.
    fn write_file(&mut self, ino: u64, previous: u64, ranges: &[(u64, u64)]) -> std::io::Result<()> {
        for path in self.durable_paths(ino) {
            let Body::File(c) = &self.nodes[&ino].body else { unreachable!() };
            let full = self.backing.join(&path);
            if self.copies.get(&path) == Some(&(ino, previous)) {
                let f = std::fs::OpenOptions::new().write(true).open(&full)?;
                for &(a, b) in ranges {
                    f.write_all_at(&c.durable[a as usize..b as usize], a)?;
                }
                f.set_len(c.durable.len() as u64)?;
            } else {
                std::fs::write(&full, &c.durable)?;
            }
            let generation = c.generation;
            self.copies.insert(path, (ino, generation));
        }
        Ok(())
    }

    /// Makes the backing directory at `path` hold exactly the durable entries of `dir`.
    fn write_dir(&mut self, dir: u64, path: &Path) -> std::io::Result<()> {
        let full = self.backing.join(path);
        std::fs::create_dir_all(&full)?;
        let Body::Dir { durable, .. } = &self.nodes[&dir].body else { unreachable!() };
        let durable = durable.clone();
        for entry in std::fs::read_dir(&full)? {
            let entry = entry?;
            let name = entry.file_name();
            let keep = durable.get(&name).is_some_and(|child| {
                matches!(self.nodes[child].body, Body::Dir { .. }) == entry.file_type().is_ok_and(|t| t.is_dir())
            });
            if !keep {
                let gone = path.join(&name);
                if entry.file_type()?.is_dir() {
                    std::fs::remove_dir_all(entry.path())?;
                } else {
                    std::fs::remove_file(entry.path())?;
                }
                self.copies.retain(|p, _| !p.starts_with(&gone));
            }
        }
        for (name, child) in durable {
            let child_path = path.join(&name);
            match &self.nodes[&child].body {
                Body::File(c) => {
                    if self.copies.get(&child_path) != Some(&(child, c.generation)) {
                        std::fs::write(self.backing.join(&child_path), &c.durable)?;
                        self.copies.insert(child_path, (child, c.generation));
                    }
                }
                // A directory inside itself (renames between directories synced in some orders
                // can leave one in the durable state) is written once.
                Body::Dir { .. } if path.ancestors().count() > 64 => {}
                Body::Dir { .. } => self.write_dir(child, &child_path)?,
            }
        }
        Ok(())
    }
}

/// The filesystem as the FUSE session sees it.
struct Fs(Arc<Mutex<State>>);

impl Fs {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.0)
    }
}

fn empty_file() -> Body {
    Body::File(Contents::default())
}

impl Filesystem for Fs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let mut s = self.state();
        match s.child(parent, name) {
            Ok(ino) => reply.entry(&TTL, &s.attr(ino), Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let mut s = self.state();
        match s.node(ino) {
            Ok(_) => reply.attr(&TTL, &s.attr(ino.0)),
            Err(e) => reply.error(e),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        _mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let mut s = self.state();
        let node = match s.node(ino) {
            Ok(node) => node,
            Err(e) => return reply.error(e),
        };
        if let Some(mode) = mode {
            node.perm = (mode & 0o7777) as u16;
        }
        if let Some(size) = size {
            let Body::File(c) = &mut node.body else { return reply.error(Errno::EISDIR) };
            let old = c.live.len() as u64;
            c.live.resize(size as usize, 0);
            c.dirty.push((old.min(size), old.max(size)));
            node.mtime = SystemTime::now();
        }
        reply.attr(&TTL, &s.attr(ino.0));
    }

    fn mkdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, mode: u32, umask: u32, reply: ReplyEntry) {
        let mut s = self.state();
        let dir = Body::Dir { live: BTreeMap::new(), durable: BTreeMap::new() };
        match s.add(parent, name, dir, mode & !umask) {
            Ok(ino) => reply.entry(&TTL, &s.attr(ino), Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut s = self.state();
        match s.entries(parent).and_then(|e| e.remove(name).ok_or(Errno::ENOENT)) {
            // The node stays: open descriptors and durable entries may still refer to it.
            Ok(_) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut s = self.state();
        let removed = s.child(parent, name).and_then(|ino| match &s.nodes[&ino].body {
            Body::Dir { live, .. } if live.is_empty() => Ok(()),
            Body::Dir { .. } => Err(Errno::ENOTEMPTY),
            Body::File(_) => Err(Errno::ENOTDIR),
        });
        match removed.and_then(|()| s.entries(parent)).map(|e| e.remove(name)) {
            Ok(_) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        if !flags.is_empty() {
            return reply.error(Errno::EINVAL);
        }
        let mut s = self.state();
        let moved = s.child(parent, name).and_then(|ino| {
            if let Ok(old) = s.child(newparent, newname) {
                if let Body::Dir { live, .. } = &s.nodes[&old].body {
                    if !live.is_empty() {
                        return Err(Errno::ENOTEMPTY);
                    }
                }
            }
            s.entries(parent)?.remove(name);
            s.entries(newparent)?.insert(newname.to_owned(), ino);
            s.nodes.get_mut(&ino).unwrap().name = newname.to_owned();
            Ok(())
        });
        match moved {
            Ok(()) => {
                s.after(Op::Rename(newname.to_owned()));
                reply.ok()
            }
            Err(e) => reply.error(e),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.state().node(ino) {
            Ok(_) => reply.opened(FileHandle(0), FopenFlags::empty()),
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        let mut s = self.state();
        match s.node(ino).map(|n| &n.body) {
            Ok(Body::File(c)) => {
                let start = (offset as usize).min(c.live.len());
                let end = (start + size as usize).min(c.live.len());
                reply.data(&c.live[start..end])
            }
            Ok(Body::Dir { .. }) => reply.error(Errno::EISDIR),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyWrite,
    ) {
        let mut s = self.state();
        let node = match s.node(ino) {
            Ok(node) => node,
            Err(e) => return reply.error(e),
        };
        let Body::File(c) = &mut node.body else { return reply.error(Errno::EISDIR) };
        let (start, end) = (offset as usize, offset as usize + data.len());
        if c.live.len() < end {
            c.live.resize(end, 0);
        }
        c.live[start..end].copy_from_slice(data);
        c.dirty.push((start as u64, end as u64));
        if c.dirty.len() > 4096 {
            // Many small writes: one range that covers them all.
            let a = c.dirty.iter().map(|r| r.0).min().unwrap();
            let b = c.dirty.iter().map(|r| r.1).max().unwrap();
            c.dirty = vec![(a, b)];
        }
        node.mtime = SystemTime::now();
        reply.written(data.len() as u32)
    }

    fn flush(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _owner: fuser::LockOwner, reply: ReplyEmpty) {
        // Closing a file makes nothing durable.
        match self.state().node(ino) {
            Ok(_) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn fsync(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        match self.state().sync(ino) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.state().node(ino) {
            Ok(_) => reply.opened(FileHandle(0), FopenFlags::empty()),
            Err(e) => reply.error(e),
        }
    }

    fn readdir(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, offset: u64, mut reply: ReplyDirectory) {
        let mut s = self.state();
        let entries: Vec<(u64, OsString)> = match s.entries(ino) {
            Ok(e) => e.iter().map(|(name, child)| (*child, name.clone())).collect(),
            Err(e) => return reply.error(e),
        };
        let all = [(ino.0, OsString::from(".")), (ino.0, OsString::from(".."))].into_iter().chain(entries);
        for (i, (child, name)) in all.enumerate().skip(offset as usize) {
            let kind = match s.nodes[&child].body {
                Body::File(_) => FileType::RegularFile,
                Body::Dir { .. } => FileType::Directory,
            };
            if reply.add(INodeNo(child), i as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok()
    }

    fn fsyncdir(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        match self.state().sync(ino) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn statfs(&self, _req: &Request, ino: INodeNo, reply: ReplyStatfs) {
        match self.state().node(ino) {
            Ok(_) => reply.statfs(1 << 20, 1 << 19, 1 << 19, 1 << 16, 1 << 15, 4096, 255, 4096),
            Err(e) => reply.error(e),
        }
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let mut s = self.state();
        let ino = match s.child(parent, name) {
            Ok(_) if flags & O_EXCL != 0 => return reply.error(Errno::EEXIST),
            Ok(ino) => ino,
            Err(Errno::ENOENT) => match s.add(parent, name, empty_file(), mode & !umask) {
                Ok(ino) => ino,
                Err(e) => return reply.error(e),
            },
            Err(e) => return reply.error(e),
        };
        reply.created(&TTL, &s.attr(ino), Generation(0), FileHandle(0), FopenFlags::empty())
    }
}

/// `O_EXCL` on Linux.
const O_EXCL: i32 = 0o200;
