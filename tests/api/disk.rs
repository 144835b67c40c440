//! A filesystem of the tests' own under a data directory: an ext4 image on a loop device, small
//! enough to fill, that can be cut off at once the way a power cut leaves a disk.
//!
//! It needs root (a loop device and `mount`), as CI has. Without root the tests that use it
//! fail, unless a person sets `KHARTOUM_SKIP_DISK_TESTS=1` to skip them by name.

use crate::helpers::is_root;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the disk tests (these, and the power-cut tests on [`crate::cutfs`]) can run here;
/// panics, with the way to skip them, when they cannot and nobody asked to skip them.
pub fn may_run() -> bool {
    if is_root() {
        return true;
    }
    if std::env::var_os("KHARTOUM_SKIP_DISK_TESTS").is_some() {
        eprintln!(
            "\n\n!!!!! SKIPPED: a test of the disk under the store (power cut, full disk), because KHARTOUM_SKIP_DISK_TESTS is set. \
             The store was NOT checked against a power cut or a full disk. !!!!!\n\n"
        );
        return false;
    }
    panic!(
        "the disk tests need root (a loop device, mount, /dev/fuse); run the tests as root, or set \
         KHARTOUM_SKIP_DISK_TESTS=1 to skip them by name"
    );
}

/// A system tool, from the sbin directories that a non-login root shell may lack in its PATH.
fn tool(name: &str) -> PathBuf {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Runs a system tool, returning its exit code; panics with its output if it cannot run.
pub fn run(name: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(tool(name)).args(args).output().unwrap_or_else(|e| panic!("{name} does not run: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Runs a system tool that must succeed.
pub fn must(name: &str, args: &[&str]) -> String {
    let (code, text) = run(name, args);
    assert_eq!(code, 0, "{name} {args:?} failed: {text}");
    text
}

/// An ext4 filesystem on a loop device, mounted with `errors=remount-ro`, that can be cut off.
/// Dropping it unmounts it and frees the loop device, also when a test fails.
pub struct Disk {
    /// The folder of the image and the mount point.
    dir: tempfile::TempDir,
    /// The loop device, `/dev/loopN`.
    device: String,
    mounted: bool,
}

impl Disk {
    pub fn new(mib: u64) -> Disk {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("disk.img");
        std::fs::File::create(&image).unwrap().set_len(mib << 20).unwrap();
        must("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()]);
        let device = must("losetup", &["--find", "--show", image.to_str().unwrap()]).trim().to_owned();
        std::fs::create_dir(dir.path().join("mnt")).unwrap();
        let mut disk = Disk { dir, device, mounted: false };
        disk.mount();
        disk
    }

    pub fn mount_point(&self) -> PathBuf {
        self.dir.path().join("mnt")
    }

    /// The data directory, on the filesystem.
    pub fn data(&self) -> PathBuf {
        self.mount_point().join("data")
    }

    pub fn mount(&mut self) {
        must("mount", &["-t", "ext4", "-o", "errors=remount-ro", &self.device, self.mount_point().to_str().unwrap()]);
        self.mounted = true;
    }

    /// The power cut: ext4 records an error, aborts its journal and turns read-only at once.
    pub fn cut(&self) {
        let name = Path::new(&self.device).file_name().unwrap().to_str().unwrap().to_owned();
        std::fs::write(format!("/sys/fs/ext4/{name}/trigger_fs_error"), "power cut\n")
            .expect("ext4's trigger_fs_error accepts the cut");
    }

    /// After the cut and the server's death: unmount, let `e2fsck -p -f` repair what the cut
    /// left, and mount again, as a machine does when it comes back.
    pub fn recover(&mut self) {
        must("umount", &[self.mount_point().to_str().unwrap()]);
        self.mounted = false;
        let (code, text) = run("e2fsck", &["-p", "-f", &self.device]);
        // 0: clean; 1: errors corrected; 2: corrected, reboot advised. 4 and up: not repaired.
        assert!(code <= 2, "e2fsck could not repair the filesystem (exit {code}): {text}");
        self.mount();
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = run("umount", &["-l", self.mount_point().to_str().unwrap()]);
        }
        let _ = run("losetup", &["-d", &self.device]);
    }
}
