//! The repository stands alone: a clone with nothing beside it has every file its tests, scripts
//! and documents use, and every source the record cites can be opened from it.

use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The repository's own text files: everything but build output, installed packages and git's.
fn repository_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !["target", ".git", "node_modules"].contains(&name.as_str()) {
                repository_files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_file_of_the_repository_points_at_a_folder_beside_it() {
    // Spelt in two parts so that this file does not match itself.
    let beside = concat!("..", "/shared");
    let mut files = Vec::new();
    repository_files(Path::new(ROOT), &mut files);
    assert!(files.len() > 50, "found only {} files under {ROOT}", files.len());
    let offending: Vec<String> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|text| text.contains(beside)))
        .map(|f| f.strip_prefix(ROOT).unwrap_or(f).display().to_string())
        .collect();
    assert!(offending.is_empty(), "files that need {beside} beside the repository: {offending:?}");
}

#[test]
fn every_source_the_record_cites_by_path_opens_in_the_repository() {
    let path = Path::new(ROOT).join("seed").join("sources.json");
    let sources: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut by_path = 0;
    for source in &sources {
        let slug = source["slug"].as_str().unwrap();
        let Some(reference) = source["reference"].as_str() else { continue };
        if reference.starts_with("https://") || reference.starts_with("http://") {
            continue;
        }
        by_path += 1;
        let file = Path::new(ROOT).join(reference);
        assert!(
            file.is_file() && std::fs::metadata(&file).unwrap().len() > 0,
            "{slug} cites {reference}, which is not a file of the repository"
        );
    }
    // The five source documents have no public address: each is cited by its archived copy.
    assert!(by_path >= 5, "only {by_path} sources are cited by a path in the repository");
    for slug in ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"] {
        let source = sources.iter().find(|s| s["slug"] == slug).unwrap_or_else(|| panic!("no source {slug}"));
        let reference = source["reference"].as_str().unwrap_or_default();
        assert!(reference.starts_with("sources/"), "{slug} is cited as {reference:?}, not by its copy in sources/");
    }
}
