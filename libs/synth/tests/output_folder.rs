#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use hap_synth::{REPORT_FILE_NAME, RegistryFile, SynthError, SynthOptions, generate};

#[test]
fn no_partial_files_left() {
    let fixture = common::large();
    for entry in fs::read_dir(&fixture.dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".partial"), "{name} left behind");
    }
}

#[test]
fn invalid_options_create_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let out_dir = parent.path().join("registries");
    let options = SynthOptions {
        dirty_share: 2.0,
        ..SynthOptions::new(100, 1)
    };
    let outcome = generate(&options, &out_dir);
    assert!(matches!(outcome, Err(SynthError::InvalidDirtyShare { .. })));
    assert!(!out_dir.exists());
}

#[test]
fn failed_run_leaves_no_report() {
    let dir = tempfile::tempdir().unwrap();
    generate(&SynthOptions::new(300, 1), dir.path()).unwrap();
    assert!(dir.path().join(REPORT_FILE_NAME).exists());

    // A folder in place of cancer.csv makes the rename of that file fail.
    fs::remove_file(dir.path().join(RegistryFile::Cancer.file_name())).unwrap();
    fs::create_dir(dir.path().join(RegistryFile::Cancer.file_name())).unwrap();
    let outcome = generate(&SynthOptions::new(300, 2), dir.path());

    assert!(matches!(outcome, Err(SynthError::Write { .. })));
    assert!(!dir.path().join(REPORT_FILE_NAME).exists());
    assert!(
        dir.path()
            .join(RegistryFile::Population.file_name())
            .exists()
    );
    for entry in fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".partial"), "{name} left behind");
    }
}

#[test]
fn write_error_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(RegistryFile::Birth.file_name())).unwrap();
    let message = generate(&SynthOptions::new(100, 1), dir.path())
        .unwrap_err()
        .to_string();
    assert!(message.contains("failed to write"), "{message}");
    assert!(message.contains("birth.csv"), "{message}");
}
